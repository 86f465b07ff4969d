"""Registered xlsx exports of certification lists (``settings.PORTAL_EXPORTS``): the
qualification record list, the dashboards' coverage table and the officers behind a figure, each
with the page's filters applied.

``filters`` is the plain, JSON-serialisable dict the page puts in its export link; ``build``
applies the reader's scope again, so a background job run later exports no more than the user may
see now.
"""

from __future__ import annotations

from collections.abc import Callable

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from certification.selectors.dashboards import (
    EXPIRY_BUCKETS,
    DashboardFilters,
    DrillFigures,
    dashboard_filters_from,
    drill_down_figures,
    drill_down_from,
    drill_down_label,
    drill_down_officers,
    overview_figures,
    qualification_coverage,
)
from certification.selectors.qualifications import (
    qualification_filters_from,
    qualification_list,
    qualifications_dataframe,
)
from people.models import Category
from portal.formatting import quarter_name
from portal.services.exports import ExportResult

QUALIFICATION_FILTER_KEYS = ("type", "status", "unit", "expiring", "q")


class QualificationsExport:
    """The qualification record list with the list page's filters."""

    title = gettext_lazy("Qualification records")

    def filters_from(self, params) -> dict:
        return {key: str(params.get(key, "")) for key in QUALIFICATION_FILTER_KEYS}

    def _records(self, user, filters: dict):
        return qualification_list(user, qualification_filters_from(user, filters))

    def count(self, user, filters: dict) -> int:
        return self._records(user, filters).count()

    def build(self, user, filters: dict, progress: Callable[[int], None]) -> ExportResult:
        frame = qualifications_dataframe(self._records(user, filters))
        progress(len(frame))
        return ExportResult(
            sheets={_("Qualifications"): frame},
            filename=f"qualifications-{timezone.localdate():%Y%m%d}.xlsx",
            audit_action="certification.qualifications.exported",
        )


def officer_columns(figures: DrillFigures | None = None) -> list[str]:
    return [_("Police number"), _("Name"), _("Unit"), _("Category"), *(figures.columns if figures else ())]


def officer_rows(officers, figures: DrillFigures | None = None) -> list[dict]:
    """The drill-down list as rows: the same columns on screen and in the file; with ``figures``,
    each officer's share of a figure that counts sittings or assignments."""
    columns = officer_columns(figures)
    return [
        dict(
            zip(
                columns,
                [
                    officer.police_number,
                    officer.name,
                    officer.unit.name if officer.unit else "",
                    officer.get_category_display(),
                    *(figures.by_officer.get(officer.pk, (0, 0)) if figures else ()),
                ],
                strict=True,
            )
        )
        for officer in officers
    ]


class DashboardOfficersExport:
    """The officers behind one dashboard figure."""

    title = gettext_lazy("Officers behind a dashboard figure")

    def _officers(self, user, filters: dict):
        dashboard = dashboard_filters_from(user, filters)
        drill = drill_down_from(dashboard, filters)
        return dashboard, drill, drill_down_officers(dashboard, drill)

    def count(self, user, filters: dict) -> int:
        return self._officers(user, filters)[2].count()

    def build(self, user, filters: dict, progress: Callable[[int], None]) -> ExportResult:
        import pandas as pd

        dashboard, drill, officers = self._officers(user, filters)
        figures = drill_down_figures(dashboard, drill, officers)
        rows = officer_rows(officers.iterator(chunk_size=2000), figures)
        progress(len(rows))
        frame = pd.DataFrame(rows, columns=officer_columns(figures))
        return ExportResult(
            sheets={drill_down_label(dashboard, drill)[:31]: frame},
            filename=f"{_('dashboard-officers')}-{timezone.localdate():%Y%m%d}.xlsx",
            audit_action="certification.dashboard_officers.export",
        )


class DashboardQualificationsExport:
    """The qualification coverage table: one row per unit and qualification type."""

    title = gettext_lazy("Qualification coverage")

    def count(self, user, filters: dict) -> int:
        dashboard = dashboard_filters_from(user, filters)
        table = qualification_coverage(dashboard)
        return (len(table.rows) + 1) * len(dashboard.types)

    def build(self, user, filters: dict, progress: Callable[[int], None]) -> ExportResult:
        import pandas as pd

        dashboard = dashboard_filters_from(user, filters)
        table = qualification_coverage(dashboard)
        rows = []
        for row in [*table.rows, table.total]:
            for cell in row.cells(dashboard.types):
                rows.append(
                    {
                        _("Unit"): row.label,
                        _("Qualification"): cell["type"].name,
                        _("Officers"): row.officers,
                        _("Holders"): cell["holders"],
                        _("Percentage"): cell["percent"],
                        **{
                            _("Expiring within %(days)s days") % {"days": days}: count
                            for days, count in cell["expiring"]
                        },
                    }
                )
        progress(len(rows))
        columns = [_("Unit"), _("Qualification"), _("Officers"), _("Holders"), _("Percentage")] + [
            _("Expiring within %(days)s days") % {"days": days} for days in EXPIRY_BUCKETS
        ]
        return ExportResult(
            sheets={_("Coverage")[:31]: pd.DataFrame(rows, columns=columns)},
            filename=f"{_('qualification-coverage')}-{dashboard.as_of:%Y%m%d}.xlsx",
            audit_action="certification.dashboard_qualifications.export",
        )


class DashboardOverviewExport:
    """The overview page's tables, one sheet each: pathway funnel, exam pass rates, random-test
    coverage, study completion, middle leaders in random tests and the evaluation ranking —
    counted afresh, not the page's kept figures."""

    title = gettext_lazy("Pathway, exams and coverage")

    def _frames(self, user, filters: dict) -> tuple[DashboardFilters, dict]:
        import pandas as pd

        dashboard = dashboard_filters_from(user, filters)
        figures = overview_figures(dashboard)
        categories = dict(Category.choices)
        funnel = pd.DataFrame(
            [
                {_("Phase"): step.label, _("Officers"): step.count, _("Overdue"): step.overdue}
                for step in figures.funnel
            ],
            columns=[_("Phase"), _("Officers"), _("Overdue")],
        )
        pass_columns = [
            _("Unit"),
            _("Category"),
            _("Exams sat"),
            pgettext("number of passes", "Passed"),
            _("Pass rate (%)"),
        ]
        pass_rates = pd.DataFrame(
            [
                dict(
                    zip(
                        pass_columns,
                        [row.label, categories.get(row.category, row.category), row.sat, row.passed, row.percent],
                        strict=True,
                    )
                )
                for row in figures.pass_rates
            ],
            columns=pass_columns,
        )
        random_columns = [_("Unit"), _("Officers"), _("Officers drawn"), _("Tested"), _("No-show"), _("Tested (%)")]
        random_tests = pd.DataFrame(
            [
                dict(
                    zip(
                        random_columns,
                        [row.label, row.officers, row.drawn, row.tested, row.no_show, row.percent],
                        strict=True,
                    )
                )
                for row in figures.random_tests
            ],
            columns=random_columns,
        )
        completion_columns = [_("Unit"), _("Assigned"), _("Complete"), _("Completion (%)")]
        completion = pd.DataFrame(
            [
                dict(zip(completion_columns, [row.label, row.assigned, row.complete, row.percent], strict=True))
                for row in figures.completion
            ],
            columns=completion_columns,
        )
        leaders = figures.leaders
        leader_frame = pd.DataFrame(
            [
                {_("Figure"): _("Middle leaders"), _("Value"): leaders.total},
                {_("Figure"): _("Tested"), _("Value"): leaders.tested},
                {_("Figure"): _("Not yet tested"), _("Value"): leaders.untested},
                {_("Figure"): _("Required (one third)"), _("Value"): leaders.required},
            ],
            columns=[_("Figure"), _("Value")],
        )
        ranking = figures.ranking
        ranking_columns = [_("Quarter"), _("Rank"), _("Police number"), _("Name"), _("Unit"), _("Total")]
        ranked = [*ranking.top, *ranking.bottom] if ranking else []
        ranking_frame = pd.DataFrame(
            [
                dict(
                    zip(
                        ranking_columns,
                        [
                            quarter_name(evaluation.quarter),
                            evaluation.rank,
                            evaluation.officer.police_number,
                            evaluation.officer.name,
                            evaluation.unit.name if evaluation.unit else "",
                            float(evaluation.total),
                        ],
                        strict=True,
                    )
                )
                for evaluation in ranked
            ],
            columns=ranking_columns,
        )
        return dashboard, {
            _("123 pathway"): funnel,
            _("Exam pass rates"): pass_rates,
            _("Random ability tests"): random_tests,
            _("Study completion"): completion,
            _("Middle leaders"): leader_frame,
            _("Evaluation ranking"): ranking_frame,
        }

    def count(self, user, filters: dict) -> int:
        # Tables of units and phases: a few hundred rows at most, always answered at once.
        dashboard_filters_from(user, filters)
        return 0

    def build(self, user, filters: dict, progress: Callable[[int], None]) -> ExportResult:
        dashboard, sheets = self._frames(user, filters)
        progress(sum(len(frame) for frame in sheets.values()))
        return ExportResult(
            sheets={str(name)[:31]: frame for name, frame in sheets.items()},
            filename=f"{_('dashboard-overview')}-{dashboard.year}-{timezone.localdate():%Y%m%d}.xlsx",
            audit_action="certification.dashboard_overview.export",
        )


qualifications_export = QualificationsExport()
dashboard_overview_export = DashboardOverviewExport()
dashboard_officers_export = DashboardOfficersExport()
dashboard_qualifications_export = DashboardQualificationsExport()
