"""python manage.py export_questions [--format {xlsx,moodle-xml,gift}] [-o FILE] [filters]"""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from courses.models import KnowledgePoint
from exams.services.question_import import KnowledgeIndex
from exams.transfer.common import (
    EXPORT_FORMATS,
    audience_from_label,
    split_path,
    status_from_label,
    tier_from_label,
    type_from_label,
)
from exams.transfer.export import EXPORT_EXTENSIONS, ExportFilter, questions_export, questions_for_export


def _codes(values: list[str], convert, what: str) -> list[str]:
    codes = []
    for value in values:
        code = convert(value)
        if code is None:
            raise CommandError(_("Unknown %(what)s: %(value)s") % {"what": what, "value": value})
        codes.append(code)
    return codes


class Command(BaseCommand):
    help = (
        "Export questions as an .xlsx workbook in the import layout, as Moodle XML or as GIFT; each imports back "
        "(here or into another installation) as the same questions. Filters combine; each may be repeated."
    )

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=[str(f) for f in EXPORT_FORMATS], default="xlsx")
        parser.add_argument(
            "-o", "--output", help="Output file; '-' writes to standard output. Default: questions-<time>.<ext>."
        )
        parser.add_argument("--status", action="append", default=[], help="草稿/启用/停用 or draft/active/retired.")
        parser.add_argument("--type", action="append", default=[], help="单选/多选/判断/填空/简答 or the type code.")
        parser.add_argument("--tier", action="append", default=[], help="基本级/中级/高级 or the tier code.")
        parser.add_argument("--audience", action="append", default=[], help="全警/新警/辅警/中层领导/法制员.")
        parser.add_argument("--difficulty", action="append", type=int, default=[], help="1 to 5.")
        parser.add_argument("--knowledge-point", help="A knowledge-point path, e.g. 接处警/出警处置 (and below).")
        parser.add_argument("--id", dest="ids", action="append", type=int, default=[], help="Question numbers.")

    def handle(self, *args, **options):
        point = None
        if options["knowledge_point"]:
            pk, problem = KnowledgeIndex().resolve(split_path(options["knowledge_point"]))
            if pk is None:
                unknown = _("Unknown knowledge point: %(path)s") % {"path": options["knowledge_point"]}
                raise CommandError(problem or unknown)
            point = KnowledgePoint.objects.get(pk=pk)
        filters = ExportFilter(
            statuses=_codes(options["status"], status_from_label, _("status")),
            types=_codes(options["type"], type_from_label, _("question type")),
            tiers=_codes(options["tier"], tier_from_label, _("tier")),
            audiences=_codes(options["audience"], audience_from_label, _("audience")),
            difficulties=options["difficulty"],
            knowledge_point=point,
            ids=options["ids"],
        )
        questions = questions_for_export(filters)
        count = questions.count()
        content = questions_export(questions=questions, export_format=options["format"])
        output = options["output"] or "questions-{}.{}".format(
            timezone.localtime().strftime("%Y%m%d-%H%M"), EXPORT_EXTENSIONS[options["format"]]
        )
        if output == "-":
            sys.stdout.buffer.write(content)
            sys.stdout.buffer.flush()
            return
        Path(output).write_bytes(content)
        self.stdout.write(_("Exported %(count)d question(s) to %(file)s.") % {"count": count, "file": output})
