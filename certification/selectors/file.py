"""The officer's law-enforcement file (执法档案) is a timeline assembled from every area's records.

Each area of certification (and the HR pages later) contributes a function
``file_entries(officer) -> list[FileEntry]`` returning the officer's records in one plain shape,
listed in ``FILE_ENTRY_PROVIDERS`` below; ``officer_file_entries`` merges them newest first.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from certification.models import Pathway, PointEntry, Qualification, QualificationStatus, QuarterlyEvaluation
from exams.selectors.results import passed_exams
from people.models.audience import POSITION_FIELDS, Position
from portal.formatting import format_quarter


@dataclass(frozen=True)
class FileEntry:
    date: datetime.date
    kind: str  # e.g. "qualification", "pool", "evaluation", "court", "points", "talk"
    kind_label: str  # the kind in words, translated
    title: str
    detail: str = ""
    status: str = ""  # short state in words, e.g. "已核实"
    points: Decimal | None = None
    url: str = ""  # a page the viewer may open for the record, if any


FILE_ENTRY_PROVIDERS = [
    "certification.selectors.pool.file_entries",
    "certification.selectors.evaluations.file_entries",
    "certification.selectors.court.file_entries",
    "certification.selectors.points.file_entries",
    "certification.selectors.leaders.file_entries",
    "certification.selectors.file_sources.lesson_entries",
    "certification.selectors.file_sources.discussion_entries",
    "certification.selectors.file_sources.exam_entries",
    "certification.selectors.file_sources.qualification_entries",
    "certification.selectors.file_sources.pathway_entries",
    "certification.selectors.file_sources.mentor_entries",
    "certification.selectors.file_sources.case_entries",
]


def officer_file_entries(officer) -> list[FileEntry]:
    entries: list[FileEntry] = []
    for path in FILE_ENTRY_PROVIDERS:
        entries.extend(import_string(path)(officer))
    return sorted(entries, key=lambda entry: entry.date, reverse=True)


def filter_entries(
    entries: list[FileEntry], *, kinds: list[str] | None = None, year: int | None = None
) -> list[FileEntry]:
    """The entries of the chosen kinds (all when none is chosen) in the chosen year (all years when None)."""
    return [
        entry for entry in entries if (not kinds or entry.kind in kinds) and (year is None or entry.date.year == year)
    ]


# The filter's name for each kind: one kind can carry several entry labels (an exam's kind, a
# qualification or its certificate, an evaluation or a replacement review).
KIND_LABELS = {
    "lesson": _("Lessons"),
    "discussion": _("Study discussions"),
    "exam": _("Exams"),
    "qualification": _("Qualifications and certificates"),
    "pathway": _("New-officer pathway"),
    "mentor": _("Mentor bindings"),
    "case": _("Case quality"),
    "evaluation": _("Evaluations"),
    "court": _("Court-hearing attendance"),
    "points": pgettext_lazy("case-handling points", "Points"),
    "pool": _("Reserve talent pool"),
    "talk": _("Reminder talks"),
    "talk_flag": _("Organisational measures"),
}


def entry_kinds(entries: list[FileEntry]) -> list[tuple[str, str]]:
    """(kind, label) of each kind present, in a stable order, for the filter form."""
    labels: dict[str, str] = {}
    for entry in entries:
        labels.setdefault(entry.kind, str(KIND_LABELS.get(entry.kind, entry.kind_label)))
    return sorted(labels.items(), key=lambda item: item[1])


def entry_years(entries: list[FileEntry]) -> list[int]:
    return sorted({entry.date.year for entry in entries}, reverse=True)


@dataclass
class FileSummary:
    """The header of the file: who the officer is and where they stand this year."""

    officer: object
    year: int
    unit: str
    category: str
    positions: list[str]
    service_start: datetime.date | None
    age: int | None
    qualifications: list  # valid Qualification records, with their type
    pathway: Pathway | None
    points_total: Decimal
    court_verified: int
    court_required: int | None
    evaluation: QuarterlyEvaluation | None  # the latest, with its scheme
    passed_attempts: list  # the counted attempt of each exam passed this year (exams.selectors.results)

    @property
    def pathway_phase(self) -> str:
        """The phase's label; empty when the officer is not on the pathway."""
        return self.pathway.get_phase_display() if self.pathway else ""

    @property
    def evaluation_label(self) -> str:
        evaluation = self.evaluation
        if evaluation is None:
            return ""
        return format_quarter(evaluation.scheme.year, evaluation.quarter)

    @property
    def evaluation_total(self) -> Decimal | None:
        return self.evaluation.total if self.evaluation else None

    @property
    def evaluation_rank(self) -> int | None:
        return self.evaluation.rank if self.evaluation else None

    @property
    def exams_passed(self) -> int:
        return len(self.passed_attempts)


def officer_file_summary(officer, *, today: datetime.date | None = None) -> FileSummary:
    # Imported here: these selectors import FileEntry from this module.
    from certification.selectors.court import court_progress
    from certification.selectors.evaluations import officer_evaluations

    today = today or timezone.localdate()
    year = today.year
    qualifications = list(
        Qualification.objects.filter(officer=officer, status=QualificationStatus.VALID)
        .filter(Q(granted_on__isnull=True) | Q(granted_on__lte=today))
        .filter(Q(expires_on__isnull=True) | Q(expires_on__gte=today))
        .select_related("qualification_type")
        .order_by("qualification_type__order", "pk")
    )
    pathway = Pathway.objects.filter(officer=officer).first()
    points = PointEntry.objects.filter(officer=officer, year=year).aggregate(total=Sum("points"))["total"]
    court = court_progress(officer, year)
    positions = [str(Position(code).label) for code, field in POSITION_FIELDS.items() if getattr(officer, field)]
    if officer.position:
        positions.insert(0, officer.position)
    return FileSummary(
        officer=officer,
        year=year,
        unit=officer.unit.full_path.replace("/", "") if officer.unit_id else "",
        category=officer.get_category_display(),
        positions=positions,
        service_start=officer.service_start_date,
        age=officer.age_on(today),
        qualifications=qualifications,
        pathway=pathway,
        points_total=points or Decimal("0"),
        court_verified=court.verified,
        court_required=court.required,
        evaluation=officer_evaluations(officer).first(),
        passed_attempts=passed_exams(officer, year),
    )
