"""The officer's law-enforcement file (执法档案): one timeline of everything the platform knows,
filterable, with a summary header and a PDF.

Who sees a file: the officer, their unit leader (unit subtree), the legal brigade and HR —
``people.selectors.get_officer_for_user`` (the legal brigade and HR have the everyone scope);
anyone else gets 404.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from certification.file_pdf import officer_file_pdf, officer_file_pdf_filename
from certification.selectors.file import (
    entry_kinds,
    entry_years,
    filter_entries,
    officer_file_entries,
    officer_file_summary,
)
from people.selectors import get_officer_for_user
from portal.services import audit_log

PAGE_SIZE = 100


def _filters(request, entries) -> tuple[list[str], int | None]:
    """Kinds and year from the query string; unknown kinds and malformed years are ignored (the
    whole file is shown rather than an error page)."""
    known = {code for code, _label in entry_kinds(entries)}
    kinds = [kind for kind in request.GET.getlist("kind") if kind in known]
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        year = None
    return kinds, year


def _file_page(request, officer, *, own: bool):
    entries = officer_file_entries(officer)
    kinds, year = _filters(request, entries)
    shown = filter_entries(entries, kinds=kinds, year=year)
    page_obj = Paginator(shown, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "certification/file/detail.html",
        {
            "summary": officer_file_summary(officer),
            "page_obj": page_obj,
            "kinds": entry_kinds(entries),
            "chosen_kinds": kinds,
            "years": entry_years(entries),
            "year": year,
            "own": own,
        },
    )


@login_required
@require_GET
def my_file(request):
    return _file_page(request, request.user, own=True)


@login_required
@require_GET
def officer_file(request, pk: int):
    officer = get_officer_for_user(request.user, pk)
    return _file_page(request, officer, own=officer.pk == request.user.pk)


@login_required
@require_GET
def officer_file_pdf_view(request, pk: int):
    """The file as PDF with the page's filters; downloading it is an export of personal data and
    is audited with the filters and the number of entries."""
    officer = get_officer_for_user(request.user, pk)
    entries = officer_file_entries(officer)
    kinds, year = _filters(request, entries)
    shown = filter_entries(entries, kinds=kinds, year=year)
    labels = dict(entry_kinds(entries))
    filters_text = " · ".join(
        part
        for part in (
            "、".join(labels[kind] for kind in kinds),
            _("year %(year)s") % {"year": year} if year is not None else "",
        )
        if part
    )
    summary = officer_file_summary(officer)
    pdf = officer_file_pdf(summary, shown, filters_text=filters_text, language=get_language())
    audit_log(
        actor=request.user,
        action="certification.file.exported",
        target=officer,
        data={"kinds": kinds, "year": year, "entries": len(shown), "format": "pdf"},
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{officer_file_pdf_filename(summary)}"'
    return response


urlpatterns: list = [
    path("file/", my_file, name="my_file"),
    path("file/<int:pk>/", officer_file, name="officer_file"),
    path("file/<int:pk>/pdf/", officer_file_pdf_view, name="officer_file_pdf"),
]
