from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from people.decorators import role_required
from people.forms import PersonnelImportForm
from people.models import Role
from people.personnel_xlsx import XLSX_CONTENT_TYPE, personnel_errors_xlsx, personnel_template_xlsx
from people.services import PersonnelFileError, RowError, personnel_import_xlsx

# The last failed import's errors, kept in the session so they can be downloaded as a workbook.
SESSION_ERRORS_KEY = "people.import.errors"


def _xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    return response


@role_required(Role.HR, Role.ADMIN)
def personnel_import(request):
    result = None
    if request.method == "POST":
        form = PersonnelImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                result = personnel_import_xlsx(
                    file=upload,
                    filename=upload.name,
                    actor=request.user,
                    dry_run=form.cleaned_data["dry_run"],
                    create_units=form.cleaned_data["create_units"],
                )
            except PersonnelFileError as exc:
                form.add_error("file", str(exc))
            else:
                if result.errors:
                    request.session[SESSION_ERRORS_KEY] = [error.as_dict() for error in result.errors]
                else:
                    request.session.pop(SESSION_ERRORS_KEY, None)
    else:
        form = PersonnelImportForm()
    return render(request, "people/import.html", {"form": form, "result": result})


@role_required(Role.HR, Role.ADMIN)
def personnel_import_template(request):
    return _xlsx_response(personnel_template_xlsx(), "人员导入模板.xlsx")


@role_required(Role.HR, Role.ADMIN)
def personnel_import_errors(request):
    errors = request.session.get(SESSION_ERRORS_KEY)
    if not errors:
        raise Http404(_("There is no error report to download."))
    return _xlsx_response(personnel_errors_xlsx(RowError(**error) for error in errors), "人员导入错误报告.xlsx")
