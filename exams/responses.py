"""Responses given in the option labels an examinee saw, turned into the question's own keys.

A paper's options may be shown (on screen or printed) in a shuffled order: ``PaperItem.option_order``
records it, and ``PaperItem.original_key`` maps a shown label back. The online paper
(``exams.views.taking``) and paper entry (``exams.services.paper_sitting``) both hand their
label-shaped responses to ``response_from_labels``, so the delivery engine, grading and analysis
only ever see the question's own keys, whatever was printed.
"""

from __future__ import annotations

from exams.models import PaperItem, QuestionType
from exams.models.questions import OPTION_KEYS
from exams.rendering import blank_count

MAX_BLANK_CHARS = 200


class BadResponse(ValueError):
    """The given response does not fit the question type."""


def option_labels(item: PaperItem) -> str:
    """The labels shown for the item's options: "ABCD" for four options."""
    count = len(item.question_version.options or []) or len(item.option_order or [])
    return OPTION_KEYS[:count]


def response_from_labels(item: PaperItem, raw):
    """The response, in the labels shown, as the question's own keys; None when cleared.

    Shapes: single "B"; multiple ["A", "C"]; true/false true|false; fill in the blanks one string per
    blank; short answer a string. ``BadResponse`` for anything else.
    """
    question_type = item.question_type
    if raw is None:
        return None
    if question_type == QuestionType.SINGLE:
        if raw == "":
            return None
        if not isinstance(raw, str) or len(raw) != 1 or raw not in option_labels(item):
            raise BadResponse
        return item.original_key(raw)
    if question_type == QuestionType.MULTIPLE:
        labels = option_labels(item)
        if not isinstance(raw, list) or any(not isinstance(v, str) or len(v) != 1 or v not in labels for v in raw):
            raise BadResponse
        return sorted({item.original_key(label) for label in raw}) or None
    if question_type == QuestionType.TRUE_FALSE:
        if not isinstance(raw, bool):
            raise BadResponse
        return raw
    if question_type == QuestionType.FILL_BLANK:
        blanks = blank_count(item.question_version)
        if (
            not isinstance(raw, list)
            or len(raw) > blanks
            or any(not isinstance(v, str) or len(v) > MAX_BLANK_CHARS for v in raw)
        ):
            raise BadResponse
        return raw if any(value.strip() for value in raw) else None
    if not isinstance(raw, str):
        raise BadResponse
    return raw if raw.strip() else None
