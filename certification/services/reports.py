"""Quarterly unit reports (单位季度报告): what a unit leader and HR need to see about one unit (with
the units below it) for one quarter — study, exams, random-test coverage, qualifications, the 123
pathway, and the issues to follow up — as a stored PDF.

``unit_report_content`` gathers the figures with aggregate queries (their number does not grow
with the unit's size); ``unit_report_generate`` renders and stores (or replaces) the report;
``unit_reports_quarter_end`` — the schedule's entry point — generates last quarter's report for
every unit directly below the root once the quarter has ended.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Avg, Count, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation

from certification.models import (
    Pathway,
    PathwayPhase,
    Qualification,
    QualificationStatus,
    QualificationType,
    UnitReport,
)
from certification.pdf import DEFAULT_LANGUAGE, html_to_pdf
from courses.models import LessonCompletion
from exams.models import Attempt, AttemptState, ExamKind, SampledOfficer, SampleOutcome
from people.models import Unit, User
from people.selectors.officers import officers_in_audience
from portal.services import audit_log


def quarter_bounds(year: int, quarter: int) -> tuple[datetime.date, datetime.date]:
    """First and last day of a quarter."""
    if quarter not in (1, 2, 3, 4):
        raise ValueError(f"Quarter must be 1–4, not {quarter!r}")
    start = datetime.date(year, 3 * quarter - 2, 1)
    end = datetime.date(year + (quarter == 4), 1 if quarter == 4 else 3 * quarter + 1, 1) - datetime.timedelta(days=1)
    return start, end


def previous_quarter(day: datetime.date) -> tuple[int, int]:
    quarter = (day.month - 1) // 3 + 1
    return (day.year - 1, 4) if quarter == 1 else (day.year, quarter - 1)


@dataclass
class UnitReportContent:
    unit: Unit
    unit_path: str
    year: int
    quarter: int
    start: datetime.date
    end: datetime.date
    officers: int
    learners: int
    lessons_learned: int
    exam_rows: list[dict] = field(default_factory=list)  # per exam: title, kind, sat, passed, mean
    sampled: int = 0
    tested: int = 0
    no_shows: int = 0
    qualification_rows: list[dict] = field(default_factory=list)  # per type: name, holders, share
    expiring_soon: list[Qualification] = field(default_factory=list)
    pathway_rows: list[dict] = field(default_factory=list)  # per phase: label, count
    overdue_pathways: list[Pathway] = field(default_factory=list)
    no_show_officers: list[User] = field(default_factory=list)
    generated_at: datetime.datetime | None = None

    @property
    def learner_share(self) -> int:
        return round(100 * self.learners / self.officers) if self.officers else 0

    @property
    def follow_up_count(self) -> int:
        return len(self.expiring_soon) + len(self.overdue_pathways) + len(self.no_show_officers)


def _moment(day: datetime.date, *, end: bool = False) -> datetime.datetime:
    moment = datetime.datetime.combine(day, datetime.time.max if end else datetime.time.min)
    return timezone.make_aware(moment)


def unit_report_content(unit: Unit, year: int, quarter: int) -> UnitReportContent:
    start, end = quarter_bounds(year, quarter)
    since, until = _moment(start), _moment(end, end=True)
    in_unit = Q(unit__path__startswith=unit.path)
    officers = officers_in_audience().filter(in_unit)
    officer_ids = officers.values("pk")

    learned = LessonCompletion.objects.filter(officer_id__in=officer_ids, completed_at__range=(since, until))
    exams = (
        Attempt.objects.filter(
            officer_id__in=officer_ids,
            state=AttemptState.RELEASED,
            submitted_at__range=(since, until),
            exam__practice_for__isnull=True,
        )
        .exclude(exam__kind=ExamKind.PRACTICE)
        .values("exam_id", "exam__title", "exam__kind")
        .annotate(sat=Count("officer", distinct=True), passed=Count("pk", filter=Q(passed=True)), mean=Avg("score"))
        .order_by("exam__title")
    )
    sampled = SampledOfficer.objects.filter(
        officer_id__in=officer_ids, plan__exam__opens_at__range=(since, until), plan__confirmed_at__isnull=False
    )
    holders = dict(
        Qualification.objects.filter(officer_id__in=officer_ids, status=QualificationStatus.VALID)
        .filter(Q(expires_on__isnull=True) | Q(expires_on__gte=end))
        .values_list("qualification_type_id")
        .annotate(n=Count("officer", distinct=True))
    )
    total = officers.count()
    soon = end + datetime.timedelta(days=90)
    phases = dict(Pathway.objects.filter(officer_id__in=officer_ids).values_list("phase").annotate(n=Count("pk")))
    open_pathways = Pathway.objects.filter(
        officer_id__in=officer_ids, phase__in=[PathwayPhase.PHASE1, PathwayPhase.PHASE2, PathwayPhase.PHASE3]
    ).select_related("officer")
    return UnitReportContent(
        unit=unit,
        unit_path=unit.full_path,
        year=year,
        quarter=quarter,
        start=start,
        end=end,
        officers=total,
        learners=learned.values("officer").distinct().count(),
        lessons_learned=learned.count(),
        exam_rows=[
            {
                "title": row["exam__title"],
                "kind": ExamKind(row["exam__kind"]).label,
                "sat": row["sat"],
                "passed": row["passed"],
                "rate": round(100 * row["passed"] / row["sat"]) if row["sat"] else 0,
                "mean": row["mean"],
            }
            for row in exams
        ],
        sampled=sampled.count(),
        tested=sampled.filter(outcome=SampleOutcome.TESTED).count(),
        no_shows=sampled.filter(outcome=SampleOutcome.NO_SHOW).count(),
        qualification_rows=[
            {
                "name": kind.name,
                "holders": holders.get(kind.pk, 0),
                "share": round(100 * holders.get(kind.pk, 0) / total) if total else 0,
            }
            for kind in QualificationType.objects.filter(active=True).order_by("order", "pk")
        ],
        expiring_soon=list(
            Qualification.objects.filter(
                officer_id__in=officer_ids, status=QualificationStatus.VALID, expires_on__range=(end, soon)
            )
            .select_related("officer", "qualification_type")
            .order_by("expires_on")
        ),
        pathway_rows=[
            {"label": PathwayPhase(code).label, "count": phases.get(code, 0)}
            for code in (PathwayPhase.PHASE1, PathwayPhase.PHASE2, PathwayPhase.PHASE3, PathwayPhase.COMPLETED)
        ],
        overdue_pathways=[pathway for pathway in open_pathways if pathway.is_overdue(end)],
        no_show_officers=[
            row.officer for row in sampled.filter(outcome=SampleOutcome.NO_SHOW).select_related("officer")
        ],
        generated_at=timezone.now(),
    )


def unit_report_pdf(content: UnitReportContent) -> bytes:
    with translation.override(DEFAULT_LANGUAGE):
        html = render_to_string("certification/reports/unit_report_pdf.html", {"r": content})
    return html_to_pdf(html)


def unit_report_generate(*, unit: Unit, year: int, quarter: int, actor) -> UnitReport:
    """Render the report and store it, replacing an earlier one for the same unit and quarter."""
    content = unit_report_content(unit, year, quarter)
    pdf = unit_report_pdf(content)
    with transaction.atomic():
        report = UnitReport.objects.select_for_update().filter(unit=unit, year=year, quarter=quarter).first()
        if report is None:
            report = UnitReport(unit=unit, year=year, quarter=quarter)
        elif report.file:
            report.file.delete(save=False)
        report.generated_at = timezone.now()
        report.generated_by = actor if getattr(actor, "is_authenticated", False) else None
        report.file.save(f"unit-{unit.pk}-{year}Q{quarter}.pdf", ContentFile(pdf), save=False)
        report.save()
        audit_log(
            actor=actor,
            action="certification.unit_report.generated",
            target=report,
            data={"unit": unit.full_path, "year": year, "quarter": quarter, "officers": content.officers},
        )
    return report


def unit_reports_quarter_end(today: datetime.date | None = None) -> int:
    """Last quarter's report for every unit directly below a root unit (the branch's stations,
    brigades and offices), unless it exists already. Returns how many were generated."""
    year, quarter = previous_quarter(today or timezone.localdate())
    made = 0
    for root in Unit.get_root_nodes():
        for unit in root.get_children():
            if not UnitReport.objects.filter(unit=unit, year=year, quarter=quarter).exists():
                unit_report_generate(unit=unit, year=year, quarter=quarter, actor=None)
                made += 1
    return made
