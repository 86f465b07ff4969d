"""Reads about the 123 pathway: who may see or act on which pathway, the board, the phase-3 window."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from certification.models import (
    LogStatus,
    MentorBinding,
    Pathway,
    PathwayPhase,
    PathwayTransition,
    ShadowingLogEntry,
)
from people.models import TRAINING_STAFF, Role, Unit
from people.selectors import can_view_officer, has_role, unit_full_paths

ACTIVE_PHASES = (PathwayPhase.PHASE1, PathwayPhase.PHASE2, PathwayPhase.PHASE3)


def add_months(day: datetime.date, months: int) -> datetime.date:
    """``day`` moved by whole calendar months; the day of month is clamped (31 Jan + 1 → 28/29 Feb)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    next_month = datetime.date(year + (month == 12), month % 12 + 1, 1)
    last_day = (next_month - datetime.timedelta(days=1)).day
    return datetime.date(year, month, min(day.day, last_day))


def is_legal_brigade_staff(user) -> bool:
    """A legal / pre-trial department supervisor: a legal-brigade officer or training staff."""
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(getattr(user, "is_legal_brigade", False)) or has_role(user, *TRAINING_STAFF)


def can_manage_pathways(user) -> bool:
    """HR and the legal brigade run the board and enrol new officers."""
    return has_role(user, Role.HR, Role.ADMIN) or is_legal_brigade_staff(user)


def active_binding(mentee) -> MentorBinding | None:
    return MentorBinding.objects.select_related("mentor").filter(mentee=mentee, ended_on__isnull=True).first()


def can_view_pathway(user, pathway: Pathway) -> bool:
    if can_manage_pathways(user):
        return True
    if MentorBinding.objects.filter(mentee_id=pathway.officer_id, mentor_id=user.pk, ended_on__isnull=True).exists():
        return True
    return can_view_officer(user, pathway.officer)


def get_pathway_for_user(user, pk: int) -> Pathway:
    """The pathway if ``user`` may see it (the officer, their mentor, unit leaders above them, HR and
    the legal brigade); otherwise 404, as if it did not exist."""
    pathway = Pathway.objects.select_related("officer", "officer__unit").filter(pk=pk).first()
    if pathway is None or not getattr(user, "is_authenticated", False) or not can_view_pathway(user, pathway):
        raise Http404
    return pathway


def get_log_entry_for_signer(user, pk: int) -> ShadowingLogEntry:
    """A log entry ``user`` may see for signing (any entry of a pathway they can see); else 404."""
    entry = ShadowingLogEntry.objects.select_related("pathway", "pathway__officer").filter(pk=pk).first()
    if entry is None or not can_view_pathway(user, entry.pathway):
        raise Http404
    return entry


def phase_start_dates(pathway: Pathway) -> dict[str, datetime.date]:
    """The first day of each phase the pathway has entered, from its transitions."""
    starts: dict[str, datetime.date] = {}
    for transition in pathway.transitions.order_by("at", "pk"):
        if transition.to_phase != transition.from_phase:
            starts.setdefault(transition.to_phase, timezone.localdate(transition.at))
    return starts


def phase3_window(pathway: Pathway) -> tuple[datetime.date, datetime.date | None] | None:
    """(first day, day it ended or None) of the pathway's phase 3, or None when it never began.

    Cases dated on or after the first day and before the end count jointly for the mentor."""
    start = end = None
    for transition in PathwayTransition.objects.filter(pathway=pathway).order_by("at", "pk"):
        if transition.to_phase == PathwayPhase.PHASE3 and transition.from_phase != PathwayPhase.PHASE3:
            start = timezone.localdate(transition.at)
            end = None
        elif transition.from_phase == PathwayPhase.PHASE3 and transition.to_phase != PathwayPhase.PHASE3:
            end = timezone.localdate(transition.at)
    if start is None:
        return None
    return start, end


def pending_log_entries_for_signer(user) -> QuerySet[ShadowingLogEntry]:
    """Entries awaiting ``user``'s signature: phase-1 entries for the legal brigade, phase-2
    entries of the mentees currently bound to them. Never their own."""
    if not getattr(user, "is_authenticated", False):
        return ShadowingLogEntry.objects.none()
    condition = Q(phase=PathwayPhase.PHASE2, pathway__officer__mentors__mentor=user) & Q(
        pathway__officer__mentors__ended_on__isnull=True
    )
    if is_legal_brigade_staff(user):
        condition |= Q(phase=PathwayPhase.PHASE1)
    return (
        ShadowingLogEntry.objects.filter(condition, status=LogStatus.SUBMITTED)
        .exclude(pathway__officer=user)
        .select_related("pathway", "pathway__officer")
        .distinct()
        .order_by("date", "pk")
    )


def phase1_log_counts(pathway: Pathway) -> dict[str, int]:
    counts = pathway.log_entries.filter(phase=PathwayPhase.PHASE1).aggregate(
        signed=Count("pk", filter=Q(status=LogStatus.SIGNED)),
        pending=Count("pk", filter=Q(status=LogStatus.SUBMITTED)),
    )
    return {"signed": counts["signed"] or 0, "pending": counts["pending"] or 0}


@dataclass(frozen=True)
class BoardRow:
    pathway: Pathway
    mentor: object | None
    due: datetime.date | None
    overdue: bool
    days_in_phase: int
    days_overdue: int


def pathway_board_rows(
    *, unit: Unit | None = None, phase: str = "", today: datetime.date | None = None
) -> list[BoardRow]:
    """Every pathway (active ones by default; completed / withdrawn when asked by ``phase``), overdue
    first, then by due date. ``unit`` means the unit and everything below it."""
    today = today or timezone.localdate()
    pathways = Pathway.objects.select_related("officer", "officer__unit")
    pathways = pathways.filter(phase=phase) if phase else pathways.filter(phase__in=ACTIVE_PHASES)
    if unit is not None:
        pathways = pathways.filter(officer__unit__path__startswith=unit.path)
    pathways = list(pathways)
    mentors = {
        binding.mentee_id: binding.mentor
        for binding in MentorBinding.objects.select_related("mentor").filter(
            mentee_id__in=[pathway.officer_id for pathway in pathways], ended_on__isnull=True
        )
    }
    rows = []
    for pathway in pathways:
        due = pathway.current_due
        overdue = pathway.is_overdue(today)
        rows.append(
            BoardRow(
                pathway=pathway,
                mentor=mentors.get(pathway.officer_id),
                due=due,
                overdue=overdue,
                days_in_phase=(today - pathway.phase_started_on).days,
                days_overdue=(today - due).days if overdue else 0,
            )
        )
    rows.sort(key=lambda row: (not row.overdue, row.due or datetime.date.max, row.pathway.officer.police_number))
    return rows


def pathway_board_dataframe(rows: list[BoardRow]):
    """The board as a DataFrame for the xlsx download: the screen's columns plus what HR files need
    (police numbers, the unit's full path, phase dates). Headers in the reader's language."""
    import pandas as pd

    unit_paths = unit_full_paths()
    columns = [
        _("Police number"),
        _("Name"),
        _("Unit"),
        _("Phase"),
        _("Start date"),
        _("Phase started on"),
        _("Days in phase"),
        _("Due"),
        _("Days overdue"),
        _("Extension (days)"),
        _("Mentor"),
        _("Mentor's police number"),
        _("Completed on"),
    ]
    records = []
    for row in rows:
        pathway, officer, mentor = row.pathway, row.pathway.officer, row.mentor
        values = [
            officer.police_number,
            officer.name,
            unit_paths.get(officer.unit_id, ""),
            pathway.get_phase_display(),
            pathway.start_date,
            pathway.phase_started_on,
            row.days_in_phase,
            row.due,
            row.days_overdue,
            pathway.extension_days,
            mentor.name if mentor else "",
            mentor.police_number if mentor else "",
            pathway.completed_on,
        ]
        records.append(dict(zip(columns, values, strict=True)))
    return pd.DataFrame(records, columns=columns)
