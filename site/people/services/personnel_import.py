"""Personnel import (人员导入): one validation path for the xlsx file, the HR page and the API.

Input is a list of records, each a row number plus raw values keyed by field name. A field that is
absent from a record (its column is not in the file, or the API row omits it) leaves that field of
an existing officer unchanged; a field that is present but empty clears it (dates, phone, position),
sets it to "no" (flags) or to 在职 (status). Officers missing from the input are not touched.

Every row is validated first (reads only); if any row has an error nothing is written, otherwise all
rows are applied in the same transaction. A dry run applies them too and rolls the transaction
back, so its counts are exactly those a real run would give.

New officers get an unusable password: HR sets passwords in the admin before anyone logs in.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from people import texts
from people.models import Category, OfficerStatus, Unit, User
from people.personnel_columns import (
    CATEGORY_LABELS,
    COLUMNS_BY_FIELD,
    PERSONNEL_COLUMNS,
    STATUS_LABELS,
    PersonnelColumn,
    PersonnelRecord,
    RowError,
)
from people.personnel_xlsx import personnel_records_from_xlsx
from people.selectors.units import unit_path_split, units_by_full_path
from people.services.officers import officer_create, officer_roles_sync, officer_status_change, officer_update
from people.services.units import unit_create_path
from portal.services import audit_log

# --- Results ---------------------------------------------------------------------------------


@dataclass
class PersonnelImportResult:
    dry_run: bool
    errors: list[RowError] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    status_changes: int = 0
    units_created: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged

    def counts(self) -> dict[str, Any]:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "status_changes": self.status_changes,
            "units_created": list(self.units_created),
        }


_TRUE_WORDS = {"是", "y", "yes", "true", "1", "√", "✓"}
_FALSE_WORDS = {"否", "n", "no", "false", "0", ""}
_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d")
_POLICE_NUMBER = re.compile(r"^[0-9A-Za-z_-]+$")
_PHONE = re.compile(r"^[0-9+\-() ]+$")
_EARLIEST_DATE = datetime.date(1900, 1, 1)


# --- Cleaning one cell ------------------------------------------------------------------------


class _CellError(Exception):
    pass


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _as_text(value: Any) -> str:
    """Numbers typed into Excel arrive as int or float (200001.0); keep them as their digits."""
    if isinstance(value, bool):
        raise _CellError(_("Expected text, not TRUE/FALSE."))
    if isinstance(value, float):
        if not value.is_integer():
            raise _CellError(_("“%(value)s” is not valid here.") % {"value": value})
        return str(int(value))
    if isinstance(value, int):
        return str(value)
    if isinstance(value, datetime.date):
        raise _CellError(_("Expected text, not a date."))
    return str(value).strip()


def _clean_text(column: PersonnelColumn, value: Any) -> str:
    text = _as_text(value)
    if column.max_length and len(text) > column.max_length:
        raise _CellError(
            _("At most %(limit)d characters (this one has %(count)d).")
            % {
                "limit": column.max_length,
                "count": len(text),
            }
        )
    return text


def _clean_police_number(column: PersonnelColumn, value: Any) -> str:
    text = _clean_text(column, value)
    if not _POLICE_NUMBER.match(text):
        raise _CellError(
            _("“%(value)s” is not a valid police number: use letters, digits, '-' and '_' only.") % {"value": text}
        )
    return text


def _clean_choice(value: Any, labels: Mapping[str, str], codes: Sequence[str]) -> str:
    text = _as_text(value)
    if text in labels:
        return labels[text]
    if text.lower() in codes:
        return text.lower()
    raise _CellError(_("“%(value)s” is not one of: %(choices)s.") % {"value": text, "choices": "、".join(labels)})


def _clean_flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = _as_text(value).lower()
    if text in _TRUE_WORDS:
        return True
    if text in _FALSE_WORDS:
        return False
    raise _CellError(_("“%(value)s” is not 是 or 否.") % {"value": text})


def _clean_date(value: Any) -> datetime.date | None:
    if _is_blank(value):
        return None
    if isinstance(value, datetime.datetime):
        day = value.date()
    elif isinstance(value, datetime.date):
        day = value
    else:
        text = _as_text(value)
        for date_format in _DATE_FORMATS:
            try:
                day = datetime.datetime.strptime(text, date_format).date()
                break
            except ValueError:
                continue
        else:
            raise _CellError(_("“%(value)s” is not a date; write it as YYYY-MM-DD, e.g. 1988-05-01.") % {"value": text})
    if day < _EARLIEST_DATE:
        raise _CellError(_("%(date)s is too early to be right.") % {"date": day.isoformat()})
    return day


def _clean_phone(column: PersonnelColumn, value: Any) -> str:
    if _is_blank(value):
        return ""
    text = _clean_text(column, value)
    if not _PHONE.match(text):
        raise _CellError(_("“%(value)s” is not a phone number.") % {"value": text})
    return text


def _clean_cell(column: PersonnelColumn, value: Any) -> Any:
    if column.required and _is_blank(value):
        raise _CellError(_("This required value is empty."))
    if column.kind == "police_number":
        return _clean_police_number(column, value)
    if column.kind == "text":
        return "" if _is_blank(value) else _clean_text(column, value)
    if column.kind == "unit":
        names = unit_path_split(_as_text(value))
        if not names:
            raise _CellError(_("This required value is empty."))
        return names
    if column.kind == "category":
        return _clean_choice(value, CATEGORY_LABELS, Category.values)
    if column.kind == "status":
        if _is_blank(value):
            return OfficerStatus.ACTIVE
        return _clean_choice(value, STATUS_LABELS, OfficerStatus.values)
    if column.kind == "flag":
        return _clean_flag(value)
    if column.kind == "date":
        return _clean_date(value)
    if column.kind == "phone":
        return _clean_phone(column, value)
    raise AssertionError(f"unknown column kind {column.kind}")


# --- Validation -------------------------------------------------------------------------------


@dataclass
class CleanPersonnelRow:
    """A validated record: clean values and the unit it resolved to."""

    row: int
    values: dict[str, Any]  # field → clean value, only for fields present in the input
    unit: Unit | None = None  # None: to be created along values["unit_path"]


ColumnLabel = Callable[[PersonnelColumn], str]


def column_label_header(column: PersonnelColumn) -> str:
    return column.header


def column_label_field(column: PersonnelColumn) -> str:
    return column.field


def personnel_validate(
    *,
    records: Sequence[PersonnelRecord],
    create_units: bool = False,
    column_label: ColumnLabel = column_label_header,
) -> tuple[list[CleanPersonnelRow], list[RowError]]:
    """Clean every record; returns the clean rows and every error found (reads only)."""
    errors: list[RowError] = []
    clean_rows: list[CleanPersonnelRow] = []
    today = timezone.localdate()
    unit_index = units_by_full_path()
    first_row_of: dict[str, int] = {}

    for record in records:
        row_errors: list[RowError] = []
        values: dict[str, Any] = {}
        for column in PERSONNEL_COLUMNS:
            if column.field not in record.values:
                if column.required:
                    row_errors.append(RowError(record.row, column_label(column), _("This required value is missing.")))
                continue
            try:
                values[column.field] = _clean_cell(column, record.values[column.field])
            except _CellError as exc:
                row_errors.append(RowError(record.row, column_label(column), str(exc)))

        birth, start = values.get("birth_date"), values.get("service_start_date")
        if birth and birth > today:
            row_errors.append(
                RowError(
                    record.row, column_label(COLUMNS_BY_FIELD["birth_date"]), _("The birth date is in the future.")
                )
            )
        elif birth and start and start <= birth:
            row_errors.append(
                RowError(
                    record.row,
                    column_label(COLUMNS_BY_FIELD["service_start_date"]),
                    _("The police service start date is not after the birth date."),
                )
            )
        if start and start > today:
            row_errors.append(
                RowError(
                    record.row,
                    column_label(COLUMNS_BY_FIELD["service_start_date"]),
                    _("The police service start date is in the future."),
                )
            )

        police_number = values.get("police_number")
        if police_number:
            if police_number in first_row_of:
                row_errors.append(
                    RowError(
                        record.row,
                        column_label(COLUMNS_BY_FIELD["police_number"]),
                        _("Police number %(number)s also appears in row %(row)d; each officer may appear only once.")
                        % {"number": police_number, "row": first_row_of[police_number]},
                    )
                )
            else:
                first_row_of[police_number] = record.row

        clean = CleanPersonnelRow(row=record.row, values=values)
        names = values.get("unit_path")
        if names:
            path = "/".join(names)
            matches = unit_index.get(path, [])
            if len(matches) > 1:
                row_errors.append(
                    RowError(
                        record.row,
                        column_label(COLUMNS_BY_FIELD["unit_path"]),
                        _("More than one unit has the path “%(path)s”; rename one of them in the admin first.")
                        % {"path": path},
                    )
                )
            elif matches:
                clean.unit = matches[0]
            elif not create_units:
                row_errors.append(
                    RowError(
                        record.row,
                        column_label(COLUMNS_BY_FIELD["unit_path"]),
                        _(
                            "Unknown unit “%(path)s”: check the spelling against the unit list, "
                            "or import with “create missing units”."
                        )
                        % {"path": path},
                    )
                )
        errors.extend(row_errors)
        clean_rows.append(clean)

    order = {column_label(column): index for index, column in enumerate(PERSONNEL_COLUMNS)}
    errors.sort(key=lambda error: (error.row, order.get(error.column, -1)))
    return clean_rows, errors


# --- Import -----------------------------------------------------------------------------------

_PROFILE_FIELDS_FROM_INPUT = (
    "name",
    "category",
    "position",
    "is_middle_leader",
    "is_legal_officer",
    "is_legal_brigade",
    "is_new_officer",
    "birth_date",
    "service_start_date",
    "phone",
)


def personnel_import(
    *,
    records: Sequence[PersonnelRecord],
    actor,
    source: str,
    dry_run: bool = False,
    create_units: bool = False,
    column_label: ColumnLabel = column_label_header,
) -> PersonnelImportResult:
    """Validate ``records`` and, if every row is valid, create or update the officers.

    Officers are matched by police number and units by full path. Status changes go through
    officer_status_change, so the history shows them. ``source`` names the file (or "API") in the
    audit log. Nothing is written when there is any error, or when ``dry_run`` is set.
    """
    result = PersonnelImportResult(dry_run=dry_run)
    reason = texts.STATUS_BY_IMPORT(source=source)
    # Validate inside the transaction: on SQLite (IMMEDIATE mode) this holds the write lock, so no
    # officer or unit can appear between the checks and the writes.
    with transaction.atomic():
        clean_rows, errors = personnel_validate(records=records, create_units=create_units, column_label=column_label)
        if errors:
            result.errors = errors
            return result
        existing = {
            officer.police_number: officer
            for officer in User.objects.select_related("unit").filter(
                police_number__in=[row.values["police_number"] for row in clean_rows]
            )
        }
        created_units: dict[str, Unit] = {}
        created_numbers: list[str] = []
        updated_numbers: list[str] = []
        for row in clean_rows:
            unit = row.unit
            if unit is None:
                path = "/".join(row.values["unit_path"])
                if path not in created_units:
                    unit, new_units = unit_create_path(names=row.values["unit_path"], actor=actor, source=source)
                    created_units[path] = unit
                    result.units_created.extend(new_unit.full_path for new_unit in new_units)
                unit = created_units[path]

            profile = {key: row.values[key] for key in _PROFILE_FIELDS_FROM_INPUT if key in row.values}
            police_number = row.values["police_number"]
            officer = existing.get(police_number)
            if officer is None:
                officer = officer_create(
                    police_number=police_number,
                    unit=unit,
                    status=row.values.get("status", OfficerStatus.ACTIVE),
                    actor=actor,
                    source=source,
                    **profile,
                )
                existing[police_number] = officer
                result.created += 1
                created_numbers.append(police_number)
                continue

            changed = bool(officer_update(officer=officer, actor=actor, source=source, unit=unit, **profile))
            changed |= officer_roles_sync(officer=officer)
            if "status" in row.values:
                change = officer_status_change(
                    officer=officer, to_status=row.values["status"], reason=reason, actor=actor
                )
                if change is not None:
                    result.status_changes += 1
                    changed = True
            if changed:
                result.updated += 1
                updated_numbers.append(police_number)
            else:
                result.unchanged += 1

        if dry_run:
            # Everything above ran for real so the counts are exact; now undo it.
            transaction.set_rollback(True)
        else:
            audit_log(
                actor=actor,
                action="people.officer.imported",
                data={
                    "source": source,
                    **result.counts(),
                    "created_police_numbers": created_numbers,
                    "updated_police_numbers": updated_numbers,
                },
            )
    return result


def personnel_import_xlsx(
    *,
    file: IO[bytes] | bytes,
    filename: str,
    actor,
    dry_run: bool = False,
    create_units: bool = False,
) -> PersonnelImportResult:
    """Import an uploaded .xlsx: header problems and row problems come back as result.errors.

    Raises PersonnelFileError (one sentence) when the file is not a readable workbook.
    """
    records, header_errors = personnel_records_from_xlsx(file)
    if header_errors:
        return PersonnelImportResult(dry_run=dry_run, errors=header_errors)
    return personnel_import(records=records, actor=actor, source=filename, dry_run=dry_run, create_units=create_units)
