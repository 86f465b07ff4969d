"""Taking exams: start, autosave, submit, grade, sweep. The hot path; every rule is enforced here.

Races, and what settles each of them
------------------------------------
- **Two starts at once** (two tabs, a double click): the start runs in one transaction that first
  locks the officer's own user row (``select_for_update``: PostgreSQL serialises on it; SQLite
  runs every transaction ``BEGIN IMMEDIATE``, which serialises writers anyway). The second start
  finds the first one's attempt in progress and resumes it. The partial unique constraint
  "one attempt in progress per officer and exam" backs this up.
- **Hundreds of starts in one minute**: the worker draws the papers ahead
  (``exams.services.papers_ahead``), and a start only takes one inside its transaction. When none
  is left, the paper is drawn (read-only) BEFORE the write transaction, which then only stores
  it — on SQLite the single write lock is held for the inserts, not for the draw. A start that
  loses the race throws its drawn paper away unstored.
  Exams whose blueprint caps the overlap between papers draw inside the transaction instead, since
  the cap must see every earlier paper of the exam.
- **Out-of-order saves**: a save is ONE statement, ``INSERT … SELECT`` from the paper's items
  ``ON CONFLICT (attempt, paper item) DO UPDATE … WHERE client_seq < excluded.client_seq``: it
  inserts the first answer, replaces an older one, and changes nothing when the stored save is
  newer (then this one is ignored) or when the item is not on the paper.
- **A save racing the submission**: a save locks the attempt row and checks its state in the same
  transaction, so the submission (an UPDATE of that row) waits until the save is committed and then
  grades the answers including it; a save arriving after it sees the attempt submitted.
- **Twenty submits at once**: ``UPDATE … SET state='submitted' WHERE pk=… AND state='in_progress'``.
  Exactly one request changes the row (the others wait for its lock, re-check the WHERE and change
  nothing); only that one records the transition and grades.

Deadlines: deadline = min(start + duration, window close), with the officer's own duration and
window under an accommodation, plus time an invigilator added and time the clock stood still
(``exams.selectors.exam_day.attempt_deadline``). Saves are accepted up to the exam's
grace period after it (network delays); a later save is rejected and closes the attempt, recorded
as submitted at the deadline. The sweep closes the attempts nobody touches, once their grace period
is over, so an answer in flight inside the grace period is never lost to it.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from decimal import Decimal

from django.core.cache import cache
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext_lazy as _

from exams.models import (
    Answer,
    Attempt,
    AttemptMode,
    AttemptState,
    AttemptTransition,
    Exam,
    ExamAbsence,
    ExamStatus,
    MultipleChoiceScoring,
    Paper,
    PaperItem,
    QuestionType,
)
from exams.scoring import score_response
from exams.selectors.delivery import get_attempt_for_user
from exams.selectors.eligibility import exam_eligibility
from exams.selectors.exam_day import HEARTBEAT_EVERY, OfficerTerms, address_allowed, attempt_deadline, terms_for
from exams.selectors.papers import blueprint_plan
from exams.services.grading import attempt_grade
from exams.services.papers import new_seed, paper_draw, paper_preview, paper_store
from exams.services.papers_ahead import ahead_context, draws_ahead, paper_take_ahead
from people.models import User
from portal.errors import CodedError
from portal.services import audit_log

__all__ = [
    "DeliveryError",
    "SaveResult",
    "answer_save",
    "attempt_start",
    "attempt_submit",
    "attempts_sweep",
    "get_attempt_for_user",
]

# Longest response accepted, as JSON text: a long case analysis fits many times over.
MAX_RESPONSE_CHARS = 20_000

ERRORS = {
    "not_eligible": "%(reason)s",
    "not_published": _("This exam is not open for taking."),
    "not_open_yet": _("This exam opens at %(time)s."),
    "closed": _("This exam closed at %(time)s."),
    "no_attempts_left": _("You have used all %(allowed)s attempts allowed for this exam."),
    "too_late": _(
        "Time is up: the exam ended at %(time)s and answers sent after that can no longer be saved. "
        "Your paper has been submitted with the answers saved before the deadline."
    ),
    "not_in_progress": _("This paper has already been submitted; answers can no longer be changed."),
    "unknown_item": _("This question is not on your paper."),
    "too_long": _("The answer is too long to be saved."),
    "bad_sequence": _("The answer could not be saved: invalid save number. Reload the page and try again."),
    "network": _(
        "This exam can only be taken from the exam room's network, and your computer (%(address)s) is not "
        "on it. Go to a computer in the exam room, or ask the invigilator."
    ),
    "room_password": _("The exam-room password is not correct. Ask the invigilator and type it again."),
    "room_password_wait": _(
        "The exam-room password was wrong too many times. Wait %(minutes)s minutes, or ask the invigilator."
    ),
    "absent": _("The invigilator has marked you absent from this exam. If you are in the room, ask them to undo it."),
    "paused": _("The invigilator has stopped your clock. Wait until it restarts; your answers are kept."),
    "taken_over": _(
        "This paper is now open on another device, so it can no longer be answered here. "
        "Continue on the other device, or open the paper again here to take it back."
    ),
}


class DeliveryError(CodedError):
    """A request an examinee made cannot be carried out; ``message`` says why, for the user."""

    errors = ERRORS


def _local(moment: datetime.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S")


def _transition(
    attempt: Attempt, *, from_state: str, to_state: str, actor, at: datetime.datetime, reason: str = ""
) -> None:
    user = actor if getattr(actor, "is_authenticated", False) else None
    AttemptTransition.objects.create(
        attempt=attempt,
        from_state=from_state,
        to_state=to_state,
        actor=user,
        actor_label=str(user) if user else (str(actor) if actor else "system"),
        at=at,
        reason=reason,
    )


def _grace(exam: Exam) -> datetime.timedelta:
    return datetime.timedelta(seconds=exam.grace_seconds)


# --- start --------------------------------------------------------------------------------------


def attempt_start(
    *,
    exam: Exam,
    officer,
    now: datetime.datetime | None = None,
    seed: int | None = None,
    client_address: str | None = None,
    room_password: str | None = None,
) -> Attempt:
    """The officer's attempt in progress, or a new one with a freshly drawn paper.

    ``seed`` draws the paper from a given seed instead of a fresh random one (demo data that must
    come out the same on every run); the paper records it either way.

    Refused (``DeliveryError``) when the officer may not sit the exam (``exam_eligibility``),
    outside their window, on an unpublished exam, when every allowed attempt is used, from an
    address outside the exam's networks, without the exam-room password (a new attempt only: a
    resumed one was let in already) or when marked absent. The window, time and attempts are the
    officer's own (``exams.selectors.exam_day.terms_for``: an accommodation may change them). An
    attempt in progress past its deadline is closed first.
    """
    now = now or timezone.now()
    _check_network(exam, client_address)
    while True:
        stale = (
            Attempt.objects.filter(exam=exam, officer=officer, state=AttemptState.IN_PROGRESS)
            .select_related("exam")
            .first()
        )
        if stale is None or stale.paused_at is not None or now <= stale.deadline + _grace(exam):
            break
        attempt_submit(attempt=stale, actor=None, now=now, reason="deadline")
    if stale is not None:
        return stale
    exam = Exam.objects.select_related("blueprint", "fixed_paper").get(pk=exam.pk)
    terms = _check_can_start(exam, officer, now)
    _check_room_password(exam, officer, room_password)
    try:
        # A paper drawn ahead is taken inside the transaction; a given seed (demo data) draws its own.
        take_ahead = seed is None and draws_ahead(exam) and Paper.objects.filter(context=ahead_context(exam)).exists()
        seed = new_seed() if seed is None else int(seed)
        drawn = None if take_ahead else _draw_ahead(exam, seed)
        return _start(exam=exam, officer=officer, now=now, terms=terms, drawn=drawn, seed=seed, take_ahead=take_ahead)
    except IntegrityError:
        # A concurrent start won despite the lock (should not happen): resume its attempt.
        existing = Attempt.objects.filter(exam=exam, officer=officer, state=AttemptState.IN_PROGRESS).first()
        if existing is None:
            raise
        return existing


def _check_network(exam: Exam, client_address: str | None) -> None:
    if not address_allowed(exam, client_address):
        raise DeliveryError("network", address=client_address or "?")


# Wrong exam-room passwords an officer may type for one exam before waiting (a short password is
# otherwise guessed by trying); each wrong one is audited.
ROOM_PASSWORD_TRIES = 5
ROOM_PASSWORD_WAIT_SECONDS = 300


def _check_room_password(exam: Exam, officer, room_password: str | None) -> None:
    if not exam.room_password:
        return
    key = f"exams:room-password:{exam.pk}:{officer.pk}"
    if cache.get(key, 0) >= ROOM_PASSWORD_TRIES:
        raise DeliveryError("room_password_wait", minutes=ROOM_PASSWORD_WAIT_SECONDS // 60)
    if constant_time_compare((room_password or "").strip(), exam.room_password):
        return
    cache.add(key, 0, ROOM_PASSWORD_WAIT_SECONDS)
    tries = cache.incr(key)
    audit_log(actor=officer, action="exams.attempt.room_password_refused", target=exam, data={"tries": tries})
    raise DeliveryError("room_password")


def _check_can_start(exam: Exam, officer, now: datetime.datetime) -> OfficerTerms:
    """The checks before a new attempt; returns the officer's terms for it."""
    eligibility = exam_eligibility(exam, officer)
    if not eligibility.eligible:
        raise DeliveryError("not_eligible", reason=eligibility.reason)
    if exam.status != ExamStatus.PUBLISHED:
        raise DeliveryError("not_published")
    terms = terms_for(exam, officer)
    if now < terms.opens_at:
        raise DeliveryError("not_open_yet", time=_local(terms.opens_at))
    if now >= terms.closes_at:
        raise DeliveryError("closed", time=_local(terms.closes_at))
    if ExamAbsence.objects.filter(exam=exam, officer=officer).exists():
        raise DeliveryError("absent")
    return terms


def _draw_ahead(exam: Exam, seed: int):
    """The paper drawn before the write transaction, or None when it must be drawn inside it."""
    if exam.fixed_paper_id is not None or exam.blueprint.max_overlap_percent is not None:
        return None
    return paper_preview(plan=blueprint_plan(exam.blueprint), seed=seed)


def _start(
    *, exam: Exam, officer, now: datetime.datetime, terms: OfficerTerms, drawn, seed: int, take_ahead: bool = False
) -> Attempt:
    """Store the new attempt. Eligibility (roster, exemption, qualifications) was checked just
    before, once; inside the write transaction only what an invigilator or a trainer may have
    changed in between is read again: the exam's status, an absence, the attempts used."""
    with transaction.atomic():
        # Serialises this officer's concurrent starts (see the module docstring).
        User.objects.select_for_update().filter(pk=officer.pk).values_list("pk").get()
        current = Attempt.objects.filter(exam=exam, officer=officer, state=AttemptState.IN_PROGRESS).first()
        if current is not None:
            return current
        if Exam.objects.filter(pk=exam.pk).values_list("status", flat=True).get() != ExamStatus.PUBLISHED:
            raise DeliveryError("not_published")
        if ExamAbsence.objects.filter(exam=exam, officer=officer).exists():
            raise DeliveryError("absent")
        used = Attempt.objects.filter(exam=exam, officer=officer).exclude(state=AttemptState.NOT_STARTED).count()
        if used >= terms.attempts_allowed:
            raise DeliveryError("no_attempts_left", allowed=terms.attempts_allowed)

        context = f"exam:{exam.pk}"
        paper = exam.fixed_paper if exam.fixed_paper_id is not None else None
        if paper is None and drawn is not None:
            paper = paper_store(drawn, blueprint=exam.blueprint, context=context, actor=officer)
        if paper is None and take_ahead:
            paper = paper_take_ahead(exam)
        if paper is None:
            earlier = None
            if exam.blueprint.max_overlap_percent is not None:
                earlier = list(
                    Attempt.objects.filter(exam=exam, paper__isnull=False).values_list("paper_id", flat=True)
                )
            paper = paper_draw(
                blueprint=exam.blueprint, seed=seed, exclude_overlap_with=earlier, context=context, actor=officer
            )
        attempt = Attempt(
            exam=exam, officer=officer, number=used + 1, state=AttemptState.IN_PROGRESS, paper=paper, started_at=now
        )
        attempt.deadline = attempt_deadline(attempt, terms)
        attempt.save(force_insert=True)
        _transition(
            attempt, from_state=AttemptState.NOT_STARTED, to_state=AttemptState.IN_PROGRESS, actor=officer, at=now
        )
        audit_log(
            actor=officer,
            action="exams.attempt.started",
            target=attempt,
            data={"exam": exam.pk, "number": attempt.number, "paper": paper.pk, "seed": paper.seed},
        )
    return attempt


# --- autosave -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SaveResult:
    saved: bool  # False: a newer save (higher client_seq) was already stored and is kept
    client_seq: int  # the sequence number now stored for the question
    saved_at: datetime.datetime


def answer_save(
    *,
    attempt: Attempt,
    item_id: int,
    response,
    client_seq: int,
    now: datetime.datetime | None = None,
    client_address: str | None = None,
    device: str | None = None,
) -> SaveResult:
    """Store the response to paper item ``item_id`` unless a newer save of it is already stored.

    Rejected (``DeliveryError``) once the attempt is submitted, or after the deadline plus the
    grace period — in which case the attempt is submitted first, finishing at its deadline. Also
    rejected while the invigilator has stopped the clock, from an address outside the exam's
    networks, and — when the exam allows one device at a time — from a device (``device``, the
    browser's exam cookie; None skips the check for callers without a browser) other than the one
    that took the paper last.
    """
    now = now or timezone.now()
    if isinstance(client_seq, bool) or not isinstance(client_seq, int) or client_seq < 1:
        raise DeliveryError("bad_sequence")
    if len(json.dumps(response, ensure_ascii=False)) > MAX_RESPONSE_CHARS:
        raise DeliveryError("too_long")
    exam = attempt.exam
    _check_network(exam, client_address)
    expired_deadline = None
    with transaction.atomic():
        # Locks out a concurrent submission until this save is committed (see the module docstring).
        state, deadline, paper_id, paused_at, current_device, last_seen_at = (
            Attempt.objects.select_for_update()
            .filter(pk=attempt.pk)
            .values_list("state", "deadline", "paper_id", "paused_at", "device", "last_seen_at")
            .get()
        )
        if state != AttemptState.IN_PROGRESS:
            raise DeliveryError("not_in_progress")
        if device is not None and exam.single_device and current_device and device != current_device:
            raise DeliveryError("taken_over")
        if paused_at is not None:
            raise DeliveryError("paused")
        if now > deadline + _grace(exam):
            expired_deadline = deadline
        elif _answer_upsert(attempt.pk, paper_id, item_id, response, client_seq, now):
            if last_seen_at is None or last_seen_at < now - HEARTBEAT_EVERY:
                # Contact for the invigilation board, in this transaction: the page's status poll
                # then has nothing to write while its examinee keeps answering.
                Attempt.objects.filter(pk=attempt.pk).update(last_seen_at=now)
            return SaveResult(saved=True, client_seq=client_seq, saved_at=now)
        else:
            stored = (
                Answer.objects.filter(attempt_id=attempt.pk, paper_item_id=item_id)
                .values_list("client_seq", "saved_at")
                .first()
            )
            if stored is None:  # nothing inserted and nothing stored: not an item of this paper
                raise DeliveryError("unknown_item")
            return SaveResult(saved=False, client_seq=stored[0], saved_at=stored[1])
    attempt_submit(attempt=attempt, actor=None, now=now, reason="deadline")
    raise DeliveryError("too_late", time=_local(expired_deadline))


def _answer_upsert(attempt_id: int, paper_id: int, item_id: int, response, client_seq: int, now) -> bool:
    """Store the answer in ONE statement; True when it was stored. The row is inserted only for an
    item of the attempt's paper (the ``SELECT`` from the paper's items), and an existing answer is
    replaced only by a later save (``WHERE client_seq < excluded.client_seq``): False means either
    a newer save is stored or the item is not on the paper. PostgreSQL and SQLite (3.24+) alike."""
    quote = connection.ops.quote_name
    answer, item = Answer._meta, PaperItem._meta
    sql = (
        f"INSERT INTO {quote(answer.db_table)} (attempt_id, paper_item_id, response, client_seq, saved_at, comment) "
        f"SELECT %s, id, %s, %s, %s, '' FROM {quote(item.db_table)} WHERE id = %s AND paper_id = %s "
        "ON CONFLICT (attempt_id, paper_item_id) DO UPDATE SET response = excluded.response, "
        f"client_seq = excluded.client_seq, saved_at = excluded.saved_at "
        f"WHERE {quote(answer.db_table)}.client_seq < excluded.client_seq"
    )
    params = [
        attempt_id,
        answer.get_field("response").get_db_prep_save(response, connection),
        client_seq,
        answer.get_field("saved_at").get_db_prep_save(now, connection),
        item_id,
        paper_id,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount == 1


# --- submit and grade ---------------------------------------------------------------------------


def attempt_submit(*, attempt: Attempt, actor, now: datetime.datetime | None = None, reason: str = "") -> Attempt:
    """Submit an attempt in progress and grade its objective answers. Idempotent: submitting an
    attempt already submitted changes nothing and returns it as stored.

    The finish time is the moment of submission, or the deadline when that has passed (an
    auto-submitted attempt finishes at its deadline). Short answers leave the attempt ``submitted``
    until a trainer grades them; otherwise it is ``graded`` at once, and released when the exam's
    release rule allows (``exams.services.grading``).
    """
    _submit(attempt, actor=actor, now=now or timezone.now(), reason=reason)
    attempt.refresh_from_db()
    return attempt


def _submit(attempt: Attempt, *, actor, now: datetime.datetime, reason: str) -> bool:
    """Submit and grade; True only for the one call that changed the attempt's state."""
    with transaction.atomic():
        deadline, paused_at = Attempt.objects.filter(pk=attempt.pk).values_list("deadline", "paused_at").get()
        # While the clock is stopped the deadline does not run: handing in then is never late.
        late = deadline is not None and paused_at is None and now > deadline
        finished = deadline if late else now
        # The conditional UPDATE decides who submits: of concurrent calls, one changes the row.
        changed = Attempt.objects.filter(pk=attempt.pk, state=AttemptState.IN_PROGRESS).update(
            state=AttemptState.SUBMITTED, submitted_at=finished, paused_at=None
        )
        if not changed:
            return False
        attempt = Attempt.objects.select_related("exam").get(pk=attempt.pk)
        reason = reason or ("deadline" if late else "")
        _transition(
            attempt,
            from_state=AttemptState.IN_PROGRESS,
            to_state=AttemptState.SUBMITTED,
            actor=actor,
            at=now,
            reason=reason,
        )
        audit_log(
            actor=actor,
            action="exams.attempt.submitted",
            target=attempt,
            data={"submitted_at": finished.isoformat(), "reason": reason or "examinee"},
        )
        _grade_objective(attempt, now=now, submitted_by=actor)
    return True


def _grade_objective(attempt: Attempt, *, now: datetime.datetime, submitted_by=None) -> None:
    """Score every auto-graded answer; grade the attempt unless a short answer waits for a person,
    and release it at once when its exam's release rule allows (``exams.services.grading``). The
    officer is notified of a release unless they submitted themselves: their result page shows it.
    A short answer sat on paper always waits for a person: its text is on the paper, not here
    (``exams.services.paper_sitting`` records the mark as a grade right after)."""
    items = list(PaperItem.objects.filter(paper_id=attempt.paper_id).select_related("question_version"))
    answers = {answer.paper_item_id: answer for answer in Answer.objects.filter(attempt=attempt)}
    total = Decimal("0.00")
    waiting = 0
    scored = []
    for item in items:
        answer = answers.get(item.pk)
        result = score_response(
            question_type=item.question_type,
            answer=item.question_version.answer,
            response=answer.response if answer else None,
            points=item.points,
            multiple_scoring=item.multiple_scoring or MultipleChoiceScoring.ALL_OR_NOTHING,
        )
        if result.needs_grading or (
            attempt.mode == AttemptMode.PAPER and item.question_type == QuestionType.SHORT_ANSWER
        ):
            waiting += 1
            continue
        total += result.points
        if answer is not None:
            answer.score, answer.correct = result.points, result.correct
            scored.append(answer)
    Answer.objects.bulk_update(scored, ["score", "correct"])
    if waiting:
        return
    attempt_grade(
        attempt=attempt,
        total=total,
        actor=None,
        now=now,
        automatic=True,
        notify=getattr(submitted_by, "pk", None) != attempt.officer_id,
    )


# --- sweep --------------------------------------------------------------------------------------


def attempts_sweep(now: datetime.datetime | None = None) -> int:
    """Submit every attempt in progress whose deadline and grace period have passed, finishing
    at its deadline. Returns how many this call submitted (safe to run twice at once)."""
    now = now or timezone.now()
    overdue = list(
        Attempt.objects.filter(state=AttemptState.IN_PROGRESS, deadline__lt=now, paused_at__isnull=True).select_related(
            "exam"
        )
    )
    return sum(
        _submit(attempt, actor=None, now=now, reason="deadline")
        for attempt in overdue
        if now > attempt.deadline + _grace(attempt.exam)
    )
