"""Registered xlsx exports (``settings.PORTAL_EXPORTS``) of two certification lists: the 123-pathway
board and the case-quality record list, each with the list page's filters applied.

``filters`` is the plain, JSON-serialisable dict the page's download link carries. It is parsed by
the list page's own filter form, so a value the page ignores (an unknown phase, a unit outside the
reader's scope, a malformed date) is ignored here in the same way and the file holds the rows the
screen shows. ``build`` checks the reader's access again: a background job runs later, and must not
export more than the user may see then.
"""

from __future__ import annotations

from collections.abc import Callable

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from certification.selectors.cases import case_record_list, case_records_dataframe
from certification.selectors.pathway import (
    BoardRow,
    can_manage_pathways,
    pathway_board_dataframe,
    pathway_board_rows,
)
from certification.views.pathway_forms import BoardFilterForm, CaseFilterForm
from people.selectors import units_visible_to
from portal.services.exports import ExportResult


def _filters_from(params, keys: tuple[str, ...]) -> dict:
    """The list's filters from a query string, as strings (``page`` is left out: a file has every page)."""
    return {key: str(params.get(key, "")) for key in keys}


def _cleaned(form) -> dict:
    """What the list page does with its form: the cleaned values, or no filter at all when invalid."""
    return form.cleaned_data if form.is_valid() else {}


class PathwaysExport:
    """The pathway board (HR and the legal brigade) with its unit and phase filters."""

    title = gettext_lazy("New-officer pathways")
    filter_keys = ("unit", "phase")

    def filters_from(self, params) -> dict:
        return _filters_from(params, self.filter_keys)

    def _rows(self, user, filters: dict) -> list[BoardRow]:
        if not can_manage_pathways(user):
            return []
        form = BoardFilterForm(filters, units=units_visible_to(user), unit_labels={})
        cleaned = _cleaned(form)
        return pathway_board_rows(unit=cleaned.get("unit"), phase=cleaned.get("phase", ""))

    def count(self, user, filters: dict) -> int:
        return len(self._rows(user, filters))

    def build(self, user, filters: dict, progress: Callable[[int], None]) -> ExportResult:
        frame = pathway_board_dataframe(self._rows(user, filters))
        progress(len(frame))
        return ExportResult(
            sheets={_("New-officer pathways"): frame},
            filename=f"pathways-{timezone.localdate():%Y%m%d}.xlsx",
            audit_action="certification.pathways.exported",
        )


class CaseRecordsExport:
    """The case-quality records the reader may see, with the list's search, unit, dates and flag."""

    title = gettext_lazy("Case-quality records")
    filter_keys = ("q", "unit", "date_from", "date_to", "serious")

    def filters_from(self, params) -> dict:
        return _filters_from(params, self.filter_keys)

    def _records(self, user, filters: dict):
        form = CaseFilterForm(filters, units=units_visible_to(user), unit_labels={})
        cleaned = _cleaned(form)
        # case_record_list starts from the records visible to ``user``: the scope is applied again.
        return case_record_list(
            user,
            unit=cleaned.get("unit"),
            search=cleaned.get("q", ""),
            date_from=cleaned.get("date_from"),
            date_to=cleaned.get("date_to"),
            serious_only=cleaned.get("serious", False),
        )

    def count(self, user, filters: dict) -> int:
        return self._records(user, filters).count()

    def build(self, user, filters: dict, progress: Callable[[int], None]) -> ExportResult:
        frame = case_records_dataframe(self._records(user, filters), progress=progress)
        return ExportResult(
            sheets={_("Case quality"): frame},
            filename=f"case-quality-{timezone.localdate():%Y%m%d}.xlsx",
            audit_action="certification.case_records.exported",
        )


pathways_export = PathwaysExport()
case_records_export = CaseRecordsExport()
