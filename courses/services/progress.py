"""Writes about reading progress: opening a lesson, marking it learned, asking for a re-read.

Opening and learning are not written to the audit log: ``LessonProgress`` and the append-only
``LessonCompletion`` are the record, and an audit entry per lesson per officer would bury the
entries that matter. A re-read request, which changes everyone's progress, is audited.
"""

from __future__ import annotations

import datetime
import math

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from courses.models import LessonCompletion, LessonPage, LessonProgress, LessonRereadRequest
from portal.services import audit_log

ERRORS = {
    "not_live": _("This lesson is not published, so it cannot be marked as learned."),
    "not_opened": _("Open the lesson and read it before marking it as learned."),
    "too_early": ngettext_lazy(
        "Keep reading: you can mark this lesson as learned in %(seconds)d second.",
        "Keep reading: you can mark this lesson as learned in %(seconds)d seconds.",
        "seconds",
    ),
    "reason_required": _("Say what changed in the lesson: officers see it when they are asked to re-read."),
}


def lesson_open(*, officer, lesson: LessonPage, now: datetime.datetime | None = None) -> LessonProgress:
    """Record that ``officer`` opened ``lesson``; the first opening (or the first after a re-read
    request) starts the reading clock. Later openings change nothing.

    Safe against double loads: the row is unique per officer and lesson, and the clock is started
    with a conditional update.
    """
    now = now or timezone.now()
    progress = LessonProgress.objects.filter(officer=officer, lesson=lesson).first()
    if progress is None:
        try:
            with transaction.atomic():
                return LessonProgress.objects.create(officer=officer, lesson=lesson, first_opened_at=now, opened_at=now)
        except IntegrityError:  # a parallel request created it first
            progress = LessonProgress.objects.get(officer=officer, lesson=lesson)
    if progress.opened_at is None and progress.completed_at is None:
        started = LessonProgress.objects.filter(pk=progress.pk, opened_at__isnull=True).update(opened_at=now)
        if started:
            progress.opened_at = now
        else:
            progress.refresh_from_db(fields=["opened_at"])
    return progress


def seconds_until_learnable(progress: LessonProgress | None, lesson: LessonPage, now: datetime.datetime) -> int:
    """Whole seconds left before the lesson may be marked learned (0 when it may be now)."""
    if progress is None or progress.opened_at is None:
        return lesson.min_read_seconds
    elapsed = (now - progress.opened_at).total_seconds()
    return max(0, math.ceil(lesson.min_read_seconds - elapsed))


def lesson_mark_learned(
    *, officer, lesson: LessonPage, now: datetime.datetime | None = None
) -> tuple[LessonProgress, bool]:
    """Mark the lesson learned if it has been open for ``min_read_seconds``.

    Returns ``(progress, created)``; marking a lesson that is already learned changes nothing
    (``created`` is False), so a double click gives one completion. Raises ValidationError with
    the seconds still to read when it is too early.
    """
    now = now or timezone.now()
    if not lesson.live:
        raise ValidationError(ERRORS["not_live"], code="not_live")
    with transaction.atomic():
        progress = LessonProgress.objects.select_for_update().filter(officer=officer, lesson=lesson).first()
        if progress is not None and progress.completed_at is not None:
            return progress, False
        if progress is None or progress.opened_at is None:
            raise ValidationError(ERRORS["not_opened"], code="not_opened")
        remaining = seconds_until_learnable(progress, lesson, now)
        if remaining > 0:
            raise ValidationError(ERRORS["too_early"], code="too_early", params={"seconds": remaining})
        read_seconds = int((now - progress.opened_at).total_seconds())
        progress.completed_at = now
        progress.read_seconds = read_seconds
        progress.needs_reread = False
        progress.save(update_fields=["completed_at", "read_seconds", "needs_reread"])
        course = lesson.get_parent()
        LessonCompletion.objects.create(
            officer=officer,
            lesson=lesson,
            lesson_title=lesson.title,
            course_title=course.title if course else "",
            opened_at=progress.opened_at,
            completed_at=now,
            read_seconds=read_seconds,
        )
    return progress, True


def lesson_require_reread(*, actor, lesson: LessonPage, reason: str) -> LessonRereadRequest:
    """After a major edit: earlier completions of the lesson stop counting, everyone who had
    learned it sees it as "to re-read", and readings in progress start again."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": ERRORS["reason_required"]}, code="reason_required")
    with transaction.atomic():
        now = timezone.now()
        affected = LessonProgress.objects.filter(lesson=lesson, completed_at__isnull=False).update(
            completed_at=None, read_seconds=None, needs_reread=True
        )
        LessonProgress.objects.filter(lesson=lesson).update(opened_at=None)
        request = LessonRereadRequest.objects.create(
            lesson=lesson, requested_at=now, requested_by=actor, reason=reason[:300], officers_affected=affected
        )
        audit_log(
            actor=actor,
            action="courses.lesson.reread_required",
            target=lesson,
            data={"reason": request.reason, "officers_affected": affected},
        )
    return request
