"""Writes about study discussions (学习讨论): scheduling, sign-in, attendance lists, minutes."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from courses import texts
from courses.links import discussion_url
from courses.models import DiscussionAttendance, DiscussionStatus, LessonPage, SignInMethod, StudyDiscussion
from people.models import User
from people.models.audience import AudienceSpec
from people.selectors import audience_includes, audience_labels, officers_matching
from portal.services import audit_log, notification_send

ERRORS = {
    "topic_required": _("Give the discussion a topic."),
    "place_required": _("Say where the discussion takes place."),
    "ends_before_start": _("The end must be after the start."),
    "in_past": _("This discussion would already be over; choose a time in the future."),
    "no_audience": _("Choose who is invited: at least one unit, category, position or named officer."),
    "cancelled": _("This discussion was cancelled."),
    "already_cancelled": _("This discussion is already cancelled."),
    "already_over": _("This discussion has already taken place; it can no longer be cancelled."),
    "not_invited": _("You are not on the invitation list of this discussion, so you cannot sign in to it."),
    "too_early": _("Sign-in opens at %(time)s, 15 minutes before the start. Please come back then."),
    "too_late": _("Sign-in closed at %(time)s when the discussion ended. If you attended, ask the host to record it."),
    "host_too_early": _("The discussion has not started yet; attendance can be recorded from %(time)s."),
    "host_not_invited": _("Only invited officers can be signed in; not invited: %(names)s."),
}


def _local(moment: datetime.datetime) -> str:
    return date_format(timezone.localtime(moment), "Y-m-d H:i")


def discussion_create(
    *,
    actor,
    topic: str,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    place: str,
    audience: AudienceSpec,
    description: str = "",
    lessons: Iterable[LessonPage] = (),
    host: User | None = None,
    submission_key: uuid.UUID | None = None,
    now: datetime.datetime | None = None,
    notify: bool = True,
) -> StudyDiscussion:
    """Schedule a discussion. Raises ValidationError (keyed by form field) for a missing topic or
    place, an end not after the start, a time already past or an empty audience; nothing is written
    then. Invitees are notified after commit (unless ``notify`` is False: demo data). A repeated
    ``submission_key`` returns the first."""
    if submission_key is not None:
        existing = StudyDiscussion.objects.filter(submission_key=submission_key).first()
        if existing is not None:
            return existing
    now = now or timezone.now()
    topic, place = (topic or "").strip(), (place or "").strip()
    errors: dict[str, list] = {}
    if not topic:
        errors["topic"] = [ValidationError(ERRORS["topic_required"], code="topic_required")]
    if not place:
        errors["place"] = [ValidationError(ERRORS["place_required"], code="place_required")]
    if ends_at <= starts_at:
        errors["ends_at"] = [ValidationError(ERRORS["ends_before_start"], code="ends_before_start")]
    elif ends_at <= now:
        errors["starts_at"] = [ValidationError(ERRORS["in_past"], code="in_past")]
    if audience.is_empty:
        errors[NON_FIELD_ERRORS] = [ValidationError(ERRORS["no_audience"], code="no_audience")]
    if errors:
        raise ValidationError(errors)
    lessons = list(lessons)
    try:
        with transaction.atomic():
            discussion = StudyDiscussion.objects.create(
                topic=topic,
                description=(description or "").strip(),
                starts_at=starts_at,
                ends_at=ends_at,
                place=place,
                host=host or actor,
                created_by=actor,
                submission_key=submission_key,
            )
            discussion.lessons.set(lessons)
            discussion.audience_store(audience)
            audit_log(
                actor=actor,
                action="courses.discussion.created",
                target=discussion,
                data={
                    "starts_at": starts_at,
                    "ends_at": ends_at,
                    "place": place,
                    "lessons": [lesson.title for lesson in lessons],
                    "audience": audience_labels(audience),
                    "invited": officers_matching(audience).count(),
                },
            )
            if notify:
                transaction.on_commit(lambda: _enqueue("courses.tasks.notify_discussion_invitees", discussion.pk))
    except IntegrityError:
        existing = StudyDiscussion.objects.filter(submission_key=submission_key).first() if submission_key else None
        if existing is None:
            raise
        return existing
    return discussion


def discussion_cancel(*, actor, discussion: StudyDiscussion, now: datetime.datetime | None = None) -> StudyDiscussion:
    now = now or timezone.now()
    with transaction.atomic():
        discussion = StudyDiscussion.objects.select_for_update().get(pk=discussion.pk)
        if discussion.status == DiscussionStatus.CANCELLED:
            raise ValidationError(ERRORS["already_cancelled"], code="already_cancelled")
        if discussion.ends_at <= now:
            raise ValidationError(ERRORS["already_over"], code="already_over")
        discussion.status = DiscussionStatus.CANCELLED
        discussion.save(update_fields=["status"])
        audit_log(actor=actor, action="courses.discussion.cancelled", target=discussion)
        transaction.on_commit(lambda: _enqueue("courses.tasks.notify_discussion_invitees", discussion.pk))
    return discussion


def discussion_sign_in(
    *, officer: User, discussion: StudyDiscussion, now: datetime.datetime | None = None
) -> tuple[DiscussionAttendance, bool]:
    """An invited officer signs themselves in, from 15 minutes before the start until the end.

    Returns ``(attendance, created)``; signing in twice keeps the first record. Raises
    ValidationError, writing nothing, when the discussion is cancelled, the officer is not invited
    or the time is outside the window.
    """
    now = now or timezone.now()
    existing = DiscussionAttendance.objects.filter(discussion=discussion, officer=officer).first()
    if existing is not None:
        return existing, False
    if discussion.status == DiscussionStatus.CANCELLED:
        raise ValidationError(ERRORS["cancelled"], code="cancelled")
    if not audience_includes(discussion, officer):
        raise ValidationError(ERRORS["not_invited"], code="not_invited")
    if now < discussion.self_sign_in_opens_at:
        raise ValidationError(
            ERRORS["too_early"], code="too_early", params={"time": _local(discussion.self_sign_in_opens_at)}
        )
    if now > discussion.ends_at:
        raise ValidationError(ERRORS["too_late"], code="too_late", params={"time": _local(discussion.ends_at)})
    try:
        with transaction.atomic():
            attendance = DiscussionAttendance.objects.create(
                discussion=discussion, officer=officer, signed_in_at=now, signed_in_by=officer, method=SignInMethod.SELF
            )
            audit_log(actor=officer, action="courses.discussion.signed_in", target=discussion)
    except IntegrityError:  # a double click: the first request wrote it
        return DiscussionAttendance.objects.get(discussion=discussion, officer=officer), False
    return attendance, True


def discussion_attendance_set(
    *,
    actor,
    discussion: StudyDiscussion,
    officers: Iterable[User],
    now: datetime.datetime | None = None,
) -> tuple[list[User], list[User]]:
    """The host's checklist: make the attendance list exactly ``officers`` (invitees only).

    Officers not yet signed in are signed in by ``actor``; officers signed in but no longer ticked
    are removed (a correction, audited). From 15 minutes before the start onwards, also after the
    end (a paper sign-in sheet typed in later). Returns ``(added, removed)``.
    """
    now = now or timezone.now()
    officers = list({officer.pk: officer for officer in officers}.values())
    if discussion.status == DiscussionStatus.CANCELLED:
        raise ValidationError(ERRORS["cancelled"], code="cancelled")
    if now < discussion.self_sign_in_opens_at:
        raise ValidationError(
            ERRORS["host_too_early"], code="host_too_early", params={"time": _local(discussion.self_sign_in_opens_at)}
        )
    with transaction.atomic():
        current = {
            row.officer_id: row
            for row in DiscussionAttendance.objects.select_for_update()
            .filter(discussion=discussion)
            .select_related("officer")
        }
        wanted = {officer.pk for officer in officers}
        # Someone already on the list stays valid even if they have since left the audience.
        outsiders = [o for o in officers if o.pk not in current and not audience_includes(discussion, o)]
        if outsiders:
            raise ValidationError(
                ERRORS["host_not_invited"],
                code="host_not_invited",
                params={"names": "、".join(str(officer) for officer in outsiders)},
            )
        added = [officer for officer in officers if officer.pk not in current]
        removed = [row.officer for officer_id, row in current.items() if officer_id not in wanted]
        DiscussionAttendance.objects.bulk_create(
            [
                DiscussionAttendance(
                    discussion=discussion,
                    officer=officer,
                    signed_in_at=now,
                    signed_in_by=actor,
                    method=SignInMethod.HOST,
                )
                for officer in added
            ]
        )
        if removed:
            DiscussionAttendance.objects.filter(discussion=discussion, officer__in=removed).delete()
        if added or removed:
            audit_log(
                actor=actor,
                action="courses.discussion.attendance_recorded",
                target=discussion,
                data={"added": [str(o) for o in added], "removed": [str(o) for o in removed]},
            )
    return added, removed


def discussion_minutes_save(
    *,
    actor,
    discussion: StudyDiscussion,
    text: str,
    file: UploadedFile | None = None,
    remove_file: bool = False,
) -> StudyDiscussion:
    """Attach the minutes: text, a document, or both. A new document replaces the old one."""
    with transaction.atomic():
        discussion = StudyDiscussion.objects.select_for_update().get(pk=discussion.pk)
        old_file = discussion.minutes_file.name if discussion.minutes_file else ""
        discussion.minutes_text = (text or "").strip()
        if file is not None:
            discussion.minutes_file = file
        elif remove_file:
            discussion.minutes_file = ""
        discussion.minutes_updated_at = timezone.now()
        discussion.minutes_updated_by = actor
        discussion.save(update_fields=["minutes_text", "minutes_file", "minutes_updated_at", "minutes_updated_by"])
        audit_log(
            actor=actor,
            action="courses.discussion.minutes_saved",
            target=discussion,
            data={"text_length": len(discussion.minutes_text), "file": discussion.minutes_file.name or ""},
        )
        if old_file and old_file != (discussion.minutes_file.name or ""):
            storage = discussion.minutes_file.storage
            transaction.on_commit(lambda: storage.delete(old_file))
    return discussion


def discussion_notify_invitees(*, discussion: StudyDiscussion) -> int:
    """Tell the invitees about the discussion (or its cancellation); returns how many were told."""
    start, place, topic = timezone.localtime(discussion.starts_at), discussion.place, discussion.topic
    cancelled = discussion.status == DiscussionStatus.CANCELLED
    if cancelled:
        title = texts.DISCUSSION_CANCELLED(topic=topic)
        body = texts.DISCUSSION_CANCELLED_BODY(start=start, place=place)
    else:
        title = texts.DISCUSSION_INVITED(topic=topic)
        body = texts.DISCUSSION_INVITED_BODY(start=start, place=place)
    sent = 0
    kind = "courses.discussion.cancelled" if cancelled else "courses.discussion.invited"
    for officer in officers_matching(discussion):
        notification_send(recipient=officer, title=title, body=body, url=discussion_url(discussion.pk), kind=kind)
        sent += 1
    return sent


def _enqueue(func: str, *args) -> None:
    from django_q.tasks import async_task

    async_task(func, *args)
