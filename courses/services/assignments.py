"""Writes about study assignments (学习任务): create, close, and the due-date reminders."""

from __future__ import annotations

import datetime
import uuid

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from courses import texts
from courses.links import my_study_url
from courses.models import (
    AssignmentReminder,
    AssignmentStatus,
    CoursePage,
    ReminderKind,
    StudyAssignment,
)
from people.models.audience import AudienceSpec
from people.selectors import audience_labels, officers_matching
from portal.services import audit_log, notification_send

# The "due soon" reminder goes out this many days before the due date; on the due date itself
# a "due today" reminder follows.
REMIND_DAYS_BEFORE = 3

ERRORS = {
    "no_course": _("Choose a course."),
    "course_not_live": _("“%(course)s” is not published; only published courses can be assigned."),
    "due_in_past": _("The due date %(date)s is in the past; choose today or a later day."),
    "no_audience": _("Choose who must study: at least one unit, category, position or named officer."),
    "already_closed": _("This assignment is already closed."),
}


def _validate(*, course: CoursePage | None, due_date: datetime.date, audience: AudienceSpec, today: datetime.date):
    errors: dict[str, list] = {}
    if course is None:
        errors["course"] = [ValidationError(ERRORS["no_course"], code="no_course")]
    elif not course.live:
        errors["course"] = [
            ValidationError(ERRORS["course_not_live"], code="course_not_live", params={"course": course.title})
        ]
    if due_date < today:
        errors["due_date"] = [
            ValidationError(ERRORS["due_in_past"], code="due_in_past", params={"date": due_date.isoformat()})
        ]
    if audience.is_empty:
        errors[NON_FIELD_ERRORS] = [ValidationError(ERRORS["no_audience"], code="no_audience")]
    if errors:
        raise ValidationError(errors)


def assignment_create(
    *,
    actor,
    course: CoursePage | None,
    due_date: datetime.date,
    audience: AudienceSpec,
    note: str = "",
    submission_key: uuid.UUID | None = None,
    today: datetime.date | None = None,
    notify: bool = True,
) -> StudyAssignment:
    """Assign a live course to an audience, due by the end of ``due_date``.

    Raises ValidationError (keyed by form field) for a course that is not live, a due date in the
    past or an empty audience; nothing is written then. A repeated ``submission_key`` (a double
    click) returns the assignment the first submission created. The audience is told by an
    in-app notification once the transaction commits (unless ``notify`` is False: demo data).
    """
    if submission_key is not None:
        existing = StudyAssignment.objects.filter(submission_key=submission_key).first()
        if existing is not None:
            return existing
    today = today or timezone.localdate()
    _validate(course=course, due_date=due_date, audience=audience, today=today)
    try:
        with transaction.atomic():
            assignment = StudyAssignment.objects.create(
                course=course,
                course_title=course.title,
                due_date=due_date,
                note=note.strip(),
                created_by=actor,
                submission_key=submission_key,
            )
            assignment.audience_store(audience)
            audit_log(
                actor=actor,
                action="courses.assignment.created",
                target=assignment,
                data={
                    "course": course.title,
                    "due_date": due_date.isoformat(),
                    "audience": audience_labels(audience),
                    "officers": officers_matching(audience).count(),
                },
            )
            if notify:
                transaction.on_commit(lambda: _enqueue("courses.tasks.notify_assignment_created", assignment.pk))
    except IntegrityError:
        # The same submission raced in from another request and won.
        existing = StudyAssignment.objects.filter(submission_key=submission_key).first() if submission_key else None
        if existing is None:
            raise
        return existing
    return assignment


def assignment_close(*, actor, assignment: StudyAssignment) -> StudyAssignment:
    """Close an assignment: it leaves officers' lists, dashboards, reminders and overdue lists.
    What officers learned stays in their history."""
    with transaction.atomic():
        assignment = StudyAssignment.objects.select_for_update().get(pk=assignment.pk)
        if assignment.status == AssignmentStatus.CLOSED:
            raise ValidationError(ERRORS["already_closed"], code="already_closed")
        assignment.status = AssignmentStatus.CLOSED
        assignment.closed_at = timezone.now()
        assignment.closed_by = actor
        assignment.save(update_fields=["status", "closed_at", "closed_by"])
        audit_log(actor=actor, action="courses.assignment.closed", target=assignment)
    return assignment


def _enqueue(func: str, *args) -> None:
    from django_q.tasks import async_task

    async_task(func, *args)


# --- notifications ------------------------------------------------------------------------------


def _assignment_notification(assignment: StudyAssignment, kind: str, learned: int, total: int):
    """Title and body as stored texts: each reader sees them in their own language."""
    course, due = assignment.course_title, assignment.due_date
    if kind == ReminderKind.DUE_TODAY:
        title = texts.ASSIGNMENT_DUE_TODAY(course=course)
    elif kind == ReminderKind.BEFORE_DUE:
        title = texts.ASSIGNMENT_DUE_ON(course=course, date=due)
    else:
        title = texts.ASSIGNMENT_NEW(course=course)
    body = texts.ASSIGNMENT_BODY(course=course, date=due, learned=learned, total=total)
    if assignment.note:
        body = texts.WITH_NOTE(text=body, note=assignment.note)
    return title, body


def assignment_notify_created(*, assignment: StudyAssignment) -> int:
    """Tell every officer in the audience about a new assignment; returns how many were told."""
    from courses.selectors import assignment_officers_with_progress

    if not assignment.is_active:
        return 0
    officers, total = assignment_officers_with_progress(assignment)
    sent = 0
    for officer in officers:
        title, body = _assignment_notification(assignment, "new", officer.learned_count, total)
        notification_send(recipient=officer, title=title, body=body, url=my_study_url(), kind="courses.assignment.new")
        sent += 1
    return sent


def assignment_reminders_send(*, now: datetime.datetime | None = None) -> int:
    """Send the due-date reminders that are due: "due soon" within REMIND_DAYS_BEFORE days of the
    due date, "due today" on it. Only officers in the audience who have not finished get one, and
    each officer gets each kind at most once per assignment (``AssignmentReminder`` records what
    was sent), so the schedule can run as often as it likes. Returns the number sent.
    """
    from courses.selectors import assignment_officers_with_progress

    now = now or timezone.now()
    today = timezone.localdate(now)
    due_soon = StudyAssignment.objects.filter(
        status=AssignmentStatus.ACTIVE,
        due_date__gte=today,
        due_date__lte=today + datetime.timedelta(days=REMIND_DAYS_BEFORE),
        course__live=True,
    ).values_list("pk", flat=True)
    sent = 0
    for pk in list(due_soon):
        # One transaction per assignment, the assignment row locked: two overlapping runs cannot
        # both decide that the same officer still needs the reminder.
        with transaction.atomic():
            assignment = StudyAssignment.objects.select_for_update(of=("self",)).select_related("course").get(pk=pk)
            kind = ReminderKind.DUE_TODAY if assignment.due_date == today else ReminderKind.BEFORE_DUE
            already = set(
                AssignmentReminder.objects.filter(assignment=assignment, kind=kind).values_list("officer_id", flat=True)
            )
            officers, total = assignment_officers_with_progress(assignment, incomplete_only=True)
            pending = [officer for officer in officers if officer.pk not in already]
            AssignmentReminder.objects.bulk_create(
                [
                    AssignmentReminder(assignment=assignment, officer=officer, kind=kind, sent_at=now)
                    for officer in pending
                ]
            )
            for officer in pending:
                title, body = _assignment_notification(assignment, kind, officer.learned_count, total)
                notification_send(
                    recipient=officer, title=title, body=body, url=my_study_url(), kind=f"courses.assignment.{kind}"
                )
            sent += len(pending)
    if sent:
        with transaction.atomic():
            audit_log(actor="django-q", action="courses.assignment.reminders_sent", data={"sent": sent})
    return sent
