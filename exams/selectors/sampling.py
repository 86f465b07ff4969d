"""Reads of random ability tests (执法能力随机测试): who can be drawn, what a seed draws, the drawn
list's counts, and the yearly coverage report.

The draw itself is a pure function here (``sampling_compute``); ``exams.services.sampling`` stores
its result. Keeping it a read lets the plan page re-run a stored seed to show that the stored list
is exactly what the seed gives (for an appeal), without writing anything.

How a seed draws
----------------
The population is put in a stable order (by officer id) and shuffled once by
``random.Random(seed)`` — Python seeds an integer the same way on every machine — so one seed gives
one permutation. Every quota walks that same permutation and takes the first officers it still
needs, position quotas first (≥ 1/3 of 中层领导), then unit quotas topping up: an officer drawn for
one quota counts toward every other quota they fall under, so the list is as short as the quotas
allow.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from random import Random

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from exams.models import (
    Attempt,
    AttemptState,
    ExamExemption,
    QuotaKind,
    SampledOfficer,
    SampleOutcome,
    SamplingPlan,
    SamplingQuota,
    SamplingStatus,
)
from people.models import Category, OfficerStatus, Unit, User
from people.models.audience import POSITION_FIELDS, Position
from people.selectors.audience import officers_matching
from people.selectors.officers import officers_in_audience
from people.selectors.units import unit_full_paths

# Attempt states that mean the officer sat the test.
FINISHED_STATES = (AttemptState.SUBMITTED, AttemptState.GRADED, AttemptState.RELEASED)

# 2020年法制工作要点 item 4: in the yearly tests, at least a third of middle leaders are tested.
MIDDLE_LEADER_NUMERATOR = 1
MIDDLE_LEADER_DENOMINATOR = 3


def ceil_fraction(numerator: int, denominator: int, total: int) -> int:
    """⌈numerator / denominator × total⌉ in integers (no float rounding at exact thirds)."""
    return -(-numerator * total // denominator)


def plan_for_page(plan_pk: int) -> SamplingPlan:
    return (
        SamplingPlan.objects.select_related("exam", "drawn_by", "confirmed_by")
        .prefetch_related("audience_units_subtree", "audience_units_only", "audience_officers", "quotas__unit")
        .get(pk=plan_pk)
    )


# --- population ---------------------------------------------------------------------------------


def sampling_population(plan: SamplingPlan, *, as_of: datetime.datetime) -> list[User]:
    """The officers the plan can draw, by id: its audience (not left, not seconded), not on leave,
    not exempted from the exam by ``as_of``, aged within the plan's range on ``as_of``'s date.

    An officer without a birth date is left out when the plan has an age range: their age cannot
    be shown to be in it. Legal-brigade officers are drawn like everyone else (要点 item 18).
    """
    exempted = ExamExemption.objects.filter(exam_id=plan.exam_id, created_at__lte=as_of).values("officer_id")
    officers = (
        officers_matching(plan)
        .exclude(status=OfficerStatus.ON_LEAVE)
        .exclude(pk__in=exempted)
        .select_related("unit")
        .order_by("pk")
    )
    if plan.age_min is None and plan.age_max is None:
        return list(officers)
    day = timezone.localdate(as_of)
    result = []
    for officer in officers:
        age = officer.age_on(day)
        if age is None:
            continue
        if plan.age_min is not None and age < plan.age_min:
            continue
        if plan.age_max is not None and age > plan.age_max:
            continue
        result.append(officer)
    return result


# --- quotas in words -----------------------------------------------------------------------------


def quota_label(quota: SamplingQuota, unit_labels: dict[int, str] | None = None) -> str:
    """The quota in words, e.g. "Middle leaders: at least 1/3"."""
    unit_labels = unit_labels or {}
    unit = unit_labels.get(quota.unit_id, quota.unit.name) if quota.unit_id else ""
    if quota.kind == QuotaKind.POSITION_FRACTION:
        return _("%(position)s: at least %(numerator)s/%(denominator)s") % {
            "position": dict(Position.choices).get(quota.officer_position, quota.officer_position),
            "numerator": quota.numerator,
            "denominator": quota.denominator,
        }
    if quota.kind == QuotaKind.PER_UNIT:
        if unit:
            return _("%(count)s from each unit below %(unit)s") % {"count": quota.count, "unit": unit}
        return _("%(count)s from each unit") % {"count": quota.count}
    if unit:
        return _("%(count)s in total over the units below %(unit)s, by size") % {"count": quota.count, "unit": unit}
    return _("%(count)s in total over the units, by size") % {"count": quota.count}


# --- the draw ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GroupCheck:
    """One unit of a unit quota: how many it needs, how many the population has there, how many
    were drawn from it."""

    label: str
    needed: int
    available: int
    drawn: int

    @property
    def met(self) -> bool:
        return self.drawn >= self.needed


@dataclass(frozen=True)
class QuotaCheck:
    label: str
    kind: str
    needed: int
    available: int
    drawn: int
    groups: tuple[GroupCheck, ...] = ()

    @property
    def met(self) -> bool:
        return self.drawn >= self.needed and all(group.met for group in self.groups)


@dataclass(frozen=True)
class Pick:
    officer: User
    quota_label: str


@dataclass
class DrawResult:
    seed: int
    population_size: int
    picks: list[Pick] = field(default_factory=list)
    checks: list[QuotaCheck] = field(default_factory=list)
    shortfalls: list[str] = field(default_factory=list)

    @property
    def officer_ids(self) -> list[int]:
        return [pick.officer.pk for pick in self.picks]


def _shortfall(label: str, needed: int, available: int, unit: str = "") -> str:
    if unit:
        return _("%(quota)s: %(unit)s needs %(needed)s, the population there has only %(available)s.") % {
            "quota": label,
            "unit": unit,
            "needed": needed,
            "available": available,
        }
    return _("%(quota)s: needs %(needed)s, the population has only %(available)s.") % {
        "quota": label,
        "needed": needed,
        "available": available,
    }


def _unit_groups(quota: SamplingQuota, order: list[User], unit_labels: dict[int, str]) -> dict[str, list[User]]:
    """{group label: population officers in it, in draw order}. Below ``quota.unit``: each unit one
    level down with everything under it; without a unit: each unit officers are directly in."""
    groups: dict[str, list[User]] = {}
    if quota.unit_id is not None:
        parent = Unit.objects.get(pk=quota.unit_id)  # fresh: sibling inserts renumber paths
        children = {
            unit.path: unit_labels.get(unit.pk, unit.name)
            for unit in Unit.objects.filter(path__startswith=parent.path, depth=parent.depth + 1).order_by("path")
        }
        for label in children.values():
            groups[label] = []
        width = len(parent.path) + Unit.steplen
        for officer in order:
            if officer.unit_id is not None and len(officer.unit.path) >= width:
                label = children.get(officer.unit.path[:width])
                if label is not None:
                    groups[label].append(officer)
        return {label: members for label, members in groups.items() if members}
    ordered_units = sorted({officer.unit for officer in order if officer.unit_id is not None}, key=lambda u: u.path)
    for unit in ordered_units:
        groups[unit_labels.get(unit.pk, unit.name)] = []
    for officer in order:
        if officer.unit_id is not None:
            groups[unit_labels.get(officer.unit_id, officer.unit.name)].append(officer)
    return groups


def _proportional_targets(count: int, sizes: dict[str, int]) -> dict[str, int]:
    """Largest remainder: each unit gets ⌊count × size / total⌋, and the officers left over go to
    the units with the largest remainders (ties: the larger unit, then the order on the page)."""
    total = sum(sizes.values())
    if total == 0:
        return dict.fromkeys(sizes, 0)
    targets = {label: count * size // total for label, size in sizes.items()}
    left = count - sum(targets.values())
    ranked = sorted(sizes, key=lambda label: (-(count * sizes[label] % total), -sizes[label], list(sizes).index(label)))
    for label in ranked[:left]:
        targets[label] += 1
    return targets


def sampling_compute(plan: SamplingPlan, *, seed: int, as_of: datetime.datetime) -> DrawResult:
    """What ``seed`` draws from the plan's population as of ``as_of``; writes nothing.

    ``shortfalls`` names every quota (and unit) the population cannot meet; the picks are then
    incomplete and must not be stored.
    """
    population = sampling_population(plan, as_of=as_of)
    order = list(population)
    Random(seed).shuffle(order)
    result = DrawResult(seed=seed, population_size=len(population))
    drawn: set[int] = set()
    unit_labels = unit_full_paths()

    def take(officer: User, label: str) -> None:
        drawn.add(officer.pk)
        result.picks.append(Pick(officer=officer, quota_label=label))

    quotas = sorted(plan.quotas.all(), key=lambda q: (q.kind != QuotaKind.POSITION_FRACTION, q.position, q.pk))
    for quota in quotas:
        label = quota_label(quota, unit_labels)
        if quota.kind == QuotaKind.POSITION_FRACTION:
            flag = POSITION_FIELDS.get(quota.officer_position)
            members = [officer for officer in order if flag and getattr(officer, flag)]
            needed = ceil_fraction(quota.numerator, quota.denominator, len(members))
            have = sum(1 for officer in members if officer.pk in drawn)
            for officer in members:
                if have >= needed:
                    break
                if officer.pk not in drawn:
                    take(officer, label)
                    have += 1
            if needed > len(members):
                result.shortfalls.append(_shortfall(label, needed, len(members)))
            result.checks.append(
                QuotaCheck(label=label, kind=quota.kind, needed=needed, available=len(members), drawn=have)
            )
            continue
        groups = _unit_groups(quota, order, unit_labels)
        if quota.kind == QuotaKind.PER_UNIT:
            targets = dict.fromkeys(groups, quota.count)
        else:
            targets = _proportional_targets(quota.count, {name: len(members) for name, members in groups.items()})
            available = sum(len(members) for members in groups.values())
            if quota.count > available:
                result.shortfalls.append(_shortfall(label, quota.count, available))
        checks = []
        for name, members in groups.items():
            needed = targets[name]
            have = sum(1 for officer in members if officer.pk in drawn)
            for officer in members:
                if have >= needed:
                    break
                if officer.pk not in drawn:
                    take(officer, label)
                    have += 1
            if needed > len(members) and quota.kind == QuotaKind.PER_UNIT:
                result.shortfalls.append(_shortfall(label, needed, len(members), unit=name))
            checks.append(GroupCheck(label=name, needed=needed, available=len(members), drawn=have))
        result.checks.append(
            QuotaCheck(
                label=label,
                kind=quota.kind,
                needed=sum(check.needed for check in checks),
                available=sum(check.available for check in checks),
                drawn=sum(check.drawn for check in checks),
                groups=tuple(checks),
            )
        )
    return result


@dataclass(frozen=True)
class Rerun:
    """The stored seed re-run as of the draw, and whether it gives exactly the stored list."""

    result: DrawResult
    matches: bool


def sampling_rerun(plan: SamplingPlan) -> Rerun | None:
    """None before a draw. Officers who have left, been seconded or gone on leave since the draw
    change the population, so an old list may no longer re-run; the stored rows remain the record."""
    if plan.seed is None or plan.drawn_at is None or plan.status == SamplingStatus.DRAFT:
        return None
    result = sampling_compute(plan, seed=plan.seed, as_of=plan.drawn_at)
    stored = list(SampledOfficer.objects.filter(plan=plan).order_by("order").values_list("officer_id", flat=True))
    return Rerun(result=result, matches=not result.shortfalls and result.officer_ids == stored)


# --- the drawn list ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CountRow:
    label: str
    drawn: int


@dataclass
class DrawnListReview:
    rows: list[SampledOfficer]
    by_quota: list[CountRow]
    by_unit: list[CountRow]
    by_position: list[CountRow]
    outcomes: dict[str, int]


def drawn_list_review(plan: SamplingPlan) -> DrawnListReview:
    """The stored list with its counts per quota, per unit at the draw and per position."""
    rows = list(SampledOfficer.objects.filter(plan=plan).select_related("officer", "unit").order_by("order"))
    unit_labels = unit_full_paths()
    by_quota = Counter(row.quota_label for row in rows)
    by_unit = Counter(unit_labels.get(row.unit_id, "—") if row.unit_id else "—" for row in rows)
    positions = []
    for code, label in Position.choices:
        if code == Position.MIDDLE_LEADER:
            count = sum(1 for row in rows if row.was_middle_leader)
        else:
            count = sum(1 for row in rows if getattr(row.officer, POSITION_FIELDS[code]))
        positions.append(CountRow(label=str(label), drawn=count))
    return DrawnListReview(
        rows=rows,
        by_quota=[CountRow(label=label, drawn=n) for label, n in by_quota.items()],
        by_unit=[CountRow(label=label, drawn=n) for label, n in sorted(by_unit.items())],
        by_position=positions,
        outcomes=dict(Counter(row.outcome for row in rows)),
    )


# --- coverage ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CoverageRow:
    label: str
    officers: int
    drawn: int
    tested: int
    no_show: int

    @property
    def share_tested(self) -> float | None:
        """Percent of the row's officers tested this year; None when the row has nobody."""
        return round(100 * self.tested / self.officers, 1) if self.officers else None


@dataclass(frozen=True)
class MiddleLeaderCoverage:
    """Whether at least a third of middle leaders were tested in ``year``'s random tests."""

    year: int
    total: int
    tested: int
    required: int
    met: bool
    untested: list[User]


@dataclass(frozen=True)
class CoverageReport:
    year: int
    category: str  # "" for every category
    by_position: list[CoverageRow]
    by_unit: list[CoverageRow]
    total: CoverageRow
    middle_leaders: MiddleLeaderCoverage


def _year_samples(year: int) -> QuerySet[SampledOfficer]:
    """Drawn officers of the confirmed plans whose exam opened in ``year`` (local time)."""
    return SampledOfficer.objects.filter(plan__status=SamplingStatus.CONFIRMED, plan__exam__opens_at__year=year)


def _year_outcomes(year: int) -> tuple[set[int], set[int], set[int]]:
    """(drawn, tested, no-show) officer ids of ``year``. Tested: sat the test they were drawn for —
    counted as soon as they submit, before the window closes and outcomes are recorded. No-show:
    recorded as such and not tested in another of the year's tests."""
    samples = list(_year_samples(year).values_list("officer_id", "plan__exam_id", "outcome"))
    drawn = {officer for officer, _exam, _outcome in samples}
    pairs = {(officer, exam) for officer, exam, _outcome in samples}
    exams = {exam for _officer, exam in pairs}
    finished = set(
        Attempt.objects.filter(exam_id__in=exams, officer_id__in=drawn, state__in=FINISHED_STATES).values_list(
            "officer_id", "exam_id"
        )
    )
    tested = {officer for officer, exam in pairs & finished}
    tested |= {officer for officer, _exam, outcome in samples if outcome == SampleOutcome.TESTED}
    no_show = {officer for officer, _exam, outcome in samples if outcome == SampleOutcome.NO_SHOW} - tested
    return drawn, tested, no_show


@dataclass(frozen=True)
class YearOutcomes:
    """Officer ids of a year's random tests, for callers that count within their own officers."""

    drawn: set[int]
    tested: set[int]
    no_show: set[int]


def year_outcomes(year: int) -> YearOutcomes:
    """Who was drawn, tested and did not show in ``year`` (see ``_year_outcomes``)."""
    return YearOutcomes(*_year_outcomes(year))


def officers_tested(year: int) -> set[int]:
    """Ids of the officers who sat a random test they were drawn for in ``year``."""
    return _year_outcomes(year)[1]


def _officers_in_service() -> list[User]:
    return list(officers_in_audience().select_related("unit").order_by("unit__path", "police_number"))


def _middle_leader_coverage(year: int, officers: list[User], tested: set[int]) -> MiddleLeaderCoverage:
    leaders = [officer for officer in officers if officer.is_middle_leader]
    tested_count = sum(1 for officer in leaders if officer.pk in tested)
    required = ceil_fraction(MIDDLE_LEADER_NUMERATOR, MIDDLE_LEADER_DENOMINATOR, len(leaders))
    return MiddleLeaderCoverage(
        year=year,
        total=len(leaders),
        tested=tested_count,
        required=required,
        met=tested_count >= required,
        untested=[officer for officer in leaders if officer.pk not in tested],
    )


def middle_leader_coverage(year: int) -> MiddleLeaderCoverage:
    """The 1/3 rule for ``year``: middle leaders in service now, how many of them sat a random
    test they were drawn for in a test opening that year, how many that must be, and who has not."""
    _drawn, tested, _no_show = _year_outcomes(year)
    return _middle_leader_coverage(year, _officers_in_service(), tested)


def _row(label: str, officers: list[User], drawn: set[int], tested: set[int], no_show: set[int]) -> CoverageRow:
    ids = {officer.pk for officer in officers}
    return CoverageRow(
        label=label, officers=len(ids), drawn=len(ids & drawn), tested=len(ids & tested), no_show=len(ids & no_show)
    )


def sampling_coverage(year: int, *, category: str = Category.OFFICER) -> CoverageReport:
    """Per position and per unit (each unit directly below the branch, with its subtree): officers
    of ``category`` ("" for all) in service now, and how many of them were drawn, tested and did
    not show in ``year``. Police officers by default: random ability tests are for 民警.

    Positions overlap (a legal-brigade leader is a middle leader and a legal-brigade officer);
    "Other officers" hold none of the three. The middle-leader rule counts every category.
    """
    drawn, tested, no_show = _year_outcomes(year)
    everyone = _officers_in_service()
    officers = [officer for officer in everyone if not category or officer.category == category]
    groups = [
        (_("Middle leaders"), [o for o in officers if o.is_middle_leader]),
        (_("Legal officers"), [o for o in officers if o.is_legal_officer]),
        (_("Legal-brigade officers"), [o for o in officers if o.is_legal_brigade]),
        (
            _("Other officers"),
            [o for o in officers if not (o.is_middle_leader or o.is_legal_officer or o.is_legal_brigade)],
        ),
    ]
    by_position = [_row(str(label), members, drawn, tested, no_show) for label, members in groups]

    width = 2 * Unit.steplen
    top_units = {unit.path: unit for unit in Unit.objects.filter(depth__lte=2)}
    unit_labels = unit_full_paths()
    members_by_path: dict[str, list[User]] = defaultdict(list)
    for officer in officers:
        members_by_path[officer.unit.path[:width] if officer.unit_id else ""].append(officer)
    by_unit = []
    for path in sorted(members_by_path):
        unit = top_units.get(path)
        label = unit_labels.get(unit.pk, unit.name) if unit is not None else _("No unit")
        by_unit.append(_row(label, members_by_path[path], drawn, tested, no_show))
    return CoverageReport(
        year=year,
        category=category,
        by_position=by_position,
        by_unit=by_unit,
        total=_row(_("All officers"), officers, drawn, tested, no_show),
        middle_leaders=_middle_leader_coverage(year, everyone, tested),
    )


def coverage_dataframes(report: CoverageReport) -> dict[str, object]:
    """{sheet name: pandas DataFrame} of the report, headers in the active language."""
    import pandas as pd

    columns = [_("Group"), _("Officers"), _("Officers drawn"), _("Tested"), _("Did not show"), _("Share tested (%)")]

    def frame(rows: list[CoverageRow]):
        return pd.DataFrame(
            [
                [row.label, row.officers, row.drawn, row.tested, row.no_show, row.share_tested]
                for row in [*rows, report.total]
            ],
            columns=columns,
        )

    unit_labels = unit_full_paths()
    untested = pd.DataFrame(
        [
            [officer.police_number, officer.name, unit_labels.get(officer.unit_id, "")]
            for officer in report.middle_leaders.untested
        ],
        columns=[_("Police number"), _("Name"), _("Unit")],
    )
    return {
        _("By position"): frame(report.by_position),
        _("By unit"): frame(report.by_unit),
        _("Middle leaders not tested"): untested,
    }
