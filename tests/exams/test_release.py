"""Releasing results: each release rule, the schedule, a trainer's early release, notifications."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import translation

from exams.models import AttemptState, ExamStatus, ReleaseRule
from exams.services.grading import answer_grade, exam_results_release, results_release_due
from exams.tasks import release_due_results
from portal.models import AuditEntry, Notification
from tests.exams.delivery_support import objective_blueprint, published_exam
from tests.exams.grading_support import NOW, essay_answer, new_officer, sit

pytestmark = pytest.mark.django_db

CLOSES = NOW + datetime.timedelta(hours=3)  # published_exam's window closes three hours after NOW


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def _notes(officer, kind: str):
    return Notification.objects.filter(recipient=officer, kind=kind)


# --- on_submit / after_grading ------------------------------------------------------------------


@pytest.mark.parametrize("rule", [ReleaseRule.ON_SUBMIT, ReleaseRule.AFTER_GRADING])
def test_an_objective_paper_is_released_at_submission_without_a_notification(officer, rule):
    exam = published_exam(objective_blueprint(), officer, now=NOW, release_rule=rule)

    attempt = sit(exam, officer)

    assert attempt.state == AttemptState.RELEASED
    assert attempt.released_at == NOW + datetime.timedelta(minutes=5)
    assert [t.to_state for t in attempt.transitions.order_by("id")][-2:] == [
        AttemptState.GRADED,
        AttemptState.RELEASED,
    ]
    # The examinee submitted themselves and is looking at the result already.
    assert not Notification.objects.filter(recipient=officer).exists()


def test_a_paper_submitted_by_the_deadline_sweep_is_released_with_a_notification_linking_the_result(officer):
    exam = published_exam(objective_blueprint(), officer, now=NOW, release_rule=ReleaseRule.ON_SUBMIT)

    attempt = sit(exam, officer, submitted_by=None)

    note = _notes(officer, "exams.result.released").get()
    assert note.url == reverse("exams:attempt_result", args=[attempt.pk])
    assert exam.title in note.title


@pytest.mark.parametrize("rule", [ReleaseRule.ON_SUBMIT, ReleaseRule.AFTER_GRADING])
def test_a_paper_with_a_short_answer_is_released_when_its_last_answer_is_graded(officer, trainer, rule):
    exam = published_exam(objective_blueprint(short_answer=True), officer, now=NOW, release_rule=rule)
    attempt = sit(exam, officer)
    assert attempt.state == AttemptState.SUBMITTED

    answer_grade(answer=essay_answer(attempt), score="18", comment="", grader=trainer)

    attempt.refresh_from_db()
    assert attempt.state == AttemptState.RELEASED
    assert attempt.released_at is not None
    assert attempt.transitions.get(to_state=AttemptState.RELEASED).actor == trainer
    assert _notes(officer, "exams.result.released").count() == 1
    assert not _notes(officer, "exams.result.graded").exists()


# --- after_close --------------------------------------------------------------------------------


@pytest.fixture
def after_close_exam(officer):
    return published_exam(
        objective_blueprint(short_answer=True), officer, now=NOW, release_rule=ReleaseRule.AFTER_CLOSE
    )


def test_after_close_a_graded_paper_is_held_and_the_officer_told_it_is_graded(after_close_exam, officer, trainer):
    attempt = sit(after_close_exam, officer)

    answer_grade(
        answer=essay_answer(attempt), score="18", comment="", grader=trainer, now=NOW + datetime.timedelta(minutes=30)
    )

    attempt.refresh_from_db()
    assert attempt.state == AttemptState.GRADED
    assert _notes(officer, "exams.result.graded").count() == 1
    assert not _notes(officer, "exams.result.released").exists()
    assert results_release_due(now=CLOSES - datetime.timedelta(minutes=1)) == 0
    attempt.refresh_from_db()
    assert attempt.state == AttemptState.GRADED


def test_after_close_the_schedule_releases_graded_papers_once_the_window_has_closed(
    after_close_exam, officer, station, trainer
):
    colleague = new_officer(station)
    after_close_exam.invitations.create(officer=colleague)
    graded = sit(after_close_exam, officer)
    waiting = sit(after_close_exam, colleague)
    answer_grade(answer=essay_answer(graded), score="18", comment="", grader=trainer)

    released = results_release_due(now=CLOSES + datetime.timedelta(minutes=1))

    assert released == 1
    graded.refresh_from_db()
    waiting.refresh_from_db()
    after_close_exam.refresh_from_db()
    assert graded.state == AttemptState.RELEASED
    assert waiting.state == AttemptState.SUBMITTED
    assert after_close_exam.results_released_at == CLOSES + datetime.timedelta(minutes=1)
    assert _notes(officer, "exams.result.released").count() == 1
    assert (
        AuditEntry.objects.filter(action="exams.exam.results_released", target_id=str(after_close_exam.pk)).count() == 1
    )

    # Running again releases nothing and notifies nobody twice.
    assert results_release_due(now=CLOSES + datetime.timedelta(minutes=6)) == 0
    assert _notes(officer, "exams.result.released").count() == 1
    assert AuditEntry.objects.filter(action="exams.exam.results_released").count() == 1

    # A paper graded after the window closed is released the moment it is graded.
    answer_grade(answer=essay_answer(waiting), score="9", comment="", grader=trainer)
    waiting.refresh_from_db()
    assert waiting.state == AttemptState.RELEASED
    assert _notes(colleague, "exams.result.released").count() == 1


def test_an_exam_closed_early_releases_at_the_next_run(after_close_exam, officer, trainer):
    attempt = sit(after_close_exam, officer)
    answer_grade(answer=essay_answer(attempt), score="18", comment="", grader=trainer)
    after_close_exam.status = ExamStatus.CLOSED
    after_close_exam.save(update_fields=["status"])

    assert release_due_results() == 1  # the scheduled task, at the real current time

    attempt.refresh_from_db()
    assert attempt.state == AttemptState.RELEASED


def test_a_trainer_releases_graded_results_early_and_later_grades_follow_at_once(
    after_close_exam, officer, station, trainer
):
    colleague = new_officer(station)
    after_close_exam.invitations.create(officer=colleague)
    first = sit(after_close_exam, officer)
    second = sit(after_close_exam, colleague)
    answer_grade(answer=essay_answer(first), score="18", comment="", grader=trainer)

    assert exam_results_release(exam=after_close_exam, actor=trainer, now=NOW + datetime.timedelta(hours=1)) == 1

    first.refresh_from_db()
    after_close_exam.refresh_from_db()
    assert first.state == AttemptState.RELEASED
    assert after_close_exam.results_released_at == NOW + datetime.timedelta(hours=1)
    entry = AuditEntry.objects.get(action="exams.exam.results_released")
    assert entry.actor == trainer and entry.data["attempts"] == 1

    answer_grade(answer=essay_answer(second), score="12", comment="", grader=trainer)
    second.refresh_from_db()
    assert second.state == AttemptState.RELEASED
    # Releasing again finds nothing more and sends nothing twice.
    assert exam_results_release(exam=after_close_exam, actor=trainer) == 0
    assert _notes(officer, "exams.result.released").count() == 1
