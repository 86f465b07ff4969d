"""Reads of the reserve talent pool (法制后备人才库): who qualifies by rule, memberships in the
reader's scope, activities and their attendance, and the officer's file entries.

The rule (seed item 9): officers in service holding a valid 法律职业资格 (司法考试) or a valid
高级执法资格. Scope follows ``people.selectors``: HR and the legal brigade see every member, a unit
leader the members of their unit subtree, an officer their own membership; anything else is a 404.
"""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from certification.models import (
    AttendanceStatus,
    MemberStatus,
    PoolActivity,
    PoolAttendance,
    Qualification,
    QualificationStatus,
    ReserveMember,
)
from certification.selectors.file import FileEntry
from people.models import TRAINING_STAFF, Category, OfficerStatus, Role, Unit, User
from people.selectors import can_view_officer, has_role, officers_visible_to, units_visible_to
from portal.models import AuditEntry

# The qualification types that make an officer eligible for the pool.
BASIS_CODES = ("legal_profession", "advanced")
OPEN_STATUSES = (MemberStatus.NOMINATED, MemberStatus.ACTIVE)
# The legal brigade runs the pool: nominates, ends memberships, organises activities, takes attendance.
MANAGER_ROLES = TRAINING_STAFF
# Leaders approve or reject nominations.
DECIDER_ROLES = (Role.LEGAL_LEADER, Role.ADMIN)
# Who sees other officers' memberships (their own scope applies: a unit leader sees their subtree).
LIST_ROLES = (Role.HR, Role.UNIT_LEADER, *TRAINING_STAFF)


def can_manage_pool(user) -> bool:
    return has_role(user, *MANAGER_ROLES)


def can_decide_pool(user) -> bool:
    return has_role(user, *DECIDER_ROLES)


def officers_in_service() -> QuerySet[User]:
    """Police officers (not auxiliaries: the seed names 民警) with an active account who have not left."""
    return User.objects.filter(is_active=True, category=Category.OFFICER).exclude(status=OfficerStatus.LEFT)


def is_in_service(officer: User) -> bool:
    return officer.is_active and officer.category == Category.OFFICER and officer.status != OfficerStatus.LEFT


def valid_bases(day: datetime.date | None = None) -> QuerySet[Qualification]:
    """Basis-type qualification records valid on ``day``: status valid, granted by then, not expired."""
    day = day or timezone.localdate()
    return (
        Qualification.objects.filter(qualification_type__code__in=BASIS_CODES, status=QualificationStatus.VALID)
        .filter(Q(granted_on__isnull=True) | Q(granted_on__lte=day))
        .filter(Q(expires_on__isnull=True) | Q(expires_on__gte=day))
        .select_related("qualification_type")
    )


def _lasting_first(record: Qualification) -> tuple:
    """The basis that lasts longest comes first: no expiry, then the latest expiry."""
    return (record.expires_on is not None, -(record.expires_on.toordinal() if record.expires_on else 0), record.pk)


def officer_valid_bases(officer: User, day: datetime.date | None = None) -> list[Qualification]:
    return sorted(valid_bases(day).filter(officer=officer), key=_lasting_first)


def is_valid_basis(record: Qualification | None, officer: User, day: datetime.date | None = None) -> bool:
    return record is not None and valid_bases(day).filter(pk=record.pk, officer=officer).exists()


@dataclass(frozen=True)
class Candidate:
    officer: User
    basis: Qualification
    previously_rejected: bool = False


def pool_candidates(today: datetime.date | None = None, *, user=None) -> list[Candidate]:
    """Officers in service with a valid basis and no open membership, each with the basis that
    lasts longest, by unit and police number. With ``user``: only officers in their scope."""
    today = today or timezone.localdate()
    officers = officers_in_service().exclude(
        pk__in=ReserveMember.objects.filter(status__in=OPEN_STATUSES).values("officer")
    )
    if user is not None:
        officers = officers.filter(pk__in=officers_visible_to(user).values("pk"))
    best: dict[int, Qualification] = {}
    for record in valid_bases(today).filter(officer__in=officers).select_related("officer", "officer__unit"):
        current = best.get(record.officer_id)
        if current is None or _lasting_first(record) < _lasting_first(current):
            best[record.officer_id] = record
    rejected = set(
        ReserveMember.objects.filter(officer_id__in=best, status=MemberStatus.REJECTED).values_list(
            "officer_id", flat=True
        )
    )
    candidates = [
        Candidate(officer=record.officer, basis=record, previously_rejected=officer_id in rejected)
        for officer_id, record in best.items()
    ]
    return sorted(
        candidates,
        key=lambda c: (c.officer.unit.path if c.officer.unit_id else "", c.officer.police_number),
    )


# --- memberships ----------------------------------------------------------------------------------


def memberships_visible_to(user) -> QuerySet[ReserveMember]:
    return ReserveMember.objects.filter(officer__in=officers_visible_to(user)).select_related(
        "officer", "officer__unit", "basis", "basis__qualification_type", "nominated_by", "decided_by"
    )


def get_member_for_user(user, pk: int) -> ReserveMember:
    """The membership if ``user`` may see its officer; else 404."""
    member = memberships_visible_to(user).filter(pk=pk).first()
    if member is None or not can_view_officer(user, member.officer):
        raise Http404
    return member


@dataclass(frozen=True)
class PoolFilters:
    status: str = ""
    unit: Unit | None = None
    basis: str = ""  # a basis type code
    query: str = ""  # name or police number

    def as_data(self) -> dict:
        return {
            "status": self.status,
            "unit": self.unit.full_path if self.unit else "",
            "basis": self.basis,
            "query": self.query,
        }


def pool_filters_from(user, params) -> PoolFilters:
    """Filters from a query string; unknown values, or units outside the user's scope, are ignored."""
    status = params.get("status", "")
    if status not in MemberStatus.values:
        status = ""
    unit = None
    if (raw := params.get("unit", "")).isdigit():
        unit = units_visible_to(user).filter(pk=int(raw)).first()
    basis = params.get("basis", "")
    if basis not in BASIS_CODES:
        basis = ""
    return PoolFilters(status=status, unit=unit, basis=basis, query=params.get("q", "").strip()[:50])


def pool_member_list(user, filters: PoolFilters) -> QuerySet[ReserveMember]:
    members = memberships_visible_to(user)
    if filters.status:
        members = members.filter(status=filters.status)
    if filters.unit is not None:
        members = members.filter(officer__unit__path__startswith=filters.unit.path)
    if filters.basis:
        members = members.filter(basis__qualification_type__code=filters.basis)
    if filters.query:
        members = members.filter(Q(officer__name__icontains=filters.query) | Q(officer__police_number=filters.query))
    return members.order_by("officer__unit__path", "officer__police_number", "-nominated_at")


def attendance_counts(officer_ids) -> dict[int, Counter]:
    """Per officer: how many pool activities they attended, were excused from, missed."""
    counts: dict[int, Counter] = {}
    rows = PoolAttendance.objects.filter(officer_id__in=list(officer_ids)).values_list("officer_id", "status")
    for officer_id, status in rows:
        counts.setdefault(officer_id, Counter())[status] += 1
    return counts


def pool_dataframe(members):
    """The filtered list as a DataFrame for the xlsx download (headers in the reader's language)."""
    import pandas as pd

    members = list(members)
    counts = attendance_counts({m.officer_id for m in members})
    columns = [
        _("Name"),
        _("Police number"),
        _("Unit"),
        _("Status"),
        _("Basis"),
        _("Basis valid until"),
        _("Nominated on"),
        _("Member from"),
        _("Member until"),
        _("Reason for ending or rejection"),
        _("Present"),
        _("Excused"),
        _("Absent"),
    ]
    rows = []
    for member in members:
        basis = member.basis
        count = counts.get(member.officer_id, Counter())
        values = [
            member.officer.name,
            member.officer.police_number,
            member.officer.unit.full_path if member.officer.unit_id else "",
            member.get_status_display(),
            basis.qualification_type.name if basis else "",
            (basis.expires_on or _("No expiry")) if basis else "",
            timezone.localtime(member.nominated_at).date(),
            member.started_on,
            member.ended_on,
            member.decision_note if member.status == MemberStatus.REJECTED else member.display_end_reason,
            count[AttendanceStatus.PRESENT],
            count[AttendanceStatus.EXCUSED],
            count[AttendanceStatus.ABSENT],
        ]
        rows.append(dict(zip(columns, values, strict=True)))
    return pd.DataFrame(rows, columns=columns)


def member_history(member: ReserveMember) -> list[AuditEntry]:
    """Every audited change of the officer's memberships (nominations, decisions, basis switches,
    ends), oldest first."""
    ids = [str(pk) for pk in ReserveMember.objects.filter(officer_id=member.officer_id).values_list("pk", flat=True)]
    entries = list(
        AuditEntry.objects.filter(target_type="certification.reservemember", target_id__in=ids)
        .select_related("actor")
        .order_by("created_at", "pk")
    )
    for entry in entries:
        entry.detail = entry.data.get("reason") or entry.data.get("note") or ""
    return entries


# --- activities -----------------------------------------------------------------------------------


def can_see_activities(user) -> bool:
    """The legal brigade, HR and unit leaders, and anyone who is or was a member."""
    return (
        has_role(user, *LIST_ROLES)
        or ReserveMember.objects.filter(officer=user, status__in=(MemberStatus.ACTIVE, MemberStatus.ENDED)).exists()
    )


def members_active_on(day: datetime.date) -> QuerySet[ReserveMember]:
    """Memberships that covered ``day`` (started by then, not ended before it)."""
    return (
        ReserveMember.objects.filter(status__in=(MemberStatus.ACTIVE, MemberStatus.ENDED), started_on__lte=day)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=day))
        .select_related("officer", "officer__unit")
    )


def get_activity_for_user(user, pk: int) -> PoolActivity:
    activity = PoolActivity.objects.select_related("organiser").filter(pk=pk).first()
    if activity is None or not can_see_activities(user):
        raise Http404
    return activity


@dataclass
class RosterRow:
    officer: User
    attendance: PoolAttendance | None


def activity_roster(activity: PoolActivity, user=None) -> list[RosterRow]:
    """Who should have attended: members active on the activity's date, plus anyone already
    recorded; with ``user``, only officers in their scope."""
    recorded = {row.officer_id: row for row in activity.attendance.select_related("officer", "officer__unit")}
    officers = {m.officer_id: m.officer for m in members_active_on(activity.date)}
    for row in recorded.values():
        officers.setdefault(row.officer_id, row.officer)
    if user is not None:
        visible = set(officers_visible_to(user).filter(pk__in=officers).values_list("pk", flat=True))
        officers = {pk: officer for pk, officer in officers.items() if pk in visible}
    rows = [RosterRow(officer=officer, attendance=recorded.get(pk)) for pk, officer in officers.items()]
    return sorted(rows, key=lambda r: (r.officer.unit.path if r.officer.unit_id else "", r.officer.police_number))


def activity_list(user) -> list[PoolActivity]:
    """Activities newest first, each with its attendance counts (in the reader's scope)."""
    activities = list(PoolActivity.objects.all())
    visible = officers_visible_to(user).values("pk")
    counts: dict[int, Counter] = {}
    rows = PoolAttendance.objects.filter(activity__in=activities, officer__in=visible).values_list(
        "activity_id", "status"
    )
    for activity_id, status in rows:
        counts.setdefault(activity_id, Counter())[status] += 1
    for activity in activities:
        activity.counts = counts.get(activity.pk, Counter())
    return activities


def officer_attendance(officer: User) -> list[PoolAttendance]:
    return list(PoolAttendance.objects.filter(officer=officer).select_related("activity").order_by("-activity__date"))


# --- the law-enforcement file ---------------------------------------------------------------------


def file_entries(officer: User) -> list[FileEntry]:
    """Nominations and their decisions, membership start and end, and pool activities."""
    kind, label = "pool", _("Reserve talent pool")
    entries: list[FileEntry] = []
    for member in ReserveMember.objects.filter(officer=officer).select_related("basis__qualification_type"):
        url = reverse("certification:pool_member", args=[member.pk])
        basis = member.basis.qualification_type.name if member.basis_id else ""
        entries.append(
            FileEntry(
                date=timezone.localtime(member.nominated_at).date(),
                kind=kind,
                kind_label=label,
                title=_("Nominated to the reserve talent pool"),
                detail=" · ".join(part for part in (basis, member.nomination_reason) if part),
                status=str(MemberStatus.NOMINATED.label),
                url=url,
            )
        )
        if member.status == MemberStatus.REJECTED and member.decided_at:
            entries.append(
                FileEntry(
                    date=timezone.localtime(member.decided_at).date(),
                    kind=kind,
                    kind_label=label,
                    title=_("Nomination not approved"),
                    detail=member.decision_note,
                    status=str(MemberStatus.REJECTED.label),
                    url=url,
                )
            )
        if member.started_on:
            entries.append(
                FileEntry(
                    date=member.started_on,
                    kind=kind,
                    kind_label=label,
                    title=_("Joined the reserve talent pool"),
                    detail=basis,
                    status=str(MemberStatus.ACTIVE.label),
                    url=url,
                )
            )
        if member.ended_on:
            entries.append(
                FileEntry(
                    date=member.ended_on,
                    kind=kind,
                    kind_label=label,
                    title=_("Left the reserve talent pool"),
                    detail=member.display_end_reason,
                    status=str(MemberStatus.ENDED.label),
                    url=url,
                )
            )
    for row in officer_attendance(officer):
        entries.append(
            FileEntry(
                date=row.activity.date,
                kind=kind,
                kind_label=label,
                title=_("Pool activity: %(title)s") % {"title": row.activity.title},
                detail=" · ".join(part for part in (row.activity.get_kind_display(), row.note) if part),
                status=row.get_status_display(),
                url=reverse("certification:pool_activity", args=[row.activity_id]),
            )
        )
    return entries
