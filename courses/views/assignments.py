"""学习任务管理 for trainers (list, create, detail, close) and the overdue lists (unit leaders, HR)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from courses import services
from courses.forms import AssignmentForm, AssignmentOfficerFilterForm, OverdueFilterForm
from courses.links import assignment_url, index_url
from courses.models import AssignmentStatus, CoursePage
from courses.reports import dataframe_xlsx, overdue_dataframe
from courses.selectors import (
    assignment_officer_rows,
    assignment_summary,
    assignments_for_management,
    can_manage_study,
    can_see_overdue,
    get_assignment_for_user,
    overdue_assignments,
    overdue_for,
)
from people.decorators import training_staff_required
from people.selectors import audience_labels, officers_matching, unit_full_paths, units_visible_to
from portal.exports import XLSX_CONTENT_TYPE

LIST_PAGE_SIZE = 20
OFFICER_PAGE_SIZE = 50

STATUS_FILTERS = {"active": AssignmentStatus.ACTIVE, "closed": AssignmentStatus.CLOSED, "all": ""}


@training_staff_required
def assignment_list(request):
    status_key = request.GET.get("status", "active")
    if status_key not in STATUS_FILTERS:
        status_key = "active"
    assignments = assignments_for_management(status=STATUS_FILTERS[status_key])
    page_obj = Paginator(assignments, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    unit_labels = unit_full_paths()
    rows = [
        {
            "assignment": assignment,
            "summary": assignment_summary(assignment),
            "audience": audience_labels(assignment, unit_labels=unit_labels),
        }
        for assignment in page_obj.object_list
    ]
    return render(
        request,
        "courses/study/assignment_list.html",
        {"rows": rows, "page_obj": page_obj, "status_key": status_key, "create_url": index_url("assignment_create")},
    )


@training_staff_required
def assignment_create(request):
    if request.method == "POST":
        form = AssignmentForm(request.POST)
        if form.is_valid():
            audience = form.audience_spec()
            try:
                assignment = services.assignment_create(
                    actor=request.user,
                    course=form.cleaned_data["course"],
                    due_date=form.cleaned_data["due_date"],
                    audience=audience,
                    note=form.cleaned_data["note"],
                    submission_key=form.cleaned_data.get("submission_key"),
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                count = officers_matching(audience).count()
                messages.success(
                    request,
                    _("“%(course)s” assigned to %(count)d officers, due %(date)s.")
                    % {"course": assignment.course_title, "count": count, "date": assignment.due_date.isoformat()},
                )
                if count == 0:
                    messages.warning(
                        request, _("Nobody is in this audience today; check the units, categories and positions.")
                    )
                return redirect(assignment_url(assignment.pk))
    else:
        initial = {}
        course_id = request.GET.get("course", "")
        if course_id.isdigit():  # "Assign this course" links pass the course
            initial["course"] = CoursePage.objects.filter(pk=course_id).first()
        form = AssignmentForm(initial=initial)
    return render(request, "courses/study/assignment_form.html", {"form": form})


@training_staff_required
def assignment_detail(request, pk: int):
    assignment = get_assignment_for_user(request.user, pk)
    unit_labels = unit_full_paths()
    form = AssignmentOfficerFilterForm(
        request.GET or None, units=units_visible_to(request.user), unit_labels=unit_labels
    )
    filters = form.cleaned_data if form.is_valid() else {}
    officers, total = assignment_officer_rows(
        assignment, state=filters.get("state", ""), unit=filters.get("unit"), query=filters.get("q", "")
    )
    page_obj = Paginator(officers, OFFICER_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "courses/study/assignment_detail.html",
        {
            "assignment": assignment,
            "summary": assignment_summary(assignment),
            "audience": audience_labels(assignment, unit_labels=unit_labels),
            "form": form,
            "page_obj": page_obj,
            "officers": page_obj.object_list,
            "total_lessons": total,
            "unit_labels": unit_labels,
            "close_url": index_url("assignment_close", assignment.pk),
            "list_url": index_url("assignment_list"),
        },
    )


@require_POST
@training_staff_required
def assignment_close(request, pk: int):
    assignment = get_assignment_for_user(request.user, pk)
    try:
        services.assignment_close(actor=request.user, assignment=assignment)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Assignment closed. It no longer appears in officers' lists or reminders."))
    return redirect(assignment_url(assignment.pk))


@login_required
def overdue_list(request):
    """Who is overdue in the viewer's scope: a unit leader's units, everyone for HR and trainers."""
    if not can_see_overdue(request.user):
        raise PermissionDenied
    unit_labels = unit_full_paths()
    form = OverdueFilterForm(
        request.GET or None,
        assignments=overdue_assignments(),
        units=units_visible_to(request.user),
        unit_labels=unit_labels,
    )
    filters = form.cleaned_data if form.is_valid() else {}
    rows = overdue_for(
        request.user,
        assignment=filters.get("assignment"),
        unit=filters.get("unit"),
        category=filters.get("category", ""),
        query=filters.get("q", ""),
    )
    if request.GET.get("format") == "xlsx":
        content = dataframe_xlsx(overdue_dataframe(rows, unit_labels=unit_labels), sheet_name=_("Overdue study"))
        response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = content_disposition_header(True, _("Overdue study") + ".xlsx")
        return response
    page_obj = Paginator(rows, OFFICER_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "courses/study/overdue_list.html",
        {
            "form": form,
            "page_obj": page_obj,
            "rows": page_obj.object_list,
            "unit_labels": unit_labels,
            "can_manage": can_manage_study(request.user),
            "overdue_url": index_url("overdue"),
        },
    )
