"""python manage.py import_personnel FILE.xlsx [--dry-run] [--create-units]"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from people.services import personnel_import_xlsx
from portal.management.importing import ImportCommand


class Command(ImportCommand):
    help = (
        "Import officers from a personnel .xlsx (the template from /people/import/template.xlsx). "
        "Officers are matched by police number; any error means nothing is written."
    )

    summary_counts = pgettext_lazy(
        "import summary: people", "%(created)d created, %(updated)d updated, %(unchanged)d unchanged."
    )
    dry_run_counts = pgettext_lazy(
        "import summary: people", "%(created)d would be created, %(updated)d would be updated, %(unchanged)d unchanged."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--create-units", action="store_true", help="Create units named in the file that do not exist yet."
        )

    def run_import(self, handle, path, dry_run, options):
        return personnel_import_xlsx(
            file=handle,
            filename=path.name,
            actor="manage.py import_personnel",
            dry_run=dry_run,
            create_units=options["create_units"],
        )

    def format_error(self, error) -> str:
        return _("Row %(row)d [%(column)s] %(message)s") % {
            "row": error.row,
            "column": error.column,
            "message": error.message,
        }

    def summary_extras(self, result) -> list[str]:
        extras = []
        if result.status_changes:
            extras.append(_("%(count)d status change(s) recorded.") % {"count": result.status_changes})
        if result.units_created:
            message = _("Units that would be created: %(units)s.") if result.dry_run else _("Units created: %(units)s.")
            extras.append(message % {"units": "、".join(result.units_created)})
        return extras
