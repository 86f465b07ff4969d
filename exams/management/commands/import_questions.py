"""python manage.py import_questions FILE [--format {xlsx,moodle-xml,gift}] [--dry-run] ..."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from exams.services import questions_import
from exams.transfer.common import TransferFileError, TransferFormat


class Command(BaseCommand):
    help = (
        "Import questions from an .xlsx workbook (the template at /exams/bank/import/template.xlsx), "
        "a Moodle XML file or a GIFT file. All or nothing: any rejected question means nothing is written."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="Path of the file.")
        parser.add_argument(
            "--format",
            choices=TransferFormat.values,
            help="File format; by default from the extension (.xlsx, .xml, .gift or .txt).",
        )
        parser.add_argument("--dry-run", action="store_true", help="Check the file and report counts; write nothing.")
        parser.add_argument(
            "--create-knowledge-points",
            action="store_true",
            help="Create knowledge points (and Moodle/GIFT categories) named in the file that do not exist yet.",
        )
        parser.add_argument(
            "--skip-unsupported",
            action="store_true",
            help="Import the other questions when some are of an unsupported type (matching, numerical, cloze …).",
        )

    def handle(self, *args, file: str, format: str | None, dry_run: bool, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(_("File not found: %(path)s") % {"path": file})
        try:
            with path.open("rb") as handle:
                result = questions_import(
                    file=handle,
                    filename=path.name,
                    file_format=format,
                    actor="manage.py import_questions",
                    dry_run=dry_run,
                    create_knowledge_points=options["create_knowledge_points"],
                    skip_unsupported=options["skip_unsupported"],
                )
        except TransferFileError as exc:
            raise CommandError(str(exc)) from exc

        for warning in result.warnings:
            self.stdout.write(self.style.WARNING(_("Warning: %(issue)s") % {"issue": warning}))
        if result.errors:
            for error in result.errors:
                self.stderr.write(str(error))
            raise CommandError(
                _("%(count)d problem(s) found in %(file)s; nothing was imported.")
                % {"count": len(result.errors), "file": path.name}
            )

        summary = _("%(created)d created, %(updated)d updated, %(unchanged)d unchanged.") % {
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
        }
        if result.skipped:
            summary += " " + _("%(count)d skipped (unsupported type).") % {"count": result.skipped}
        if result.knowledge_points_created:
            summary += " " + _("Knowledge points created: %(paths)s.") % {
                "paths": "、".join(result.knowledge_points_created)
            }
        if dry_run:
            self.stdout.write(_("Dry run, nothing written: %(summary)s") % {"summary": summary})
        else:
            self.stdout.write(
                self.style.SUCCESS(_("Imported %(file)s: %(summary)s") % {"file": path.name, "summary": summary})
            )
