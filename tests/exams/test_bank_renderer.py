"""The question renderer (exams/includes/question.html) that the preview and exam delivery share."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.http import QueryDict
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from exams.models import QuestionType, QuestionVersion
from exams.rendering import response_from_data
from exams.scoring import score_response
from exams.text import clean_html


def render(version, **context) -> str:
    return render_to_string("exams/includes/question.html", {"version": version, **context})


def inputs(html: str) -> list[dict[str, str]]:
    found = []
    for tag in re.findall(r"<input[^>]*>", html):
        found.append(dict(re.findall(r'(\w+)="([^"]*)"', tag)) | {"checked": " checked" in tag})
    return found


def test_single_choice_renders_radio_buttons_named_by_the_prefix(make_question):
    version = make_question(QuestionType.SINGLE).current_version
    html = render(version, name="q7")
    fields = inputs(html)
    assert [(f["type"], f["name"], f["value"]) for f in fields] == [
        ("radio", "q7", "A"),
        ("radio", "q7", "B"),
        ("radio", "q7", "C"),
    ]
    assert "立即受理并登记" in html


def test_options_are_shown_in_the_permutation_order_with_labels_by_position(make_question):
    version = make_question(QuestionType.SINGLE).current_version
    html = render(version, name="q", permutation="CAB")
    assert [f["value"] for f in inputs(html)] == ["C", "A", "B"]
    # The option shown first is labelled A whatever its key.
    first_label = re.search(r'value="C".*?<span class="q-option-label">(\w)\.</span>', html, re.S).group(1)
    assert first_label == "A"
    assert html.index("等待上级指示") < html.index("立即受理并登记")


def test_a_response_scores_the_same_under_any_permutation(make_question):
    version = make_question(QuestionType.MULTIPLE).current_version  # key A, B, C
    posted = QueryDict(mutable=True)
    posted.setlist("q", ["C", "B", "A"])  # ticked in display order of a permutation
    response = response_from_data(posted, question_type=QuestionType.MULTIPLE, name="q")
    assert response == ["A", "B", "C"]
    result = score_response(question_type=QuestionType.MULTIPLE, answer=version.answer, response=response, points=2)
    assert result.points == Decimal("2.00")


def test_multiple_choice_renders_checkboxes_and_the_current_response(make_question):
    version = make_question(QuestionType.MULTIPLE).current_version
    html = render(version, name="m", response=["B", "D"])
    fields = inputs(html)
    assert {f["type"] for f in fields} == {"checkbox"}
    assert [f["value"] for f in fields if f["checked"]] == ["B", "D"]


def test_true_false_renders_two_radio_buttons(make_question):
    version = make_question(QuestionType.TRUE_FALSE).current_version
    html = render(version, name="t", response=False)
    fields = inputs(html)
    assert [(f["value"], f["checked"]) for f in fields] == [("true", False), ("false", True)]


def test_fill_blank_renders_one_numbered_input_per_blank_below_the_stem(make_question):
    stem = "<p>拘留后至迟不得超过____送看守所，并在（ ）以内通知家属。</p>"
    version = make_question(QuestionType.FILL_BLANK, stem=stem, answer=[["24小时"], ["二十四小时"]]).current_version
    html = render(version, name="f", response=["２４小时", ""])
    fields = inputs(html)
    assert [(f["type"], f["name"], f["value"]) for f in fields] == [("text", "f-1", "２４小时"), ("text", "f-2", "")]
    assert html.count('class="q-blank-mark"') == 2
    assert "（1）" in html and "（2）" in html
    assert html.index("q-stem") < html.index('name="f-1"')


def test_fill_blank_without_marks_still_gets_its_inputs(make_question):
    version = make_question(
        QuestionType.FILL_BLANK, stem="<p>人民警察法规定的继续盘问最长时限是多少？</p>"
    ).current_version
    assert [f["name"] for f in inputs(render(version, name="x"))] == ["x-1"]


def test_short_answer_renders_a_textarea_with_the_response(make_question):
    version = make_question(QuestionType.SHORT_ANSWER).current_version
    html = render(version, name="s", response="应当先救治伤员。")
    assert re.search(r'<textarea name="s" id="s"[^>]*>应当先救治伤员。</textarea>', html)


@pytest.mark.parametrize("question_type", QuestionType.values)
def test_the_key_is_not_in_the_markup_unless_asked_for(make_question, question_type):
    version = make_question(
        question_type, explanation="解析：依法应当如此。", legal_basis="《中华人民共和国人民警察法》第二十一条"
    ).current_version
    secret_texts = ["解析：依法应当如此", "人民警察法》第二十一条", "q-answer-key", "is-correct"]
    if question_type == QuestionType.FILL_BLANK:
        secret_texts += ["二十四小时", "q-accepted"]
    if question_type == QuestionType.SHORT_ANSWER:
        secret_texts += [version.reference_answer, version.rubric]
    hidden = render(version, name="q")
    for text in secret_texts:
        assert text not in hidden, text
    shown = render(version, name="q", show_key=True)
    assert "解析：依法应当如此" in shown
    assert "q-answer-key" in shown


def test_the_key_marks_the_correct_options_by_their_displayed_labels(make_question):
    version = make_question(QuestionType.SINGLE).current_version  # key A
    with translation.override("en"):
        html = render(version, name="q", permutation=["B", "C", "A"], show_key=True)
    assert re.search(r"<strong>Answer:</strong>\s*C</p>", html)
    assert html.count("is-correct") == 1


def test_readonly_disables_the_inputs(make_question):
    choice = render(make_question(QuestionType.SINGLE).current_version, name="r", readonly=True)
    assert all("disabled" in tag for tag in re.findall(r"<input[^>]*>", choice))
    blank = render(make_question(QuestionType.FILL_BLANK).current_version, name="r", readonly=True)
    assert all("readonly" in tag for tag in re.findall(r"<input[^>]*>", blank))


def test_unsafe_html_written_around_the_services_is_not_rendered(make_question):
    question = make_question(QuestionType.SINGLE)
    QuestionVersion.objects.filter(pk=question.current_version_id).update(
        stem='<p onmouseover="steal()">题干<script>steal()</script><img src="https://cdn.example/x.png"></p>',
        options=[{"key": "A", "text": '<a href="javascript:steal()">甲</a>'}, {"key": "B", "text": "乙"}],
    )
    html = render(QuestionVersion.objects.get(pk=question.current_version_id), name="q")
    assert "steal" not in html
    assert "cdn.example" not in html
    assert "<script" not in html
    assert "题干" in html and "甲" in html


def test_plain_text_stems_keep_their_line_breaks(make_question):
    version = make_question(QuestionType.SHORT_ANSWER, stem="案情：甲乙发生争执。\n问题：如何处置？").current_version
    html = render(version, name="q")
    assert "案情：甲乙发生争执。<br>问题：如何处置？" in html


def test_responses_are_read_back_from_posted_fields():
    data = QueryDict("s=b&t=false&f-1=%EF%BC%92%EF%BC%94&f-2=&e=%E7%AD%94")
    assert response_from_data(data, question_type=QuestionType.SINGLE, name="s") == "B"
    assert response_from_data(data, question_type=QuestionType.TRUE_FALSE, name="t") is False
    assert response_from_data(data, question_type=QuestionType.FILL_BLANK, name="f", blanks=2) == ["２４", ""]
    assert response_from_data(data, question_type=QuestionType.SHORT_ANSWER, name="e") == "答"
    assert response_from_data(data, question_type=QuestionType.SINGLE, name="missing") is None
    assert response_from_data(data, question_type=QuestionType.MULTIPLE, name="missing") is None


# --- the preview page --------------------------------------------------------------------------------


def test_preview_shows_the_question_without_its_key(client, trainer, make_question):
    question = make_question(QuestionType.FILL_BLANK, explanation="解析内容")
    client.force_login(trainer)
    html = client.get(reverse("exams:bank_preview", args=[question.pk])).content.decode()
    assert 'name="answer-1"' in html
    assert "解析内容" not in html
    assert "二十四小时" not in html


def test_preview_checks_a_full_width_answer_and_then_shows_the_key(client, trainer, make_question):
    question = make_question(QuestionType.FILL_BLANK, explanation="解析内容")
    client.force_login(trainer)
    response = client.post(reverse("exams:bank_preview", args=[question.pk]), {"answer-1": " ２４小时 "})
    assert response.context["scores"][0]["score"].points == Decimal("10.00")
    html = response.content.decode()
    assert "解析内容" in html
    assert 'value=" ２４小时 "' in html


def test_preview_scores_multiple_choice_under_both_schemes(client, trainer, make_question):
    question = make_question(QuestionType.MULTIPLE)  # key A, B, C
    client.force_login(trainer)
    response = client.post(reverse("exams:bank_preview", args=[question.pk]), {"answer": ["A", "B"]})
    points = [item["score"].points for item in response.context["scores"]]
    assert points == [Decimal("0.00"), Decimal("6.67")]


def test_preview_can_shuffle_options_reproducibly(client, trainer, make_question):
    question = make_question(QuestionType.SINGLE, options=[{"text": f"选项{i}"} for i in range(8)], answer="A")
    client.force_login(trainer)
    url = reverse("exams:bank_preview", args=[question.pk])
    first = client.get(url, {"shuffle": "1", "seed": "42"}).context["permutation"]
    again = client.get(url, {"shuffle": "1", "seed": "42"}).context["permutation"]
    assert first == again
    assert sorted(first) == list("ABCDEFGH")


def test_preview_at_phone_width(client, trainer, make_question):
    question = make_question()
    client.force_login(trainer)
    html = client.get(reverse("exams:bank_preview", args=[question.pk]), {"width": "phone"}).content.decode()
    assert "bank-preview-frame is-phone" in html


# --- clean_html (exams.text) ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("dirty", "clean"),
    [
        ("<p>第一段</p><p>第二段<br>换行</p>", "<p>第一段</p><p>第二段<br>换行</p>"),
        ('<p style="color:red" class="x" onclick="a()">题干</p>', "<p>题干</p>"),
        ("<script>alert(1)</script><p>题干</p>", "<p>题干</p>"),
        ("<style>p{}</style><iframe src='/x'>内</iframe>题干", "题干"),
        (
            '<img src="/media/images/scene.png" alt="现场" width="200">',
            '<img src="/media/images/scene.png" alt="现场" width="200">',
        ),
        ('<img src="https://cdn.example/x.png" alt="图">', "图"),
        ('<img src="//cdn.example/x.png">', ""),
        ('<img src="data:image/png;base64,iVBORw0KGgo=">', '<img src="data:image/png;base64,iVBORw0KGgo=">'),
        ('<img src="data:text/html;base64,PHNjcmlwdD4=">', ""),
        ('<a href="javascript:alert(1)">链接</a>', "链接"),
        ('<a href="/courses/">课程</a>', '<a href="/courses/">课程</a>'),
        ("<table><tr><td colspan='2'>甲</td></tr></table>", '<table><tr><td colspan="2">甲</td></tr></table>'),
        ("<p><b>未闭合", "<p><b>未闭合</b></p>"),
        ("<unknown>保留文字</unknown>", "保留文字"),
        ("a < b & c", "a &lt; b &amp; c"),
        ("<!-- 注释 -->正文", "正文"),
    ],
)
def test_clean_html_keeps_an_allowlist(dirty, clean):
    assert clean_html(dirty) == clean
    assert clean_html(clean_html(dirty)) == clean_html(dirty)
