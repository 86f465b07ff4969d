"""``{% load exams_questions %}``: the question renderer, for exams/includes/question.html."""

from __future__ import annotations

from django import template

from exams import rendering

register = template.Library()


def _given(value):
    """A variable the including template did not pass resolves to "": treat it as not given."""
    return None if value == "" or value is None else value


@register.simple_tag
def question_html(
    version,
    name="q",
    permutation=None,
    response=None,
    readonly=False,
    show_key=False,
    type=None,  # noqa: A002
    number=None,
    points=None,
):
    """The question's markup (``exams.rendering.question_html``)."""
    view = rendering.question_view(
        version,
        question_type=_given(type),
        name=_given(name) or "q",
        permutation=_given(permutation),
        response=None if response == "" else response,
        readonly=bool(readonly),
        show_key=bool(show_key),
    )
    return rendering.question_html(view, number=_given(number), points=_given(points))


@register.filter
def rich_text(value) -> str:
    """``{{ text|rich_text }}``: trainer-authored HTML through the allowlist (plain text keeps line breaks)."""
    return rendering.rich_text(value or "")


@register.filter
def plain_excerpt(html, length=90) -> str:
    """Tags stripped, shortened to ``length`` characters: stems in lists."""
    from exams.text import plain_text

    text = plain_text(html)
    length = int(length)
    return text if len(text) <= length else text[: length - 1] + "…"


@register.filter
def lookup(mapping, key):
    """``{{ names|lookup:point.pk }}``: a dictionary value in a template."""
    try:
        return mapping.get(key, "")
    except AttributeError:
        return ""


@register.filter
def audience_labels(codes) -> str:
    """Audience codes as their labels: "全警、辅警"."""
    from courses.models.choices import Audience

    labels = dict(Audience.choices)
    return "、".join(str(labels.get(code, code)) for code in codes or [])
