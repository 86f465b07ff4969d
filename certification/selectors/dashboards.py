"""Figures of the HR and unit-leader dashboards, and the officers behind each figure.

Every figure is an aggregate query (``values`` + ``annotate``) grouped by unit path, folded in
Python onto the units directly below the chosen root: the number of queries depends on the number
of figures, never on the number of officers. The drill-down (``dashboard_officers``) rebuilds the
same filter for one cell, so the list holds exactly the officers the figure counted.

Scope: HR and admins see every unit; a unit leader their own subtree; anyone else, or a unit
outside the reader's subtree, gets a 404.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import get_language, gettext_lazy, pgettext
from django.utils.translation import gettext as _

from certification.models import (
    Pathway,
    PathwayPhase,
    Qualification,
    QualificationStatus,
    QualificationType,
    QuarterlyEvaluation,
)
from courses.models import StudyAssignment
from courses.selectors.assignments import assignment_officers_with_progress
from exams.models import Attempt, AttemptCounting, AttemptState, Exam, ExamKind
from exams.selectors.sampling import ceil_fraction, officers_tested, year_outcomes
from people.models import Category, Role, Unit, User
from people.models.audience import POSITION_FIELDS, Position
from people.models.users import STATUSES_OUT_OF_AUDIENCE
from people.selectors import has_role

# The ladder and the lead-officer qualification: the columns of the coverage table.
COVERAGE_TYPE_CODES = ("basic", "intermediate", "advanced", "lead_officer")
EXPIRY_BUCKETS = (30, 60, 90)
# Cells a drill-down may ask for.
CELL_OFFICERS = "officers"
CELL_HOLDERS = "holders"
CELL_MISSING = "missing"
CELL_EXPIRING = "expiring"  # with ``days`` in EXPIRY_BUCKETS
CELL_PATHWAY = "pathway"  # with ``phase``, optionally overdue
CELL_SAT = "sat"  # pass rates: officers who sat an exam (the row's category is the ``category`` filter)
CELL_PASSED = "passed"  # pass rates: officers whose counted result passed
CELL_ASSIGNED = "assigned"  # study assignments: officers in an assignment's audience
CELL_COMPLETE = "complete"  # study assignments: officers who completed an assignment
CELL_LEADERS = "leaders"  # middle leaders in scope
CELL_LEADERS_TESTED = "leaders_tested"
CELL_LEADERS_UNTESTED = "leaders_untested"
CELL_DRAWN = "drawn"  # random tests: officers drawn in the year
CELL_TESTED = "tested"  # random tests: drawn and sat the test
CELL_NO_SHOW = "no_show"  # random tests: drawn, did not show, not tested in another test
RANDOM_TEST_CELLS = {CELL_DRAWN: "drawn", CELL_TESTED: "tested", CELL_NO_SHOW: "no_show"}
CELLS = (
    CELL_OFFICERS,
    CELL_HOLDERS,
    CELL_MISSING,
    CELL_EXPIRING,
    CELL_PATHWAY,
    CELL_SAT,
    CELL_PASSED,
    CELL_ASSIGNED,
    CELL_COMPLETE,
    CELL_LEADERS,
    CELL_LEADERS_TESTED,
    CELL_LEADERS_UNTESTED,
    CELL_DRAWN,
    CELL_TESTED,
    CELL_NO_SHOW,
)
# Cells of the overview page (the others belong to the qualification page).
OVERVIEW_CELLS = frozenset(CELLS[4:])
EXAM_KINDS = (ExamKind.FORMAL, ExamKind.QUALIFICATION, ExamKind.RANDOM)
MIDDLE_LEADER_FRACTION = (1, 3)


def can_view_dashboards(user) -> bool:
    return has_role(user, Role.HR, Role.ADMIN, Role.UNIT_LEADER)


def _sees_everything(user) -> bool:
    return has_role(user, Role.HR, Role.ADMIN)


def dashboard_units(user) -> QuerySet[Unit]:
    """Units a reader may choose as the root of a dashboard."""
    if _sees_everything(user):
        return Unit.objects.all().order_by("path")
    if user.unit_id:
        return Unit.get_tree(user.unit).order_by("path")
    return Unit.objects.none()


@dataclass(frozen=True)
class DashboardFilters:
    root: Unit
    category: str = ""
    position: str = ""
    year: int = 0
    types: tuple[QualificationType, ...] = ()

    @property
    def as_of(self) -> datetime.date:
        """The day figures are counted on: today, or the last day of a past year."""
        today = timezone.localdate()
        return today if self.year >= today.year else datetime.date(self.year, 12, 31)

    def as_data(self) -> dict:
        """The filters as plain values: the query string of drill-downs and the export audit."""
        return {
            "unit": self.root.pk,
            "category": self.category,
            "position": self.position,
            "year": self.year,
            "types": [kind.code for kind in self.types],
        }


def dashboard_filters_from(user, params) -> DashboardFilters:
    """Filters from a query string. A unit outside the reader's scope is a 404; other unknown
    values fall back to their defaults."""
    if not can_view_dashboards(user):
        raise Http404
    units = dashboard_units(user)
    raw_unit = str(params.get("unit", ""))
    if raw_unit:
        root = units.filter(pk=int(raw_unit)).first() if raw_unit.isdigit() else None
        if root is None:
            raise Http404
    else:
        root = user.unit if not _sees_everything(user) else Unit.get_root_nodes().first()
        if root is None:
            raise Http404
    category = params.get("category", "")
    position = params.get("position", "")
    today = timezone.localdate()
    raw_year = str(params.get("year", ""))
    year = int(raw_year) if raw_year.isdigit() and 2000 <= int(raw_year) <= today.year else today.year
    all_types = list(QualificationType.objects.filter(code__in=COVERAGE_TYPE_CODES))
    all_types.sort(key=lambda kind: COVERAGE_TYPE_CODES.index(kind.code))
    chosen = set(params.getlist("types") if hasattr(params, "getlist") else params.get("types", []))
    types = tuple(kind for kind in all_types if kind.code in chosen) or tuple(all_types)
    return DashboardFilters(
        root=root,
        category=category if category in Category.values else "",
        position=position if position in Position.values else "",
        year=year,
        types=types,
    )


@dataclass(frozen=True)
class Figures:
    """Computed dashboard figures and when they were computed."""

    value: object
    computed_at: datetime.datetime
    cached: bool  # False when computed for this request


def cached_figures(
    name: str, filters: DashboardFilters, compute: Callable[[DashboardFilters], object], *, fresh: bool = False
) -> Figures:
    """``compute(filters)``, kept for ``CERTIFICATION_DASHBOARD_CACHE_SECONDS`` under the filters,
    the language and today's date, so HR paging between filters at province scale does not recount
    100,000 records on every render; ``fresh`` recomputes. The scope was checked when the filters
    were built: a reader only reaches the figures of a root they may see.

    The figures are numbers and lazy labels (a message and its parameters, translated when the page
    renders), never text rendered for one request; the language is in the key as well, so a label
    that slipped through as text still cannot reach a reader of another language. The cache is
    ``CACHES["default"]``: Redis shared by every app server when ``REDIS_URL`` is set."""
    seconds = settings.CERTIFICATION_DASHBOARD_CACHE_SECONDS
    if seconds <= 0:
        return Figures(value=compute(filters), computed_at=timezone.now(), cached=False)
    data = filters.as_data() | {"today": timezone.localdate().isoformat(), "language": get_language()}
    digest = hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:32]
    key = f"certification:dashboard:{name}:{digest}"
    if not fresh and (hit := cache.get(key)) is not None:
        return Figures(value=hit[0], computed_at=hit[1], cached=True)
    value, now = compute(filters), timezone.now()
    cache.set(key, (value, now), seconds)
    return Figures(value=value, computed_at=now, cached=False)


def _in_scope(filters: DashboardFilters, prefix: str = "", *, unit_ids: list[int] | None = None) -> Q:
    """Officers in service in the root's subtree, of the chosen category and position; ``prefix``
    ("officer__") applies it to rows that point at an officer, as a join rather than a subquery;
    ``unit_ids`` (the subtree's units) saves the join to the unit table."""
    in_units = (
        Q(**{f"{prefix}unit_id__in": unit_ids})
        if unit_ids is not None
        else Q(**{f"{prefix}unit__path__startswith": filters.root.path})
    )
    condition = in_units & Q(**{f"{prefix}is_active": True}) & ~Q(**{f"{prefix}status__in": STATUSES_OUT_OF_AUDIENCE})
    if filters.category:
        condition &= Q(**{f"{prefix}category": filters.category})
    if filters.position:
        condition &= Q(**{f"{prefix}{POSITION_FIELDS[filters.position]}": True})
    return condition


def officers_in_scope(filters: DashboardFilters) -> QuerySet[User]:
    """Officers in service in the root's subtree, of the chosen category and position."""
    return User.objects.filter(_in_scope(filters))


def _valid_on(day: datetime.date, prefix: str = "") -> Q:
    return (
        Q(**{f"{prefix}status": QualificationStatus.VALID})
        & (Q(**{f"{prefix}granted_on__isnull": True}) | Q(**{f"{prefix}granted_on__lte": day}))
        & (Q(**{f"{prefix}expires_on__isnull": True}) | Q(**{f"{prefix}expires_on__gte": day}))
    )


@dataclass
class DashboardRow:
    """One unit directly below the root (with its subtree), or the root's own members, or the total."""

    key: str  # unit pk, "direct" (members of the root itself) or "total"
    label: str
    officers: int = 0
    holders: dict[str, int] = field(default_factory=dict)
    expiring: dict[tuple[str, int], int] = field(default_factory=dict)

    def percent(self, code: str) -> float | None:
        return round(100 * self.holders.get(code, 0) / self.officers, 1) if self.officers else None

    def cells(self, types) -> list[dict]:
        return [
            {
                "type": kind,
                "holders": self.holders.get(kind.code, 0),
                "missing": self.officers - self.holders.get(kind.code, 0),
                "percent": self.percent(kind.code),
                "expiring": [(days, self.expiring.get((kind.code, days), 0)) for days in EXPIRY_BUCKETS],
            }
            for kind in types
        ]


R = TypeVar("R")


def _own_members(unit_name: str) -> str:
    return _("%(unit)s (own members)") % {"unit": unit_name}


# Row labels stay lazy: the figures are kept in the cache and read back in another request, maybe in
# another language, so they must carry the message and its parameters, not this request's text.
own_members_label = lazy(_own_members, str)


class UnitRows(Generic[R]):
    """One row per unit directly below the root (its subtree folded in, ordered by name), then the
    root's own members ("direct"). ``make(key, label, path)`` builds a row; ``for_unit`` finds the
    row an officer's unit belongs to — by treebeard path prefix, from one query of the subtree."""

    def __init__(self, root: Unit, make: Callable[[str, str, str], R]) -> None:
        self.root = root
        self.by_path: dict[str, R] = {
            unit.path: make(str(unit.pk), unit.name, unit.path) for unit in root.get_children()
        }
        self.by_path[root.path] = make("direct", own_members_label(root.name), root.path)
        self._child_length = len(root.path) + Unit.steplen
        # Unit ids instead of path joins: the subtree is a few hundred units at most.
        self.paths: dict[int, str] = dict(Unit.objects.filter(path__startswith=root.path).values_list("pk", "path"))

    @property
    def unit_ids(self) -> list[int]:
        return list(self.paths)

    @property
    def rows(self) -> list[R]:
        return list(self.by_path.values())

    def for_unit(self, unit_id: int) -> R:
        path = self.paths[unit_id]
        return self.by_path[path if path == self.root.path else path[: self._child_length]]


@dataclass
class CoverageTable:
    filters: DashboardFilters
    rows: list[DashboardRow]
    total: DashboardRow


def qualification_coverage(filters: DashboardFilters) -> CoverageTable:
    """Officers in scope, holders of a valid record of each type on ``filters.as_of`` and valid
    records expiring within 30/60/90 days of it, per unit directly below the root — four queries,
    however many officers."""
    units = UnitRows(filters.root, lambda key, label, _path: DashboardRow(key=key, label=label))
    total = DashboardRow(key="total", label=gettext_lazy("All units"))
    scope = _in_scope(filters, "officer__", unit_ids=units.unit_ids)
    officers = User.objects.filter(_in_scope(filters, unit_ids=units.unit_ids))
    for unit_id, count in officers.values_list("unit_id").annotate(n=Count("pk")).order_by():
        units.for_unit(unit_id).officers += count
        total.officers += count
    codes = {kind.pk: kind.code for kind in filters.types}
    day = filters.as_of
    # Holders and the expiry buckets in one grouped pass over the records (no join but the officer).
    records = Qualification.objects.filter(_valid_on(day), scope, qualification_type_id__in=list(codes))
    buckets = {
        f"d{days}": Count("pk", filter=Q(expires_on__isnull=False, expires_on__lte=day + datetime.timedelta(days=days)))
        for days in EXPIRY_BUCKETS
    }
    grouped = (
        records.values_list("officer__unit_id", "qualification_type_id").annotate(n=Count("pk"), **buckets).order_by()
    )
    for unit_id, type_id, count, *expiring in grouped:
        code = codes[type_id]
        for row in (units.for_unit(unit_id), total):
            row.holders[code] = row.holders.get(code, 0) + count
            for days, soon in zip(EXPIRY_BUCKETS, expiring, strict=True):
                row.expiring[(code, days)] = row.expiring.get((code, days), 0) + soon
    rows = [row for row in units.rows if row.officers or row.key != "direct"]
    return CoverageTable(filters=filters, rows=rows, total=total)


@dataclass(frozen=True)
class DrillDown:
    """Which figure a drill-down list stands for."""

    cell: str
    row: str  # unit pk, "direct" or "total"
    type_code: str = ""
    days: int = 0
    phase: str = ""
    overdue: bool = False

    def as_data(self) -> dict:
        return {
            "cell": self.cell,
            "row": self.row,
            "type": self.type_code,
            "days": self.days,
            "phase": self.phase,
            "overdue": self.overdue,
        }


def drill_down_from(filters: DashboardFilters, params) -> DrillDown:
    """The cell named by a query string; one that does not exist in this dashboard is a 404."""
    cell = params.get("cell", "")
    row = str(params.get("row", "total"))
    type_code = params.get("type", "")
    raw_days = str(params.get("days", ""))
    phase = params.get("phase", "")
    if cell not in CELLS:
        raise Http404
    if row not in ("total", "direct") and not (
        row.isdigit() and filters.root.get_children().filter(pk=int(row)).exists()
    ):
        raise Http404
    days = int(raw_days) if raw_days.isdigit() else 0
    if cell in (CELL_HOLDERS, CELL_MISSING, CELL_EXPIRING) and type_code not in {k.code for k in filters.types}:
        raise Http404
    if cell == CELL_EXPIRING and days not in EXPIRY_BUCKETS:
        raise Http404
    if cell == CELL_PATHWAY and phase not in PathwayPhase.values:
        raise Http404
    if cell in (CELL_PATHWAY, CELL_LEADERS, CELL_LEADERS_TESTED, CELL_LEADERS_UNTESTED) and row != "total":
        raise Http404
    return DrillDown(
        cell=cell,
        row=row,
        type_code=type_code if cell != CELL_OFFICERS else "",
        days=days if cell == CELL_EXPIRING else 0,
        phase=phase if cell == CELL_PATHWAY else "",
        overdue=cell == CELL_PATHWAY and params.get("overdue", "") == "1",
    )


def drill_down_officers(filters: DashboardFilters, drill: DrillDown) -> QuerySet[User]:
    """Exactly the officers a figure counted, ordered by unit and police number."""
    officers = officers_in_scope(filters)
    root = filters.root
    if drill.row == "direct":
        officers = officers.filter(unit=root)
    elif drill.row != "total":
        unit = root.get_children().get(pk=int(drill.row))
        officers = officers.filter(unit__path__startswith=unit.path)
    day = filters.as_of
    if drill.cell in (CELL_HOLDERS, CELL_MISSING, CELL_EXPIRING):
        condition = Q(qualification_type__code=drill.type_code) & _valid_on(day)
        if drill.cell == CELL_EXPIRING:
            condition &= Q(expires_on__lte=day + datetime.timedelta(days=drill.days))
        holders = Qualification.objects.filter(condition).values("officer_id")
        officers = officers.exclude(pk__in=holders) if drill.cell == CELL_MISSING else officers.filter(pk__in=holders)
    elif drill.cell == CELL_PATHWAY:
        pathways = _pathways(filters).filter(phase=drill.phase)
        if drill.overdue:
            pathways = pathways.filter(_overdue(day))
        officers = officers.filter(pk__in=pathways.values("officer_id"))
    elif drill.cell in (CELL_SAT, CELL_PASSED):
        sittings = _sittings(filters)
        if drill.cell == CELL_PASSED:
            sittings = sittings.filter(_counted_pass())
        officers = officers.filter(pk__in=sittings.values("officer_id"))
    elif drill.cell in (CELL_ASSIGNED, CELL_COMPLETE):
        progress = assignment_progress(filters, within=officers)
        index = 0 if drill.cell == CELL_ASSIGNED else 1
        officers = officers.filter(pk__in=[pk for pk, counts in progress.items() if counts[index]])
    elif drill.cell in (CELL_LEADERS, CELL_LEADERS_TESTED, CELL_LEADERS_UNTESTED):
        officers = officers.filter(is_middle_leader=True)
        if drill.cell != CELL_LEADERS:
            tested = officers_tested(filters.year)
            officers = (
                officers.filter(pk__in=tested) if drill.cell == CELL_LEADERS_TESTED else officers.exclude(pk__in=tested)
            )
    elif drill.cell in RANDOM_TEST_CELLS:
        officers = officers.filter(pk__in=getattr(year_outcomes(filters.year), RANDOM_TEST_CELLS[drill.cell]))
    return officers.select_related("unit").order_by("unit__path", "police_number")


@dataclass(frozen=True)
class DrillFigures:
    """Per-officer numbers that add up to a figure counting sittings or assignments rather than
    officers: the list shows them beside each officer, so its column sums to the figure."""

    columns: tuple[str, str]
    by_officer: dict[int, tuple[int, int]]


def drill_down_figures(filters: DashboardFilters, drill: DrillDown, officers: QuerySet[User]) -> DrillFigures | None:
    """The numbers behind each listed officer, for cells that count more than officers."""
    if drill.cell in (CELL_SAT, CELL_PASSED):
        grouped = (
            _sittings(filters)
            .filter(officer__in=officers)
            .values_list("officer_id")
            .annotate(**_sitting_counts())
            .order_by()
        )
        return DrillFigures(
            columns=(pgettext("per officer", "Exams sat"), pgettext("per officer", "Exams passed")),
            by_officer={officer_id: (sat, passed) for officer_id, sat, passed in grouped},
        )
    if drill.cell in (CELL_ASSIGNED, CELL_COMPLETE):
        return DrillFigures(
            columns=(_("Assignments"), _("Assignments complete")),
            by_officer={pk: tuple(counts) for pk, counts in assignment_progress(filters, within=officers).items()},
        )
    return None


def drill_down_label(filters: DashboardFilters, drill: DrillDown) -> str:
    """A heading that says which figure the list is behind."""
    if drill.row == "total":
        where = filters.root.name
    elif drill.row == "direct":
        where = _("%(unit)s (own members)") % {"unit": filters.root.name}
    else:
        where = filters.root.get_children().get(pk=int(drill.row)).name
    names = {kind.code: kind.name for kind in filters.types}
    what = {
        CELL_OFFICERS: _("officers in scope"),
        CELL_HOLDERS: _("holding %(type)s") % {"type": names.get(drill.type_code, "")},
        CELL_MISSING: _("not holding %(type)s") % {"type": names.get(drill.type_code, "")},
        CELL_EXPIRING: _("%(type)s expiring within %(days)s days")
        % {"type": names.get(drill.type_code, ""), "days": drill.days},
        CELL_PATHWAY: str(PathwayPhase(drill.phase).label if drill.phase else "")
        + (" · " + _("overdue") if drill.overdue else ""),
        CELL_SAT: _("sat exams in %(year)s") % {"year": filters.year},
        CELL_PASSED: _("passed exams in %(year)s") % {"year": filters.year},
        CELL_ASSIGNED: _("study assigned in %(year)s") % {"year": filters.year},
        CELL_COMPLETE: _("assigned study completed in %(year)s") % {"year": filters.year},
        CELL_LEADERS: _("middle leaders"),
        CELL_LEADERS_TESTED: _("middle leaders tested in %(year)s") % {"year": filters.year},
        CELL_LEADERS_UNTESTED: _("middle leaders not yet tested in %(year)s") % {"year": filters.year},
        CELL_DRAWN: _("drawn for random tests in %(year)s") % {"year": filters.year},
        CELL_TESTED: _("tested in random tests in %(year)s") % {"year": filters.year},
        CELL_NO_SHOW: _("did not show for random tests in %(year)s") % {"year": filters.year},
    }[drill.cell]
    if filters.category:
        where = f"{where} · {Category(filters.category).label}"
    return f"{where} · {what}"


# ---- the overview page -------------------------------------------------------------------


def _pathways(filters: DashboardFilters) -> QuerySet[Pathway]:
    return Pathway.objects.filter(officer__in=officers_in_scope(filters))


def _overdue(day: datetime.date) -> Q:
    return (
        Q(phase=PathwayPhase.PHASE1, phase1_due__lt=day)
        | Q(phase=PathwayPhase.PHASE2, phase2_due__lt=day)
        | Q(phase=PathwayPhase.PHASE3, phase3_due__lt=day)
    )


@dataclass(frozen=True)
class FunnelStep:
    phase: str
    label: str
    count: int
    overdue: int


def pathway_funnel(filters: DashboardFilters) -> list[FunnelStep]:
    """New officers of the scope in each phase of the 123 pathway, and how many are past the
    phase's due date — one query."""
    counts = {
        phase: (count, overdue)
        for phase, count, overdue in _pathways(filters)
        .values_list("phase")
        .annotate(n=Count("pk"), late=Count("pk", filter=_overdue(filters.as_of)))
        .order_by()
    }
    return [
        FunnelStep(phase=phase, label=label, count=counts.get(phase, (0, 0))[0], overdue=counts.get(phase, (0, 0))[1])
        for phase, label in PathwayPhase.choices
    ]


@dataclass
class PassRateRow:
    path: str
    key: str  # the drill-down row: unit pk or "direct"
    label: str
    category: str
    sat: int = 0
    passed: int = 0

    @property
    def percent(self) -> float | None:
        return round(100 * self.passed / self.sat, 1) if self.sat else None


def _sittings(filters: DashboardFilters) -> QuerySet[Attempt]:
    """Released attempts at formal, qualification and random exams opening in the year, by
    officers in scope. A sitting is an (officer, exam) pair: count ``exam_id`` distinct."""
    return Attempt.objects.filter(
        officer__in=officers_in_scope(filters),
        exam__kind__in=EXAM_KINDS,
        exam__opens_at__year=filters.year,
        state=AttemptState.RELEASED,
    )


def _counted_pass(last_exam_ids: list[int] | None = None) -> Q:
    """A released attempt that passed and is the one that counts (``exams.selectors.results``):
    for a "highest" exam any passing attempt (the best score passes whenever one does, the pass
    mark being the exam's); for a "last" exam only the latest released attempt. ``last_exam_ids``
    (the year's "last" exams, when the caller has them) saves the join to the exam table."""
    later = Attempt.objects.filter(
        exam_id=OuterRef("exam_id"),
        officer_id=OuterRef("officer_id"),
        state=AttemptState.RELEASED,
        number__gt=OuterRef("number"),
    )
    counted_by_last = (
        Q(exam_id__in=last_exam_ids) if last_exam_ids is not None else Q(exam__counts=AttemptCounting.LAST)
    )
    return Q(passed=True) & (~counted_by_last | ~Exists(later))


def _sitting_counts(last_exam_ids: list[int] | None = None) -> dict:
    return {
        "sat": Count("exam_id", distinct=True),
        "passed": Count("exam_id", filter=_counted_pass(last_exam_ids), distinct=True),
    }


def exam_pass_rates(filters: DashboardFilters) -> list[PassRateRow]:
    """Per unit below the root and category: exam sittings of the year (an exam counts once per
    officer) and how many of them passed, following each exam's counting rule — six queries, however many officers."""
    # Rows per unit and category: the units' (key, label, path) first, the category rows as met.
    units = UnitRows(filters.root, lambda key, label, path: (key, label, path))
    order = {key: index for index, (key, _label, _path) in enumerate(units.rows)}
    # The year's exams first, then the attempts grouped by officer alone (no join: "distinct exam"
    # holds per officer), folded onto units through a map of the officers in scope — at province
    # scale this is a third of the time of grouping a join by unit and category.
    exams = Exam.objects.filter(kind__in=EXAM_KINDS, opens_at__year=filters.year)
    exam_ids = list(exams.values_list("pk", flat=True))
    last_ids = list(exams.filter(counts=AttemptCounting.LAST).values_list("pk", flat=True))
    in_scope = User.objects.filter(_in_scope(filters, unit_ids=units.unit_ids))
    officers = {pk: (unit_id, category) for pk, unit_id, category in in_scope.values_list("pk", "unit_id", "category")}
    grouped = (
        Attempt.objects.filter(exam_id__in=exam_ids, state=AttemptState.RELEASED)
        .values_list("officer_id")
        .annotate(**_sitting_counts(last_ids))
        .order_by()
    )
    rows: dict[tuple[str, str], PassRateRow] = {}
    for officer_id, sat, passed in grouped:
        if officer_id not in officers:
            continue
        unit_id, category = officers[officer_id]
        key, label, path = units.for_unit(unit_id)
        row = rows.setdefault((key, category), PassRateRow(path=path, key=key, label=label, category=category))
        row.sat += sat
        row.passed += passed
    return sorted(rows.values(), key=lambda row: (order[row.key], row.category))


@dataclass
class RandomTestRow:
    path: str
    key: str  # the drill-down row: unit pk or "direct"
    label: str
    officers: int = 0
    drawn: int = 0
    tested: int = 0
    no_show: int = 0

    @property
    def percent(self) -> float | None:
        """Officers of the unit tested in the year, of all officers in scope."""
        return round(100 * self.tested / self.officers, 1) if self.officers else None


def random_test_coverage(filters: DashboardFilters) -> list[RandomTestRow]:
    """Per unit below the root: officers in scope, and how many of them were drawn for a random
    test of the year, sat it, or did not show (``exams.selectors.sampling``) — five queries, however many officers."""
    units = UnitRows(filters.root, lambda key, label, path: RandomTestRow(path=path, key=key, label=label))
    outcomes = year_outcomes(filters.year)
    for pk, unit_id in User.objects.filter(_in_scope(filters, unit_ids=units.unit_ids)).values_list("pk", "unit_id"):
        row = units.for_unit(unit_id)
        row.officers += 1
        row.drawn += pk in outcomes.drawn
        row.tested += pk in outcomes.tested
        row.no_show += pk in outcomes.no_show
    return [row for row in units.rows if row.officers]


@dataclass(frozen=True)
class LeaderCoverage:
    total: int
    tested: int
    required: int

    @property
    def met(self) -> bool:
        return self.tested >= self.required

    @property
    def untested(self) -> int:
        return self.total - self.tested


def middle_leader_status(filters: DashboardFilters) -> LeaderCoverage:
    """The 1/3 rule for the year (``exams.selectors.sampling``), counted over the middle leaders
    in service in the chosen subtree: tested means sat a random test they were drawn for."""
    in_scope = set(officers_in_scope(filters).filter(is_middle_leader=True).values_list("pk", flat=True))
    total = len(in_scope)
    return LeaderCoverage(
        total=total,
        tested=len(in_scope & officers_tested(filters.year)),
        required=ceil_fraction(*MIDDLE_LEADER_FRACTION, total),
    )


RANKING_SIZE = 5


@dataclass(frozen=True)
class RankingSummary:
    quarter: int
    top: list
    bottom: list


def evaluation_ranking(filters: DashboardFilters) -> RankingSummary | None:
    """The year's latest evaluated quarter: the best and the lowest ranked legal officers of the
    chosen subtree (rank is over everyone evaluated). None when the year has no evaluations — three
    queries at most."""
    evaluations = QuarterlyEvaluation.objects.filter(
        scheme__year=filters.year, officer__in=officers_in_scope(filters), rank__isnull=False
    )
    quarter = evaluations.aggregate(latest=Max("quarter"))["latest"]
    if quarter is None:
        return None
    ranked = evaluations.filter(quarter=quarter).select_related("officer", "unit")
    top = list(ranked.order_by("rank", "pk")[:RANKING_SIZE])
    shown = {evaluation.pk for evaluation in top}
    bottom = [item for item in ranked.order_by("-rank", "-pk")[:RANKING_SIZE] if item.pk not in shown]
    return RankingSummary(quarter=quarter, top=top, bottom=list(reversed(bottom)))


@dataclass
class CompletionRow:
    path: str
    key: str  # the drill-down row: unit pk or "direct"
    label: str
    assigned: int = 0
    complete: int = 0

    @property
    def percent(self) -> float | None:
        return round(100 * self.complete / self.assigned, 1) if self.assigned else None


def _year_assignments(filters: DashboardFilters) -> QuerySet[StudyAssignment]:
    """Study assignments made in the year (still active or closed) that have a course."""
    return StudyAssignment.objects.filter(created_at__year=filters.year, course__isnull=False).select_related("course")


def assignment_completion(filters: DashboardFilters) -> list[CompletionRow]:
    """Per unit below the root: officer-assignments of the year's study assignments (the audience
    today) and how many of them have learned every live lesson. Two queries per assignment,
    however many officers."""
    units = UnitRows(filters.root, lambda key, label, path: CompletionRow(path=path, key=key, label=label))
    scope = officers_in_scope(filters)
    for assignment in _year_assignments(filters):
        officers, total = assignment_officers_with_progress(assignment, within=scope)
        for field_name, queryset in (("assigned", officers), ("complete", officers.filter(learned_count__gte=total))):
            for unit_id, count in queryset.order_by().values_list("unit_id").annotate(n=Count("pk", distinct=True)):
                row = units.for_unit(unit_id)
                setattr(row, field_name, getattr(row, field_name) + count)
    return [row for row in units.rows if row.assigned]


def assignment_progress(filters: DashboardFilters, *, within: QuerySet[User]) -> dict[int, list[int]]:
    """Per officer of ``within``: [assignments of the year they are in, how many they completed] —
    the officer-level numbers that add up to ``assignment_completion``. One query per assignment."""
    progress: dict[int, list[int]] = {}
    for assignment in _year_assignments(filters):
        officers, total = assignment_officers_with_progress(assignment, within=within)
        for pk, learned in dict(officers.order_by().values_list("pk", "learned_count")).items():
            counts = progress.setdefault(pk, [0, 0])
            counts[0] += 1
            counts[1] += learned >= total
    return progress


@dataclass(frozen=True)
class OverviewFigures:
    funnel: list[FunnelStep]
    pass_rates: list[PassRateRow]
    random_tests: list[RandomTestRow]
    leaders: LeaderCoverage
    completion: list[CompletionRow]
    ranking: RankingSummary | None


def overview_figures(filters: DashboardFilters) -> OverviewFigures:
    """Every figure of the overview page."""
    return OverviewFigures(
        funnel=pathway_funnel(filters),
        pass_rates=exam_pass_rates(filters),
        random_tests=random_test_coverage(filters),
        leaders=middle_leader_status(filters),
        completion=assignment_completion(filters),
        ranking=evaluation_ranking(filters),
    )
