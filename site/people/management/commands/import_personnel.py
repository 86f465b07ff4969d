"""python manage.py import_personnel FILE.xlsx [--dry-run] [--create-units]"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from people.services import PersonnelFileError, personnel_import_xlsx


class Command(BaseCommand):
    help = (
        "Import officers from a personnel .xlsx (the template from /people/import/template.xlsx). "
        "Officers are matched by police number; any error means nothing is written."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="Path of the .xlsx file.")
        parser.add_argument("--dry-run", action="store_true", help="Check the file and report counts; write nothing.")
        parser.add_argument(
            "--create-units", action="store_true", help="Create units named in the file that do not exist yet."
        )

    def handle(self, *args, file: str, dry_run: bool, create_units: bool, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(_("File not found: %(path)s") % {"path": file})
        try:
            with path.open("rb") as handle:
                result = personnel_import_xlsx(
                    file=handle,
                    filename=path.name,
                    actor="manage.py import_personnel",
                    dry_run=dry_run,
                    create_units=create_units,
                )
        except PersonnelFileError as exc:
            raise CommandError(str(exc)) from exc

        if result.errors:
            for error in result.errors:
                self.stderr.write(
                    _("Row %(row)d [%(column)s] %(message)s")
                    % {"row": error.row, "column": error.column, "message": error.message}
                )
            raise CommandError(
                _("%(count)d problem(s) found in %(file)s; nothing was imported.")
                % {"count": len(result.errors), "file": path.name}
            )

        summary = _("%(created)d created, %(updated)d updated, %(unchanged)d unchanged.") % {
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
        }
        if result.status_changes:
            summary += " " + _("%(count)d status change(s) recorded.") % {"count": result.status_changes}
        if result.units_created:
            summary += " " + _("Units created: %(units)s.") % {"units": "、".join(result.units_created)}
        if dry_run:
            self.stdout.write(_("Dry run, nothing written: %(summary)s") % {"summary": summary})
        else:
            self.stdout.write(
                self.style.SUCCESS(_("Imported %(file)s: %(summary)s") % {"file": path.name, "summary": summary})
            )
