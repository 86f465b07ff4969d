"""Case-quality spreadsheets (执法质量考评导入): reading an uploaded .xlsx into records, the blank
template. Validation and writes live in ``certification.services.cases.case_records_import``."""

from __future__ import annotations

import datetime
import io
import zipfile
from typing import IO

from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils.exceptions import InvalidFileException

from certification.services.cases import CASE_FIELDS, CaseImportResult, CaseInput, CaseRowError, case_records_import
from portal.exports import xlsx_row

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
IGNORED_HEADERS = {"序号"}
MAX_ROWS = 50_000
_FIELD_BY_HEADER = {header: name for name, (header, _required) in CASE_FIELDS.items()}
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")


class CaseFileError(Exception):
    """The upload cannot be read at all; the message is one sentence for the user."""


def _header(value) -> str:
    return ("" if value is None else str(value)).replace("＊", "*").strip().rstrip("*").strip()


def case_records_from_xlsx(file: IO[bytes] | bytes) -> tuple[list[CaseInput], list[CaseRowError]]:
    """Records from the first sheet (row 1: headers) and the header problems (reported on row 1)."""
    data = file if isinstance(file, bytes) else file.read()
    if not data:
        raise CaseFileError(_("The file is empty."))
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise CaseFileError(_("The file is not an Excel workbook (.xlsx); save it as .xlsx and upload it again."))
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise CaseFileError(_("The file could not be read as an Excel workbook (.xlsx).")) from exc
    try:
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        headers = next(rows, None)
        if headers is None or all(_header(cell) == "" for cell in headers):
            raise CaseFileError(_("The first row of the first sheet must hold the column headers; it is empty."))
        errors: list[CaseRowError] = []
        field_at: dict[int, str] = {}
        for index, cell in enumerate(headers):
            header = _header(cell)
            if not header or header in IGNORED_HEADERS:
                continue
            name = _FIELD_BY_HEADER.get(header)
            if name is None:
                errors.append(
                    CaseRowError(
                        1,
                        header,
                        _("Unknown column; the template's columns are: %(columns)s.")
                        % {"columns": "、".join(_FIELD_BY_HEADER)},
                    )
                )
            elif name in field_at.values():
                errors.append(CaseRowError(1, header, _("This column appears twice.")))
            else:
                field_at[index] = name
        for name, (header, required) in CASE_FIELDS.items():
            if required and name not in field_at.values():
                errors.append(CaseRowError(1, header, _("Required column is missing.")))
        if errors:
            return [], errors
        records = []
        for row_number, cells in enumerate(rows, start=2):
            if row_number > MAX_ROWS + 1:
                raise CaseFileError(_("The file has more than %(limit)d rows; split it.") % {"limit": MAX_ROWS})
            values = {name: cells[index] if index < len(cells) else None for index, name in field_at.items()}
            if all(value is None or (isinstance(value, str) and not value.strip()) for value in values.values()):
                continue
            records.append(CaseInput(row=row_number, values=values))
    finally:
        workbook.close()
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
