"""The officer's exam pages: my exams, the start page, the paper, autosave and status JSON, submission,
the result with its review, the dashboard section, and 404 for somebody else's attempt."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from unittest import mock

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from courses.models import CourseIndexPage, KnowledgePoint
from exams.dashboard import exams_dashboard_section
from exams.models import (
    Answer,
    Attempt,
    AttemptState,
    ExamExemption,
    ExamLayout,
    ExemptionReason,
    PaperItem,
    Question,
    QuestionType,
    ReleaseRule,
    ReviewRule,
)
from exams.services.delivery import answer_save, attempt_start, attempt_submit
from exams.services.grading import answer_grade
from tests.courses.conftest import make_course, make_lesson
from tests.exams.delivery_support import correct_response, objective_blueprint, published_exam

pytestmark = pytest.mark.django_db


@pytest.fixture
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def blueprint():
    return objective_blueprint(short_answer=True)


@pytest.fixture
def exam(blueprint, officer):
    return published_exam(
        blueprint, officer, release_rule=ReleaseRule.AFTER_GRADING, review_rule=ReviewRule.EXPLANATIONS
    )


def _items(attempt) -> list[PaperItem]:
    return list(attempt.paper.items.select_related("question_version").order_by("position"))


def _of_type(attempt, question_type) -> PaperItem:
    return next(item for item in _items(attempt) if item.question_type == question_type)


def _save(client, attempt, item, response, seq):
    return client.post(
        reverse("exams:attempt_save", args=[attempt.pk]),
        data=json.dumps({"item": item.pk, "response": response, "seq": seq}),
        content_type="application/json",
    )


def _started_with_short_answer(exam, officer):
    """An attempt whose short answer has text, so the submitted paper waits for a grader."""
    attempt = attempt_start(exam=exam, officer=officer)
    answer_save(
        attempt=attempt,
        item_id=_of_type(attempt, QuestionType.SHORT_ANSWER).pk,
        response="构成故意伤害。",
        client_seq=1,
    )
    return attempt


def _label_of(item, original_key: str) -> str:
    return item.display_key(original_key)


def _wrong_key(item) -> str:
    answer = item.question_version.answer
    return next(option["key"] for option in item.question_version.options if option["key"] != answer)


# --- my exams and the dashboard -----------------------------------------------------------------


def test_my_exams_groups_open_upcoming_and_finished_with_released_scores(client, officer, blueprint, exam):
    now = timezone.now()
    upcoming = published_exam(
        blueprint,
        officer,
        title="下月考试",
        opens_at=now + datetime.timedelta(days=3),
        closes_at=now + datetime.timedelta(days=4),
    )
    finished = published_exam(
        blueprint,
        officer,
        title="已结束考试",
        now=now - datetime.timedelta(hours=2),
        release_rule=ReleaseRule.ON_SUBMIT,
    )
    finished.closes_at = now + datetime.timedelta(hours=1)
    finished.save(update_fields=["closes_at"])
    done = attempt_start(exam=finished, officer=officer)
    for item in _items(done):
        response = "构成故意伤害。" if item.question_type == QuestionType.SHORT_ANSWER else correct_response(item)
        answer_save(attempt=done, item_id=item.pk, response=response, client_seq=1)
    done = attempt_submit(attempt=done, actor=officer)
    short = Answer.objects.get(attempt=done, paper_item__question_type=QuestionType.SHORT_ANSWER)
    answer_grade(answer=short, score="20", comment="", grader=None)

    client.force_login(officer)
    response = client.get(reverse("exams:my_exams"))

    assert response.status_code == 200
    groups = response.context["groups"]
    assert [row.exam for row in groups.open] == [exam]
    assert [row.exam for row in groups.upcoming] == [upcoming]
    assert [row.exam for row in groups.finished] == [finished]
    assert groups.finished[0].counted.state == AttemptState.RELEASED
    html = response.content.decode()
    assert reverse("exams:exam_start", args=[exam.pk]) in html
    assert reverse("exams:attempt_result", args=[done.pk]) in html
    assert "120" in html  # 100 objective + 20 short answer


def test_dashboard_lists_exams_not_yet_taken_and_marks_those_closing_within_a_day(officer, blueprint, exam):
    soon = published_exam(blueprint, officer, title="今晚截止")
    soon.closes_at = timezone.now() + datetime.timedelta(hours=5)
    soon.save(update_fields=["closes_at"])
    exam.closes_at = timezone.now() + datetime.timedelta(days=3)
    exam.save(update_fields=["closes_at"])

    section = exams_dashboard_section(officer)

    assert [item.title for item in section.items] == ["今晚截止", exam.title]
    assert [item.urgent for item in section.items] == [True, False]

    attempt_submit(attempt=attempt_start(exam=soon, officer=officer), actor=officer)
    attempt_submit(attempt=attempt_start(exam=exam, officer=officer), actor=officer)
    assert exams_dashboard_section(officer) is None


# --- the start page -------------------------------------------------------------------------------


def test_start_page_shows_the_rules_and_posting_it_opens_the_paper(english, officer, exam):
    english.force_login(officer)
    response = english.get(reverse("exams:exam_start", args=[exam.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    assert response.context["size"].questions == 9
    assert response.context["size"].points == Decimal("120")
    assert "answers save automatically" in html
    assert "0 of 1 used" in html

    response = english.post(reverse("exams:exam_start", args=[exam.pk]))
    attempt = Attempt.objects.get(exam=exam, officer=officer)
    assert response.status_code == 302
    assert response.url == reverse("exams:attempt_take", args=[attempt.pk])
    # Starting again resumes the same attempt (another device, a second tab).
    assert english.post(reverse("exams:exam_start", args=[exam.pk])).url == response.url


def test_start_page_shows_why_an_exempted_officer_cannot_start_and_posting_changes_nothing(english, officer, exam):
    ExamExemption.objects.create(exam=exam, officer=officer, reason=ExemptionReason.LEAVE)
    english.force_login(officer)

    page = english.get(reverse("exams:exam_start", args=[exam.pk])).content.decode()
    assert "You are exempted from this exam." in page
    assert "take-start-button" not in page

    response = english.post(reverse("exams:exam_start", args=[exam.pk]), follow=True)
    assert "You are exempted from this exam." in response.content.decode()
    assert not Attempt.objects.filter(exam=exam).exists()


def test_start_page_says_when_all_attempts_are_used(english, officer, exam):
    attempt_submit(attempt=attempt_start(exam=exam, officer=officer), actor=officer)
    english.force_login(officer)

    page = english.get(reverse("exams:exam_start", args=[exam.pk])).content.decode()

    assert "You have used all 1 attempts allowed for this exam." in page


def test_start_page_of_an_exam_for_others_is_404(client, squad_officer, exam):
    client.force_login(squad_officer)
    assert client.get(reverse("exams:exam_start", args=[exam.pk])).status_code == 404
    assert client.post(reverse("exams:exam_start", args=[exam.pk])).status_code == 404


# --- the paper ------------------------------------------------------------------------------------


def test_paper_never_contains_keys_explanations_or_reference_answers(client, officer, exam):
    attempt = attempt_start(exam=exam, officer=officer)
    client.force_login(officer)

    html = client.get(reverse("exams:attempt_take", args=[attempt.pk])).content.decode()

    for item in _items(attempt):
        assert f'id="item-{item.pk}"' in html
        version = item.question_version
        assert version.explanation not in html
        assert version.legal_basis not in html
        if version.reference_answer:
            assert version.reference_answer not in html
        if item.question_type == QuestionType.FILL_BLANK:
            for alternatives in version.answer:
                assert f'value="{alternatives[0]}"' not in html
    assert "q-answer-key" not in html
    assert "is-correct" not in html


def test_paper_prefills_saved_answers_and_shows_the_server_remaining_time(client, officer, exam):
    attempt = attempt_start(exam=exam, officer=officer)
    single = _of_type(attempt, QuestionType.SINGLE)
    blank = _of_type(attempt, QuestionType.FILL_BLANK)
    answer_save(attempt=attempt, item_id=single.pk, response="B", client_seq=5)
    answer_save(attempt=attempt, item_id=blank.pk, response=["四十八"], client_seq=5)
    client.force_login(officer)

    response = client.get(reverse("exams:attempt_take", args=[attempt.pk]))

    html = response.content.decode()
    assert f'id="q{single.pk}-B" value="B" checked' in html
    assert 'value="四十八"' in html
    assert 3590 <= response.context["remaining"] <= 3600
    assert f'data-remaining="{response.context["remaining"]}"' in html


def test_section_layout_is_passed_to_the_page(client, officer, exam):
    exam.layout = ExamLayout.SECTION
    exam.save(update_fields=["layout"])
    attempt = attempt_start(exam=exam, officer=officer)
    client.force_login(officer)

    assert 'data-layout="section"' in client.get(reverse("exams:attempt_take", args=[attempt.pk])).content.decode()


def test_paper_of_a_submitted_attempt_opens_the_result(client, officer, exam):
    attempt = attempt_submit(attempt=attempt_start(exam=exam, officer=officer), actor=officer)
    client.force_login(officer)

    response = client.get(reverse("exams:attempt_take", args=[attempt.pk]))

    assert response.url == reverse("exams:attempt_result", args=[attempt.pk])


def test_opening_the_paper_after_the_deadline_and_grace_hands_it_in_at_the_deadline(client, officer, exam):
    attempt = _started_with_short_answer(exam, officer)
    client.force_login(officer)

    with mock.patch("django.utils.timezone.now", return_value=attempt.deadline + datetime.timedelta(minutes=5)):
        response = client.get(reverse("exams:attempt_take", args=[attempt.pk]))

    assert response.url == reverse("exams:attempt_result", args=[attempt.pk])
    attempt.refresh_from_db()
    assert attempt.state == AttemptState.SUBMITTED and attempt.submitted_at == attempt.deadline


# --- autosave and status --------------------------------------------------------------------------


def test_save_translates_displayed_labels_to_the_questions_own_keys(client, officer, exam):
    attempt = attempt_start(exam=exam, officer=officer)
    single = _of_type(attempt, QuestionType.SINGLE)
    multiple = _of_type(attempt, QuestionType.MULTIPLE)
    true_false = _of_type(attempt, QuestionType.TRUE_FALSE)
    blank = _of_type(attempt, QuestionType.FILL_BLANK)
    short = _of_type(attempt, QuestionType.SHORT_ANSWER)
    client.force_login(officer)

    shown_single = _label_of(single, "C")
    shown_multiple = sorted(_label_of(multiple, key) for key in ("A", "D"))
    for item, response in (
        (single, shown_single),
        (multiple, shown_multiple),
        (true_false, False),
        (blank, ["二十四"]),
        (short, "构成故意伤害罪。"),
    ):
        reply = _save(client, attempt, item, response, 10)
        assert reply.status_code == 200, reply.content
        body = reply.json()
        assert body["saved"] is True and body["seq"] == 10
        assert 0 < body["remaining_seconds"] <= 3600
        assert datetime.datetime.fromisoformat(body["saved_at"])

    stored = dict(Answer.objects.filter(attempt=attempt).values_list("paper_item_id", "response"))
    assert stored[single.pk] == "C"
    assert stored[multiple.pk] == ["A", "D"]
    assert stored[true_false.pk] is False
    assert stored[blank.pk] == ["二十四"]
    assert stored[short.pk] == "构成故意伤害罪。"


def test_an_older_save_arriving_late_does_not_overwrite_a_newer_one(client, officer, exam):
    attempt = attempt_start(exam=exam, officer=officer)
    single = _of_type(attempt, QuestionType.SINGLE)
    client.force_login(officer)

    assert _save(client, attempt, single, _label_of(single, "B"), 2_000).json()["saved"] is True
    late = _save(client, attempt, single, _label_of(single, "A"), 1_000)

    assert late.status_code == 200
    assert late.json() | {"saved_at": None, "remaining_seconds": None} == {
        "saved": False,
        "seq": 2_000,
        "saved_at": None,
        "remaining_seconds": None,
    }
    assert Answer.objects.get(attempt=attempt, paper_item=single).response == "B"


@pytest.mark.parametrize(
    ("question_type", "response"),
    [
        (QuestionType.SINGLE, "Z"),
        (QuestionType.SINGLE, ["A"]),
        (QuestionType.MULTIPLE, "A"),
        (QuestionType.TRUE_FALSE, "true"),
        (QuestionType.FILL_BLANK, ["1", "2", "3"]),
        (QuestionType.SHORT_ANSWER, ["text"]),
    ],
)
def test_a_response_of_the_wrong_shape_is_rejected_and_nothing_is_stored(
    client, officer, exam, question_type, response
):
    attempt = attempt_start(exam=exam, officer=officer)
    item = _of_type(attempt, question_type)
    client.force_login(officer)

    reply = _save(client, attempt, item, response, 1)

    assert reply.status_code == 400
    assert reply.json()["error"]
    assert not Answer.objects.filter(attempt=attempt).exists()


def test_malformed_saves_are_400(client, officer, exam, blueprint):
    attempt = attempt_start(exam=exam, officer=officer)
    single = _of_type(attempt, QuestionType.SINGLE)
    client.force_login(officer)
    url = reverse("exams:attempt_save", args=[attempt.pk])

    assert client.post(url, data="{not json", content_type="application/json").status_code == 400
    assert client.post(url, data=json.dumps([1]), content_type="application/json").status_code == 400
    assert _save(client, attempt, single, "A", 0).status_code == 400  # seq must be ≥ 1
    other_paper_item = PaperItem.objects.exclude(paper=attempt.paper).first()
    if other_paper_item is not None:
        assert _save(client, attempt, other_paper_item, "A", 1).status_code == 400
    assert client.get(url).status_code == 405


def test_save_after_the_deadline_and_grace_is_409_and_hands_the_paper_in(client, officer, exam):
    attempt = _started_with_short_answer(exam, officer)
    single = _of_type(attempt, QuestionType.SINGLE)
    client.force_login(officer)
    later = attempt.deadline + datetime.timedelta(seconds=exam.grace_seconds + 5)

    with mock.patch("django.utils.timezone.now", return_value=later):
        reply = _save(client, attempt, single, "A", 1)

    assert reply.status_code == 409
    body = reply.json()
    assert body["state"] == AttemptState.SUBMITTED
    assert body["result_url"] == reverse("exams:attempt_result", args=[attempt.pk])
    assert body["error"]
    attempt.refresh_from_db()
    assert attempt.state == AttemptState.SUBMITTED and attempt.submitted_at == attempt.deadline


def test_save_within_the_grace_period_is_stored_with_no_time_left(client, officer, exam):
    attempt = attempt_start(exam=exam, officer=officer)
    single = _of_type(attempt, QuestionType.SINGLE)
    client.force_login(officer)

    with mock.patch("django.utils.timezone.now", return_value=attempt.deadline + datetime.timedelta(seconds=5)):
        reply = _save(client, attempt, single, "A", 1)

    assert reply.status_code == 200
    assert reply.json()["remaining_seconds"] == 0


def test_save_to_a_submitted_attempt_is_409(client, officer, exam):
    attempt = _started_with_short_answer(exam, officer)
    single = _of_type(attempt, QuestionType.SINGLE)
    client.force_login(officer)
    client.post(reverse("exams:attempt_submit", args=[attempt.pk]))

    reply = _save(client, attempt, single, "A", 1)

    assert reply.status_code == 409
    assert reply.json()["state"] == AttemptState.SUBMITTED
    assert not Answer.objects.filter(attempt=attempt, paper_item=single).exists()


def test_status_reports_state_and_remaining_seconds(client, officer, exam):
    attempt = attempt_start(exam=exam, officer=officer)
    client.force_login(officer)
    url = reverse("exams:attempt_status", args=[attempt.pk])

    with mock.patch("django.utils.timezone.now", return_value=attempt.deadline - datetime.timedelta(seconds=90)):
        body = client.get(url).json()

    assert (body["state"], body["remaining_seconds"], body["deadline"]) == (
        "in_progress",
        90,
        attempt.deadline.isoformat(),
    )
    assert (body["paused"], body["taken_over"], body["messages"]) == (False, False, [])
    assert client.post(url).status_code == 405


# --- submission and result -------------------------------------------------------------------------


def test_submitting_twice_is_harmless(client, officer, exam):
    attempt = _started_with_short_answer(exam, officer)
    client.force_login(officer)
    url = reverse("exams:attempt_submit", args=[attempt.pk])

    first = client.post(url)
    second = client.post(url)

    assert first.url == second.url == reverse("exams:attempt_result", args=[attempt.pk])
    attempt.refresh_from_db()
    assert attempt.state == AttemptState.SUBMITTED  # the short answer waits for a grader
    assert attempt.transitions.filter(to_state=AttemptState.SUBMITTED).count() == 1


def test_result_before_release_says_when_results_come(english, officer, exam):
    attempt = attempt_submit(attempt=_started_with_short_answer(exam, officer), actor=officer)
    english.force_login(officer)

    html = english.get(reverse("exams:attempt_result", args=[attempt.pk])).content.decode()

    assert "Handed in at" in html
    assert "being graded" in html
    assert "take-score" not in html


def test_result_after_close_rule_names_the_closing_time(english, officer, exam):
    exam.release_rule = ReleaseRule.AFTER_CLOSE
    exam.save(update_fields=["release_rule"])
    attempt = attempt_submit(attempt=_started_with_short_answer(exam, officer), actor=officer)
    english.force_login(officer)

    html = english.get(reverse("exams:attempt_result", args=[attempt.pk])).content.decode()

    assert "after the exam closes at" in html


def _released_attempt(exam, officer, *, wrong_single=True, comment="定性正确，论证稍欠。"):
    attempt = attempt_start(exam=exam, officer=officer)
    for item in _items(attempt):
        if item.question_type == QuestionType.SHORT_ANSWER:
            answer_save(attempt=attempt, item_id=item.pk, response="构成故意伤害。", client_seq=1)
        elif item.question_type == QuestionType.SINGLE and wrong_single:
            answer_save(attempt=attempt, item_id=item.pk, response=_wrong_key(item), client_seq=1)
        else:
            answer_save(attempt=attempt, item_id=item.pk, response=correct_response(item), client_seq=1)
    attempt = attempt_submit(attempt=attempt, actor=officer)
    short = Answer.objects.get(attempt=attempt, paper_item__question_type=QuestionType.SHORT_ANSWER)
    answer_grade(answer=short, score="15", comment=comment, grader=None)
    attempt.refresh_from_db()
    assert attempt.state == AttemptState.RELEASED
    return attempt


@pytest.fixture
def lesson_on_single_questions(officer):
    """A live lesson tagged with the knowledge point of every single-choice question."""
    point = KnowledgePoint.add_root(name="受案立案")
    for question in Question.objects.filter(type=QuestionType.SINGLE):
        question.knowledge_points.add(point)
    course = make_course(CourseIndexPage.objects.get(), "受案登记课程", slug="intake")
    lesson = make_lesson(course, "受案登记要点")
    lesson.knowledge_points.add(point)
    lesson.save_revision().publish()
    hidden = make_lesson(course, "未发布的课", live=False)
    hidden.knowledge_points.add(point)
    hidden.save()
    return lesson


def test_released_result_shows_score_breakdown_keys_comments_and_lessons_for_wrong_answers(
    english, officer, exam, lesson_on_single_questions
):
    attempt = _released_attempt(exam, officer)
    english.force_login(officer)

    response = english.get(reverse("exams:attempt_result", args=[attempt.pk]))

    html = response.content.decode()
    assert response.context["released"]
    assert attempt.score == Decimal("85.00")  # 3 single questions wrong (−30), short answer 15/20
    assert 'id="take-score">85<' in html
    knowledge = {row.name: (row.earned, row.possible) for row in response.context["review"].knowledge}
    assert knowledge["受案立案"] == (Decimal("0"), Decimal("30"))
    assert knowledge[""] == (Decimal("85"), Decimal("90"))
    assert html.count(f'class="take-lesson-link" href="{lesson_on_single_questions.url}"') == 3
    assert "未发布的课" not in html
    assert "定性正确，论证稍欠。" in html
    single = _of_type(attempt, QuestionType.SINGLE).question_version
    assert single.explanation in html
    assert single.legal_basis in html
    assert reverse("exams:notebook") in html


def test_correct_answers_review_shows_keys_without_explanations(english, officer, exam, lesson_on_single_questions):
    exam.review_rule = ReviewRule.CORRECT_ANSWERS
    exam.save(update_fields=["review_rule"])
    attempt = _released_attempt(exam, officer)
    english.force_login(officer)

    html = english.get(reverse("exams:attempt_result", args=[attempt.pk])).content.decode()

    single = _of_type(attempt, QuestionType.SINGLE)
    assert f"Correct answer:</strong> {single.display_key(single.question_version.answer)}" in html
    assert single.question_version.explanation not in html
    assert "Legal basis" not in html
    assert "take-lesson-link" in html


def test_score_only_review_shows_no_questions(english, officer, exam, lesson_on_single_questions):
    exam.review_rule = ReviewRule.SCORE_ONLY
    exam.save(update_fields=["review_rule"])
    attempt = _released_attempt(exam, officer)
    english.force_login(officer)

    html = english.get(reverse("exams:attempt_result", args=[attempt.pk])).content.decode()

    assert 'id="take-score"' in html
    assert "take-review-item" not in html
    assert _of_type(attempt, QuestionType.SINGLE).question_version.stem not in html


# --- somebody else's attempt -----------------------------------------------------------------------


def test_every_attempt_view_is_404_for_another_officer(client, officer, squad_officer, exam):
    attempt = attempt_start(exam=exam, officer=officer)
    single = _of_type(attempt, QuestionType.SINGLE)
    client.force_login(squad_officer)

    assert client.get(reverse("exams:attempt_take", args=[attempt.pk])).status_code == 404
    assert _save(client, attempt, single, "A", 1).status_code == 404
    assert client.get(reverse("exams:attempt_status", args=[attempt.pk])).status_code == 404
    assert client.post(reverse("exams:attempt_submit", args=[attempt.pk])).status_code == 404
    assert client.get(reverse("exams:attempt_result", args=[attempt.pk])).status_code == 404
    attempt.refresh_from_db()
    assert attempt.state == AttemptState.IN_PROGRESS
    assert not Answer.objects.filter(attempt=attempt).exists()


def test_pages_need_a_login(client, exam):
    response = client.get(reverse("exams:my_exams"))
    assert response.status_code == 302
    assert "login" in response.url
