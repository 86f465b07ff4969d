"""Grading short answers (阅卷) and releasing results (成绩公布).

When an attempt is graded
-------------------------
Objective answers are scored at submission (``exams.services.delivery._grade_objective``). A short
answer with text waits for a person: its ``score`` stays empty and the attempt stays ``submitted``.
``answer_grade`` stores a grader's score; when no answer of the attempt waits any more, the attempt
total (objective + hand-graded points) and ``passed`` (``exam.pass_mark``) are computed and the
attempt moves ``submitted → graded`` (``attempt_grade``).

When a graded attempt is released (``Exam.release_rule``)
--------------------------------------------------------
Released (``graded → released``, ``released_at``) means the officer may see the score. The states
stay simple: an attempt is never released before it is graded, so a paper with short answers is
never shown with only its objective part.

- ``on_submit`` — released the moment it is graded: an objective paper at submission, a paper with
  short answers when its last short answer is graded.
- ``after_grading`` — released the moment it is graded as well; the states behave exactly as for
  ``on_submit``. What differs is what the officer is told: these exams are expected to hold short
  answers, so the officer learns that the result follows grading, and is notified when released.
- ``after_close`` — held until the exam's window has closed (``closes_at`` passed, or the exam
  closed early) AND the attempt is graded, so nobody learns a result while others can still sit
  the paper. ``results_release_due`` (every 5 minutes) releases the graded attempts once the window
  has closed and stamps ``exam.results_released_at``; an attempt graded after that is released as
  soon as it is graded.

A trainer may release an exam's graded results before that (``exam_results_release``): it stamps
``results_released_at`` too, after which attempts graded later are released at once, whatever
the rule.

Notifications (in-app rows, written in the transaction of the change they report, so each is sent
exactly once, with the state change that happens once):
- "result released", with a link to the result page — except when the examinee's own submission
  released it: they are looking at that page already;
- "paper graded, result after the exam closes" when a grader finished an ``after_close`` attempt
  that is still held;
- "result changed" when a regrade or a key correction changed a released score.

Races
-----
- Two graders on one answer: the grading form carries the ``graded_at`` it showed (empty for a
  waiting answer). The service locks the attempt row, then the answer; if the answer was graded
  meanwhile by someone else, nothing is saved and the grader is told who graded it and how. The
  same grader posting the same score twice (double click) changes nothing.
- Grading, regrading and key corrections all lock the attempt row before recomputing its total.
- The release schedule and a trainer's release: ``UPDATE … WHERE state='graded'`` — one of them
  releases each attempt, the other finds nothing to do.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from exams import texts
from exams.hooks import attempt_result_changed
from exams.models import (
    Answer,
    Attempt,
    AttemptState,
    AttemptTransition,
    Exam,
    ExamStatus,
    QuestionType,
    ReleaseRule,
)
from exams.selectors.grading import GRADABLE_STATES
from portal.errors import CodedError
from portal.services import audit_log, notification_send
from portal.texts import StoredText

__all__ = [
    "GRADE_STEP",
    "GradeResult",
    "GradingError",
    "answer_grade",
    "attempt_grade",
    "attempt_rescore",
    "exam_results_release",
    "hand_score_check",
    "release_is_due",
    "results_release_due",
]

# Hand-given points go in half-point steps.
GRADE_STEP = Decimal("0.5")
MAX_COMMENT_CHARS = 2000
SYSTEM_ACTOR = "django-q"

ERRORS = {
    "not_short_answer": _("Only short answers are graded by hand."),
    "not_submitted": _("This paper has not been submitted, so it cannot be graded."),
    "score_missing": _("Enter a score."),
    "score_invalid": _("The score must be a number."),
    "score_range": _("The score must be between 0 and %(points)s."),
    "score_step": _("Give the score in steps of 0.5 points."),
    "comment_too_long": _("The comment is too long (at most %(max)s characters)."),
    "graded_meanwhile": _(
        "%(grader)s graded this answer at %(time)s while you were looking at it (score %(score)s). Their "
        "score is kept and yours was not saved. To change it, review the answer below and save again."
    ),
}


class GradingError(CodedError):
    """A grading request cannot be carried out; ``message`` says why, for the grader."""

    errors = ERRORS


@dataclass(frozen=True)
class GradeResult:
    answer: Answer
    attempt: Attempt
    changed: bool  # False: the same score and comment were already stored (a repeated POST)
    attempt_graded: bool  # this grade was the attempt's last waiting answer
    released: bool  # … and the attempt's result was released with it


def _local(moment: datetime.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def _record_transition(attempt: Attempt, *, to_state: str, from_state: str, actor, at, reason: str = "") -> None:
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


def _parse_score(score, points: Decimal) -> Decimal:
    if score is None or (isinstance(score, str) and not score.strip()):
        raise GradingError("score_missing")
    try:
        value = Decimal(str(score).strip())
    except InvalidOperation:
        raise GradingError("score_invalid") from None
    if not value.is_finite():
        raise GradingError("score_invalid")
    if value < 0 or value > points:
        raise GradingError("score_range", points=_points_text(points))
    # Full points are always allowed, even for an item worth e.g. 7.25.
    if value != points and value % GRADE_STEP != 0:
        raise GradingError("score_step")
    return value.quantize(Decimal("0.01"))


def hand_score_check(score, points: Decimal) -> Decimal:
    """A hand-given score checked as ``answer_grade`` checks it (``GradingError`` otherwise), for
    callers that must check every score before writing any (paper entry)."""
    return _parse_score(score, points)


def _points_text(points: Decimal) -> str:
    return f"{points.normalize():f}"


def attempt_total(attempt: Attempt) -> Decimal:
    """Objective and hand-given points of the attempt (unanswered questions score nothing)."""
    total = Answer.objects.filter(attempt=attempt).aggregate(total=Sum("score"))["total"]
    return (total or Decimal("0")).quantize(Decimal("0.01"))


def _waiting(attempt: Attempt) -> bool:
    return Answer.objects.filter(attempt=attempt, score__isnull=True).exists()


def release_is_due(exam: Exam, now: datetime.datetime) -> bool:
    """Whether a graded attempt of ``exam`` may be released at ``now`` (see the module docstring)."""
    if exam.release_rule != ReleaseRule.AFTER_CLOSE or exam.results_released_at is not None:
        return True
    return now >= exam.closes_at or exam.status == ExamStatus.CLOSED


# --- notifications ------------------------------------------------------------------------------


def _result_url(attempt: Attempt) -> str:
    return reverse("exams:attempt_result", args=[attempt.pk])


def _notify_released(attempt: Attempt) -> None:
    title = texts.RESULT_RELEASED(exam=attempt.exam.title)
    body = texts.RESULT_SCORE(score=attempt.score, outcome=texts.outcome(attempt.passed))
    notification_send(
        recipient=attempt.officer, title=title, body=body, url=_result_url(attempt), kind="exams.result.released"
    )


def _notify_graded_held(attempt: Attempt) -> None:
    title = texts.RESULT_GRADED(exam=attempt.exam.title)
    body = texts.RESULT_HELD_UNTIL(time=timezone.localtime(attempt.exam.closes_at))
    notification_send(
        recipient=attempt.officer, title=title, body=body, url=_result_url(attempt), kind="exams.result.graded"
    )


def _notify_changed(attempt: Attempt, *, before: Decimal | None, why: str | StoredText | Promise) -> None:
    title = texts.RESULT_CHANGED(exam=attempt.exam.title)
    body = texts.RESULT_SCORE_CHANGED(before=before, after=attempt.score, outcome=texts.outcome(attempt.passed))
    if why:
        body = texts.WITH_REASON(text=body, reason=why)
    notification_send(
        recipient=attempt.officer, title=title, body=body, url=_result_url(attempt), kind="exams.result.changed"
    )


# --- grading and releasing one attempt ----------------------------------------------------------


def _release(attempt: Attempt, *, actor, now: datetime.datetime, reason: str, notify: bool) -> bool:
    """Release a graded attempt; True only for the one call that changed it. Call in a transaction."""
    changed = Attempt.objects.filter(pk=attempt.pk, state=AttemptState.GRADED).update(
        state=AttemptState.RELEASED, released_at=now
    )
    if not changed:
        return False
    attempt.state, attempt.released_at = AttemptState.RELEASED, now
    _record_transition(
        attempt, from_state=AttemptState.GRADED, to_state=AttemptState.RELEASED, actor=actor, at=now, reason=reason
    )
    audit_log(
        actor=actor,
        action="exams.attempt.released",
        target=attempt,
        data={"rule": attempt.exam.release_rule, "reason": reason, "score": attempt.score},
    )
    if notify:
        _notify_released(attempt)
    return True


def attempt_grade(
    *, attempt: Attempt, total: Decimal, actor, now: datetime.datetime, automatic: bool, notify: bool = True
) -> bool:
    """Move a submitted attempt with nothing left to grade to ``graded`` with its total, then release
    it when its exam's rule allows (see the module docstring). Returns whether it was released.

    Called inside the transaction that scored its last answer, with the attempt row locked (the
    submission's UPDATE, or ``answer_grade``'s lock). ``notify=False`` when the examinee's own
    submission graded it: they see the result page at once.
    """
    exam = attempt.exam
    attempt.score = total
    attempt.passed = total >= exam.pass_mark
    attempt.state = AttemptState.GRADED
    attempt.graded_at = now
    attempt.save(update_fields=["score", "passed", "state", "graded_at"])
    _record_transition(
        attempt,
        from_state=AttemptState.SUBMITTED,
        to_state=AttemptState.GRADED,
        actor=actor,
        at=now,
        reason="auto" if automatic else "graded",
    )
    audit_log(
        actor=actor,
        action="exams.attempt.graded",
        target=attempt,
        data={"score": str(total), "passed": attempt.passed, "automatic": automatic},
    )
    attempt_result_changed(attempt=attempt)
    if release_is_due(exam, now):
        return _release(attempt, actor=actor, now=now, reason=exam.release_rule, notify=notify)
    if notify and not automatic:
        _notify_graded_held(attempt)
    return False


def attempt_rescore(
    *, attempt: Attempt, actor, now: datetime.datetime, why: str | StoredText | Promise, data: dict | None = None
) -> bool:
    """Recompute the total and ``passed`` of a graded or released attempt after one of its answers
    was rescored. Audits and, for a released result, notifies the officer — only when the score or
    the outcome changed, which is what the return value says. Call with the attempt row locked.
    ``why`` is a stored text or lazy string (``exams.texts``), so the officer reads it in their
    own language."""
    before_score, before_passed = attempt.score, attempt.passed
    total = attempt_total(attempt)
    passed = total >= attempt.exam.pass_mark
    if (total, passed) == (before_score, before_passed):
        return False
    attempt.score, attempt.passed = total, passed
    attempt.save(update_fields=["score", "passed"])
    audit_log(
        actor=actor,
        action="exams.attempt.regraded",
        target=attempt,
        data={
            "score_before": before_score,
            "score_after": total,
            "passed_before": before_passed,
            "passed_after": passed,
            "why": str(why),
            **(data or {}),
        },
    )
    attempt_result_changed(attempt=attempt)
    if attempt.state == AttemptState.RELEASED:
        _notify_changed(attempt, before=before_score, why=why)
    return True


# --- a grader's score ---------------------------------------------------------------------------


def answer_grade(
    *,
    answer: Answer,
    score,
    comment: str,
    grader,
    seen_graded_at: datetime.datetime | None = None,
    now: datetime.datetime | None = None,
) -> GradeResult:
    """Store a grader's score (0 … the item's points, in half points) and comment for a short answer.

    ``seen_graded_at`` is the answer's ``graded_at`` as the grader's page showed it (None: it was
    waiting). When someone else graded it since, nothing is saved (``GradingError
    "graded_meanwhile"``). Regrading an answer already graded is allowed: the attempt's total is
    recomputed and the audit entry keeps the score before and after.
    """
    now = now or timezone.now()
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT_CHARS:
        raise GradingError("comment_too_long", max=MAX_COMMENT_CHARS)
    with transaction.atomic():
        # The attempt row first: grading, regrading and key corrections serialise on it.
        attempt = (
            Attempt.objects.select_for_update(of=("self",)).select_related("exam", "officer").get(pk=answer.attempt_id)
        )
        answer = (
            Answer.objects.select_for_update(of=("self",)).select_related("paper_item", "graded_by").get(pk=answer.pk)
        )
        item = answer.paper_item
        if item.question_type != QuestionType.SHORT_ANSWER:
            raise GradingError("not_short_answer")
        if attempt.state not in GRADABLE_STATES:
            raise GradingError("not_submitted")
        value = _parse_score(score, item.points)
        if answer.graded_at != seen_graded_at:
            if answer.graded_by_id == getattr(grader, "pk", None) and (answer.score, answer.comment) == (
                value,
                comment,
            ):
                return GradeResult(answer, attempt, changed=False, attempt_graded=False, released=False)
            if answer.graded_at is not None:
                raise GradingError(
                    "graded_meanwhile",
                    grader=answer.graded_by.name if answer.graded_by else gettext("Someone"),
                    time=_local(answer.graded_at),
                    score=answer.score,
                )
        before = {"score": answer.score, "comment": answer.comment, "graded_by": answer.graded_by_id}
        answer.score = value
        answer.correct = value == item.points
        answer.comment = comment
        answer.graded_by = grader
        answer.graded_at = now
        answer.save(update_fields=["score", "correct", "comment", "graded_by", "graded_at"])
        audit_log(
            actor=grader,
            action="exams.answer.regraded" if before["score"] is not None else "exams.answer.graded",
            target=answer,
            data={
                "attempt": attempt.pk,
                "item": item.pk,
                "before": before,
                "after": {"score": value, "comment": comment},
            },
        )
        graded = released = False
        if attempt.state == AttemptState.SUBMITTED:
            if not _waiting(attempt):
                graded = True
                released = attempt_grade(
                    attempt=attempt, total=attempt_total(attempt), actor=grader, now=now, automatic=False
                )
        else:
            attempt_rescore(
                attempt=attempt,
                actor=grader,
                now=now,
                why=texts.SHORT_ANSWER_REGRADED,
                data={"answer": answer.pk},
            )
    return GradeResult(answer, attempt, changed=True, attempt_graded=graded, released=released)


# --- releasing results --------------------------------------------------------------------------


def _release_graded(attempts, *, actor, now: datetime.datetime, reason: str) -> int:
    released = 0
    for attempt in attempts:
        released += _release(attempt, actor=actor, now=now, reason=reason, notify=True)
    return released


def exam_results_release(*, exam: Exam, actor, now: datetime.datetime | None = None) -> int:
    """A trainer releases the exam's graded results now, whatever its rule; attempts graded later
    are then released as soon as they are graded. Returns how many attempts this released."""
    now = now or timezone.now()
    with transaction.atomic():
        exam = Exam.objects.select_for_update().get(pk=exam.pk)
        first = exam.results_released_at is None
        if first:
            exam.results_released_at = now
            exam.save(update_fields=["results_released_at"])
        graded = list(
            Attempt.objects.filter(exam=exam, state=AttemptState.GRADED)
            .select_related("exam", "officer")
            .order_by("pk")
        )
        released = _release_graded(graded, actor=actor, now=now, reason="trainer")
        audit_log(
            actor=actor,
            action="exams.exam.results_released",
            target=exam,
            data={"attempts": released, "first": first, "by": "trainer"},
        )
    return released


def results_release_due(now: datetime.datetime | None = None) -> int:
    """Release every graded attempt whose exam's rule is now met: ``after_close`` exams once their
    window has closed (stamping ``results_released_at``), and any graded attempt an earlier step
    left unreleased. Returns how many attempts this call released; safe to run twice at once."""
    now = now or timezone.now()
    closed = Exam.objects.filter(release_rule=ReleaseRule.AFTER_CLOSE, results_released_at__isnull=True).filter(
        Q(closes_at__lte=now) | Q(status=ExamStatus.CLOSED)
    )
    for exam_id in list(closed.values_list("pk", flat=True)):
        with transaction.atomic():
            stamped = Exam.objects.filter(pk=exam_id, results_released_at__isnull=True).update(results_released_at=now)
            if stamped:
                audit_log(
                    actor=SYSTEM_ACTOR,
                    action="exams.exam.results_released",
                    target=Exam.objects.get(pk=exam_id),
                    data={"by": "schedule", "rule": ReleaseRule.AFTER_CLOSE},
                )
    due = (
        Attempt.objects.filter(state=AttemptState.GRADED)
        .filter(
            Q(exam__release_rule__in=[ReleaseRule.ON_SUBMIT, ReleaseRule.AFTER_GRADING])
            | Q(exam__results_released_at__isnull=False)
        )
        .select_related("exam", "officer")
        .order_by("pk")
    )
    released = 0
    for attempt in list(due):
        with transaction.atomic():
            released += _release(attempt, actor=SYSTEM_ACTOR, now=now, reason="schedule", notify=True)
    return released
