"""Spreadsheet exports of the study pages: a selector's rows become a pandas DataFrame, which is
written as .xlsx (Excel is how HR and unit leaders pass lists around)."""

from __future__ import annotations

import io
from collections.abc import Iterable

from django.utils.translation import gettext as _

from courses.selectors import OverdueRow

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


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
    import pandas as pd

    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        frame.to_excel(writer, index=False, sheet_name=sheet_name[:31])
        sheet = writer.sheets[sheet_name[:31]]
        for index, column in enumerate(frame.columns, start=1):
            values = [str(column), *(str(value) for value in frame[column].tolist())]
            width = max(len(value.encode("gbk", errors="replace")) for value in values) + 2
            sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = min(width, 60)
        sheet.freeze_panes = "A2"
    return buffer.getvalue()
