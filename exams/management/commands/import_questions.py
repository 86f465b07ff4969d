"""python manage.py import_questions FILE [--format {xlsx,moodle-xml,gift}] [--dry-run] ..."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from exams.services import questions_import
from exams.transfer.common import TransferFormat
from portal.management.importing import ImportCommand


class Command(ImportCommand):
    help = (
        "Import questions from an .xlsx workbook (the template at /exams/bank/import/template.xlsx), "
        "a Moodle XML file or a GIFT file. All or nothing: any rejected question means nothing is written."
    )

    summary_counts = pgettext_lazy(
        "import summary: questions", "%(created)d created, %(updated)d updated, %(unchanged)d unchanged."
    )
    dry_run_counts = pgettext_lazy(
        "import summary: questions",
        "%(created)d would be created, %(updated)d would be updated, %(unchanged)d unchanged.",
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--format",
            choices=TransferFormat.values,
            help="File format; by default from the extension (.xlsx, .xml, .gift or .txt).",
        )
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

    def run_import(self, handle, path, dry_run, options):
        return questions_import(
            file=handle,
            filename=path.name,
            file_format=options["format"],
            actor="manage.py import_questions",
            dry_run=dry_run,
            create_knowledge_points=options["create_knowledge_points"],
            skip_unsupported=options["skip_unsupported"],
        )

    def summary_extras(self, result) -> list[str]:
        extras = []
        if result.skipped:
            extras.append(_("%(count)d skipped (unsupported type).") % {"count": result.skipped})
        if result.knowledge_points_created:
            message = (
                _("Knowledge points that would be created: %(paths)s.")
                if result.dry_run
                else _("Knowledge points created: %(paths)s.")
            )
            extras.append(message % {"paths": "、".join(result.knowledge_points_created)})
        return extras
