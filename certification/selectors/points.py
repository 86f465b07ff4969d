"""Reads of the points ledger (积分), the over-50 case-handling indicators and the yearly promotion
summary (non-leadership promotion review).

Every total is a sum of ``PointEntry`` rows, and every generated row names its source record, so a
reader can follow any number back to the attendance, case, exam or qualification behind it.
Scope follows ``people.selectors``: an officer their own ledger, a unit leader their unit subtree,
HR and the legal brigade everyone; outside scope is a 404.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Avg, Count, Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from certification.models import (
    CaseHandlingIndicator,
    CaseQualityShare,
    IndicatorTarget,
    PointCategory,
    PointEntry,
    Qualification,
    QualificationStatus,
    ShareRole,
)
from certification.selectors.court import CourtProgress, court_progress, is_court_reviewer
from certification.selectors.file import FileEntry
from exams.models import Attempt
from exams.selectors.results import passed_exams
from people.models import TRAINING_STAFF, Role, Unit, User
from people.selectors import has_role, officers_visible_to

# Who sees other officers' ledgers, the summary list and the over-50 list (each within scope).
POINTS_LIST_ROLES = (Role.UNIT_LEADER, Role.HR, *TRAINING_STAFF)
ZERO = Decimal("0")


def can_list_points(user) -> bool:
    return has_role(user, *POINTS_LIST_ROLES)


def year_choices(today: datetime.date | None = None) -> list[int]:
    year = (today or timezone.localdate()).year
    return list(range(year, year - 6, -1))


# --- sources ------------------------------------------------------------------------------------------


def entry_source_url(entry: PointEntry, viewer) -> str:
    """A page where ``viewer`` may open the entry's source record; empty when there is none."""
    if not entry.source_type:
        return ""
    pk = entry.source_id
    if entry.source_type == "certification.qualification":
        return reverse("certification:qualification_detail", args=[pk])
    if entry.source_type == "certification.casequalityshare":
        share = CaseQualityShare.objects.select_related("record").filter(pk=pk).first()
        if share is None:
            return ""
        return reverse("certification:case_list") + f"?q={share.record.case_number}"
    if entry.source_type == "certification.courtattendance":
        if is_court_reviewer(viewer):
            return reverse("certification:court_review") + f"?highlight={pk}"
        if viewer.pk == entry.officer_id:
            return reverse("certification:my_court") + f"#attendance-{pk}"
        return reverse("certification:court_evidence", args=[pk])
    if entry.source_type == "exams.attempt":
        if viewer.pk == entry.officer_id:
            return reverse("exams:attempt_result", args=[pk])
        if has_role(viewer, *TRAINING_STAFF):
            attempt = Attempt.objects.filter(pk=pk).only("exam_id").first()
            return reverse("exams:exam_detail", args=[attempt.exam_id]) if attempt else ""
    return ""


# --- the ledger ---------------------------------------------------------------------------------------


@dataclass
class Ledger:
    officer: User
    year: int
    entries: list[PointEntry]
    by_category: list[tuple[str, str, Decimal]]  # (code, label, total), every category
    total: Decimal


def officer_ledger(officer: User, year: int, *, viewer=None) -> Ledger:
    entries = list(
        PointEntry.objects.filter(officer=officer, year=year)
        .select_related("created_by")
        .order_by("-occurred_on", "-pk")
    )
    totals: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for entry in entries:
        totals[entry.category] += entry.points
        entry.source_url = entry_source_url(entry, viewer) if viewer is not None else ""
    by_category = [(code, label, totals[code]) for code, label in PointCategory.choices]
    return Ledger(officer, year, entries, by_category, sum((entry.points for entry in entries), ZERO))


def points_summary_rows(user, *, year: int, unit: Unit | None = None, search: str = "") -> list[dict]:
    """One row per visible active officer with the year's total per category and overall, ordered
    by unit and police number."""
    officers = (
        officers_visible_to(user).filter(is_active=True).select_related("unit").order_by("unit__path", "police_number")
    )
    if unit is not None:
        officers = officers.filter(unit__path__startswith=unit.path)
    search = search.strip()
    if search:
        officers = officers.filter(Q(name__icontains=search) | Q(police_number__icontains=search))
    officers = list(officers)
    sums: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for row in (
        PointEntry.objects.filter(year=year, officer__in=[officer.pk for officer in officers])
        .values("officer_id", "category")
        .annotate(total=Sum("points"))
    ):
        sums[row["officer_id"]][row["category"]] = row["total"]
    rows = []
    for officer in officers:
        per = sums.get(officer.pk, {})
        rows.append(
            {
                "officer": officer,
                "categories": [per.get(code, ZERO) for code in PointCategory.values],
                "total": sum(per.values(), ZERO),
            }
        )
    return rows


def points_summary_dataframe(rows: list[dict]):
    import pandas as pd

    labels = [str(label) for _code, label in PointCategory.choices]
    columns = ["警号", "姓名", "单位", *labels, "合计"]
    return pd.DataFrame(
        [
            [
                row["officer"].police_number,
                row["officer"].name,
                row["officer"].unit.full_path if row["officer"].unit else "",
                *[float(value) for value in row["categories"]],
                float(row["total"]),
            ]
            for row in rows
        ],
        columns=columns,
    )


# --- over-50 indicators -------------------------------------------------------------------------------


class IndicatorState:
    MET = "met"
    NOT_MET = "not_met"
    NO_DATA = "no_data"


INDICATOR_LABELS = {
    IndicatorState.MET: gettext_lazy("Met"),
    IndicatorState.NOT_MET: gettext_lazy("Not met"),
    IndicatorState.NO_DATA: gettext_lazy("No data"),
}


@dataclass
class IndicatorStatus:
    officer: User
    year: int
    age: int | None
    target: IndicatorTarget
    indicator: CaseHandlingIndicator | None
    state: str

    @property
    def label(self) -> str:
        return str(INDICATOR_LABELS[self.state])


def _status(
    officer: User, year: int, target: IndicatorTarget, indicator: CaseHandlingIndicator | None
) -> IndicatorStatus:
    if indicator is None:
        state = IndicatorState.NO_DATA
    elif (
        indicator.cases_handled >= target.cases_required and indicator.incidents_responded >= target.incidents_required
    ):
        state = IndicatorState.MET
    else:
        state = IndicatorState.NOT_MET
    return IndicatorStatus(officer, year, officer.age_on(datetime.date(year, 12, 31)), target, indicator, state)


def indicator_status(officer: User, year: int) -> IndicatorStatus | None:
    """The officer's status for ``year`` if there is a target and they reach its age on 31 December
    of the year; None otherwise (no target, younger, or no birth date)."""
    target = IndicatorTarget.objects.filter(year=year).first()
    if target is None:
        return None
    age = officer.age_on(datetime.date(year, 12, 31))
    if age is None or age < target.min_age:
        return None
    return _status(officer, year, target, CaseHandlingIndicator.objects.filter(officer=officer, year=year).first())


def indicator_list(user, *, year: int, unit: Unit | None = None, state: str = "") -> list[IndicatorStatus]:
    """Visible active officers aged ``min_age`` or more on 31 December of ``year``, with status."""
    target = IndicatorTarget.objects.filter(year=year).first()
    if target is None:
        return []
    born_by = _years_before(datetime.date(year, 12, 31), target.min_age)
    officers = (
        officers_visible_to(user)
        .filter(is_active=True, birth_date__isnull=False, birth_date__lte=born_by)
        .select_related("unit")
        .order_by("unit__path", "police_number")
    )
    if unit is not None:
        officers = officers.filter(unit__path__startswith=unit.path)
    indicators = {
        indicator.officer_id: indicator
        for indicator in CaseHandlingIndicator.objects.filter(year=year, officer__in=officers)
    }
    rows = [_status(officer, year, target, indicators.get(officer.pk)) for officer in officers]
    return [row for row in rows if not state or row.state == state]


def _years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def indicator_dataframe(rows: list[IndicatorStatus]):
    import pandas as pd

    return pd.DataFrame(
        [
            {
                "警号": row.officer.police_number,
                "姓名": row.officer.name,
                "单位": row.officer.unit.full_path if row.officer.unit else "",
                "年龄": row.age,
                "办理案件": row.indicator.cases_handled if row.indicator else None,
                "应办理案件": row.target.cases_required,
                "接处警": row.indicator.incidents_responded if row.indicator else None,
                "应接处警": row.target.incidents_required,
                "状态": row.label,
            }
            for row in rows
        ],
        columns=["警号", "姓名", "单位", "年龄", "办理案件", "应办理案件", "接处警", "应接处警", "状态"],
    )


# --- the yearly promotion summary ---------------------------------------------------------------------


@dataclass
class PromotionSummary:
    officer: User
    year: int
    ledger: Ledger
    court: CourtProgress
    exams_passed: list[Attempt] = field(default_factory=list)
    qualifications: list[Qualification] = field(default_factory=list)
    case_count: int = 0
    case_mean_score: Decimal | None = None
    case_deductions: Decimal = ZERO
    indicator: IndicatorStatus | None = None

    @property
    def total(self) -> Decimal:
        return self.ledger.total


def promotion_summary(officer: User, year: int, *, viewer=None) -> PromotionSummary:
    """What non-leadership promotion review looks at for ``officer`` in ``year``."""
    year_end = datetime.date(year, 12, 31)
    day = min(year_end, timezone.localdate())
    qualifications = [
        record
        for record in Qualification.objects.filter(officer=officer, status=QualificationStatus.VALID).select_related(
            "qualification_type"
        )
        if record.is_valid_on(day)
    ]
    cases = CaseQualityShare.objects.filter(officer=officer, role=ShareRole.HANDLER, record__case_date__year=year)
    stats = cases.aggregate(count=Count("pk"), mean=Avg("record__score"), deductions=Sum("record__deductions"))
    mean = stats["mean"]
    return PromotionSummary(
        officer=officer,
        year=year,
        ledger=officer_ledger(officer, year, viewer=viewer),
        court=court_progress(officer, year),
        exams_passed=passed_exams(officer, year),
        qualifications=qualifications,
        case_count=stats["count"],
        case_mean_score=Decimal(mean).quantize(Decimal("0.01")) if mean is not None else None,
        case_deductions=stats["deductions"] or ZERO,
        indicator=indicator_status(officer, year),
    )


def promotion_summary_dataframe(summaries: list[PromotionSummary]):
    import pandas as pd

    labels = [str(label) for _code, label in PointCategory.choices]
    rows = []
    for summary in summaries:
        officer = summary.officer
        rows.append(
            [
                officer.police_number,
                officer.name,
                officer.unit.full_path if officer.unit else "",
                summary.year,
                *[float(total) for _code, _label, total in summary.ledger.by_category],
                float(summary.total),
                summary.court.verified,
                summary.court.required if summary.court.required is not None else "",
                len(summary.exams_passed),
                "、".join(attempt.exam.title for attempt in summary.exams_passed),
                "、".join(record.qualification_type.name for record in summary.qualifications),
                summary.case_count,
                float(summary.case_mean_score) if summary.case_mean_score is not None else "",
                float(summary.case_deductions),
                summary.indicator.label if summary.indicator else "",
            ]
        )
    columns = [
        "警号",
        "姓名",
        "单位",
        "年度",
        *labels,
        "积分合计",
        "庭审旁听已核实",
        "庭审旁听应完成",
        "通过考试数",
        "通过考试",
        "有效资格",
        "案件数",
        "案件平均分",
        "扣分合计",
        "办案指标",
    ]
    return pd.DataFrame(rows, columns=columns)


# --- the law-enforcement file -------------------------------------------------------------------------


def file_entries(officer: User) -> list[FileEntry]:
    """One line per year with points: the total and the biggest categories."""
    labels = dict(PointCategory.choices)
    per_year: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for row in PointEntry.objects.filter(officer=officer).values("year", "category").annotate(total=Sum("points")):
        per_year[row["year"]][row["category"]] = row["total"]
    entries = []
    for year, totals in sorted(per_year.items(), reverse=True):
        total = sum(totals.values(), ZERO)
        detail = "；".join(f"{labels.get(code, code)} {value}" for code, value in sorted(totals.items()))
        entries.append(
            FileEntry(
                date=min(datetime.date(year, 12, 31), timezone.localdate()),
                kind="points",
                kind_label=_("Points ledger"),
                title=_("Points %(year)s: %(total)s") % {"year": year, "total": total},
                detail=detail,
                points=total,
                url=reverse("certification:officer_points", args=[officer.pk]) + f"?year={year}",
            )
        )
    return entries
