"""Grading short answers: totals, score validation, two graders at once, regrades, states."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import translation

from exams.models import AttemptState, ReleaseRule
from exams.services import attempt_start
from exams.services.grading import GradingError, answer_grade
from portal.models import AuditEntry, Notification
from tests.exams.delivery_support import objective_blueprint, published_exam
from tests.exams.grading_support import NOW, essay_answer, sit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def exam(officer):
    # 100 objective points + one short answer of 20 points; pass mark 60.
    return published_exam(objective_blueprint(short_answer=True), officer, now=NOW)


def test_a_paper_with_a_short_answer_waits_for_a_grader(exam, officer):
    attempt = sit(exam, officer, objective=False)

    assert attempt.state == AttemptState.SUBMITTED
    assert attempt.score is None
    answer = essay_answer(attempt)
    assert answer.score is None and answer.graded_at is None


def test_the_total_adds_the_graders_points_to_the_objective_points(exam, officer, trainer):
    attempt = sit(exam, officer)
    answer = essay_answer(attempt)

    result = answer_grade(answer=answer, score="12.5", comment="要点基本齐全", grader=trainer)

    attempt.refresh_from_db()
    answer.refresh_from_db()
    assert result.attempt_graded
    assert (answer.score, answer.correct, answer.comment, answer.graded_by) == (
        Decimal("12.50"),
        False,
        "要点基本齐全",
        trainer,
    )
    assert attempt.score == Decimal("112.50")
    assert attempt.passed is True
    transition = attempt.transitions.get(to_state=AttemptState.GRADED)
    assert (transition.from_state, transition.actor) == (AttemptState.SUBMITTED, trainer)
    assert AuditEntry.objects.filter(action="exams.answer.graded", target_id=str(answer.pk)).exists()


def test_full_points_mark_the_answer_correct_and_the_pass_mark_decides_passed(exam, officer, trainer):
    attempt = sit(exam, officer, objective=False)

    answer_grade(answer=essay_answer(attempt), score=20, comment="", grader=trainer)

    attempt.refresh_from_db()
    assert essay_answer(attempt).correct is True
    assert attempt.score == Decimal("20.00")
    assert attempt.passed is False


@pytest.mark.parametrize(
    ("score", "message"),
    [
        ("-1", "between 0 and 20"),
        ("20.5", "between 0 and 20"),
        ("7.25", "steps of 0.5"),
        ("abc", "must be a number"),
        ("NaN", "must be a number"),
        ("", "Enter a score"),
    ],
)
def test_a_score_outside_the_items_points_or_steps_is_refused_and_nothing_changes(
    exam, officer, trainer, score, message
):
    attempt = sit(exam, officer)
    answer = essay_answer(attempt)

    with pytest.raises(GradingError, match=message):
        answer_grade(answer=answer, score=score, comment="x", grader=trainer)

    answer.refresh_from_db()
    attempt.refresh_from_db()
    assert (answer.score, answer.comment, answer.graded_by) == (None, "", None)
    assert attempt.state == AttemptState.SUBMITTED
    assert not AuditEntry.objects.filter(action__startswith="exams.answer.").exists()


def test_a_second_grader_who_saw_the_answer_waiting_is_told_and_the_first_grade_stays(
    exam, officer, trainer, legal_leader
):
    attempt = sit(exam, officer)
    answer = essay_answer(attempt)
    answer_grade(answer=answer, score="15", comment="第一位阅卷人", grader=trainer)

    with pytest.raises(GradingError, match="graded this answer") as raised:
        answer_grade(answer=answer, score="5", comment="第二位阅卷人", grader=legal_leader, seen_graded_at=None)

    assert trainer.name in raised.value.message
    answer.refresh_from_db()
    attempt.refresh_from_db()
    assert (answer.score, answer.comment, answer.graded_by) == (Decimal("15.00"), "第一位阅卷人", trainer)
    assert attempt.score == Decimal("115.00")
    assert AuditEntry.objects.filter(action__startswith="exams.answer.").count() == 1


def test_the_same_grade_posted_twice_changes_nothing_the_second_time(exam, officer, trainer):
    attempt = sit(exam, officer)
    answer = essay_answer(attempt)
    answer_grade(answer=answer, score="15", comment="好", grader=trainer)

    again = answer_grade(answer=answer, score="15", comment="好", grader=trainer, seen_graded_at=None)

    assert again.changed is False
    assert attempt.transitions.filter(to_state=AttemptState.GRADED).count() == 1
    assert AuditEntry.objects.filter(action__startswith="exams.answer.").count() == 1


def test_a_regrade_recomputes_the_total_and_audits_before_and_after(exam, officer, trainer, legal_leader):
    attempt = sit(exam, officer, objective=False)
    answer = essay_answer(attempt)
    answer_grade(answer=answer, score="15", comment="初评", grader=trainer)
    answer.refresh_from_db()

    answer_grade(answer=answer, score="10", comment="复核", grader=legal_leader, seen_graded_at=answer.graded_at)

    attempt.refresh_from_db()
    assert attempt.score == Decimal("10.00")
    entry = AuditEntry.objects.get(action="exams.answer.regraded")
    assert entry.data["before"]["score"] == "15.00"
    assert entry.data["after"]["score"] == "10.00"
    regraded = AuditEntry.objects.get(action="exams.attempt.regraded", target_id=str(attempt.pk))
    assert (regraded.data["score_before"], regraded.data["score_after"]) == ("15.00", "10.00")
    # Released (after grading) and changed: the officer hears of the change, once.
    assert Notification.objects.filter(recipient=officer, kind="exams.result.changed").count() == 1


def test_an_attempt_in_progress_cannot_be_graded(exam, officer, trainer):
    from exams.models import Answer

    attempt = attempt_start(exam=exam, officer=officer, now=NOW)
    item = next(i for i in attempt.paper.items.all() if i.question_type == "short_answer")
    answer = Answer.objects.create(attempt=attempt, paper_item=item, response="草稿", client_seq=1)

    with pytest.raises(GradingError, match="not been submitted"):
        answer_grade(answer=answer, score="5", comment="", grader=trainer)


def test_an_objective_answer_is_not_graded_by_hand(exam, officer, trainer):
    attempt = sit(exam, officer)
    objective = attempt.answers.exclude(paper_item__question_type="short_answer").first()

    with pytest.raises(GradingError, match="Only short answers"):
        answer_grade(answer=objective, score="0", comment="", grader=trainer)


def test_a_blank_short_answer_scores_zero_without_a_grader(officer):
    exam = published_exam(objective_blueprint(short_answer=True), officer, now=NOW, release_rule=ReleaseRule.ON_SUBMIT)

    attempt = sit(exam, officer, essay="   ")

    assert attempt.state == AttemptState.RELEASED
    assert attempt.score == Decimal("100.00")


def test_grading_the_last_answer_late_uses_the_graders_time(exam, officer, trainer):
    attempt = sit(exam, officer)
    later = NOW + datetime.timedelta(days=2)

    answer_grade(answer=essay_answer(attempt), score="10", comment="", grader=trainer, now=later)

    attempt.refresh_from_db()
    assert attempt.graded_at == later
