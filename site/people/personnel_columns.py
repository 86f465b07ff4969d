"""The personnel file's columns (人员导入模板) and the shapes shared by the xlsx reader, the import
service and the API: a raw record in, a row error out."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy

from people.models import Category, OfficerStatus
from portal.imports import ImportFileError

# --- Columns ----------------------------------------------------------------------------------

CATEGORY_LABELS: dict[str, str] = {"民警": Category.OFFICER, "辅警": Category.AUXILIARY}
STATUS_LABELS: dict[str, str] = {
    "在职": OfficerStatus.ACTIVE,
    "借调": OfficerStatus.SECONDED,
    "休假": OfficerStatus.ON_LEAVE,
    "离职": OfficerStatus.LEFT,
}


@dataclass(frozen=True)
class PersonnelColumn:
    field: str  # model attribute and API field name
    header: str  # column header in the xlsx template (without the required-marker '*')
    kind: str  # police_number | text | unit | category | flag | date | status | phone
    required: bool = False
    max_length: int | None = None
    help: Any = ""  # lazy text for the template's explanation sheet

    @property
    def template_header(self) -> str:
        return f"{self.header}*" if self.required else self.header


# The sheet of the import template and of the officer-list export (the importer reads the first sheet).
PERSONNEL_SHEET = "人员"

PERSONNEL_COLUMNS: tuple[PersonnelColumn, ...] = (
    PersonnelColumn(
        "police_number",
        "警号",
        "police_number",
        required=True,
        max_length=20,
        help=gettext_lazy("Login name and key of the record. Letters, digits, '-' and '_' only."),
    ),
    PersonnelColumn("name", "姓名", "text", required=True, max_length=50, help=gettext_lazy("Full name.")),
    PersonnelColumn(
        "unit_path",
        "单位",
        "unit",
        required=True,
        help=gettext_lazy("Unit path from the top unit down, separated by '/', e.g. 西湖分局/北山派出所/一中队."),
    ),
    PersonnelColumn(
        "category",
        "人员类别",
        "category",
        required=True,
        help=gettext_lazy("民警 (police officer) or 辅警 (auxiliary)."),
    ),
    PersonnelColumn("position", "职务", "text", max_length=50, help=gettext_lazy("Position, free text.")),
    PersonnelColumn("is_middle_leader", "中层领导", "flag", help=gettext_lazy("是 or 否; empty means 否.")),
    PersonnelColumn("is_legal_officer", "法制员", "flag", help=gettext_lazy("是 or 否; empty means 否.")),
    PersonnelColumn("is_legal_brigade", "法制大队民警", "flag", help=gettext_lazy("是 or 否; empty means 否.")),
    PersonnelColumn("is_new_officer", "新警", "flag", help=gettext_lazy("是 or 否; empty means 否.")),
    PersonnelColumn(
        "birth_date", "出生日期", "date", help=gettext_lazy("YYYY-MM-DD, or a date cell formatted by Excel.")
    ),
    PersonnelColumn(
        "service_start_date",
        "参加公安工作日期",
        "date",
        help=gettext_lazy("YYYY-MM-DD, or a date cell formatted by Excel."),
    ),
    PersonnelColumn(
        "status",
        "状态",
        "status",
        help=gettext_lazy("在职 (on duty), 借调 (seconded), 休假 (on leave) or 离职 (left); empty means 在职."),
    ),
    PersonnelColumn(
        "phone", "手机号", "phone", max_length=30, help=gettext_lazy("Digits; spaces, '-', '+' and brackets allowed.")
    ),
)
COLUMNS_BY_FIELD: dict[str, PersonnelColumn] = {column.field: column for column in PERSONNEL_COLUMNS}
COLUMNS_BY_HEADER: dict[str, PersonnelColumn] = {column.header: column for column in PERSONNEL_COLUMNS}


# --- Records and errors ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    """One problem: the row number (as Excel shows it, or index+1 in an API body), the column
    (its header in a file, its field name in the API) and the reason."""

    row: int
    column: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass(frozen=True)
class PersonnelRecord:
    row: int
    values: Mapping[str, Any]


# The upload cannot be read at all (not an xlsx, empty, no data rows): every importer raises the
# same exception, whose message is one sentence for the user.
PersonnelFileError = ImportFileError
