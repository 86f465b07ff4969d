"""Exam-day services at their edges: time added, the stopped clock, hand-in by the invigilator,
absences, room messages and re-opening a handed-in paper."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from exams.models import (
    Answer,
    Attempt,
    AttemptEvent,
    AttemptEventKind,
    AttemptState,
    ExamAbsence,
    ExamRoomMessage,
    ExamStatus,
    ReleaseRule,
    ReopenStatus,
)
from exams.selectors.taking import remaining_seconds
from exams.services import answer_save, attempt_start, attempt_submit
from exams.services.exam_day import (
    ExamDayError,
    attempt_pause,
    attempt_reopen_decide,
    attempt_reopen_request,
    attempt_resume,
    attempts_add_time,
    attempts_force_submit,
    exam_absence_mark,
    exam_room_message_send,
)
from portal.models import AuditEntry
from tests.exams.delivery_support import correct_response, objective_blueprint, published_exam

pytestmark = pytest.mark.django_db

NOW = timezone.now().replace(microsecond=0)


@pytest.fixture
def exam(officer, squad_officer):
    return published_exam(objective_blueprint(), officer, squad_officer, now=NOW, release_rule=ReleaseRule.AFTER_CLOSE)


def _start(exam, officer, minutes_ago: int = 10) -> Attempt:
    return attempt_start(exam=exam, officer=officer, now=NOW - datetime.timedelta(minutes=minutes_ago))


def _reload(attempt) -> Attempt:
    return Attempt.objects.get(pk=attempt.pk)


# --- time added -----------------------------------------------------------------------------------


def test_time_is_added_only_to_attempts_in_progress(exam, officer, squad_officer, trainer):
    sitting = _start(exam, officer)
    done = _start(exam, squad_officer)
    attempt_submit(attempt=done, actor=squad_officer, now=NOW)
    done_deadline = _reload(done).deadline

    added = attempts_add_time(
        actor=trainer, exam=exam, attempt_ids=[sitting.pk, done.pk], minutes=5, reason="断网", now=NOW
    )

    assert added == 1
    assert _reload(sitting).deadline == sitting.deadline + datetime.timedelta(minutes=5)
    assert _reload(sitting).time_added_seconds == 300
    assert _reload(done).deadline == done_deadline
    event = AttemptEvent.objects.get(attempt=sitting, kind=AttemptEventKind.TIME_ADDED)
    assert event.data == {"seconds": 300, "reason": "断网"} and event.actor == trainer
    assert AuditEntry.objects.filter(action="exams.attempt.time_added").exists()


def test_time_added_with_the_deadline_seen_is_not_added_twice(exam, officer, trainer):
    attempt = _start(exam, officer)
    seen = {attempt.pk: attempt.deadline}
    for _ in range(2):  # the same form sent twice
        attempts_add_time(
            actor=trainer, exam=exam, attempt_ids=[attempt.pk], minutes=5, reason="断网", seen_deadlines=seen
        )
    assert _reload(attempt).deadline == attempt.deadline + datetime.timedelta(minutes=5)
    assert AttemptEvent.objects.filter(attempt=attempt, kind=AttemptEventKind.TIME_ADDED).count() == 1


@pytest.mark.parametrize("minutes", [0, 601])
def test_time_added_needs_sensible_minutes_and_a_reason(exam, officer, trainer, minutes):
    attempt = _start(exam, officer)
    with pytest.raises(ExamDayError) as error:
        attempts_add_time(actor=trainer, exam=exam, attempt_ids=[attempt.pk], minutes=minutes, reason="断网")
    assert error.value.code == "minutes"
    with pytest.raises(ExamDayError) as error:
        attempts_add_time(actor=trainer, exam=exam, attempt_ids=[attempt.pk], minutes=5, reason="  ")
    assert error.value.code == "no_reason"


def test_time_is_not_added_to_an_attempt_of_another_exam(exam, officer, trainer):
    other = published_exam(exam.blueprint, officer, now=NOW)
    attempt = _start(other, officer)
    assert attempts_add_time(actor=trainer, exam=exam, attempt_ids=[attempt.pk], minutes=5, reason="x") == 0
    assert _reload(attempt).deadline == attempt.deadline


# --- the stopped clock ----------------------------------------------------------------------------


def test_pause_and_resume_move_the_deadline_by_the_time_stopped(exam, officer, trainer):
    attempt = _start(exam, officer)
    attempt_pause(actor=trainer, attempt=attempt, reason="机器故障", now=NOW)
    paused = _reload(attempt)
    left = remaining_seconds(paused, NOW)
    assert remaining_seconds(paused, NOW + datetime.timedelta(minutes=7)) == left  # the clock stands still

    attempt_resume(actor=trainer, attempt=attempt, now=NOW + datetime.timedelta(minutes=7))

    resumed = _reload(attempt)
    assert resumed.paused_at is None and resumed.paused_seconds == 420
    assert resumed.deadline == attempt.deadline + datetime.timedelta(minutes=7)
    assert remaining_seconds(resumed, NOW + datetime.timedelta(minutes=7)) == left
    kinds = list(AttemptEvent.objects.filter(attempt=attempt).values_list("kind", flat=True))
    assert kinds == [AttemptEventKind.PAUSED, AttemptEventKind.RESUMED]


def test_pause_twice_and_resume_without_pause_are_refused(exam, officer, trainer):
    attempt = _start(exam, officer)
    with pytest.raises(ExamDayError) as error:
        attempt_resume(actor=trainer, attempt=attempt)
    assert error.value.code == "not_paused"
    attempt_pause(actor=trainer, attempt=attempt, reason="故障")
    with pytest.raises(ExamDayError) as error:
        attempt_pause(actor=trainer, attempt=attempt, reason="故障")
    assert error.value.code == "already_paused"


def test_a_paused_save_is_refused(exam, officer, trainer):
    attempt = _start(exam, officer)
    attempt_pause(actor=trainer, attempt=attempt, reason="故障", now=NOW)
    item = attempt.paper.items.first()
    with pytest.raises(Exception) as error:
        answer_save(attempt=_reload(attempt), item_id=item.pk, response=None, client_seq=1, now=NOW)
    assert getattr(error.value, "code", "") == "paused"


# --- hand-in by the invigilator -------------------------------------------------------------------


def test_force_submit_hands_in_and_grades_once(exam, officer, squad_officer, trainer):
    attempt = _start(exam, officer)
    item = attempt.paper.items.select_related("question_version").first()
    answer_save(attempt=attempt, item_id=item.pk, response=correct_response(item), client_seq=1, now=NOW)
    not_started = squad_officer

    count = attempts_force_submit(actor=trainer, exam=exam, attempt_ids=[attempt.pk], reason="考试结束", now=NOW)
    again = attempts_force_submit(actor=trainer, exam=exam, attempt_ids=[attempt.pk], reason="考试结束", now=NOW)

    graded = _reload(attempt)
    assert (count, again) == (1, 0)
    assert graded.state == AttemptState.GRADED and graded.score == item.points
    assert graded.transitions.filter(reason="invigilator").count() == 1
    assert AttemptEvent.objects.filter(attempt=attempt, kind=AttemptEventKind.FORCE_SUBMITTED).count() == 1
    assert not Attempt.objects.filter(exam=exam, officer=not_started).exists()


# --- absences ---------------------------------------------------------------------------------------


def test_absence_is_refused_once_the_officer_started(exam, officer, squad_officer, trainer):
    _start(exam, officer)
    with pytest.raises(ExamDayError) as error:
        exam_absence_mark(actor=trainer, exam=exam, officers=[officer, squad_officer], reason="未到")
    assert error.value.code == "has_attempt"
    assert not ExamAbsence.objects.exists()  # nobody of the batch marked


def test_absence_marked_twice_is_one_absence(exam, squad_officer, trainer):
    assert exam_absence_mark(actor=trainer, exam=exam, officers=[squad_officer], reason="未到") == 1
    assert exam_absence_mark(actor=trainer, exam=exam, officers=[squad_officer], reason="未到") == 0
    assert ExamAbsence.objects.filter(exam=exam, officer=squad_officer).count() == 1


# --- room messages ----------------------------------------------------------------------------------


def test_a_room_message_sent_twice_after_the_same_one_is_sent_once(exam, trainer):
    first = exam_room_message_send(actor=trainer, exam=exam, text="还有十分钟", after=0)
    second = exam_room_message_send(actor=trainer, exam=exam, text="还有十分钟", after=0)
    third = exam_room_message_send(actor=trainer, exam=exam, text="还有十分钟", after=first.pk)
    assert first == second and third != first
    assert ExamRoomMessage.objects.filter(exam=exam).count() == 2
    with pytest.raises(ExamDayError):
        exam_room_message_send(actor=trainer, exam=exam, text="   ")


# --- re-opening -------------------------------------------------------------------------------------


def _handed_in(exam, officer) -> Attempt:
    attempt = _start(exam, officer)
    attempt_submit(attempt=attempt, actor=officer, now=NOW)
    return _reload(attempt)


def test_reopen_refused_for_a_paper_in_progress(exam, officer, trainer):
    attempt = _start(exam, officer)
    with pytest.raises(ExamDayError) as error:
        attempt_reopen_request(actor=trainer, attempt=attempt, reason="断电", minutes=10)
    assert error.value.code == "not_submitted"


def test_reopen_refused_while_a_request_waits(exam, officer, trainer):
    attempt = _handed_in(exam, officer)
    attempt_reopen_request(actor=trainer, attempt=attempt, reason="断电", minutes=10)
    with pytest.raises(ExamDayError) as error:
        attempt_reopen_request(actor=trainer, attempt=attempt, reason="断电", minutes=10)
    assert error.value.code == "pending"


def test_reopen_refused_for_a_released_pass_and_a_closed_exam(exam, officer, squad_officer, trainer):
    attempt = _handed_in(exam, officer)
    Attempt.objects.filter(pk=attempt.pk).update(state=AttemptState.RELEASED, passed=True)
    with pytest.raises(ExamDayError) as error:
        attempt_reopen_request(actor=trainer, attempt=_reload(attempt), reason="断电", minutes=10)
    assert error.value.code == "released_pass"

    other = _handed_in(exam, squad_officer)
    exam.__class__.objects.filter(pk=exam.pk).update(status=ExamStatus.CLOSED)
    with pytest.raises(ExamDayError) as error:
        attempt_reopen_request(actor=trainer, attempt=_reload(other), reason="断电", minutes=10)
    assert error.value.code == "exam_closed"


def test_only_a_legal_leader_decides_and_only_once(exam, officer, trainer, legal_leader):
    attempt = _handed_in(exam, officer)
    request = attempt_reopen_request(actor=trainer, attempt=attempt, reason="断电", minutes=10)
    with pytest.raises(PermissionDenied):
        attempt_reopen_decide(actor=trainer, request=request, approve=True)
    attempt_reopen_decide(actor=legal_leader, request=request, approve=False, note="证据不足")
    with pytest.raises(ExamDayError) as error:
        attempt_reopen_decide(actor=legal_leader, request=request, approve=True)
    assert error.value.code == "not_pending"
    assert _reload(attempt).state == AttemptState.GRADED
    request.refresh_from_db()
    assert request.status == ReopenStatus.REFUSED and request.decision_note == "证据不足"


def test_approved_reopening_keeps_the_answers_and_gives_the_minutes(exam, officer, trainer, legal_leader):
    attempt = _start(exam, officer)
    item = attempt.paper.items.select_related("question_version").first()
    answer_save(attempt=attempt, item_id=item.pk, response=correct_response(item), client_seq=1, now=NOW)
    attempt_submit(attempt=attempt, actor=officer, now=NOW)
    request = attempt_reopen_request(actor=trainer, attempt=_reload(attempt), reason="断电", minutes=15)
    later = NOW + datetime.timedelta(minutes=30)

    attempt_reopen_decide(actor=legal_leader, request=request, approve=True, now=later)

    reopened = _reload(attempt)
    assert reopened.state == AttemptState.IN_PROGRESS
    assert reopened.deadline == later + datetime.timedelta(minutes=15)
    assert reopened.score is None and reopened.submitted_at is None
    assert Answer.objects.get(attempt=attempt, paper_item=item).response == correct_response(item)
    assert AttemptEvent.objects.filter(attempt=attempt, kind=AttemptEventKind.REOPENED).exists()
