"""Reads about study assignments: an officer's own list, a trainer's view of one assignment, and
the overdue lists of unit leaders and HR. Audiences are evaluated live."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from courses.models import AssignmentStatus, CoursePage, StudyAssignment
from courses.selectors.progress import (
    CourseProgress,
    courses_progress_for,
    learned_count_expression,
    live_lesson_count,
)
from people.models import TRAINING_STAFF, Unit, User
from people.selectors import (
    Scope,
    audience_includes,
    has_role,
    officers_matching,
    officers_visible_to,
    scope_of,
)

# Who assigns courses and schedules discussions (学习任务管理).
# An unfinished assignment is urgent this many days before its due date (and once overdue).
URGENT_DAYS = 3


def can_manage_study(user) -> bool:
    return has_role(user, *TRAINING_STAFF)


def can_see_overdue(user) -> bool:
    """Unit leaders (their units), HR, trainers, legal-brigade leaders and admins (everyone)."""
    return getattr(user, "is_authenticated", False) and scope_of(user) > Scope.SELF


def _with_audience(assignments: QuerySet[StudyAssignment]) -> QuerySet[StudyAssignment]:
    return assignments.prefetch_related(
        "audience_units_subtree", "audience_units_only", Prefetch("audience_officers", User.objects.only("pk"))
    )


def get_assignment_for_user(user, pk: int) -> StudyAssignment:
    """An assignment for the management pages: trainers, legal-brigade leaders and admins only."""
    if not can_manage_study(user):
        raise PermissionDenied
    assignment = (
        _with_audience(StudyAssignment.objects.select_related("course", "created_by", "closed_by"))
        .filter(pk=pk)
        .first()
    )
    if assignment is None:
        raise Http404
    return assignment


# --- an officer's own assignments ---------------------------------------------------------------


@dataclass(frozen=True)
class OfficerAssignment:
    """One assignment as the officer sees it on 我的学习 and the dashboard."""

    assignment: StudyAssignment
    course: CoursePage
    progress: CourseProgress
    today: datetime.date

    @property
    def due_date(self) -> datetime.date:
        return self.assignment.due_date

    @property
    def days_left(self) -> int:
        return (self.due_date - self.today).days

    @property
    def days_overdue(self) -> int:
        return max(0, -self.days_left)

    @property
    def is_complete(self) -> bool:
        return self.progress.is_complete

    @property
    def is_overdue(self) -> bool:
        return not self.is_complete and self.days_left < 0

    @property
    def is_urgent(self) -> bool:
        return not self.is_complete and self.days_left <= URGENT_DAYS


def assignments_for_officer(officer: User, *, today: datetime.date | None = None) -> list[OfficerAssignment]:
    """Active assignments of live courses whose audience includes ``officer`` today, unfinished
    first (soonest due first), then finished. Empty for an officer who is seconded or has left."""
    if not getattr(officer, "is_authenticated", False) or not officer.in_audience:
        return []
    today = today or timezone.localdate()
    assignments = [
        assignment
        for assignment in _with_audience(
            StudyAssignment.objects.filter(status=AssignmentStatus.ACTIVE, course__live=True).select_related("course")
        ).order_by("due_date", "pk")
        if audience_includes(assignment, officer)
    ]
    if not assignments:
        return []
    progress = courses_progress_for(officer=officer, courses={a.course_id: a.course for a in assignments}.values())
    rows = [
        OfficerAssignment(assignment=a, course=a.course, progress=progress[a.course_id], today=today)
        for a in assignments
    ]
    return sorted(rows, key=lambda row: (row.is_complete, row.due_date, row.assignment.pk))


def assignment_of_course_for_officer(officer: User, course: CoursePage) -> OfficerAssignment | None:
    """The officer's active assignment of this course with the nearest due date, if any."""
    for row in assignments_for_officer(officer):
        if row.course.pk == course.pk:
            return row
    return None


# --- one assignment, for trainers ---------------------------------------------------------------


def assignment_officers_with_progress(
    assignment: StudyAssignment,
    *,
    within: QuerySet[User] | None = None,
    incomplete_only: bool = False,
) -> tuple[QuerySet[User], int]:
    """Officers in the assignment's audience today, each with ``learned_count``, and the number
    of live lessons of the course. ``within`` narrows to a scope (``officers_visible_to``)."""
    course = assignment.course
    total = live_lesson_count(course)
    officers = officers_matching(assignment)
    if within is not None:
        officers = officers.filter(pk__in=within.values("pk"))
    if course is None:
        return officers.none(), 0
    officers = officers.annotate(learned_count=learned_count_expression(course))
    if incomplete_only:
        officers = officers.filter(learned_count__lt=total)
    return officers, total


class OfficerFilter:
    ALL = ""
    COMPLETE = "complete"
    INCOMPLETE = "incomplete"


def assignment_officer_rows(
    assignment: StudyAssignment,
    *,
    state: str = OfficerFilter.ALL,
    unit: Unit | None = None,
    query: str = "",
) -> tuple[QuerySet[User], int]:
    """The officers of one assignment for its detail page, filtered, in unit then number order."""
    officers, total = assignment_officers_with_progress(assignment)
    if state == OfficerFilter.COMPLETE:
        officers = officers.filter(learned_count__gte=total)
    elif state == OfficerFilter.INCOMPLETE:
        officers = officers.filter(learned_count__lt=total)
    officers = _narrow(officers, unit=unit, query=query)
    return officers.select_related("unit").order_by("unit__path", "police_number"), total


@dataclass(frozen=True)
class AssignmentSummary:
    in_audience: int
    complete: int
    total_lessons: int

    @property
    def incomplete(self) -> int:
        return self.in_audience - self.complete

    @property
    def percent_complete(self) -> int:
        return round(100 * self.complete / self.in_audience) if self.in_audience else 0


def assignment_summary(assignment: StudyAssignment) -> AssignmentSummary:
    officers, total = assignment_officers_with_progress(assignment)
    return AssignmentSummary(
        in_audience=officers.count(),
        complete=officers.filter(learned_count__gte=total).count(),
        total_lessons=total,
    )


def assignments_for_management(*, status: str = AssignmentStatus.ACTIVE) -> QuerySet[StudyAssignment]:
    assignments = StudyAssignment.objects.select_related("course", "created_by")
    if status:
        assignments = assignments.filter(status=status)
    return _with_audience(assignments).order_by("-created_at", "-pk")


# --- overdue lists --------------------------------------------------------------------------------


@dataclass(frozen=True)
class OverdueRow:
    assignment: StudyAssignment
    officer: User
    learned: int
    total: int
    days_overdue: int


def overdue_assignments(*, today: datetime.date | None = None) -> QuerySet[StudyAssignment]:
    """Active assignments of live courses whose due date has passed."""
    today = today or timezone.localdate()
    return _with_audience(
        StudyAssignment.objects.filter(status=AssignmentStatus.ACTIVE, due_date__lt=today, course__live=True)
        .select_related("course")
        .order_by("due_date", "pk")
    )


def _narrow(officers: QuerySet[User], *, unit: Unit | None = None, category: str = "", query: str = ""):
    if unit is not None:
        officers = officers.filter(unit__path__startswith=unit.path)
    if category:
        officers = officers.filter(category=category)
    query = (query or "").strip()
    if query:
        officers = officers.filter(Q(name__icontains=query) | Q(police_number__icontains=query))
    return officers


def overdue_for(
    viewer,
    *,
    assignment: StudyAssignment | None = None,
    unit: Unit | None = None,
    category: str = "",
    query: str = "",
    today: datetime.date | None = None,
) -> list[OverdueRow]:
    """Who is overdue, as far as ``viewer`` may see: officers in the audience of an active,
    past-due assignment who have not learned every live lesson. A unit leader sees their units,
    HR and the legal brigade see everyone; seconded officers and those who left are not listed
    (they are out of every audience). Oldest due date first, then unit and police number."""
    if not can_see_overdue(viewer):
        return []
    today = today or timezone.localdate()
    assignments = overdue_assignments(today=today)
    if assignment is not None:
        assignments = assignments.filter(pk=assignment.pk)
    within = None if scope_of(viewer) is Scope.EVERYONE else officers_visible_to(viewer)
    rows: list[OverdueRow] = []
    for item in assignments:
        officers, total = assignment_officers_with_progress(item, within=within, incomplete_only=True)
        if not total:
            continue
        officers = _narrow(officers, unit=unit, category=category, query=query)
        days = (today - item.due_date).days
        rows += [
            OverdueRow(assignment=item, officer=officer, learned=officer.learned_count, total=total, days_overdue=days)
            for officer in officers.select_related("unit").order_by("unit__path", "police_number")
        ]
    return rows


def course_page_study_context(*, user, course: CoursePage, lessons) -> dict:
    """What a course page adds for a signed-in user: their progress, their assignment of the
    course (nearest due date), and for trainers the "assign this course" link target."""
    from courses.links import index_url
    from courses.selectors.progress import course_progress_for

    context = {
        "course_progress": course_progress_for(officer=user, course=course, lessons=lessons),
        "course_assignment": assignment_of_course_for_officer(user, course),
    }
    if can_manage_study(user) and course.live:
        context["assign_url"] = f"{index_url('assignment_create')}?course={course.pk}"
    return context
