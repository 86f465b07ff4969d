from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from people.exports import officers_export
from people.forms import OfficerFilterForm
from people.models import Role
from people.selectors import (
    Scope,
    get_officer_for_user,
    has_role,
    officer_list_for_user,
    scope_of,
    unit_full_paths,
    units_visible_to,
)
from portal.services.exports import export_respond

PAGE_SIZE = 50


@login_required
def officer_list(request):
    if scope_of(request.user) is Scope.SELF:
        # Nobody but themselves to list: the list would be one row.
        return redirect("people:officer_detail", pk=request.user.pk)
    units = units_visible_to(request.user)
    unit_labels = unit_full_paths()
    form = OfficerFilterForm(request.GET or None, units=units, unit_labels=unit_labels)
    filters = form.cleaned_data if form.is_valid() else {}
    officers = officer_list_for_user(
        request.user,
        unit=filters.get("unit"),
        category=filters.get("category", ""),
        status=filters.get("status", ""),
        search=filters.get("q", ""),
    )
    page_obj = Paginator(officers, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "people/officer_list.html",
        {
            "form": form,
            "page_obj": page_obj,
            "officers": page_obj.object_list,
            "unit_labels": unit_labels,
            "can_import": has_role(request.user, Role.HR, Role.ADMIN),
        },
    )


@login_required
@require_GET
def officer_list_xlsx(request):
    """The filtered list (every page) in the personnel import template's layout, so the file can be
    edited and imported again: at once when small, else a background export."""
    if scope_of(request.user) is Scope.SELF:
        # Unlike the page (which forwards to the officer's own profile) there is no list to give.
        raise Http404
    filters = officers_export.filters_from(request.GET)
    return export_respond(request, kind="people.officers", filters=filters)


@login_required
def officer_detail(request, pk: int):
    officer = get_officer_for_user(request.user, pk)
    history = officer.status_changes.select_related("changed_by")
    unit_path = unit_full_paths().get(officer.unit_id, "") if officer.unit_id else ""
    return render(
        request,
        "people/officer_detail.html",
        {
            "officer": officer,
            "unit_path": unit_path,
            "history": history,
            "roles": sorted(officer.role_codes()),
            "is_self": officer.pk == request.user.pk,
            "can_edit": request.user.is_staff and has_role(request.user, Role.HR, Role.ADMIN),
        },
    )
