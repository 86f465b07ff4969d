"""Reads about study discussions: who may see and run one, invitees, attendance records."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from courses.models import DiscussionAttendance, DiscussionStatus, LessonPage, StudyDiscussion
from courses.selectors.assignments import can_manage_study
from people.models import User
from people.selectors import audience_includes, can_view_officer, officers_matching

# An officer's list shows discussions they were invited to from this far back (and every one
# they attended, however old).
RECENT_DAYS = 90


def _with_details(discussions: QuerySet[StudyDiscussion]) -> QuerySet[StudyDiscussion]:
    return discussions.select_related("host").prefetch_related(
        "audience_units_subtree",
        "audience_units_only",
        Prefetch("audience_officers", User.objects.only("pk", "name", "police_number")),
        Prefetch("lessons", LessonPage.objects.order_by("path").defer_streamfields()),
    )


def can_manage_discussion(user, discussion: StudyDiscussion) -> bool:
    """Trainers, legal-brigade leaders, admins, and the discussion's host (who may be anyone)."""
    return can_manage_study(user) or (user.is_authenticated and discussion.host_id == user.pk)


def is_invited(user, discussion: StudyDiscussion) -> bool:
    return audience_includes(discussion, user)


def get_discussion_for_user(user, pk: int, *, manage: bool = False) -> StudyDiscussion:
    """The discussion if ``user`` runs it, is invited or attended (``manage``: runs it); else 404."""
    discussion = _with_details(StudyDiscussion.objects.filter(pk=pk)).first()
    if discussion is None or not user.is_authenticated:
        raise Http404
    if can_manage_discussion(user, discussion):
        return discussion
    if manage:
        raise Http404
    if (
        is_invited(user, discussion)
        or DiscussionAttendance.objects.filter(discussion=discussion, officer=user).exists()
    ):
        return discussion
    raise Http404


def discussions_for_management(*, upcoming: bool | None = None, now=None) -> QuerySet[StudyDiscussion]:
    now = now or timezone.now()
    discussions = _with_details(StudyDiscussion.objects.annotate(attendee_count=Count("attendance")))
    if upcoming is True:
        return discussions.filter(ends_at__gte=now).order_by("starts_at", "pk")
    if upcoming is False:
        return discussions.filter(ends_at__lt=now).order_by("-starts_at", "-pk")
    return discussions.order_by("-starts_at", "-pk")


def discussions_for_officer(officer: User, *, now: datetime.datetime | None = None) -> list[StudyDiscussion]:
    """Discussions the officer is invited to (recent and upcoming) or attended, soonest first.

    Each carries ``attended`` (the officer's attendance row or None)."""
    now = now or timezone.now()
    attended = {
        row.discussion_id: row
        for row in DiscussionAttendance.objects.filter(officer=officer).only("discussion_id", "signed_in_at", "method")
    }
    recent = StudyDiscussion.objects.filter(
        Q(ends_at__gte=now - datetime.timedelta(days=RECENT_DAYS)) | Q(pk__in=list(attended))
    )
    result = []
    for discussion in _with_details(recent).order_by("starts_at", "pk"):
        if discussion.pk in attended or (
            discussion.status == DiscussionStatus.SCHEDULED and audience_includes(discussion, officer)
        ):
            discussion.attended = attended.get(discussion.pk)
            result.append(discussion)
    return result


def upcoming_discussions_for_officer(officer: User, *, now: datetime.datetime | None = None) -> list[StudyDiscussion]:
    """Scheduled discussions the officer is invited to that have not ended and where they have not
    signed in yet: the dashboard's reminders."""
    now = now or timezone.now()
    if not officer.in_audience:
        return []
    discussions = _with_details(
        StudyDiscussion.objects.filter(status=DiscussionStatus.SCHEDULED, ends_at__gte=now)
        .exclude(attendance__officer=officer)
        .order_by("starts_at", "pk")
    )
    return [d for d in discussions if audience_includes(d, officer)]


@dataclass(frozen=True)
class ChecklistRow:
    officer: User
    attendance: DiscussionAttendance | None
    invited: bool


def discussion_checklist(discussion: StudyDiscussion) -> list[ChecklistRow]:
    """The host's sign-in checklist: every invitee, plus anyone signed in who has since left the
    audience, in unit then police-number order."""
    attendance = {
        row.officer_id: row
        for row in DiscussionAttendance.objects.filter(discussion=discussion).select_related("signed_in_by")
    }
    invitees = {
        officer.pk: officer for officer in officers_matching(discussion).select_related("unit").order_by("unit__path")
    }
    others = User.objects.filter(pk__in=set(attendance) - set(invitees)).select_related("unit")
    rows = [ChecklistRow(officer=o, attendance=attendance.get(o.pk), invited=True) for o in invitees.values()]
    rows += [ChecklistRow(officer=o, attendance=attendance[o.pk], invited=False) for o in others]
    return sorted(
        rows, key=lambda row: (row.officer.unit.path if row.officer.unit_id else "", row.officer.police_number)
    )


def attendance_of(officer: User) -> QuerySet[DiscussionAttendance]:
    """The officer's discussion attendance, newest first (for the officer's file)."""
    return (
        DiscussionAttendance.objects.filter(officer=officer)
        .select_related("discussion", "signed_in_by")
        .order_by("-discussion__starts_at", "-id")
    )


def attendance_visible_to(user, officer: User) -> QuerySet[DiscussionAttendance]:
    """``attendance_of`` behind the people scope check: empty if ``user`` may not see the officer."""
    if not can_view_officer(user, officer):
        return DiscussionAttendance.objects.none()
    return attendance_of(officer)
