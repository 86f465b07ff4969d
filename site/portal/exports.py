"""Spreadsheet downloads: pandas DataFrames written as .xlsx (Excel is how HR, unit leaders and
the legal brigade pass lists around), with column widths that fit Chinese text and the header row
frozen. Every app's list exports go through here; auditing stays with the caller, which knows the
filters and what the rows are."""

from __future__ import annotations

import io
from collections.abc import Mapping

from django.http import HttpResponse
from django.utils.http import content_disposition_header

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _fit_columns(sheet, frame, *, max_width: int) -> None:
    for index, column in enumerate(frame.columns, start=1):
        values = [str(column), *(str(value) for value in frame[column].tolist())]
        # A CJK character takes two columns: GBK counts it as two bytes.
        width = max(len(value.encode("gbk", errors="replace")) for value in values) + 2
        sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = min(width, max_width)


def xlsx_bytes(sheets: Mapping[str, object], *, freeze: str = "A2", max_width: int = 60) -> bytes:
    """A workbook with one sheet per ``{name: DataFrame}`` entry (names cut to Excel's 31 characters)."""
    import pandas as pd

    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            sheet_name = str(name)[:31]
            frame.to_excel(writer, index=False, sheet_name=sheet_name)
            sheet = writer.sheets[sheet_name]
            _fit_columns(sheet, frame, max_width=max_width)
            sheet.freeze_panes = freeze
    return buffer.getvalue()


def xlsx_download(content: bytes, filename: str) -> HttpResponse:
    """An attachment response; ``filename`` may be Chinese (RFC 6266 encoding)."""
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    return response


def dataframe_download(frame, *, sheet_name: str, filename: str, **options) -> HttpResponse:
    """One DataFrame as a one-sheet .xlsx download."""
    return xlsx_download(xlsx_bytes({sheet_name: frame}, **options), filename)
