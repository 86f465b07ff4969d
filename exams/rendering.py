"""How a question version is shown to an examinee, and how a posted answer is read back.

``exams/templates/exams/includes/question.html`` renders the view built here; the trainer preview
and exam delivery both use it, so what a trainer previews is what an examinee gets. Form field
names, given the ``name`` prefix:

    single, true/false   <name>            one value: the option key ("B") / "true" or "false"
    multiple             <name>            several values: option keys
    fill in the blanks   <name>-1 … <name>-n
    short answer         <name>

Option values are the question's own keys whatever order they are shown in (the labels A, B, C …
follow the display order), so a response scores the same under any permutation.

The answer key never reaches the template unless ``show_key`` is set: the view carries key data
only then.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from django.utils.html import format_html, linebreaks
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import pgettext_lazy

from exams.models import QuestionType
from exams.models.questions import OPTION_KEYS
from exams.text import BLANK_MARK, clean_html

TRUE_LABEL = pgettext_lazy("true/false question", "True")
FALSE_LABEL = pgettext_lazy("true/false question", "False")
_TAG = re.compile(r"(<[^>]*>)")


def rich_text(html: str) -> SafeString:
    """Trainer-authored text made safe to output: cleaned by the allowlist; plain text (no tags)
    keeps its line breaks."""
    cleaned = clean_html(html)
    if "<" not in cleaned:
        # Plain text: the cleaner escaped it; only turn its line breaks into paragraphs.
        return mark_safe(linebreaks(cleaned, autoescape=False))  # noqa: S308 - escaped by clean_html
    return mark_safe(cleaned)  # noqa: S308 - clean_html output is an allowlist


def mark_blanks(html: str) -> str:
    """Number the blank marks in a stem ("____" → "__(1)__"), in text only, never inside tags."""
    counter = 0

    def number(match: re.Match) -> str:
        nonlocal counter
        counter += 1
        return format_html('<span class="q-blank-mark">（{}）</span>', counter)

    return "".join(part if part.startswith("<") else BLANK_MARK.sub(number, part) for part in _TAG.split(html))


@dataclass
class OptionView:
    label: str  # A, B, C … in display order
    key: str  # the question's own key: the submitted value
    html: SafeString
    checked: bool
    correct: bool | None  # None unless the key is shown


@dataclass
class BlankView:
    number: int
    field_name: str
    value: str
    accepted: list[str] | None  # None unless the key is shown


@dataclass
class QuestionView:
    type: str
    name: str
    stem: SafeString
    options: list[OptionView] = field(default_factory=list)
    blanks: list[BlankView] = field(default_factory=list)
    text: str = ""  # short answer response
    readonly: bool = False
    show_key: bool = False
    # Only filled when show_key:
    key_label: str = ""
    reference_answer: SafeString | str = ""
    rubric: SafeString | str = ""
    explanation: SafeString | str = ""
    legal_basis: SafeString | str = ""

    @property
    def type_label(self) -> str:
        return str(QuestionType(self.type).label) if self.type in QuestionType.values else ""

    @property
    def input_type(self) -> str:
        return "checkbox" if self.type == QuestionType.MULTIPLE else "radio"

    @property
    def is_choice(self) -> bool:
        return self.type in (QuestionType.SINGLE, QuestionType.MULTIPLE, QuestionType.TRUE_FALSE)


def blank_count(version) -> int:
    """Number of inputs of a fill-in-the-blank question: one per blank of the key."""
    return len(version.answer or []) or 1


def _chosen(question_type: str, response) -> set[str]:
    if response is None or response == "":
        return set()
    if question_type == QuestionType.TRUE_FALSE:
        if isinstance(response, bool):
            return {"true" if response else "false"}
        return {str(response).strip().lower()}
    if isinstance(response, str):
        return {response.strip().upper()}
    return {str(value).strip().upper() for value in response}


def question_view(
    version,
    *,
    question_type: str | None = None,
    name: str = "q",
    permutation: Sequence[str] | None = None,
    response=None,
    readonly: bool = False,
    show_key: bool = False,
) -> QuestionView:
    """The display of ``version``: options in ``permutation`` order (a list of the question's
    option keys; unknown keys ignored, missing ones appended), ``response`` shown as the current
    answer (same shapes as ``exams.scoring.score_response``)."""
    question_type = question_type or version.question.type
    stem_html = str(rich_text(version.stem))
    if question_type == QuestionType.FILL_BLANK:
        stem_html = mark_blanks(stem_html)
    view = QuestionView(
        type=question_type, name=name, stem=mark_safe(stem_html), readonly=bool(readonly), show_key=bool(show_key)
    )  # noqa: S308 - built from rich_text
    answer = version.answer
    chosen = _chosen(question_type, response)

    if question_type in (QuestionType.SINGLE, QuestionType.MULTIPLE):
        by_key = {option["key"]: option for option in version.options or []}
        order = [key for key in (permutation or []) if key in by_key]
        order += [key for key in by_key if key not in order]
        expected = set(answer if isinstance(answer, list) else [answer]) if show_key else set()
        for position, key in enumerate(order):
            view.options.append(
                OptionView(
                    label=OPTION_KEYS[position],
                    key=key,
                    html=rich_text(by_key[key].get("text", "")),
                    checked=key in chosen,
                    correct=(key in expected) if show_key else None,
                )
            )
        if show_key:
            view.key_label = "、".join(option.label for option in view.options if option.correct)
    elif question_type == QuestionType.TRUE_FALSE:
        for label, value in (("A", "true"), ("B", "false")):
            view.options.append(
                OptionView(
                    label=label,
                    key=value,
                    html=format_html("{}", TRUE_LABEL if value == "true" else FALSE_LABEL),
                    checked=value in chosen,
                    correct=((value == "true") is bool(answer)) if show_key else None,
                )
            )
        if show_key:
            view.key_label = str(TRUE_LABEL if answer else FALSE_LABEL)
    elif question_type == QuestionType.FILL_BLANK:
        given = [response] if isinstance(response, str) else list(response or [])
        for number in range(1, blank_count(version) + 1):
            accepted = None
            if show_key:
                accepted = list((answer or [[]])[number - 1]) if number <= len(answer or []) else []
            view.blanks.append(
                BlankView(
                    number=number,
                    field_name=f"{name}-{number}",
                    value=str(given[number - 1]) if number <= len(given) and given[number - 1] is not None else "",
                    accepted=accepted,
                )
            )
    else:
        view.text = "" if response is None else str(response)

    if show_key:
        view.reference_answer = rich_text(version.reference_answer) if version.reference_answer else ""
        view.rubric = rich_text(version.rubric) if version.rubric else ""
        view.explanation = rich_text(version.explanation) if version.explanation else ""
        view.legal_basis = rich_text(version.legal_basis) if version.legal_basis else ""
    return view


def response_from_data(data: Mapping, *, question_type: str, name: str, blanks: int = 1):
    """The response posted by the renderer's inputs (``request.POST``), in score_response's shapes;
    None when nothing was answered."""
    if question_type == QuestionType.MULTIPLE:
        values = data.getlist(name) if hasattr(data, "getlist") else data.get(name) or []
        values = [values] if isinstance(values, str) else values
        keys = sorted({str(v).strip().upper() for v in values if str(v).strip()})
        return keys or None
    if question_type == QuestionType.FILL_BLANK:
        values = [str(data.get(f"{name}-{number}", "") or "") for number in range(1, blanks + 1)]
        return values if any(v.strip() for v in values) else None
    value = data.get(name)
    if value is None or not str(value).strip():
        return None
    if question_type == QuestionType.TRUE_FALSE:
        value = str(value).strip().lower()
        return True if value == "true" else False if value == "false" else None
    if question_type == QuestionType.SINGLE:
        return str(value).strip().upper()
    return str(value)
