"""A quarter's scores from a spreadsheet (法制员季度考评导入) and the blank template.

Columns: 警号, 姓名, one column per item named exactly as the item, 备注. 姓名 is there for the
reader and is not checked. All rows or none: every bad row is reported (Excel row number, column,
reason) and nothing is written; a good file is saved through ``evaluations_save`` so totals, ranks
and flags are recomputed once. A row whose score cells are all empty is skipped (the template
lists every legal officer; someone seconded away that quarter is simply left blank).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import IO

from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from certification.models import EvaluationScheme
from certification.selectors.evaluations import evaluated_officers, is_evaluated_officer
from certification.services.evaluations import (
    EvaluationInput,
    check_scores,
    evaluations_save,
    is_own_evaluation,
    own_scores_message,
)
from people.models import User
from portal.exports import xlsx_row
from portal.imports import MB, ImportFileError, header_columns, workbook_rows
from portal.services import audit_log

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NUMBER_HEADER = "警号"
NAME_HEADER = "姓名"
NOTE_HEADER = "备注"
MAX_ROWS = 5_000
MAX_IMPORT_BYTES = 20 * MB
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")


# The upload cannot be read at all: the one exception of every importer, one sentence for the user.
EvaluationFileError = ImportFileError


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str


@dataclass
class EvaluationImportResult:
    dry_run: bool
    errors: list[RowError] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0

    def counts(self) -> dict[str, int]:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged, "skipped": self.skipped}


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _header(value) -> str:
    return _text(value).replace("＊", "*").rstrip("*").strip()


def _read_rows(file: IO[bytes] | bytes) -> list[tuple[int, list]]:
    """``(row number, values)`` of the first sheet's rows that hold a value, the header row first."""
    rows = list(workbook_rows(file, max_rows=MAX_ROWS, max_bytes=MAX_IMPORT_BYTES))
    if not rows:
        raise EvaluationFileError(_("The first row of the first sheet must hold the column headers; it is empty."))
    return rows


def _parse_score(value) -> Decimal | None:
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, int | float | Decimal):
        return Decimal(str(value))
    text = _text(value)
    if not text:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation as exc:
        raise ValueError from exc
    if not number.is_finite():
        raise ValueError
    return number


def evaluation_import(
    *, scheme: EvaluationScheme, quarter: int, file: IO[bytes] | bytes, actor, dry_run: bool = False
) -> EvaluationImportResult:
    """Check every row of the upload; if all are good (and this is not a dry run) save them.
    Raises EvaluationFileError for a file that is not a readable .xlsx."""
    rows = _read_rows(file)
    header_row, header_cells = rows[0]
    result = EvaluationImportResult(dry_run=dry_run)
    items = list(scheme.items.all())
    item_by_name = {item.name: item for item in items}

    field_at, problems = header_columns(
        header_cells,
        fields={header: header for header in (NUMBER_HEADER, NAME_HEADER, *item_by_name, NOTE_HEADER)},
        required=[NUMBER_HEADER, *item_by_name],
        normalise=_header,
        ignored={"序号"},
    )
    if problems:
        result.errors.extend(RowError(header_row, header, message) for header, message in problems)
        return result
    column_at = {header: index for index, header in field_at.items()}

    def cell(cells: list, header: str):
        index = column_at.get(header)
        return cells[index] if index is not None and index < len(cells) else None

    numbers = {_text(cell(cells, NUMBER_HEADER)) for _row, cells in rows[1:]}
    officers = {officer.police_number: officer for officer in User.objects.filter(police_number__in=numbers)}
    entries: list[EvaluationInput] = []
    first_row: dict[str, int] = {}
    for row_number, cells in rows[1:]:
        number = _text(cell(cells, NUMBER_HEADER))
        raw_scores = {item.pk: cell(cells, item.name) for item in items}
        if not number and all(_text(value) == "" for value in raw_scores.values()):
            continue  # an empty line
        if all(_text(value) == "" for value in raw_scores.values()):
            result.skipped += 1
            continue
        row_errors: list[RowError] = []
        officer = officers.get(number)
        if not number:
            row_errors.append(RowError(row_number, NUMBER_HEADER, _("The police number is empty.")))
        elif officer is None:
            row_errors.append(
                RowError(row_number, NUMBER_HEADER, _("No officer with police number %(number)s.") % {"number": number})
            )
        elif is_own_evaluation(actor, officer):
            row_errors.append(RowError(row_number, NUMBER_HEADER, own_scores_message()))
        elif not is_evaluated_officer(officer):
            row_errors.append(
                RowError(
                    row_number,
                    NUMBER_HEADER,
                    _("%(name)s is neither a legal officer nor a legal-brigade officer.") % {"name": officer},
                )
            )
        elif number in first_row:
            row_errors.append(
                RowError(
                    row_number,
                    NUMBER_HEADER,
                    _("Police number %(number)s also appears in row %(row)d.")
                    % {"number": number, "row": first_row[number]},
                )
            )
        else:
            first_row[number] = row_number
        scores: dict[int, Decimal | None] = {}
        for item in items:
            try:
                scores[item.pk] = _parse_score(raw_scores[item.pk])
            except ValueError:
                row_errors.append(
                    RowError(
                        row_number,
                        item.name,
                        _("“%(value)s” is not a number.") % {"value": _text(raw_scores[item.pk])},
                    )
                )
                scores[item.pk] = Decimal(0)
        for item, message in check_scores(items, scores):
            row_errors.append(RowError(row_number, item.name, message))
        result.errors.extend(row_errors)
        if not row_errors:
            entries.append(EvaluationInput(officer=officer, scores=scores, note=_text(cell(cells, NOTE_HEADER))))
    if result.errors:
        return result
    if not entries:
        raise EvaluationFileError(_("The sheet has no scores to import."))
    with transaction.atomic():
        counts = evaluations_save(scheme=scheme, quarter=quarter, entries=entries, actor=actor, source="import")
        result.created, result.updated, result.unchanged = counts["created"], counts["updated"], counts["unchanged"]
        if dry_run:
            transaction.set_rollback(True)
        else:
            audit_log(
                actor=actor,
                action="certification.evaluation.imported",
                target=scheme,
                data={"quarter": quarter, "rows": len(entries), **result.counts()},
            )
    return result


def evaluation_template_xlsx(scheme: EvaluationScheme) -> bytes:
    """Chinese headers (警号, 姓名, the items with their maxima in a note row, 备注) and one row per
    legal officer and legal-brigade officer."""
    items = list(scheme.items.all())
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = f"{scheme.year}年季度考评"[:31]
    sheet.append(xlsx_row(sheet, [NUMBER_HEADER, NAME_HEADER, *[item.name for item in items], NOTE_HEADER]))
    for officer in evaluated_officers():
        sheet.append(xlsx_row(sheet, [officer.police_number, officer.name, *[None for _item in items], ""]))
    for index in range(1, len(items) + 4):
        cell = sheet.cell(row=1, column=index)
        cell.fill = _HEADER_FILL
        cell.font = Font(bold=True)
        sheet.column_dimensions[cell.column_letter].width = 16
    for row in range(2, sheet.max_row + 200):
        sheet.cell(row=row, column=1).number_format = "@"
    sheet.freeze_panes = "C2"
    notes = workbook.create_sheet(_("Instructions"))
    notes.append(xlsx_row(notes, [_("Item"), _("Group"), _("Maximum"), _("Weight")]))
    for item in items:
        notes.append(xlsx_row(notes, [item.name, item.get_group_display(), float(item.max_score), float(item.weight)]))
    notes.append([])
    for line in (
        _("Enter every item's score for each officer; a row left entirely blank is skipped."),
        _("A score may not be negative or above the item's maximum."),
        _("If any row has an error, nothing is imported; fix the rows listed and upload the file again."),
    ):
        notes.append(xlsx_row(notes, [line]))
    notes.column_dimensions["A"].width = 40
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
