"""Exam day (考务): accommodations, the invigilator's actions, the examinee page's signals.

Every action here changes attempts that may be saving answers at that very moment, so each one
follows ``exams.services.delivery``'s rules:

- **Time added, clock stopped or restarted while a save runs**: each is one conditional
  ``UPDATE … WHERE state='in_progress'`` on the attempt row (the deadline moves with it, by the
  same ``F()`` expression). A save holds the row lock while it checks the deadline, so it sees the
  deadline before or after the change, never half of it.
- **An accommodation granted while the officer is sitting** recomputes the deadline from what it
  is made of (``exams.selectors.exam_day.attempt_deadline``) under the row lock; the examinee's page
  reads the new deadline on its next status poll (every ``EXAMS_STATUS_POLL_SECONDS``).
- **Force hand-in racing the examinee's own hand-in**: both go through ``delivery._submit``'s
  conditional UPDATE; exactly one records the transition.
- **The board's form sent twice** (a double click, a retry): time is added as a compare-and-set
  on the deadline the board showed (``seen_deadlines``), so the second UPDATE matches no row; a
  room message already sent after the last one the page knew is returned, not sent again (the exam
  row lock orders two such sends); hand-in, absence, pause and resume are idempotent by state.
- **Focus events counted twice** (two tabs, retries): the count is ``F('focus_losses') + 1`` on
  the attempt in progress; events for a finished attempt are ignored. Automatic hand-in after M
  losses is decided on the count this very UPDATE produced.
- **Two devices claiming the paper**: the claim locks the attempt row; the later one wins only
  when the examinee confirmed the takeover, and the earlier device's next save or poll is refused
  (``taken_over``).
- **Re-opening a submitted attempt**: the legal leader's approval moves it back to in progress
  with a conditional UPDATE from the state it was approved in; the partial unique constraint keeps
  one attempt in progress per officer and exam.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from exams.models import (
    FOCUS_EVENTS,
    Attempt,
    AttemptEvent,
    AttemptEventKind,
    AttemptReopenRequest,
    AttemptState,
    AttemptTransition,
    Exam,
    ExamAbsence,
    ExamAccommodation,
    ExamRoomMessage,
    ExamStatus,
    ReopenStatus,
)
from exams.selectors.eligibility import exam_examinees
from exams.selectors.exam_day import HEARTBEAT_EVERY, attempt_deadline, officer_terms
from exams.services.delivery import _submit
from people.models import User
from people.models.roles import Role
from people.selectors.scope import has_role
from portal.errors import CodedError
from portal.services import audit_log

__all__ = [
    "ExamDayError",
    "FocusResult",
    "attempt_device_claim",
    "attempt_focus_event",
    "attempt_heartbeat",
    "attempt_pause",
    "attempt_reopen_decide",
    "attempt_reopen_request",
    "attempt_resume",
    "attempts_add_time",
    "attempts_force_submit",
    "exam_absence_clear",
    "exam_absence_mark",
    "exam_accommodation_remove",
    "exam_accommodation_set",
    "exam_room_message_send",
]

ERRORS = {
    "no_reason": _("Give a reason; it is kept in the exam's record."),
    "nothing": _("The accommodation grants nothing: give extra time, a window or extra attempts."),
    "window": _("The officer's own window must close after it opens."),
    "not_examinee": _("%(officer)s is not an examinee of this exam."),
    "minutes": _("Give between 1 and 600 minutes."),
    "not_in_progress": _("%(officer)s is not sitting the exam now."),
    "not_paused": _("The clock of %(officer)s is not stopped."),
    "already_paused": _("The clock of %(officer)s is already stopped."),
    "has_attempt": _("%(officer)s has already started this exam and cannot be marked absent."),
    "not_submitted": _("Only a submitted paper can be re-opened."),
    "released_pass": _("This paper passed and its result is released; it cannot be re-opened."),
    "pending": _("A request to re-open this paper is already waiting for approval."),
    "not_pending": _("This request has already been decided."),
    "not_leader": _("Only a legal leader may approve re-opening a paper."),
    "other_in_progress": _("%(officer)s is sitting this exam again already; the paper cannot be re-opened."),
    "exam_closed": _("The exam is closed."),
    "empty_message": _("Write the message first."),
}

MAX_MINUTES = 600


class ExamDayError(CodedError):
    """An invigilator's or trainer's exam-day request cannot be carried out; ``message`` says why."""

    errors = ERRORS


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ExamDayError("no_reason")
    return reason[:200]


def _event(attempt_id: int, kind: str, *, actor=None, at: datetime.datetime, **data) -> None:
    AttemptEvent.objects.create(
        attempt_id=attempt_id,
        kind=kind,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        at=at,
        data=data,
    )


# --- accommodations -------------------------------------------------------------------------------


def exam_accommodation_set(
    *,
    actor,
    exam: Exam,
    officer: User,
    reason: str,
    extra_minutes: int = 0,
    extra_percent: int = 0,
    opens_at: datetime.datetime | None = None,
    closes_at: datetime.datetime | None = None,
    extra_attempts: int = 0,
    now: datetime.datetime | None = None,
) -> ExamAccommodation:
    """Grant (or change) the officer's accommodation for the exam. An attempt in progress takes
    the new deadline at once; the examinee's timer follows on its next poll."""
    now = now or timezone.now()
    reason = _reason(reason)
    if not (extra_minutes or extra_percent or opens_at or closes_at or extra_attempts):
        raise ExamDayError("nothing")
    if opens_at and closes_at and closes_at <= opens_at:
        raise ExamDayError("window")
    if not exam_examinees(exam).filter(pk=officer.pk).exists():
        raise ExamDayError("not_examinee", officer=officer)
    with transaction.atomic():
        accommodation, created = ExamAccommodation.objects.select_for_update().update_or_create(
            exam=exam,
            officer=officer,
            defaults={
                "extra_minutes": extra_minutes,
                "extra_percent": extra_percent,
                "opens_at": opens_at,
                "closes_at": closes_at,
                "extra_attempts": extra_attempts,
                "reason": reason,
                "granted_by": actor,
                "granted_at": now,
            },
        )
        _recompute_deadline(exam, officer, accommodation, actor=actor, now=now)
        audit_log(
            actor=actor,
            action="exams.accommodation.granted" if created else "exams.accommodation.changed",
            target=exam,
            data={
                "officer": officer.pk,
                "extra_minutes": extra_minutes,
                "extra_percent": extra_percent,
                "opens_at": opens_at.isoformat() if opens_at else None,
                "closes_at": closes_at.isoformat() if closes_at else None,
                "extra_attempts": extra_attempts,
                "reason": reason,
            },
        )
    return accommodation


def exam_accommodation_remove(*, actor, exam: Exam, officer: User, now: datetime.datetime | None = None) -> None:
    now = now or timezone.now()
    with transaction.atomic():
        deleted, _rows = ExamAccommodation.objects.filter(exam=exam, officer=officer).delete()
        if not deleted:
            return
        _recompute_deadline(exam, officer, None, actor=actor, now=now)
        audit_log(actor=actor, action="exams.accommodation.removed", target=exam, data={"officer": officer.pk})


def _recompute_deadline(exam: Exam, officer, accommodation, *, actor, now) -> None:
    attempt = (
        Attempt.objects.select_for_update().filter(exam=exam, officer=officer, state=AttemptState.IN_PROGRESS).first()
    )
    if attempt is None:
        return
    deadline = attempt_deadline(attempt, officer_terms(exam, accommodation))
    if deadline == attempt.deadline:
        return
    Attempt.objects.filter(pk=attempt.pk).update(deadline=deadline)
    _event(
        attempt.pk,
        AttemptEventKind.ACCOMMODATION,
        actor=actor,
        at=now,
        seconds=int((deadline - attempt.deadline).total_seconds()),
    )


# --- the invigilator's actions ------------------------------------------------------------------


def _in_progress(exam: Exam, attempt_ids: Iterable[int]):
    return Attempt.objects.filter(exam=exam, pk__in=list(attempt_ids), state=AttemptState.IN_PROGRESS)


def attempts_add_time(
    *,
    actor,
    exam: Exam,
    attempt_ids: Iterable[int],
    minutes: int,
    reason: str,
    seen_deadlines: Mapping[int, datetime.datetime] | None = None,
    now: datetime.datetime | None = None,
) -> int:
    """Add ``minutes`` to each attempt still in progress; returns how many got them.

    ``seen_deadlines`` (attempt id → the deadline the invigilator's board showed) makes each
    addition a compare-and-set: an attempt whose deadline has moved since (the same form sent
    twice, a colleague adding time meanwhile) is left alone, so a double submit adds nothing twice.
    """
    now = now or timezone.now()
    reason = _reason(reason)
    if not 1 <= minutes <= MAX_MINUTES:
        raise ExamDayError("minutes")
    seconds = minutes * 60
    changed = 0
    with transaction.atomic():
        for attempt_id in _in_progress(exam, attempt_ids).values_list("pk", flat=True):
            current = Attempt.objects.filter(pk=attempt_id, state=AttemptState.IN_PROGRESS)
            if seen_deadlines is not None:
                if attempt_id not in seen_deadlines:
                    continue
                current = current.filter(deadline=seen_deadlines[attempt_id])
            if current.update(
                time_added_seconds=F("time_added_seconds") + seconds,
                deadline=F("deadline") + datetime.timedelta(seconds=seconds),
            ):
                _event(attempt_id, AttemptEventKind.TIME_ADDED, actor=actor, at=now, seconds=seconds, reason=reason)
                changed += 1
        audit_log(
            actor=actor,
            action="exams.attempt.time_added",
            target=exam,
            data={"minutes": minutes, "attempts": changed, "reason": reason},
        )
    return changed


def attempt_pause(*, actor, attempt: Attempt, reason: str, now: datetime.datetime | None = None) -> None:
    """Stop the examinee's clock (a technical incident): saves wait, the deadline does not run."""
    now = now or timezone.now()
    reason = _reason(reason)
    with transaction.atomic():
        current = Attempt.objects.select_for_update().get(pk=attempt.pk)
        if current.state != AttemptState.IN_PROGRESS:
            raise ExamDayError("not_in_progress", officer=current.officer)
        if current.paused_at is not None:
            raise ExamDayError("already_paused", officer=current.officer)
        Attempt.objects.filter(pk=attempt.pk).update(paused_at=now)
        _event(attempt.pk, AttemptEventKind.PAUSED, actor=actor, at=now, reason=reason)
        audit_log(actor=actor, action="exams.attempt.paused", target=current, data={"reason": reason})


def attempt_resume(*, actor, attempt: Attempt, reason: str = "", now: datetime.datetime | None = None) -> None:
    """Restart the clock: the deadline moves on by the time it stood still."""
    now = now or timezone.now()
    with transaction.atomic():
        current = Attempt.objects.select_for_update().get(pk=attempt.pk)
        if current.state != AttemptState.IN_PROGRESS:
            raise ExamDayError("not_in_progress", officer=current.officer)
        if current.paused_at is None:
            raise ExamDayError("not_paused", officer=current.officer)
        stopped = max(0, int((now - current.paused_at).total_seconds()))
        Attempt.objects.filter(pk=attempt.pk).update(
            paused_at=None,
            paused_seconds=F("paused_seconds") + stopped,
            deadline=F("deadline") + datetime.timedelta(seconds=stopped),
        )
        _event(attempt.pk, AttemptEventKind.RESUMED, actor=actor, at=now, seconds=stopped, reason=reason.strip())
        audit_log(actor=actor, action="exams.attempt.resumed", target=current, data={"seconds": stopped})


def attempts_force_submit(
    *, actor, exam: Exam, attempt_ids: Iterable[int], reason: str, now: datetime.datetime | None = None
) -> int:
    """Hand in each attempt still in progress, as the examinee's own hand-in would (graded at once)."""
    now = now or timezone.now()
    reason = _reason(reason)
    submitted = 0
    for attempt in _in_progress(exam, attempt_ids):
        if _submit(attempt, actor=actor, now=now, reason="invigilator"):
            _event(attempt.pk, AttemptEventKind.FORCE_SUBMITTED, actor=actor, at=now, reason=reason)
            submitted += 1
    audit_log(
        actor=actor, action="exams.attempt.force_submitted", target=exam, data={"attempts": submitted, "reason": reason}
    )
    return submitted


def exam_absence_mark(
    *, actor, exam: Exam, officers: Iterable[User], reason: str = "", now: datetime.datetime | None = None
) -> int:
    """Mark examinees who have not started as absent (缺考); returns how many were marked."""
    now = now or timezone.now()
    marked = 0
    with transaction.atomic():
        for officer in officers:
            if Attempt.objects.filter(exam=exam, officer=officer).exclude(state=AttemptState.NOT_STARTED).exists():
                raise ExamDayError("has_attempt", officer=officer)
            _row, created = ExamAbsence.objects.get_or_create(
                exam=exam,
                officer=officer,
                defaults={"reason": reason.strip()[:200], "marked_by": actor, "marked_at": now},
            )
            marked += created
        audit_log(
            actor=actor,
            action="exams.absence.marked",
            target=exam,
            data={"officers": [officer.pk for officer in officers], "reason": reason.strip()},
        )
    return marked


def exam_absence_clear(*, actor, exam: Exam, officer: User) -> None:
    deleted, _rows = ExamAbsence.objects.filter(exam=exam, officer=officer).delete()
    if deleted:
        audit_log(actor=actor, action="exams.absence.cleared", target=exam, data={"officer": officer.pk})


def exam_room_message_send(
    *, actor, exam: Exam, text: str, after: int | None = None, now: datetime.datetime | None = None
) -> ExamRoomMessage:
    """A message every examinee sees on their paper at their next status poll.

    ``after`` is the last message the sender's page knew of: the same text already sent after it
    (the form sent twice) is not sent again; that message is returned instead. The exam row lock
    orders two such sends."""
    text = (text or "").strip()[:500]
    if not text:
        raise ExamDayError("empty_message")
    with transaction.atomic():
        Exam.objects.select_for_update().filter(pk=exam.pk).values_list("pk", flat=True).first()
        if after is not None:
            sent = ExamRoomMessage.objects.filter(exam=exam, pk__gt=after, text=text).first()
            if sent is not None:
                return sent
        message = ExamRoomMessage.objects.create(exam=exam, text=text, sent_by=actor, sent_at=now or timezone.now())
        audit_log(actor=actor, action="exams.room_message.sent", target=exam, data={"message": message.pk})
    return message


# --- re-opening after a technical incident --------------------------------------------------------

REOPENABLE = (AttemptState.SUBMITTED, AttemptState.GRADED, AttemptState.RELEASED)


def attempt_reopen_request(
    *, actor, attempt: Attempt, reason: str, minutes: int, now: datetime.datetime | None = None
) -> AttemptReopenRequest:
    """An invigilator asks a legal leader to re-open a submitted paper for ``minutes`` more."""
    now = now or timezone.now()
    reason = _reason(reason)
    if not 1 <= minutes <= MAX_MINUTES:
        raise ExamDayError("minutes")
    _check_reopenable(attempt)
    try:
        with transaction.atomic():
            request = AttemptReopenRequest.objects.create(
                attempt=attempt, reason=reason, minutes=minutes, requested_by=actor, requested_at=now
            )
            audit_log(
                actor=actor,
                action="exams.attempt.reopen_requested",
                target=attempt,
                data={"request": request.pk, "minutes": minutes, "reason": reason},
            )
    except IntegrityError:
        raise ExamDayError("pending") from None
    return request


def _check_reopenable(attempt: Attempt) -> None:
    if attempt.exam.status == ExamStatus.CLOSED:
        raise ExamDayError("exam_closed")
    if attempt.state not in REOPENABLE:
        raise ExamDayError("not_submitted")
    if attempt.state == AttemptState.RELEASED and attempt.passed:
        raise ExamDayError("released_pass")


def attempt_reopen_decide(
    *, actor, request: AttemptReopenRequest, approve: bool, note: str = "", now: datetime.datetime | None = None
) -> AttemptReopenRequest:
    """A legal leader approves (the paper re-opens with the requested minutes, answers kept) or
    refuses the request."""
    now = now or timezone.now()
    if not has_role(actor, Role.LEGAL_LEADER, Role.ADMIN):
        raise PermissionDenied(ERRORS["not_leader"])
    with transaction.atomic():
        request = AttemptReopenRequest.objects.select_for_update().select_related("attempt__exam").get(pk=request.pk)
        if request.status != ReopenStatus.PENDING:
            raise ExamDayError("not_pending")
        attempt = Attempt.objects.select_for_update().select_related("exam", "officer").get(pk=request.attempt_id)
        if approve:
            _check_reopenable(attempt)
            _reopen(attempt, minutes=request.minutes, actor=actor, now=now, request=request)
        request.status = ReopenStatus.APPROVED if approve else ReopenStatus.REFUSED
        request.decided_by, request.decided_at, request.decision_note = actor, now, note.strip()[:200]
        request.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        audit_log(
            actor=actor,
            action="exams.attempt.reopen_approved" if approve else "exams.attempt.reopen_refused",
            target=attempt,
            data={"request": request.pk, "note": request.decision_note},
        )
    return request


def _reopen(attempt: Attempt, *, minutes: int, actor, now: datetime.datetime, request) -> None:
    # The deadline is "now + minutes"; time_added keeps attempt_deadline's sum equal to it, so a
    # later accommodation recomputes from the same parts.
    terms = officer_terms(attempt.exam, attempt.exam.accommodations.filter(officer=attempt.officer).first())
    base = attempt_deadline(Attempt(started_at=attempt.started_at, time_added_seconds=0, paused_seconds=0), terms)
    deadline = now + datetime.timedelta(minutes=minutes)
    time_added = int((deadline - base).total_seconds()) - attempt.paused_seconds
    try:
        with transaction.atomic():
            changed = Attempt.objects.filter(pk=attempt.pk, state=attempt.state).update(
                state=AttemptState.IN_PROGRESS,
                deadline=deadline,
                time_added_seconds=time_added,
                paused_at=None,
                submitted_at=None,
                graded_at=None,
                released_at=None,
                score=None,
                passed=None,
            )
    except IntegrityError:
        raise ExamDayError("other_in_progress", officer=attempt.officer) from None
    if not changed:
        raise ExamDayError("not_submitted")
    AttemptTransition.objects.create(
        attempt=attempt,
        from_state=attempt.state,
        to_state=AttemptState.IN_PROGRESS,
        actor=actor,
        actor_label=str(actor),
        at=now,
        reason="reopened",
    )
    _event(
        attempt.pk,
        AttemptEventKind.REOPENED,
        actor=actor,
        at=now,
        minutes=minutes,
        request=request.pk,
        requested_by=request.requested_by_id,
    )


# --- what the examinee's page reports -------------------------------------------------------------


@dataclass(frozen=True)
class FocusResult:
    count: int  # focus losses recorded for the attempt so far
    warn: bool  # the exam's warning threshold is reached
    submitted: bool  # this loss reached the hand-in threshold and the paper was handed in


def attempt_focus_event(*, attempt: Attempt, kind: str, now: datetime.datetime | None = None) -> FocusResult:
    """Record a focus loss the examinee's page reported (when the exam records them)."""
    now = now or timezone.now()
    exam = attempt.exam
    if kind not in FOCUS_EVENTS or not exam.track_focus:
        return FocusResult(count=attempt.focus_losses, warn=False, submitted=False)
    with transaction.atomic():
        if not Attempt.objects.filter(pk=attempt.pk, state=AttemptState.IN_PROGRESS).update(
            focus_losses=F("focus_losses") + 1, last_seen_at=now
        ):
            return FocusResult(count=attempt.focus_losses, warn=False, submitted=False)
        count = Attempt.objects.filter(pk=attempt.pk).values_list("focus_losses", flat=True).get()
        _event(attempt.pk, kind, at=now, count=count)
        warn = bool(exam.focus_warn_after and count >= exam.focus_warn_after)
        if warn and count == exam.focus_warn_after:
            _event(attempt.pk, AttemptEventKind.WARNED, at=now, count=count)
    submitted = False
    if exam.focus_submit_after and count >= exam.focus_submit_after:
        submitted = _submit(attempt, actor=None, now=now, reason="focus_limit")
        if submitted:
            _event(attempt.pk, AttemptEventKind.AUTO_SUBMITTED, at=now, count=count)
    return FocusResult(count=count, warn=warn, submitted=submitted)


def attempt_heartbeat(*, attempt: Attempt, now: datetime.datetime | None = None) -> None:
    """Record that the examinee's page is alive (one conditional UPDATE, mostly a no-op: a page
    that saves answers has its contact written by the saves)."""
    now = now or timezone.now()
    if attempt.last_seen_at is not None and attempt.last_seen_at >= now - HEARTBEAT_EVERY:
        return  # written recently (as loaded with the attempt): no statement at all on most polls
    Attempt.objects.filter(pk=attempt.pk, state=AttemptState.IN_PROGRESS).filter(
        Q(last_seen_at__isnull=True) | Q(last_seen_at__lt=now - HEARTBEAT_EVERY)
    ).update(last_seen_at=now)


def attempt_device_claim(*, attempt: Attempt, device: str, confirm: bool, now: datetime.datetime | None = None) -> bool:
    """Let ``device`` (the browser's exam cookie) hold the paper. True when it does; False when the
    exam allows one device at a time, another device holds the paper and the examinee has not
    confirmed the takeover. A takeover is recorded and counted."""
    now = now or timezone.now()
    if device and attempt.device == device:
        return True  # the device that holds it (as loaded): no write transaction on a paper render
    with transaction.atomic():
        current = Attempt.objects.select_for_update().filter(pk=attempt.pk).values_list("device", "state").get()
        held_by, state = current
        if state != AttemptState.IN_PROGRESS or held_by == device:
            return True
        if held_by and attempt.exam.single_device and not confirm:
            return False
        if held_by:
            Attempt.objects.filter(pk=attempt.pk).update(device=device, device_changes=F("device_changes") + 1)
            _event(attempt.pk, AttemptEventKind.DEVICE_TAKEOVER, at=now, device=device[:12])
            audit_log(actor=attempt.officer, action="exams.attempt.device_takeover", target=attempt, data={})
            attempt.refresh_from_db(fields=["device", "device_changes"])
        else:
            Attempt.objects.filter(pk=attempt.pk).update(device=device)
            attempt.device = device  # the caller renders the paper from this instance
    return True
