"""Reads about court-hearing attendance (庭审旁听): yearly requirement and progress, the review
queue, the shortfall list, and the officer's file entries.

The requirement of an officer is the ``CourtRequirement`` of the year for the officer's points
sequence; an officer outside any sequence, or in one without a requirement that year, has none.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _

from certification.models import AttendanceState, CourtAttendance, CourtRequirement, PointsSequence
from certification.selectors.file import FileEntry
from people.models import TRAINING_STAFF, Role, Unit, User
from people.selectors import can_view_officer, has_role, officers_visible_to

# Who sees the shortfall list (each within their scope).
SHORTFALL_ROLES = (Role.UNIT_LEADER, Role.HR, *TRAINING_STAFF)


def is_court_reviewer(user) -> bool:
    """The legal brigade verifies attendance."""
    return has_role(user, *TRAINING_STAFF)


def court_requirement_for(officer: User, year: int) -> CourtRequirement | None:
    membership = PointsSequence.objects.filter(officer=officer).first()
    if membership is None:
        return None
    return CourtRequirement.objects.filter(year=year, sequence=membership.sequence).first()


@dataclass(frozen=True)
class CourtProgress:
    year: int
    verified: int
    submitted: int
    required: int | None  # None: no requirement for this officer and year

    @property
    def percent(self) -> int:
        if not self.required:
            return 100 if self.required == 0 else 0
        return min(100, round(self.verified * 100 / self.required))

    @property
    def met(self) -> bool | None:
        return None if self.required is None else self.verified >= self.required

    @property
    def missing(self) -> int:
        return max(0, (self.required or 0) - self.verified)


def court_progress(officer: User, year: int) -> CourtProgress:
    counts = CourtAttendance.objects.filter(officer=officer, date__year=year).aggregate(
        verified=Count("pk", filter=Q(state=AttendanceState.VERIFIED)),
        submitted=Count("pk", filter=Q(state=AttendanceState.SUBMITTED)),
    )
    requirement = court_requirement_for(officer, year)
    return CourtProgress(
        year=year,
        verified=counts["verified"],
        submitted=counts["submitted"],
        required=requirement.required if requirement else None,
    )


def officer_attendances(officer: User) -> QuerySet[CourtAttendance]:
    return CourtAttendance.objects.filter(officer=officer).select_related("reviewed_by").order_by("-date", "-pk")


def attendances_for_review(*, state: str = "") -> QuerySet[CourtAttendance]:
    """Awaiting verification first (oldest hearing first), then decided ones, newest first."""
    attendances = CourtAttendance.objects.select_related("officer", "officer__unit", "reviewed_by")
    if state:
        attendances = attendances.filter(state=state)
    return attendances.annotate(
        waiting=Case(
            When(state=AttendanceState.SUBMITTED, then=Value(0)), default=Value(1), output_field=IntegerField()
        )
    ).order_by("waiting", "-date", "-pk")


def get_attendance_for_user(user, pk: int) -> CourtAttendance:
    """The attendance if ``user`` may see it (its officer, a reviewer, or whoever may see the
    officer); else 404."""
    attendance = CourtAttendance.objects.select_related("officer", "officer__unit").filter(pk=pk).first()
    if attendance is None or not (is_court_reviewer(user) or can_view_officer(user, attendance.officer)):
        raise Http404
    return attendance


@dataclass(frozen=True)
class ShortfallRow:
    officer: User
    required: int
    verified: int
    submitted: int

    @property
    def missing(self) -> int:
        return max(0, self.required - self.verified)


def court_shortfall(user, *, year: int, unit: Unit | None = None) -> list[ShortfallRow]:
    """Officers visible to ``user`` in a sequence with a requirement for ``year`` whose verified
    attendance that year is below it, ordered by unit and police number."""
    required_by_sequence = dict(CourtRequirement.objects.filter(year=year).values_list("sequence", "required"))
    if not required_by_sequence:
        return []
    officers = (
        officers_visible_to(user)
        .filter(is_active=True, points_sequence__sequence__in=list(required_by_sequence))
        .select_related("unit", "points_sequence")
        .annotate(
            verified_count=Count(
                "court_attendance",
                filter=Q(court_attendance__date__year=year, court_attendance__state=AttendanceState.VERIFIED),
            ),
            submitted_count=Count(
                "court_attendance",
                filter=Q(court_attendance__date__year=year, court_attendance__state=AttendanceState.SUBMITTED),
            ),
        )
        .order_by("unit__path", "police_number")
    )
    if unit is not None:
        officers = officers.filter(unit__path__startswith=unit.path)
    rows = []
    for officer in officers:
        required = required_by_sequence[officer.points_sequence.sequence]
        if officer.verified_count < required:
            rows.append(ShortfallRow(officer, required, officer.verified_count, officer.submitted_count))
    return rows


def court_shortfall_dataframe(rows: list[ShortfallRow]):
    import pandas as pd

    return pd.DataFrame(
        [
            {
                "警号": row.officer.police_number,
                "姓名": row.officer.name,
                "单位": row.officer.unit.full_path if row.officer.unit else "",
                "应旁听": row.required,
                "已核实": row.verified,
                "待核实": row.submitted,
                "尚缺": row.missing,
            }
            for row in rows
        ],
        columns=["警号", "姓名", "单位", "应旁听", "已核实", "待核实", "尚缺"],
    )


def file_entries(officer: User) -> list[FileEntry]:
    """Each recorded hearing with its state, for the law-enforcement file."""
    return [
        FileEntry(
            date=attendance.date,
            kind="court",
            kind_label=_("Court-hearing attendance"),
            title=f"{attendance.court} · {attendance.case}",
            detail=attendance.get_role_display()
            + (f" · {attendance.reject_reason}" if attendance.state == AttendanceState.REJECTED else ""),
            status=attendance.get_state_display(),
            url=reverse("certification:officer_points", args=[officer.pk]) + f"?year={attendance.date.year}",
        )
        for attendance in CourtAttendance.objects.filter(officer=officer).order_by("-date", "-pk")
    ]
