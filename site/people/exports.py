"""The officer list as xlsx (``settings.PORTAL_EXPORTS["people.officers"]``), laid out as the personnel
import template so HR can keep the roster in Excel and upload the edited file again.

The columns, their headers and their order come from ``PERSONNEL_COLUMNS``, the list the template
and the importer use, and every cell is written in a form the importer reads back to the same
value (人员类别 and 状态 as their Chinese labels, flags as 是/否, dates as date cells, police and
phone numbers as text). A DataFrame export cannot carry the template's instruction sheet or its
text-formatted cells; the importer needs neither.

``filters`` is the plain dict the list's download link carries. It goes through the list page's
own filter form with the reader's visible units, so a value the page ignores (a unit outside the
reader's scope, an unknown status) is ignored here in the same way. ``build`` applies the scope
again: a background job runs later and must not export more than the user may see then.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy

from people.forms import OfficerFilterForm
from people.models import User
from people.personnel_columns import (
    CATEGORY_LABELS,
    PERSONNEL_COLUMNS,
    PERSONNEL_SHEET,
    STATUS_LABELS,
    PersonnelColumn,
)
from people.selectors import Scope, officer_list_for_user, scope_of, unit_full_paths, units_visible_to
from portal.services.exports import ExportResult

EXPORT_CHUNK_SIZE = 2000

_CATEGORY_TEXT = {code: label for label, code in CATEGORY_LABELS.items()}
_STATUS_TEXT = {code: label for label, code in STATUS_LABELS.items()}


def _cell(column: PersonnelColumn, officer: User, unit_paths: dict[int, str]) -> Any:
    """One officer's value for one template column, as the importer expects it. Empty text is
    written as an empty cell, which the importer reads as empty (cleared, 否 or 在职)."""
    if column.kind == "unit":
        return unit_paths.get(officer.unit_id) or None
    value = getattr(officer, column.field)
    if column.kind == "category":
        return _CATEGORY_TEXT.get(value, value)
    if column.kind == "status":
        return _STATUS_TEXT.get(value, value)
    if column.kind == "flag":
        return "是" if value else "否"
    if column.kind == "date":
        return value if isinstance(value, datetime.date) else None
    # police_number, text, phone: strings, so 0-led numbers keep their zeros.
    return value or None


def officers_personnel_dataframe(officers: QuerySet[User], *, progress: Callable[[int], None] | None = None):
    """The officers as a DataFrame with the import template's headers (``警号*`` …) in its order."""
    import pandas as pd

    unit_paths = unit_full_paths()
    rows = []
    for done, officer in enumerate(officers.iterator(chunk_size=EXPORT_CHUNK_SIZE), start=1):
        rows.append([_cell(column, officer, unit_paths) for column in PERSONNEL_COLUMNS])
        if progress is not None:
            progress(done)
    # dtype=object: keeps police numbers as text and dates as dates (no float or Timestamp coercion).
    return pd.DataFrame(rows, columns=[column.template_header for column in PERSONNEL_COLUMNS], dtype=object)


class OfficersExport:
    """The officer list (HR, unit leaders) with its unit-subtree, category, status and search filters."""

    title = gettext_lazy("Officers")
    filter_keys = ("q", "unit", "category", "status")

    def filters_from(self, params) -> dict:
        """The list's filters from a query string, as strings (``page`` is left out: a file has every page)."""
        return {key: str(params.get(key, "")) for key in self.filter_keys}

    def _officers(self, user, filters: dict) -> QuerySet[User]:
        if scope_of(user) is Scope.SELF:
            # The list is not theirs to see (the view answers 404); a job queued before a role was
            # withdrawn exports nothing rather than the officer's own row.
            return User.objects.none()
        form = OfficerFilterForm(filters, units=units_visible_to(user), unit_labels={})
        # As on the page: an invalid form means no filter at all.
        cleaned = form.cleaned_data if form.is_valid() else {}
        # officer_list_for_user starts from the officers visible to ``user``: the scope is applied again.
        return officer_list_for_user(
            user,
            unit=cleaned.get("unit"),
            category=cleaned.get("category", ""),
            status=cleaned.get("status", ""),
            search=cleaned.get("q", ""),
        )

    def count(self, user, filters: dict) -> int:
        return self._officers(user, filters).count()

    def build(self, user, filters: dict, progress: Callable[[int], None]) -> ExportResult:
        frame = officers_personnel_dataframe(self._officers(user, filters), progress=progress)
        return ExportResult(
            sheets={PERSONNEL_SHEET: frame},
            filename=f"officers-{timezone.localdate():%Y%m%d}.xlsx",
            audit_action="people.officers.exported",
        )


officers_export = OfficersExport()
