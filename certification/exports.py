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
from django.utils.translation import gettext_lazy

from certification.selectors.dashboards import (
    EXPIRY_BUCKETS,
    dashboard_filters_from,
    drill_down_from,
    drill_down_label,
    drill_down_officers,
    qualification_coverage,
)
from certification.selectors.qualifications import (
    qualification_filters_from,
    qualification_list,
    qualifications_dataframe,
)
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


def officer_rows(officers) -> list[dict]:
    """The drill-down list as rows: the same columns on screen and in the file."""
    return [
        {
            _("Police number"): officer.police_number,
            _("Name"): officer.name,
            _("Unit"): officer.unit.name if officer.unit else "",
            _("Category"): officer.get_category_display(),
        }
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
        rows = officer_rows(officers.iterator(chunk_size=2000))
        progress(len(rows))
        frame = pd.DataFrame(rows, columns=[_("Police number"), _("Name"), _("Unit"), _("Category")])
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


qualifications_export = QualificationsExport()
dashboard_officers_export = DashboardOfficersExport()
dashboard_qualifications_export = DashboardQualificationsExport()
