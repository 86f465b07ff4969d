"""Scoring of one response against one question version. Pure functions, no database."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from exams.models import MultipleChoiceScoring, QuestionType
from exams.text import normalize_answer

CENT = Decimal("0.01")


@dataclass(frozen=True)
class Score:
    points: Decimal | None  # None: waits for a person (short answer)
    correct: bool | None

    @property
    def needs_grading(self) -> bool:
        return self.points is None


def _quantize(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _has_content(response) -> bool:
    if isinstance(response, str):
        return bool(response.strip())
    return any(_has_content(item) if isinstance(item, str | list | tuple) else item is not None for item in response)


def _option_key(value) -> str:
    return str(value).strip().upper() if value is not None else ""


_TRUE_VALUES = {"true", "1", "t", "yes", "y"}
_FALSE_VALUES = {"false", "0", "f", "no", "n"}


def _true_false(response) -> bool | None:
    """A true/false response as posted ("true" / "false") or as a boolean; anything else is no answer."""
    if isinstance(response, bool):
        return response
    value = str(response).strip().casefold()
    if value in _TRUE_VALUES:
        return True
    if value in _FALSE_VALUES:
        return False
    return None


def score_response(
    *,
    question_type: str,
    answer,
    response,
    points: Decimal | int | str,
    multiple_scoring: str = MultipleChoiceScoring.ALL_OR_NOTHING,
) -> Score:
    """Points earned by ``response`` for a question worth ``points``.

    ``response`` shapes mirror the answer keys (see exams.models.questions): "B"; ["A", "C"];
    True/False; ["blank 1", "blank 2"]; free text. Form values are accepted as posted by the
    question renderer: "true"/"false" for true/false, a bare string for a one-blank question.
    An empty response scores zero, a blank short answer included (nothing for a person to grade).
    Option keys are the question's own keys, whatever order the options were shown in.
    Multiple choice with partial credit: no wrong option chosen → points × chosen / correct.
    Fill in the blanks: each blank is worth an equal share; an empty blank never matches.
    """
    full = Decimal(str(points))
    zero = Decimal("0.00")
    if response is None or (isinstance(response, str | list | tuple) and not _has_content(response)):
        return Score(points=zero, correct=False)
    if question_type == QuestionType.SHORT_ANSWER:
        return Score(points=None, correct=None)

    if question_type == QuestionType.SINGLE:
        correct = _option_key(response) == _option_key(answer)
        return Score(points=_quantize(full) if correct else zero, correct=correct)

    if question_type == QuestionType.TRUE_FALSE:
        given = _true_false(response)
        correct = given is not None and given is bool(answer)
        return Score(points=_quantize(full) if correct else zero, correct=correct)

    if question_type == QuestionType.MULTIPLE:
        # A bare string ("AC", "A,C") is read as its letters.
        keys = re.findall(r"[A-Za-z]", response) if isinstance(response, str) else response
        chosen = {_option_key(key) for key in keys} - {""}
        expected = {_option_key(key) for key in answer or []}
        if chosen == expected:
            return Score(points=_quantize(full), correct=True)
        if multiple_scoring == MultipleChoiceScoring.PARTIAL and chosen and chosen < expected:
            return Score(points=_quantize(full * len(chosen) / len(expected)), correct=False)
        return Score(points=zero, correct=False)

    if question_type == QuestionType.FILL_BLANK:
        blanks = answer or []
        given = [response] if isinstance(response, str) else list(response)
        given += [""] * (len(blanks) - len(given))
        right = sum(
            1
            for accepted, value in zip(blanks, given, strict=False)
            if normalize_answer(value)
            and normalize_answer(value) in {normalize_answer(alternative) for alternative in accepted}
        )
        if not blanks:
            return Score(points=zero, correct=False)
        return Score(points=_quantize(full * right / len(blanks)), correct=right == len(blanks))

    raise ValueError(f"Unknown question type: {question_type!r}")
