"""How a question version is shown to an examinee, and how a posted answer is read back.

``question_html`` renders the view built here (``exams/templates/exams/includes/question.html``
calls it); the trainer preview and exam delivery both use it, so what a trainer previews is what an
examinee gets. Form field
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

from django.utils.html import format_html, format_html_join, linebreaks
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext, pgettext_lazy

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


# --- markup -------------------------------------------------------------------------------------
# The question's HTML, built here rather than by a template: an exam paper shows 30–100 questions
# and the template language cost ~0.5 ms a question, the largest part of opening a paper during an
# exam's start burst (docs/PERFORMANCE.md). ``exams/includes/question.html`` calls this, so every
# page shows a question with the same markup.


def _attrs(*flags: tuple[bool, str]) -> str:
    return "".join(text for on, text in flags if on)


def _option_html(view: QuestionView, option: OptionView) -> str:
    field_id = f"{view.name}-{option.key}"
    label = (
        ""
        if view.type == QuestionType.TRUE_FALSE
        else format_html('<span class="q-option-label">{}.</span>', option.label)
    )
    mark = (
        format_html('<span class="tag tag-success q-key-mark">{}</span>', gettext("Correct")) if option.correct else ""
    )
    return format_html(
        '<label class="q-option{}{}" for="{}"><input type="{}" name="{}" id="{}" value="{}"{}> {}'
        '<span class="q-option-text rich-text">{}</span>{}</label>',
        " is-chosen" if option.checked else "",
        " is-correct" if option.correct else "",
        field_id,
        view.input_type,
        view.name,
        field_id,
        option.key,
        mark_safe(_attrs((option.checked, " checked"), (view.readonly, " disabled"))),  # noqa: S308 - constants
        label,
        option.html,
        mark,
    )


def _blank_html(view: QuestionView, blank: BlankView) -> str:
    accepted = ""
    if blank.accepted is not None:
        values = format_html_join(" | ", '<span class="q-accepted">{}</span>', ((value,) for value in blank.accepted))
        accepted = format_html('<div class="q-key small">{}: {}</div>', gettext("Accepted answers"), values)
    return format_html(
        '<li class="q-blank"><label for="{}">{}</label>'
        '<input type="text" name="{}" id="{}" value="{}" autocomplete="off" maxlength="200"{}>{}</li>',
        blank.field_name,
        gettext("Blank %(number)s") % {"number": blank.number},
        blank.field_name,
        blank.field_name,
        blank.value,
        mark_safe(" readonly" if view.readonly else ""),  # noqa: S308 - constant
        accepted,
    )


def _answer_key_html(view: QuestionView) -> str:
    parts = []
    if view.key_label:
        parts.append(format_html("<p><strong>{}:</strong> {}</p>", gettext("Answer"), view.key_label))
    for title, text in (
        (gettext("Reference answer"), view.reference_answer),
        (gettext("Grading rubric"), view.rubric),
        (gettext("Explanation"), view.explanation),
        (gettext("Legal basis"), view.legal_basis),
    ):
        if text:
            parts.append(
                format_html(
                    '<div class="q-key-block"><strong>{}</strong><div class="rich-text">{}</div></div>', title, text
                )
            )
    return format_html('<div class="q-answer-key">{}</div>', mark_safe("".join(parts)))  # noqa: S308 - built above


def question_html(view: QuestionView, *, number=None, points=None) -> SafeString:
    """The question as an examinee sees it (trainer preview, exam delivery, review): the markup of
    ``view``, with its number on the paper and its points when given."""
    head = [format_html('<span class="q-number">{}.</span>', number)] if number else []
    head.append(format_html('<span class="q-type">{}</span>', view.type_label))
    if points:
        text = ngettext("%(counter)s point", "%(counter)s points", points) % {"counter": points}
        head.append(format_html('<span class="q-points">{}</span>', text))
    if view.is_choice:
        legend = (
            gettext("Choose all correct options")
            if view.type == QuestionType.MULTIPLE
            else gettext("Choose one option")
        )
        body = format_html(
            '<fieldset class="q-options"><legend class="visually-hidden">{}</legend>{}</fieldset>',
            legend,
            mark_safe("".join(_option_html(view, option) for option in view.options)),  # noqa: S308 - format_html
        )
    elif view.type == QuestionType.FILL_BLANK:
        body = format_html(
            '<ol class="q-blanks">{}</ol>',
            mark_safe("".join(_blank_html(view, blank) for blank in view.blanks)),  # noqa: S308 - format_html
        )
    else:
        body = format_html(
            '<div class="q-essay"><label for="{}" class="visually-hidden">{}</label>'
            '<textarea name="{}" id="{}" rows="8" maxlength="10000"{}>{}</textarea></div>',
            view.name,
            gettext("Your answer"),
            view.name,
            view.name,
            mark_safe(" readonly" if view.readonly else ""),  # noqa: S308 - constant
            view.text,
        )
    return format_html(
        '<div class="q q-{}{}{}"><div class="q-head">{}</div><div class="q-stem rich-text">{}</div>{}{}</div>',
        view.type,
        " q-with-key" if view.show_key else "",
        " q-readonly" if view.readonly else "",
        mark_safe(" ".join(head)),  # noqa: S308 - format_html
        view.stem,
        body,
        _answer_key_html(view) if view.show_key else "",
    )
