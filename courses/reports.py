"""Spreadsheet exports of the study pages: a selector's rows become a pandas DataFrame, which is
written as .xlsx (Excel is how HR and unit leaders pass lists around)."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext as _

from courses.selectors import OverdueRow
from portal.exports import xlsx_bytes


def overdue_dataframe(rows: Iterable[OverdueRow], *, unit_labels: dict[int, str]):
    """One line per overdue officer and assignment, with Chinese (or English) column headers."""
    import pandas as pd

    columns = [
        _("Police number"),
        _("Name"),
        _("Unit"),
        _("Category"),
        _("Course"),
        _("Due date"),
        _("Days overdue"),
        _("Learned lessons"),
        _("Lessons"),
    ]
    data = [
        [
            row.officer.police_number,
            row.officer.name,
            unit_labels.get(row.officer.unit_id, ""),
            str(row.officer.get_category_display()),
            row.assignment.course_title,
            row.assignment.due_date,
            row.days_overdue,
            row.learned,
            row.total,
        ]
        for row in rows
    ]
    return pd.DataFrame(data, columns=columns)


def dataframe_xlsx(frame, *, sheet_name: str) -> bytes:
    """The frame as an .xlsx workbook with readable column widths."""
    return xlsx_bytes({sheet_name: frame})
