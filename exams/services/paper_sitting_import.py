"""Paper-sitting answers from a spreadsheet (线下考试成绩导入), laid out as
``exams.selectors.paper_sitting.paper_template_xlsx`` writes it.

The file is read through ``portal.imports`` (any file survives: one sentence for a file that
cannot be read); its rows become ``PaperSheet``s for ``paper_sheets_enter``, which checks them all
and writes all or nothing (see ``exams.services.paper_sitting``). Row numbers are the sheet's own, so
a problem names the row the trainer sees in Excel.
"""

from __future__ import annotations

import datetime
import unicodedata
from typing import IO

from django.utils.translation import gettext as _

from exams.models import Exam
from exams.selectors.paper_sitting import NAME_HEADER, NUMBER_HEADER, VARIANT_HEADER, question_count
from exams.services.paper_sitting import (
    ERRORS,
    EntryProblem,
    EntryResult,
    EntryValueError,
    PaperSheet,
    cell_text,
    paper_sheets_enter,
)
from people.models import User
from portal.imports import MB, ImportFileError, header_columns, row_values, workbook_rows

__all__ = ["MAX_ROWS", "paper_entries_import"]

MAX_ROWS = 5_000
MAX_IMPORT_BYTES = 10 * MB


def _header(value) -> str:
    try:
        return unicodedata.normalize("NFKC", cell_text(value)).strip()
    except EntryValueError:
        return "?"


def paper_entries_import(
    *, exam: Exam, file: IO[bytes] | bytes, actor: User, sat_at: datetime.datetime | None = None
) -> EntryResult:
    """Enter the papers of a spreadsheet laid out as ``paper_template_xlsx`` writes it: 警号, 姓名
    (for the reader, not checked), 试卷, then one column per question number. A row whose answer
    cells are all empty is skipped. ``ImportFileError`` for a file that cannot be read at all."""
    rows = list(workbook_rows(file, max_rows=MAX_ROWS, max_bytes=MAX_IMPORT_BYTES))
    if not rows:
        raise ImportFileError(_("The first row of the first sheet must hold the column headers; it is empty."))
    header_row, header_cells = rows[0]
    count = question_count(exam)
    fields = {NUMBER_HEADER: "number", NAME_HEADER: "name", VARIANT_HEADER: "variant"}
    fields.update({str(position): position for position in range(1, count + 1)})
    field_at, header_problems = header_columns(
        header_cells, fields=fields, required=[NUMBER_HEADER], normalise=_header, ignored={"序号"}
    )
    if header_problems:
        result = EntryResult()
        result.problems.extend(EntryProblem(header_row, "", header, message) for header, message in header_problems)
        return result
    sheets = []
    for row_number, cells in rows[1:]:
        values = row_values(cells, field_at)
        if values is None:
            continue
        entries = {key: value for key, value in values.items() if isinstance(key, int)}
        if all(value is None or (isinstance(value, str) and not value.strip()) for value in entries.values()):
            continue  # the template lists every examinee; someone absent is left blank
        try:
            number = cell_text(values.get("number"))
        except EntryValueError:
            number = "?"
        sheets.append(PaperSheet(number, values.get("variant"), entries, row=row_number))
    if not sheets:
        raise ImportFileError(str(ERRORS["no_sheets"]))
    return paper_sheets_enter(exam=exam, sheets=sheets, actor=actor, sat_at=sat_at, source="xlsx")
