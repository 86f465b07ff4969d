from people.personnel_columns import PersonnelFileError, PersonnelRecord, RowError

from .officers import officer_create, officer_roles_sync, officer_status_change, officer_update
from .personnel_import import (
    PersonnelImportResult,
    column_label_field,
    column_label_header,
    personnel_import,
    personnel_import_xlsx,
    personnel_validate,
)
from .units import unit_create_path

__all__ = [
    "PersonnelFileError",
    "PersonnelImportResult",
    "PersonnelRecord",
    "RowError",
    "column_label_field",
    "column_label_header",
    "officer_create",
    "officer_roles_sync",
    "officer_status_change",
    "officer_update",
    "personnel_import",
    "personnel_import_xlsx",
    "personnel_validate",
    "unit_create_path",
]
