"""The shape every import command shares: open the file, run a service, print errors or a summary.

Subclasses implement ``run_import(handle, path, dry_run, options)`` and ``summary_extras(result)``;
the result must have ``errors``, ``created``, ``updated`` and ``unchanged`` (and may have
``warnings``). A file that cannot be read at all raises ``portal.imports.ImportFileError`` in the
service (every importer reads through that door): its one sentence is printed and the command
exits 1, without a traceback.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from portal.imports import ImportFileError


class ImportCommand(BaseCommand):
    # The counts in the words of what is imported: Chinese counts people (人), questions (道) and
    # records (条) differently, so a command importing people or questions names its own (pgettext).
    summary_counts = pgettext_lazy(
        "import summary: records", "%(created)d created, %(updated)d updated, %(unchanged)d unchanged."
    )
    dry_run_counts = pgettext_lazy(
        "import summary: records",
        "%(created)d would be created, %(updated)d would be updated, %(unchanged)d unchanged.",
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="Path of the file.")
        parser.add_argument("--dry-run", action="store_true", help="Check the file and report counts; write nothing.")

    def run_import(self, handle, path: Path, dry_run: bool, options: dict):
        raise NotImplementedError

    def summary_extras(self, result) -> list[str]:
        return []

    def format_error(self, error) -> str:
        return str(error)

    def handle(self, *args, file: str, dry_run: bool, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(_("File not found: %(path)s") % {"path": file})
        try:
            with path.open("rb") as handle:
                result = self.run_import(handle, path, dry_run, options)
        except ImportFileError as exc:
            raise CommandError(str(exc)) from exc

        for warning in getattr(result, "warnings", ()):
            self.stdout.write(self.style.WARNING(_("Warning: %(issue)s") % {"issue": warning}))
        if result.errors:
            for error in result.errors:
                self.stderr.write(self.format_error(error))
            raise CommandError(
                _("%(count)d problem(s) found in %(file)s; nothing was imported.")
                % {"count": len(result.errors), "file": path.name}
            )

        summary = " ".join(
            [
                (self.dry_run_counts if dry_run else self.summary_counts)
                % {"created": result.created, "updated": result.updated, "unchanged": result.unchanged},
                *self.summary_extras(result),
            ]
        )
        if dry_run:
            self.stdout.write(_("Dry run, nothing written: %(summary)s") % {"summary": summary})
        else:
            self.stdout.write(
                self.style.SUCCESS(_("Imported %(file)s: %(summary)s") % {"file": path.name, "summary": summary})
            )
