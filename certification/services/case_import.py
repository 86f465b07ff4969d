"""Case-quality spreadsheets (执法质量考评导入): reading an uploaded .xlsx into records, the blank
template. Validation and writes live in ``certification.services.cases.case_records_import``."""

from __future__ import annotations

import datetime
import io
from typing import IO

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from certification.services.cases import CASE_FIELDS, CaseImportResult, CaseInput, CaseRowError, case_records_import
from portal.exports import xlsx_row
from portal.imports import MB, ImportFileError, header_columns, row_values, workbook_rows

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
IGNORED_HEADERS = {"序号"}
# Rows are saved one by one in a single request (gunicorn's 120 s timeout): the same cap as the
# API's batches (certification.api.MAX_ROWS_PER_REQUEST).
MAX_ROWS = 5_000
MAX_IMPORT_BYTES = 20 * MB
_FIELD_BY_HEADER = {header: name for name, (header, _required) in CASE_FIELDS.items()}
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")


# The upload cannot be read at all: the one exception of every importer, one sentence for the user.
CaseFileError = ImportFileError


def _header(value) -> str:
    return ("" if value is None else str(value)).replace("＊", "*").strip().rstrip("*").strip()


def case_records_from_xlsx(file: IO[bytes] | bytes) -> tuple[list[CaseInput], list[CaseRowError]]:
    """Records from the first sheet (its first row: headers) and the header problems (reported on
    the header row). Raises CaseFileError (portal.imports.ImportFileError) for an unreadable file."""
    rows = workbook_rows(file, max_rows=MAX_ROWS, max_bytes=MAX_IMPORT_BYTES)
    first = next(rows, None)
    if first is None:
        raise CaseFileError(_("The first row of the first sheet must hold the column headers; it is empty."))
    header_row, headers = first
    field_at, problems = header_columns(
        headers,
        fields=_FIELD_BY_HEADER,
        required=[header for header, required in CASE_FIELDS.values() if required],
        normalise=_header,
        ignored=IGNORED_HEADERS,
    )
    if problems:
        return [], [CaseRowError(header_row, header, message) for header, message in problems]
    records = []
    for row_number, cells in rows:
        if (values := row_values(cells, field_at)) is not None:
            records.append(CaseInput(row=row_number, values=values))
    if not records:
        raise CaseFileError(_("The sheet has headers but no case rows below them."))
    return records, []


def case_import_xlsx(
    *, file: IO[bytes] | bytes, filename: str, actor, allowed_officers=None, dry_run: bool = False
) -> CaseImportResult:
    """Import an uploaded .xlsx; all rows or none. Raises CaseFileError for an unreadable file."""
    from certification.models import CaseRecordSource

    records, header_errors = case_records_from_xlsx(file)
    if header_errors:
        return CaseImportResult(dry_run=dry_run, errors=header_errors)
    return case_records_import(
        records=records,
        actor=actor,
        source=CaseRecordSource.IMPORT,
        origin=filename,
        allowed_officers=allowed_officers,
        dry_run=dry_run,
    )


def case_template_xlsx() -> bytes:
    """The import template: Chinese headers (required ones bold red) and one example row."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "执法质量考评"
    example = {
        "case_number": "A3301060000002026010001",
        "police_number": "200001",
        "case_date": datetime.date(2026, 1, 15),
        "case_title": "张某盗窃案",
        "score": 92,
        "deductions": 8,
        "issue_categories": "证据收集不规范、文书制作瑕疵",
        "serious": "否",
        "commendation": "",
        "note": "",
    }
    sheet.append(xlsx_row(sheet, [f"{header}*" if required else header for header, required in CASE_FIELDS.values()]))
    sheet.append(xlsx_row(sheet, [example[name] for name in CASE_FIELDS]))
    for index, (name, (_header_text, required)) in enumerate(CASE_FIELDS.items(), start=1):
        cell = sheet.cell(row=1, column=index)
        cell.fill = _HEADER_FILL
        cell.font = Font(bold=True, color="C00000") if required else Font(bold=True)
        sheet.column_dimensions[cell.column_letter].width = 28 if name in ("case_number", "issue_categories") else 14
        if name in ("case_number", "police_number"):
            for row in range(2, 1002):
                sheet.cell(row=row, column=index).number_format = "@"
        if name == "case_date":
            sheet.cell(row=2, column=index).number_format = "yyyy-mm-dd"
    sheet.freeze_panes = "A2"
    notes = workbook.create_sheet(_("Instructions"))
    for line in (
        _("Columns marked * are required. Row 1 holds the headers; cases start on row 2."),
        _("A case number already on the platform updates that record instead of adding a new one."),
        _("Separate issue categories with 、; 严重问题 is 是 or 否."),
        _("If any row has an error, nothing is imported; fix the rows listed and upload the file again."),
    ):
        notes.append(xlsx_row(notes, [line]))
    notes.column_dimensions["A"].width = 100
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
