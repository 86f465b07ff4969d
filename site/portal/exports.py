"""Spreadsheet downloads: pandas DataFrames written as .xlsx (Excel is how HR, unit leaders and
the legal brigade pass lists around), with column widths that fit Chinese text and the header row
frozen. Every app's list exports go through here; auditing stays with the caller, which knows the
filters and what the rows are.

``xlsx_cell`` is the one door for a value going into a cell of any workbook the platform writes
(these downloads, import templates and error reports, the question bank export): text that Excel
would run as a formula is written as text. Officer names, unit names, question stems and reasons are
typed by people or imported from other systems; ``=HYPERLINK("http://x","y")`` as a name must reach
HR's spreadsheet as that text, not as a live link or a formula (openpyxl itself stores any string
starting with ``=`` as a formula). Writers build rows with ``xlsx_row(sheet, values)`` and append them.
"""

from __future__ import annotations

import io
from collections.abc import Mapping

from django.http import HttpResponse
from django.utils.functional import Promise
from django.utils.http import content_disposition_header
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _width(column, values, *, max_width: int) -> float:
    texts = [str(column), *(str(value) for value in values)]
    # A CJK character takes two columns: GBK counts it as two bytes.
    return min(max(len(text.encode("gbk", errors="replace")) for text in texts) + 2, max_width)


# A cell whose text starts with one of these is run as a formula by Excel (``=`` at once; ``+``,
# ``-`` and ``@`` once the cell is edited; tab and carriage return are the CSV-injection variants).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# Text openpyxl would store as an error value (its ``ERROR_CODES``; fixed by the file format).
ERROR_TEXTS = frozenset({"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A"})


def xlsx_cell(sheet, value):
    """``value`` ready for ``sheet.append`` (write-only or normal sheets alike).

    Missing values (NaN, NaT, None) become empty cells and lazy translations their text. Text that
    starts like a formula, or that reads as an Excel error (``#N/A``), becomes a cell typed as text:
    it reads back exactly as given (no apostrophe added), so an exported file imports again
    unchanged. Control characters a workbook cannot hold are dropped. Numbers and dates stay
    numbers and dates."""
    if value is None or (not isinstance(value, str) and value != value):  # NaN and NaT differ from themselves
        return None
    if isinstance(value, Promise):
        value = str(value)
    if isinstance(value, str):
        # Control characters (a pasted \x01) cannot be stored in a workbook at all: openpyxl
        # raises on them and the whole export failed. They carry no readable text; drop them.
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    if isinstance(value, str) and (value.startswith(FORMULA_PREFIXES) or value in ERROR_TEXTS):
        from openpyxl.cell import WriteOnlyCell

        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"
        return cell
    return value


# Excel forbids these in a sheet's name; their full-width forms read the same in Chinese text.
_SHEET_TITLE_FORBIDDEN = str.maketrans({"\\": "＼", "/": "／", "?": "？", "*": "＊", "[": "［", "]": "］", ":": "："})


def sheet_title(name) -> str:
    """A valid sheet name for ``name`` (which may carry a unit's or a drill-down's label): the
    characters Excel refuses in full-width form, cut to Excel's 31 characters."""
    return str(name).translate(_SHEET_TITLE_FORBIDDEN)[:31] or "Sheet"


def xlsx_row(sheet, values) -> list:
    """A row for ``sheet.append``: every value through ``xlsx_cell``."""
    return [xlsx_cell(sheet, value) for value in values]


def xlsx_bytes(sheets: Mapping[str, object], *, freeze: str = "A2", max_width: int = 60) -> bytes:
    """A workbook with one sheet per ``{name: DataFrame}`` entry (names made valid by ``sheet_title``).

    Written in openpyxl's write-only mode, row by row: 100,000 rows stay within a few hundred MB
    (the normal mode keeps every cell object in memory until it saves)."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    for name, frame in sheets.items():
        sheet = workbook.create_sheet(title=sheet_title(name))
        for index, column in enumerate(frame.columns, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = _width(
                column, frame[column].tolist(), max_width=max_width
            )
        sheet.freeze_panes = freeze
        sheet.append(xlsx_row(sheet, [str(column) for column in frame.columns]))
        for row in frame.itertuples(index=False, name=None):
            sheet.append(xlsx_row(sheet, row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_download(content: bytes, filename: str) -> HttpResponse:
    """An attachment response; ``filename`` may be Chinese (RFC 6266 encoding)."""
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    return response


def dataframe_download(frame, *, sheet_name: str, filename: str, **options) -> HttpResponse:
    """One DataFrame as a one-sheet .xlsx download."""
    return xlsx_download(xlsx_bytes({sheet_name: frame}, **options), filename)
