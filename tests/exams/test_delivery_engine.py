"""Exam delivery engine: starting, the deadline, autosave rules, submission, grading, the sweep, access."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.http import Http404
from django.utils import timezone, translation

from exams.models import Answer, Attempt, AttemptState, AttemptTransition, PaperItem, QuestionType, ReleaseRule
from exams.services import (
    DeliveryError,
    answer_save,
    attempt_start,
    attempt_submit,
    attempts_sweep,
    get_attempt_for_user,
)
from exams.tasks import SCHEDULES, sweep_expired_attempts
from portal.models import AuditEntry
from tests.exams.delivery_support import correct_response, objective_blueprint, published_exam

pytestmark = pytest.mark.django_db

NOW = timezone.now().replace(microsecond=0)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def blueprint():
    return objective_blueprint()


@pytest.fixture
def exam(blueprint, officer):
    # Results held until the window closes, so a graded paper stays "graded" (release: test_release.py).
    return published_exam(blueprint, officer, now=NOW, release_rule=ReleaseRule.AFTER_CLOSE)


def _items(attempt) -> list[PaperItem]:
    return list(attempt.paper.items.select_related("question_version").order_by("position"))


def _transitions(attempt) -> list[tuple[str, str, str]]:
    return list(attempt.transitions.order_by("id").values_list("from_state", "to_state", "reason"))


# --- starting ---------------------------------------------------------------------------------


def test_starting_draws_a_paper_for_the_exam_and_records_who_started_it(exam, officer):
    attempt = attempt_start(exam=exam, officer=officer, now=NOW)

    assert attempt.state == AttemptState.IN_PROGRESS
    assert attempt.number == 1
    assert attempt.started_at == NOW
    assert attempt.paper.context == f"exam:{exam.pk}"
    assert attempt.paper.question_count == 8
    assert attempt.paper.seed is not None
    transition = attempt.transitions.get()
    assert (transition.from_state, transition.to_state, transition.actor) == (
        AttemptState.NOT_STARTED,
        AttemptState.IN_PROGRESS,
        officer,
    )
    assert AuditEntry.objects.filter(action="exams.attempt.started", target_id=str(attempt.pk)).exists()


def test_starting_again_resumes_the_same_attempt_and_paper(exam, officer):
    first = attempt_start(exam=exam, officer=officer, now=NOW)
    again = attempt_start(exam=exam, officer=officer, now=NOW + datetime.timedelta(minutes=20))

    assert again.pk == first.pk
    assert again.paper_id == first.paper_id
    assert again.deadline == first.deadline
    assert Attempt.objects.count() == 1


def test_deadline_is_start_plus_duration_when_the_window_stays_open(exam, officer):
    attempt = attempt_start(exam=exam, officer=officer, now=NOW)

    assert attempt.deadline == NOW + datetime.timedelta(minutes=60)


def test_deadline_is_the_window_close_when_that_comes_first(blueprint, officer):
    exam = published_exam(blueprint, officer, now=NOW, closes_at=NOW + datetime.timedelta(minutes=25))

    attempt = attempt_start(exam=exam, officer=officer, now=NOW)

    assert attempt.deadline == exam.closes_at


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ("uninvited", "You are not on the list of examinees for this exam."),
        ("draft", "This exam is not open for taking."),
        ("early", "This exam opens at"),
        ("late", "This exam closed at"),
    ],
)
def test_start_is_refused_with_a_clear_message(blueprint, officer, outsider, setup, message):
    exam = published_exam(blueprint, officer, now=NOW)
    who, when = officer, NOW
    if setup == "uninvited":
        who = outsider
    elif setup == "draft":
        exam.status = "draft"
        exam.save()
    elif setup == "early":
        when = exam.opens_at - datetime.timedelta(minutes=1)
    elif setup == "late":
        when = exam.closes_at

    with pytest.raises(DeliveryError) as error:
        attempt_start(exam=exam, officer=who, now=when)

    assert error.value.message.startswith(message)
    assert not Attempt.objects.exists()


def test_a_second_attempt_is_allowed_only_when_the_exam_allows_it(blueprint, officer):
    exam = published_exam(blueprint, officer, now=NOW, attempts_allowed=2)
    first = attempt_start(exam=exam, officer=officer, now=NOW)
    attempt_submit(attempt=first, actor=officer, now=NOW + datetime.timedelta(minutes=5))

    second = attempt_start(exam=exam, officer=officer, now=NOW + datetime.timedelta(minutes=6))
    attempt_submit(attempt=second, actor=officer, now=NOW + datetime.timedelta(minutes=7))

    assert second.number == 2
    assert second.paper_id != first.paper_id
    with pytest.raises(DeliveryError, match="You have used all 2 attempts"):
        attempt_start(exam=exam, officer=officer, now=NOW + datetime.timedelta(minutes=8))


def test_an_overdue_attempt_is_closed_when_the_officer_comes_back(exam, officer):
    attempt = attempt_start(exam=exam, officer=officer, now=NOW)

    with pytest.raises(DeliveryError, match="You have used all 1 attempts"):
        attempt_start(exam=exam, officer=officer, now=attempt.deadline + datetime.timedelta(minutes=5))

    attempt.refresh_from_db()
    assert attempt.state == AttemptState.GRADED
    assert attempt.submitted_at == attempt.deadline


# --- autosave ---------------------------------------------------------------------------------


def test_a_save_within_the_grace_period_after_the_deadline_is_accepted(exam, officer):
    attempt = attempt_start(exam=exam, officer=officer, now=NOW)
    item = _items(attempt)[0]

    result = answer_save(
        attempt=attempt,
        item_id=item.pk,
        response="B",
        client_seq=1,
        now=attempt.deadline + datetime.timedelta(seconds=29),
    )

    assert result.saved
    assert Answer.objects.get(attempt=attempt, paper_item=item).response == "B"


def test_a_save_after_deadline_plus_grace_is_rejected_and_the_paper_submitted_at_the_deadline(exam, officer):
    attempt = attempt_start(exam=exam, officer=officer, now=NOW)
    first, second = _items(attempt)[:2]
    answer_save(attempt=attempt, item_id=first.pk, response="A", client_seq=1, now=NOW + datetime.timedelta(minutes=3))

    with pytest.raises(DeliveryError) as error:
        answer_save(
            attempt=attempt,
            item_id=second.pk,
            response="A",
            client_seq=2,
            now=attempt.deadline + datetime.timedelta(seconds=31),
        )

    assert "Time is up" in error.value.message
    assert "can no longer be saved" in error.value.message
    assert not Answer.objects.filter(attempt=attempt, paper_item=second).exists()
    attempt.refresh_from_db()
    assert attempt.state in (AttemptState.SUBMITTED, AttemptState.GRADED)
    assert attempt.submitted_at == attempt.deadline
    assert _transitions(attempt)[1] == (AttemptState.IN_PROGRESS, AttemptState.SUBMITTED, "deadline")


def test_an_older_save_arriving_late_does_not_overwrite_a_newer_one(exam, officer):
    attempt = attempt_start(exam=exam, officer=officer, now=NOW)
    item = _items(attempt)[0]

    newer = answer_save(attempt=attempt, item_id=item.pk, response="B", client_seq=5, now=NOW)
    older = answer_save(attempt=attempt, item_id=item.pk, response="A", client_seq=3, now=NOW)

    assert newer.saved and not older.saved
    assert older.client_seq == 5
    stored = Answer.objects.get(attempt=attempt, paper_item=item)
    assert (stored.response, stored.client_seq) == ("B", 5)


def test_a_newer_save_replaces_the_stored_answer(exam, officer):
    attempt = attempt_start(exam=exam, officer=officer, now=NOW)
    item = _items(attempt)[0]

    answer_save(attempt=attempt, item_id=item.pk, response="B", client_seq=1, now=NOW)
    answer_save(attempt=attempt, item_id=item.pk, response="C", client_seq=2, now=NOW)

    assert Answer.objects.get(attempt=attempt, paper_item=item).response == "C"


def test_saving_a_question_from_another_paper_is_refused(blueprint, exam, officer, outsider):
    other_exam = published_exam(blueprint, outsider, now=NOW)
    theirs = attempt_start(exam=other_exam, officer=outsider, now=NOW)
    mine = attempt_start(exam=exam, officer=officer, now=NOW)

    with pytest.raises(DeliveryError, match="This question is not on your paper."):
        answer_save(attempt=mine, item_id=_items(theirs)[0].pk, response="A", client_seq=1, now=NOW)


def test_saving_after_submission_is_refused(exam, officer):
    attempt = attempt_start(exam=exam, officer=officer, now=NOW)
    attempt_submit(attempt=attempt, actor=officer, now=NOW)

    with pytest.raises(DeliveryError, match="already been submitted"):
        answer_save(attempt=attempt, item_id=_items(attempt)[0].pk, response="A", client_seq=9, now=NOW)


# --- submission and grading -------------------------------------------------------------------


def test_a_paper_answered_correctly_in_the_original_option_keys_scores_full_marks(exam, officer):
    attempt = attempt_start(exam=exam, officer=officer, now=NOW)
    items = _items(attempt)
    assert any(item.option_order != sorted(item.option_order) for item in items if item.option_order), (
        "the paper should show some options out of their original order"
    )
    for seq, item in enumerate(items, start=1):
        answer_save(attempt=attempt, item_id=item.pk, response=correct_response(item), client_seq=seq, now=NOW)

    attempt = attempt_submit(attempt=attempt, actor=officer, now=NOW + datetime.timedelta(minutes=30))

    assert attempt.state == AttemptState.GRADED
    assert attempt.score == Decimal("100.00")
    assert attempt.passed is True
    assert attempt.submitted_at == NOW + datetime.timedelta(minutes=30)
    assert [t[:2] for t in _transitions(attempt)] == [
        (AttemptState.NOT_STARTED, AttemptState.IN_PROGRESS),
        (AttemptState.IN_PROGRESS, AttemptState.SUBMITTED),
        (AttemptState.SUBMITTED, AttemptState.GRADED),
    ]
    assert set(attempt.answers.values_list("correct", flat=True)) == {True}


def test_options_chosen_by_their_shown_label_are_graded_on_the_option_behind_the_label(exam, officer):
    attempt = attempt_start(exam=exam, officer=officer, now=NOW)
    singles = [item for item in _items(attempt) if item.question_type == QuestionType.SINGLE]
    permuted = next(item for item in singles if item.display_key(correct_response(item)) != correct_response(item))
    shown_label = permuted.display_key(correct_response(permuted))
    # What the page stores for the label the officer clicked, and what a page forgetting to translate would store.
    answer_save(
        attempt=attempt, item_id=permuted.pk, response=permuted.original_key(shown_label), client_seq=1, now=NOW
    )
    other = next(item for item in singles if item.pk != permuted.pk)
    wrong_label = next(key for key in "ABCD" if other.original_key(key) != correct_response(other))
    answer_save(attempt=attempt, item_id=other.pk, response=other.original_key(wrong_label), client_seq=1, now=NOW)

    attempt_submit(attempt=attempt, actor=officer, now=NOW)

    assert Answer.objects.get(attempt=attempt, paper_item=permuted).score == Decimal("10.00")
    assert Answer.objects.get(attempt=attempt, paper_item=other).score == Decimal("0.00")
    attempt.refresh_from_db()
    assert attempt.score == Decimal("10.00")
    assert attempt.passed is False


def test_unanswered_questions_score_zero_and_the_attempt_fails(exam, officer):
    attempt = attempt_start(exam=exam, officer=officer, now=NOW)

    attempt = attempt_submit(attempt=attempt, actor=officer, now=NOW)

    assert (attempt.state, attempt.score, attempt.passed) == (AttemptState.GRADED, Decimal("0.00"), False)


def test_a_short_answer_leaves_the_attempt_submitted_awaiting_a_grader(officer):
    exam = published_exam(objective_blueprint(short_answer=True), officer, now=NOW)
    attempt = attempt_start(exam=exam, officer=officer, now=NOW)
    items = _items(attempt)
    short = next(item for item in items if item.question_type == QuestionType.SHORT_ANSWER)
    answer_save(attempt=attempt, item_id=short.pk, response="构成故意伤害，应当立案侦查。", client_seq=1, now=NOW)
    single = next(item for item in items if item.question_type == QuestionType.SINGLE)
    answer_save(attempt=attempt, item_id=single.pk, response=correct_response(single), client_seq=1, now=NOW)

    attempt = attempt_submit(attempt=attempt, actor=officer, now=NOW)

    assert attempt.state == AttemptState.SUBMITTED
    assert attempt.score is None and attempt.passed is None
    assert Answer.objects.get(attempt=attempt, paper_item=short).score is None
    assert Answer.objects.get(attempt=attempt, paper_item=single).score == Decimal("10.00")


def test_submitting_twice_records_one_submission(exam, officer):
    attempt = attempt_start(exam=exam, officer=officer, now=NOW)

    attempt_submit(attempt=attempt, actor=officer, now=NOW + datetime.timedelta(minutes=1))
    again = attempt_submit(attempt=attempt, actor=officer, now=NOW + datetime.timedelta(minutes=2))

    assert again.submitted_at == NOW + datetime.timedelta(minutes=1)
    assert AttemptTransition.objects.filter(attempt=attempt, to_state=AttemptState.SUBMITTED).count() == 1
    assert AuditEntry.objects.filter(action="exams.attempt.submitted").count() == 1


def test_transitions_cannot_be_edited(exam, officer):
    attempt = attempt_start(exam=exam, officer=officer, now=NOW)
    transition = attempt.transitions.get()
    transition.reason = "changed"

    with pytest.raises(ValueError, match="append-only"):
        transition.save()


# --- sweep ------------------------------------------------------------------------------------


def test_the_sweep_submits_overdue_attempts_finishing_at_their_deadline(blueprint, exam, officer, outsider):
    overdue = attempt_start(exam=exam, officer=officer, now=NOW)
    later_exam = published_exam(blueprint, outsider, now=NOW, duration_minutes=90)
    running = attempt_start(exam=later_exam, officer=outsider, now=NOW)
    item = _items(overdue)[0]
    answer_save(attempt=overdue, item_id=item.pk, response=correct_response(item), client_seq=1, now=NOW)
    sweep_time = overdue.deadline + datetime.timedelta(minutes=2)

    assert attempts_sweep(now=sweep_time) == 1
    assert attempts_sweep(now=sweep_time) == 0

    overdue.refresh_from_db()
    running.refresh_from_db()
    assert overdue.state == AttemptState.GRADED
    assert overdue.submitted_at == overdue.deadline
    assert overdue.score == item.points  # only that answer was saved
    assert _transitions(overdue)[1] == (AttemptState.IN_PROGRESS, AttemptState.SUBMITTED, "deadline")
    assert overdue.transitions.get(to_state=AttemptState.SUBMITTED).actor is None
    assert running.state == AttemptState.IN_PROGRESS


def test_the_sweep_leaves_attempts_inside_their_grace_period(exam, officer):
    attempt = attempt_start(exam=exam, officer=officer, now=NOW)

    assert attempts_sweep(now=attempt.deadline + datetime.timedelta(seconds=20)) == 0

    attempt.refresh_from_db()
    assert attempt.state == AttemptState.IN_PROGRESS


def test_the_sweep_runs_every_minute_from_the_task_schedule(blueprint, officer):
    two_hours_ago = timezone.now() - datetime.timedelta(hours=2)
    exam = published_exam(blueprint, officer, now=two_hours_ago)
    attempt_start(exam=exam, officer=officer, now=two_hours_ago)
    spec = next(spec for spec in SCHEDULES if spec.name == "exams.sweep_expired_attempts")

    assert (spec.func, spec.minutes) == ("exams.tasks.sweep_expired_attempts", 1)
    assert sweep_expired_attempts() == 1


# --- access -----------------------------------------------------------------------------------


def test_an_officer_reaches_their_own_attempt(exam, officer):
    attempt = attempt_start(exam=exam, officer=officer, now=NOW)

    assert get_attempt_for_user(officer, attempt.pk) == attempt


def test_another_officers_attempt_is_not_found(exam, officer, outsider, trainer):
    attempt = attempt_start(exam=exam, officer=officer, now=NOW)

    for user in (outsider, trainer):
        with pytest.raises(Http404):
            get_attempt_for_user(user, attempt.pk)
