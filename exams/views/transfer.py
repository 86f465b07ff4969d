"""Views: question import and export (see exams/urls.py).

exams:question_import            /exams/bank/import/                 upload form and per-question report
exams:question_import_template   /exams/bank/import/template.xlsx    the xlsx template
exams:question_import_report     /exams/bank/import/report.xlsx      the last report as a workbook
exams:question_export            /exams/bank/export/?format=xlsx|moodle-xml|gift&status=…&type=…&tier=…
                                 &audience=…&difficulty=…&knowledge_point=<pk>&id=…   (filters repeatable)
"""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from courses.models import KnowledgePoint
from courses.models.choices import Audience, Tier
from exams.models import QuestionStatus, QuestionType
from exams.services import questions_import
from exams.services.question_import import KnowledgeIndex
from exams.transfer.common import EXPORT_FORMATS, ImportIssue, TransferFileError, TransferFormat, join_path
from exams.transfer.export import (
    EXPORT_CONTENT_TYPES,
    EXPORT_EXTENSIONS,
    ExportFilter,
    questions_export,
    questions_for_export,
)
from exams.transfer.forms import QuestionImportForm
from exams.transfer.xlsx import XLSX_CONTENT_TYPE, report_xlsx, template_xlsx
from people.decorators import training_staff_required

# The last import's report, kept in the session so that it can be downloaded as a workbook.
SESSION_REPORT_KEY = "exams.import.report"
REPORT_LIMIT = 5000


def _download(content: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    return response


@training_staff_required
def question_import(request):
    result = None
    if request.method == "POST":
        form = QuestionImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                result = questions_import(
                    file=upload,
                    filename=upload.name,
                    file_format=form.cleaned_data["format"] or None,
                    actor=request.user,
                    dry_run=form.cleaned_data["dry_run"],
                    create_knowledge_points=form.cleaned_data["create_knowledge_points"],
                    skip_unsupported=form.cleaned_data["skip_unsupported"],
                )
            except TransferFileError as exc:
                form.add_error("file", str(exc))
            else:
                request.session[SESSION_REPORT_KEY] = {
                    "errors": [issue.as_dict() for issue in result.errors[:REPORT_LIMIT]],
                    "warnings": [issue.as_dict() for issue in result.warnings[:REPORT_LIMIT]],
                }
    else:
        form = QuestionImportForm()
    return render(request, "exams/transfer/import.html", {"form": form, "result": result})


@training_staff_required
def question_import_template(request):
    index = KnowledgeIndex()
    paths = sorted(join_path(names) for names in index.by_names)
    return _download(template_xlsx(knowledge_paths=paths), "题库导入模板.xlsx", XLSX_CONTENT_TYPE)


@training_staff_required
def question_import_report(request):
    report = request.session.get(SESSION_REPORT_KEY)
    if not report or not (report["errors"] or report["warnings"]):
        raise Http404(_("There is no import report to download."))
    content = report_xlsx(
        errors=[ImportIssue(**issue) for issue in report["errors"]],
        warnings=[ImportIssue(**issue) for issue in report["warnings"]],
    )
    return _download(content, "题库导入报告.xlsx", XLSX_CONTENT_TYPE)


def _values(request, name: str, allowed) -> list[str]:
    return [value for value in request.GET.getlist(name) if value in allowed]


@training_staff_required
def question_export(request):
    export_format = request.GET.get("format") or TransferFormat.XLSX
    if export_format not in EXPORT_FORMATS:
        raise Http404(_("Unknown export format."))
    point = None
    if request.GET.get("knowledge_point", "").isdigit():
        point = get_object_or_404(KnowledgePoint, pk=int(request.GET["knowledge_point"]))
    filters = ExportFilter(
        statuses=_values(request, "status", QuestionStatus.values),
        types=_values(request, "type", QuestionType.values),
        tiers=_values(request, "tier", Tier.values),
        audiences=_values(request, "audience", Audience.values),
        difficulties=[int(v) for v in request.GET.getlist("difficulty") if v in {"1", "2", "3", "4", "5"}],
        knowledge_point=point,
        ids=[int(v) for value in request.GET.getlist("id") for v in value.split(",") if v.strip().isdigit()],
    )
    content = questions_export(questions=questions_for_export(filters), export_format=export_format)
    filename = "题库导出-{}.{}".format(timezone.localtime().strftime("%Y%m%d-%H%M"), EXPORT_EXTENSIONS[export_format])
    return _download(content, filename, EXPORT_CONTENT_TYPES[export_format])


urlpatterns: list = [
    path("bank/import/", question_import, name="question_import"),
    path("bank/import/template.xlsx", question_import_template, name="question_import_template"),
    path("bank/import/report.xlsx", question_import_report, name="question_import_report"),
    path("bank/export/", question_export, name="question_export"),
]
