"""Case-quality records (执法质量考评): list, entry form, xlsx import."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from certification.list_exports import case_records_export
from certification.models import CaseRecordSource
from certification.selectors.cases import can_enter_cases, case_officers_for_writer, case_record_list
from certification.services.case_import import XLSX_CONTENT_TYPE, CaseFileError, case_import_xlsx, case_template_xlsx
from certification.services.cases import CaseRecordError, case_record_save
from certification.views.pathway_forms import CaseFilterForm, CaseImportForm, CaseRecordForm
from people.selectors import unit_full_paths, units_visible_to
from portal.services.exports import export_respond

PAGE_SIZE = 50


def case_writer_required(view):
    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not can_enter_cases(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


@login_required
def case_list(request):
    unit_labels = unit_full_paths()
    form = CaseFilterForm(request.GET or None, units=units_visible_to(request.user), unit_labels=unit_labels)
    filters = form.cleaned_data if form.is_valid() else {}
    records = case_record_list(
        request.user,
        unit=filters.get("unit"),
        search=filters.get("q", ""),
        date_from=filters.get("date_from"),
        date_to=filters.get("date_to"),
        serious_only=filters.get("serious", False),
    )
    page_obj = Paginator(records, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "certification/cases/list.html",
        {
            "form": form,
            "page_obj": page_obj,
            "records": page_obj.object_list,
            "can_enter": can_enter_cases(request.user),
        },
    )


@login_required
@require_GET
def case_list_xlsx(request):
    """The filtered list (every page) as xlsx: at once when small, else a background export."""
    filters = case_records_export.filters_from(request.GET)
    return export_respond(request, kind="certification.case_records", filters=filters)


@case_writer_required
def case_create(request):
    """Enter (or, for a known case number, update) one case's assessment."""
    form = CaseRecordForm(request.POST or None, officers=case_officers_for_writer(request.user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            record, outcome = case_record_save(
                officer=data["officer"],
                case_number=data["case_number"],
                case_date=data["case_date"],
                case_title=data["case_title"],
                score=data["score"],
                deductions=data["deductions"],
                issue_categories=data["issue_categories"],
                serious=data["serious"],
                commendation=data["commendation"],
                note=data["note"],
                source=CaseRecordSource.FORM,
                actor=request.user,
            )
        except CaseRecordError as exc:
            form.add_error(None, str(exc))
        else:
            text = {
                "created": _("Case %(number)s recorded."),
                "updated": _("Case %(number)s already existed; its record was updated."),
                "unchanged": _("Case %(number)s already had exactly these values."),
            }[outcome]
            messages.success(request, text % {"number": record.case_number})
            return redirect("certification:case_list")
    return render(request, "certification/cases/form.html", {"form": form})


@case_writer_required
def case_import(request):
    result = None
    form = CaseImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = case_import_xlsx(
                file=upload,
                filename=upload.name,
                actor=request.user,
                allowed_officers=case_officers_for_writer(request.user),
                dry_run=form.cleaned_data["dry_run"],
            )
        except CaseFileError as exc:
            form.add_error("file", str(exc))
    return render(request, "certification/cases/import.html", {"form": form, "result": result})


@case_writer_required
def case_import_template(request):
    response = HttpResponse(case_template_xlsx(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename="执法质量考评导入模板.xlsx"
    )
    return response


urlpatterns: list = [
    path("cases/", case_list, name="case_list"),
    path("cases.xlsx", case_list_xlsx, name="case_list_xlsx"),
    path("cases/new/", case_create, name="case_create"),
    path("cases/import/", case_import, name="case_import"),
    path("cases/import/template.xlsx", case_import_template, name="case_import_template"),
]
