"""HR and unit-leader dashboards: qualification coverage, expiring qualifications, the pathway
funnel, pass rates and middle-leader coverage, each figure drilling down to its officers.

Views stay thin: figures come from ``certification.selectors.dashboards``; exports go through
``portal.services.exports.export_respond`` (registered in ``PORTAL_EXPORTS``), which audits them.
Anyone but HR, admins and unit leaders — and a unit leader asking for a unit outside their
subtree — gets a 404.
"""

from __future__ import annotations

import functools
from dataclasses import replace

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from certification.exports import officer_rows
from certification.models import QualificationType
from certification.selectors.dashboards import (
    CELL_ASSIGNED,
    CELL_COMPLETE,
    CELL_EXPIRING,
    CELL_HOLDERS,
    CELL_LEADERS,
    CELL_LEADERS_TESTED,
    CELL_LEADERS_UNTESTED,
    CELL_MISSING,
    CELL_OFFICERS,
    CELL_PASSED,
    CELL_PATHWAY,
    CELL_SAT,
    COVERAGE_TYPE_CODES,
    OVERVIEW_CELLS,
    RANDOM_TEST_CELLS,
    cached_figures,
    can_view_dashboards,
    dashboard_filters_from,
    dashboard_units,
    drill_down_figures,
    drill_down_from,
    drill_down_label,
    drill_down_officers,
    overview_figures,
    qualification_coverage,
)
from people.models import Category
from people.models.audience import Position
from people.selectors import unit_full_paths
from portal.charts import bar_chart_svg
from portal.services.exports import export_respond

DRILL_PAGE_LIMIT = 500


def _filters(request):
    if not can_view_dashboards(request.user):
        raise Http404
    return dashboard_filters_from(request.user, request.GET)


def _query(filters, **cell) -> str:
    data = filters.as_data()
    data.update({key: value for key, value in cell.items() if value not in ("", None)})
    return urlencode(data, doseq=True)


@functools.lru_cache(maxsize=256)
def _filters_query(filters) -> str:
    """The filters' part of a drill-down link, encoded once for the page's few hundred links."""
    return urlencode(filters.as_data(), doseq=True)


def _drill_url(filters, **cell) -> str:
    cell_query = urlencode({key: value for key, value in cell.items() if value not in ("", None)})
    return f"{reverse('certification:dashboard_officers')}?{_filters_query(filters)}&{cell_query}"


def _filter_context(request, filters) -> dict:
    return {
        "filters": filters,
        # (pk, full path) in one query: a Unit's ``full_path`` reads its ancestors each time.
        "units": list(unit_full_paths(dashboard_units(request.user)).items()),
        "categories": Category.choices,
        "positions": Position.choices,
        "all_types": sorted(
            QualificationType.objects.filter(code__in=COVERAGE_TYPE_CODES),
            key=lambda kind: COVERAGE_TYPE_CODES.index(kind.code),
        ),
        "selected_types": {kind.code for kind in filters.types},
        "query": _query(filters),
    }


@login_required
@require_GET
def dashboard_qualifications(request):
    filters = _filters(request)
    figures = cached_figures("coverage", filters, qualification_coverage, fresh=_fresh(request))
    table = figures.value
    rows = []
    for row in [*table.rows, table.total]:
        cells = row.cells(filters.types)
        for cell in cells:
            code = cell["type"].code
            cell["holders_url"] = _drill_url(filters, cell=CELL_HOLDERS, row=row.key, type=code)
            cell["missing_url"] = _drill_url(filters, cell=CELL_MISSING, row=row.key, type=code)
            cell["expiring"] = [
                (days, count, _drill_url(filters, cell=CELL_EXPIRING, row=row.key, type=code, days=days))
                for days, count in cell["expiring"]
            ]
        rows.append(
            {
                "row": row,
                "cells": cells,
                "officers_url": _drill_url(filters, cell=CELL_OFFICERS, row=row.key),
                "is_total": row.key == "total",
            }
        )
    charts = [
        (
            kind,
            bar_chart_svg(
                [(row.label, row.percent(kind.code)) for row in table.rows],
                title=_("%(type)s: holders") % {"type": kind.name},
            ),
        )
        for kind in filters.types
    ]
    context = _filter_context(request, filters) | {
        "rows": rows,
        "charts": charts,
        "table": table,
        "figures": figures,
    }
    return render(request, "certification/dashboards/qualifications.html", context)


@login_required
@require_GET
def dashboard_qualifications_xlsx(request):
    filters = _filters(request)
    return export_respond(request, kind="certification.dashboard_qualifications", filters=filters.as_data())


def _fresh(request) -> bool:
    """The page's "refresh" link: recount instead of showing the kept figures."""
    return request.GET.get("fresh") == "1"


def _drill(request):
    filters = _filters(request)
    drill = drill_down_from(filters, request.GET)
    return filters, drill


@login_required
@require_GET
def dashboard_officers(request):
    filters, drill = _drill(request)
    officers = drill_down_officers(filters, drill)
    total = officers.count()
    # Only the columns the list shows: the sort before the limit carries narrow rows.
    shown = list(officers.only("police_number", "name", "category", "unit__name")[:DRILL_PAGE_LIMIT])
    figures = drill_down_figures(filters, drill, officers.filter(pk__in=[officer.pk for officer in shown]))
    context = _filter_context(request, filters) | {
        "drill": drill,
        "heading": drill_down_label(filters, drill),
        "officers": officer_rows(shown, figures),
        # The per-officer numbers add up to the figure clicked: show the sums under the list.
        "figure_totals": [sum(values[i] for values in figures.by_officer.values()) for i in range(2)]
        if figures and total <= DRILL_PAGE_LIMIT
        else None,
        "back_url": reverse(
            f"certification:dashboard_{'overview' if drill.cell in OVERVIEW_CELLS else 'qualifications'}"
        ),
        "total": total,
        "truncated": total > DRILL_PAGE_LIMIT,
        "limit": DRILL_PAGE_LIMIT,
        "export_query": _query(filters, **drill.as_data() | {"overdue": "1" if drill.overdue else ""}),
    }
    return render(request, "certification/dashboards/officers.html", context)


@login_required
@require_GET
def dashboard_officers_xlsx(request):
    filters, drill = _drill(request)
    data = filters.as_data() | drill.as_data() | {"overdue": "1" if drill.overdue else ""}
    return export_respond(request, kind="certification.dashboard_officers", filters=data)


@login_required
@require_GET
def dashboard_overview(request):
    filters = _filters(request)
    figures = cached_figures("overview", filters, overview_figures, fresh=_fresh(request))
    overview = figures.value
    funnel = [
        {
            "step": step,
            "url": _drill_url(filters, cell=CELL_PATHWAY, row="total", phase=step.phase),
            "overdue_url": _drill_url(filters, cell=CELL_PATHWAY, row="total", phase=step.phase, overdue="1"),
        }
        for step in overview.funnel
    ]
    category_labels = dict(Category.choices)
    pass_rates = [
        {
            "row": row,
            "category": category_labels.get(row.category, row.category),
            # The row's category becomes the drill-down's category filter.
            "sat_url": _drill_url(replace(filters, category=row.category), cell=CELL_SAT, row=row.key),
            "passed_url": _drill_url(replace(filters, category=row.category), cell=CELL_PASSED, row=row.key),
        }
        for row in overview.pass_rates
    ]
    random_tests = [
        {
            "row": row,
            "urls": {cell: _drill_url(filters, cell=cell, row=row.key) for cell in [CELL_OFFICERS, *RANDOM_TEST_CELLS]},
        }
        for row in overview.random_tests
    ]
    completion = [
        {
            "row": row,
            "assigned_url": _drill_url(filters, cell=CELL_ASSIGNED, row=row.key),
            "complete_url": _drill_url(filters, cell=CELL_COMPLETE, row=row.key),
        }
        for row in overview.completion
    ]
    ranking = overview.ranking
    context = _filter_context(request, filters) | {
        "funnel": funnel,
        "funnel_chart": bar_chart_svg(
            [(item["step"].label, item["step"].count) for item in funnel], unit="", title=_("123 pathway")
        ),
        "pass_rates": pass_rates,
        "pass_chart": bar_chart_svg(
            [(f"{item['row'].label} · {item['category']}", item["row"].percent) for item in pass_rates],
            title=_("Pass rate"),
        ),
        "random_tests": random_tests,
        "random_chart": bar_chart_svg(
            [(item["row"].label, item["row"].percent) for item in random_tests], title=_("Tested in random tests")
        ),
        "leaders": overview.leaders,
        "leader_urls": {
            key: _drill_url(filters, cell=cell, row="total")
            for key, cell in (
                ("total", CELL_LEADERS),
                ("tested", CELL_LEADERS_TESTED),
                ("untested", CELL_LEADERS_UNTESTED),
            )
        },
        "completion": completion,
        "completion_chart": bar_chart_svg(
            [(item["row"].label, item["row"].percent) for item in completion], title=_("Study completion")
        ),
        "ranking": ranking,
        "ranking_lists": [(_("Top"), ranking.top, "top"), (_("Bottom"), ranking.bottom, "bottom")] if ranking else [],
        "figures": figures,
    }
    return render(request, "certification/dashboards/overview.html", context)


@login_required
@require_GET
def dashboard_overview_xlsx(request):
    filters = _filters(request)
    return export_respond(request, kind="certification.dashboard_overview", filters=filters.as_data())


urlpatterns: list = [
    path("dashboards/qualifications/", dashboard_qualifications, name="dashboard_qualifications"),
    path("dashboards/qualifications.xlsx", dashboard_qualifications_xlsx, name="dashboard_qualifications_xlsx"),
    path("dashboards/officers/", dashboard_officers, name="dashboard_officers"),
    path("dashboards/officers.xlsx", dashboard_officers_xlsx, name="dashboard_officers_xlsx"),
    path("dashboards/overview/", dashboard_overview, name="dashboard_overview"),
    path("dashboards/overview.xlsx", dashboard_overview_xlsx, name="dashboard_overview_xlsx"),
]
