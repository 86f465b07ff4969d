"""The points ledger (积分, seed items 13 and 16): entries generated from their source records, manual
entries by the legal brigade, and the over-50 case-handling indicators.

``points_rebuild`` derives the entries an officer should have for a year from the sources and makes
the ledger match: one entry per source (the database enforces it), points updated when the source
changed, entries removed when their source no longer qualifies (a rejected attendance, a deleted
share, an exam result that is no longer the counted one). Running it twice changes nothing, so the
nightly task and the calls after a decision can overlap safely. Manual entries (no source) are
never touched by a rebuild.

The point values are the module constants below: ``CertificationPolicy`` has no fields for them
and adding some needs a migration, so a change of values is a code change (and a rebuild).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from certification.models import (
    AttendanceState,
    CaseHandlingIndicator,
    CaseQualityShare,
    CourtAttendance,
    IndicatorTarget,
    PointCategory,
    PointEntry,
    Qualification,
    QualificationStatus,
    ShareRole,
)
from certification.selectors.court import court_requirement_for, is_court_reviewer
from exams.models import Attempt, AttemptState, ExamKind
from exams.selectors.results import RESULT_STATES, counted_attempt
from people.models import User
from portal.services import audit_log

#: A verified hearing when the officer's sequence has no requirement for the year (otherwise the
#: requirement's ``points_each``).
COURT_POINTS_DEFAULT = Decimal("1")
#: Each exam whose counted attempt passed and whose result was released (practice excluded).
EXAM_PASS_POINTS = Decimal("1")
#: Each qualification granted in the year (still valid, or since expired).
QUALIFICATION_POINTS = Decimal("2")
#: Case quality: ``score × share weight / CASE_SCORE_DIVISOR`` (95 × 1.0 → 0.95) for the handler
#: (category case handling) and the phase-3 mentor (category mentor); deductions × weight are a
#: negative entry in category deductions.
CASE_SCORE_DIVISOR = Decimal("100")

SOURCE_COURT = "certification.courtattendance"
SOURCE_SHARE = "certification.casequalityshare"
SOURCE_ATTEMPT = "exams.attempt"
SOURCE_QUALIFICATION = "certification.qualification"

CENT = Decimal("0.01")


class PointsError(Exception):
    """A refusal the user can act on."""


@dataclass(frozen=True)
class _Wanted:
    category: str
    source_type: str
    source_id: str
    points: Decimal
    description: str
    occurred_on: datetime.date

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.category, self.source_type, self.source_id)


def _local_date(moment: datetime.datetime | None) -> datetime.date | None:
    return timezone.localdate(moment) if moment else None


def _court_entries(officer: User, year: int) -> list[_Wanted]:
    requirement = court_requirement_for(officer, year)
    each = requirement.points_each if requirement else COURT_POINTS_DEFAULT
    return [
        _Wanted(
            PointCategory.COURT,
            SOURCE_COURT,
            str(attendance.pk),
            each,
            _("Court hearing: %(court)s, %(case)s") % {"court": attendance.court, "case": attendance.case},
            attendance.date,
        )
        for attendance in CourtAttendance.objects.filter(
            officer=officer, date__year=year, state=AttendanceState.VERIFIED
        )
    ]


def _case_entries(officer: User, year: int) -> list[_Wanted]:
    wanted = []
    shares = CaseQualityShare.objects.filter(officer=officer, record__case_date__year=year).select_related("record")
    for share in shares:
        record = share.record
        label = f"{record.case_number} {record.case_title}".strip()
        if record.score is not None:
            category = PointCategory.MENTOR if share.role == ShareRole.MENTOR else PointCategory.CASE_HANDLING
            points = (record.score * share.weight / CASE_SCORE_DIVISOR).quantize(CENT, ROUND_HALF_UP)
            wanted.append(
                _Wanted(
                    category,
                    SOURCE_SHARE,
                    str(share.pk),
                    points,
                    _("Case %(case)s: score %(score)s × weight %(weight)s")
                    % {"case": label, "score": record.score, "weight": share.weight},
                    record.case_date,
                )
            )
        if record.deductions:
            wanted.append(
                _Wanted(
                    PointCategory.DEDUCTION,
                    SOURCE_SHARE,
                    str(share.pk),
                    -(record.deductions * share.weight).quantize(CENT, ROUND_HALF_UP),
                    _("Case %(case)s: deductions %(deductions)s × weight %(weight)s")
                    % {"case": label, "deductions": record.deductions, "weight": share.weight},
                    record.case_date,
                )
            )
    return wanted


def _exam_entries(officer: User, year: int) -> list[_Wanted]:
    exams = {
        attempt.exam
        for attempt in Attempt.objects.filter(officer=officer, state__in=RESULT_STATES)
        .exclude(exam__kind=ExamKind.PRACTICE)
        .select_related("exam")
    }
    wanted = []
    for exam in sorted(exams, key=lambda exam: exam.pk):
        counted = counted_attempt(exam, officer)
        if counted is None or not counted.passed or counted.state != AttemptState.RELEASED:
            continue
        day = _local_date(counted.submitted_at) or _local_date(counted.released_at)
        if day is None or day.year != year:
            continue
        wanted.append(
            _Wanted(
                PointCategory.EXAM,
                SOURCE_ATTEMPT,
                str(counted.pk),
                EXAM_PASS_POINTS,
                _("Passed: %(exam)s (score %(score)s)") % {"exam": exam.title, "score": counted.score},
                day,
            )
        )
    return wanted


def _qualification_entries(officer: User, year: int) -> list[_Wanted]:
    records = Qualification.objects.filter(
        officer=officer,
        granted_on__year=year,
        status__in=(QualificationStatus.VALID, QualificationStatus.EXPIRED),
    ).select_related("qualification_type")
    return [
        _Wanted(
            PointCategory.QUALIFICATION,
            SOURCE_QUALIFICATION,
            str(record.pk),
            QUALIFICATION_POINTS,
            _("Qualification granted: %(name)s") % {"name": record.qualification_type.name},
            record.granted_on,
        )
        for record in records
    ]


def points_wanted(officer: User, year: int) -> list[_Wanted]:
    """The generated entries ``officer`` should have for ``year``, from the sources."""
    return [
        *_court_entries(officer, year),
        *_case_entries(officer, year),
        *_exam_entries(officer, year),
        *_qualification_entries(officer, year),
    ]


def points_rebuild(officer: User, year: int) -> int:
    """Make ``officer``'s generated entries for ``year`` match the sources; returns how many entries
    were created, changed or removed (0 when the ledger was up to date)."""
    wanted = {item.key: item for item in points_wanted(officer, year)}
    changes = 0
    with transaction.atomic():
        # One rebuild per officer at a time: the nightly run and a verification may overlap.
        User.objects.select_for_update().filter(pk=officer.pk).first()
        existing = {
            (entry.category, entry.source_type, entry.source_id): entry
            for entry in PointEntry.objects.filter(officer=officer).exclude(source_type="")
        }
        for key, item in wanted.items():
            entry = existing.get(key)
            if entry is None:
                PointEntry.objects.create(
                    officer=officer,
                    year=year,
                    category=item.category,
                    points=item.points,
                    description=item.description[:300],
                    occurred_on=item.occurred_on,
                    source_type=item.source_type,
                    source_id=item.source_id,
                )
                changes += 1
                continue
            values = {
                "year": year,
                "points": item.points,
                "description": item.description[:300],
                "occurred_on": item.occurred_on,
            }
            if any(getattr(entry, name) != value for name, value in values.items()):
                for name, value in values.items():
                    setattr(entry, name, value)
                entry.save(update_fields=list(values))
                changes += 1
        stale = [entry.pk for key, entry in existing.items() if entry.year == year and key not in wanted]
        if stale:
            changes += PointEntry.objects.filter(pk__in=stale).delete()[0]
    return changes


def _officers_with_sources(year: int) -> set[int]:
    ids = set(PointEntry.objects.filter(year=year).exclude(source_type="").values_list("officer_id", flat=True))
    ids |= set(CourtAttendance.objects.filter(date__year=year).values_list("officer_id", flat=True))
    ids |= set(CaseQualityShare.objects.filter(record__case_date__year=year).values_list("officer_id", flat=True))
    ids |= set(Qualification.objects.filter(granted_on__year=year).values_list("officer_id", flat=True))
    ids |= set(
        Attempt.objects.filter(state__in=RESULT_STATES, submitted_at__year=year).values_list("officer_id", flat=True)
    )
    return ids


def points_rebuild_all(year: int | None = None) -> int:
    """Nightly: rebuild every ledger of ``year`` (the current year by default) that has a source or
    an entry; returns the number of entries changed."""
    year = year or timezone.localdate().year
    changes = 0
    for officer in User.objects.filter(pk__in=_officers_with_sources(year)).order_by("pk"):
        changes += points_rebuild(officer, year)
    return changes


def point_entry_add_manual(
    *, officer: User, year: int, category: str, points: Decimal, reason: str, actor: User
) -> PointEntry:
    """A manual entry by the legal brigade (e.g. a commendation or a penalty the platform has no
    record of); the reason is the entry's description and cannot be empty."""
    if not is_court_reviewer(actor):
        raise PointsError(_("Only the legal brigade enters points by hand."))
    reason = (reason or "").strip()
    if not reason:
        raise PointsError(_("Give the reason for the entry."))
    if not points:
        raise PointsError(_("Enter a number of points other than zero."))
    today = timezone.localdate()
    occurred_on = today if year == today.year else datetime.date(year, 12, 31)
    with transaction.atomic():
        entry = PointEntry.objects.create(
            officer=officer,
            year=year,
            category=category,
            points=points,
            description=reason[:300],
            occurred_on=occurred_on,
            created_by=actor,
        )
        audit_log(
            actor=actor,
            action="certification.points.manual_added",
            target=entry,
            data={
                "officer": officer.police_number,
                "year": year,
                "category": category,
                "points": str(points),
                "reason": reason,
            },
        )
    return entry


def point_entry_delete_manual(*, entry: PointEntry, actor: User) -> None:
    """Withdraw a manual entry entered in error; generated entries follow their source instead."""
    if not is_court_reviewer(actor):
        raise PointsError(_("Only the legal brigade enters points by hand."))
    if entry.source_type:
        raise PointsError(_("This entry follows its source record and cannot be deleted by hand."))
    with transaction.atomic():
        audit_log(
            actor=actor,
            action="certification.points.manual_deleted",
            target=entry.officer,
            data={
                "year": entry.year,
                "category": entry.category,
                "points": str(entry.points),
                "reason": entry.description,
            },
        )
        entry.delete()


def indicator_target_set(
    *, year: int, min_age: int, cases_required: int, incidents_required: int, actor: User
) -> IndicatorTarget:
    with transaction.atomic():
        target, created = IndicatorTarget.objects.update_or_create(
            year=year,
            defaults={"min_age": min_age, "cases_required": cases_required, "incidents_required": incidents_required},
        )
        audit_log(
            actor=actor,
            action="certification.indicators.target_set",
            target=target,
            data={
                "year": year,
                "min_age": min_age,
                "cases_required": cases_required,
                "incidents_required": incidents_required,
                "created": created,
            },
        )
    return target


def indicator_save(
    *, officer: User, year: int, cases_handled: int, incidents_responded: int, actor: User
) -> CaseHandlingIndicator:
    """Enter (or correct) an officer's cases handled and incidents responded to for a year."""
    with transaction.atomic():
        indicator, created = CaseHandlingIndicator.objects.update_or_create(
            officer=officer,
            year=year,
            defaults={
                "cases_handled": cases_handled,
                "incidents_responded": incidents_responded,
                "updated_at": timezone.now(),
                "updated_by": actor,
            },
        )
        audit_log(
            actor=actor,
            action="certification.indicators.saved",
            target=indicator,
            data={
                "officer": officer.police_number,
                "year": year,
                "cases_handled": cases_handled,
                "incidents_responded": incidents_responded,
                "created": created,
            },
        )
    return indicator
