"""Personnel spreadsheets: reading an uploaded .xlsx into import records, the blank template and
the error report. The validation and the writes live in people.services.personnel_import."""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterable
from typing import IO, Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from people.personnel_columns import (
    PERSONNEL_COLUMNS,
    PERSONNEL_SHEET,
    PersonnelFileError,
    PersonnelRecord,
    RowError,
)
from portal.exports import xlsx_row
from portal.imports import MB, header_columns, row_values, workbook_rows

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Columns people commonly add to their own sheets; read past them silently.
IGNORED_HEADERS = {"序号", "备注"}
# An import runs in one request (gunicorn's 120 s timeout, docs/DEPLOY.md) at about 10-20 ms an
# officer on the 2-core target: 5,000 rows is a district's roll several times over. A city's roll
# goes in a few files, or through the API.
MAX_ROWS = 5_000
MAX_IMPORT_BYTES = 20 * MB
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_REQUIRED_FONT = Font(bold=True, color="C00000")


def _normalise_header(value: Any) -> str:
    text = "" if value is None else str(value)
    return text.replace("＊", "*").strip().rstrip("*").strip()


def personnel_records_from_xlsx(file: IO[bytes] | bytes) -> tuple[list[PersonnelRecord], list[RowError]]:
    """Records from the first sheet (its first row holds the headers) and the header problems found.

    Header problems (a missing required column, an unknown or repeated column) are reported once,
    on row 1; when there are any, no records are returned. Wholly empty rows are skipped.
    Raises PersonnelFileError (portal.imports.ImportFileError) when the file is not a readable
    workbook, has more than MAX_ROWS officer rows, or holds no data rows.
    """
    rows = workbook_rows(file, max_rows=MAX_ROWS, max_bytes=MAX_IMPORT_BYTES)
    first = next(rows, None)
    if first is None:
        raise PersonnelFileError(_("The first row of the first sheet must hold the column headers; it is empty."))
    header_row, header_cells = first

    field_at, problems = header_columns(
        header_cells,
        fields={column.header: column.field for column in PERSONNEL_COLUMNS},
        required=[column.header for column in PERSONNEL_COLUMNS if column.required],
        normalise=_normalise_header,
        ignored=IGNORED_HEADERS,
    )
    if problems:
        return [], [RowError(header_row, header, message) for header, message in problems]

    records: list[PersonnelRecord] = []
    for row_number, cells in rows:
        if (values := row_values(cells, field_at)) is not None:
            records.append(PersonnelRecord(row=row_number, values=values))
    if not records:
        raise PersonnelFileError(_("The sheet has headers but no officer rows below them."))
    return records, []


def _autosize(sheet, widths: Iterable[int]) -> None:
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = width


def _to_bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def personnel_template_xlsx() -> bytes:
    """The import template: headers and one example row, and a sheet explaining every column."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = PERSONNEL_SHEET
    example = {
        "police_number": "200001",
        "name": "张伟",
        "unit_path": "西湖分局/北山派出所/一中队",
        "category": "民警",
        "position": "副所长",
        "is_middle_leader": "是",
        "is_legal_officer": "否",
        "is_legal_brigade": "否",
        "is_new_officer": "否",
        "birth_date": datetime.date(1988, 5, 1),
        "service_start_date": datetime.date(2012, 7, 1),
        "status": "在职",
        "phone": "13800000000",
    }
    sheet.append(xlsx_row(sheet, [column.template_header for column in PERSONNEL_COLUMNS]))
    sheet.append(xlsx_row(sheet, [example[column.field] for column in PERSONNEL_COLUMNS]))
    for index, column in enumerate(PERSONNEL_COLUMNS, start=1):
        header = sheet.cell(row=1, column=index)
        header.fill = _HEADER_FILL
        header.font = _REQUIRED_FONT if column.required else Font(bold=True)
        # Text format keeps police numbers and phone numbers as typed (no 2.0E+5, no lost zeros).
        if column.kind in ("police_number", "phone"):
            for row in range(2, 1002):
                sheet.cell(row=row, column=index).number_format = "@"
        if column.kind == "date":
            sheet.cell(row=2, column=index).number_format = "yyyy-mm-dd"
    _autosize(sheet, [14 if c.kind != "unit" else 32 for c in PERSONNEL_COLUMNS])
    sheet.freeze_panes = "A2"

    notes = workbook.create_sheet(_("Instructions"))
    notes.append(xlsx_row(notes, [_("Column"), _("Required"), _("Valid values")]))
    for cell in notes[1]:
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
    for column in PERSONNEL_COLUMNS:
        notes.append(
            xlsx_row(notes, [column.template_header, _("yes") if column.required else _("no"), str(column.help)])
        )
    notes.append([])
    for line in (
        _("Columns marked * are required. Row 1 holds the headers; officers start on row 2."),
        _("Officers are matched by police number: existing ones are updated, new ones are created."),
        _("A column left out of the file leaves that field unchanged; an empty cell clears it."),
        _("New accounts cannot log in until HR sets a password in the admin."),
        _("If any row has an error, nothing is imported; fix the rows listed and upload the file again."),
    ):
        notes.append(xlsx_row(notes, [line]))
    _autosize(notes, [20, 10, 80])
    for row in notes.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    return _to_bytes(workbook)


def personnel_errors_xlsx(errors: Iterable[RowError]) -> bytes:
    """The error report: one line per problem, row / column / reason."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Errors")
    sheet.append(xlsx_row(sheet, [_("Row"), _("Column"), _("Problem")]))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
    for error in errors:
        sheet.append(xlsx_row(sheet, [error.row, error.column, error.message]))
    _autosize(sheet, [8, 20, 90])
    sheet.freeze_panes = "A2"
    return _to_bytes(workbook)
