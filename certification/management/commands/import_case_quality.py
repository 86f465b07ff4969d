"""python manage.py import_case_quality FILE.xlsx [--dry-run]"""

from __future__ import annotations

from django.utils.translation import gettext as _

from certification.services.case_import import case_import_xlsx
from portal.management.importing import ImportCommand


class Command(ImportCommand):
    help = (
        "Import case-quality records (执法质量考评) from an .xlsx (the template from "
        "/certification/cases/import/template.xlsx). Records are matched by case number; any error "
        "means nothing is written."
    )

    def run_import(self, handle, path, dry_run, options):
        return case_import_xlsx(file=handle, filename=path.name, actor="manage.py import_case_quality", dry_run=dry_run)

    def format_error(self, error) -> str:
        return _("Row %(row)d [%(column)s] %(message)s") % {
            "row": error.row,
            "column": error.column,
            "message": error.message,
        }
