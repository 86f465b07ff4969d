"""Reserve talent pool pages (法制后备人才库): candidates, nominations, approvals, members, activities and
attendance, xlsx."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from certification.models import AttendanceStatus, MemberStatus, Qualification, QualificationType
from certification.selectors.pool import (
    BASIS_CODES,
    LIST_ROLES,
    activity_list,
    activity_roster,
    attendance_counts,
    can_decide_pool,
    can_manage_pool,
    can_see_activities,
    get_activity_for_user,
    get_member_for_user,
    member_history,
    memberships_visible_to,
    officer_attendance,
    officers_in_service,
    pool_candidates,
    pool_dataframe,
    pool_filters_from,
    pool_member_list,
)
from certification.services.pool import (
    PoolError,
    pool_activity_create,
    pool_activity_update,
    pool_attendance_record,
    pool_decide,
    pool_member_end,
    pool_nominate,
)
from certification.views.pool_forms import ActivityForm, DecisionForm, EndForm, NominateForm, attendance_entries
from people.decorators import role_required
from people.selectors import has_role, units_visible_to
from portal.exports import xlsx_bytes, xlsx_download
from portal.services import audit_log

PAGE_SIZE = 50


# --- the pool ---------------------------------------------------------------------------------------


@login_required
@require_GET
def pool_list(request):
    """Members in the reader's scope with filters; for the legal brigade the candidates by rule;
    nominations awaiting a leader. An officer without a list role sees their own membership."""
    user = request.user
    sees_others = has_role(user, *LIST_ROLES)
    filters = pool_filters_from(user, request.GET)
    page = Paginator(pool_member_list(user, filters), PAGE_SIZE).get_page(request.GET.get("page"))
    members = list(page.object_list)
    counts = attendance_counts({m.officer_id for m in members})
    for member in members:
        member.counts = counts.get(member.officer_id, {})
    candidates = pool_candidates(user=user) if can_manage_pool(user) else []
    pending = list(memberships_visible_to(user).filter(status=MemberStatus.NOMINATED).order_by("nominated_at"))
    return render(
        request,
        "certification/pool/list.html",
        {
            "page_obj": page,
            "members": members,
            "filters": filters,
            "sees_others": sees_others,
            "statuses": MemberStatus.choices,
            "basis_types": QualificationType.objects.filter(code__in=BASIS_CODES),
            "units": units_visible_to(user).order_by("path") if sees_others else [],
            "candidates": candidates,
            "pending": pending,
            "can_manage": can_manage_pool(user),
            "can_decide": can_decide_pool(user),
            "can_see_activities": can_see_activities(user),
        },
    )


@role_required(*LIST_ROLES)
@require_GET
def pool_export(request):

    filters = pool_filters_from(request.user, request.GET)
    frame = pool_dataframe(pool_member_list(request.user, filters))
    content = xlsx_bytes({str(_("Reserve talent pool")): frame})
    audit_log(
        actor=request.user,
        action="certification.pool.exported",
        data={"filters": filters.as_data(), "rows": len(frame)},
    )
    return xlsx_download(content, f"reserve-pool-{timezone.localdate():%Y%m%d}.xlsx")


@login_required
@require_POST
def pool_nominate_view(request):
    if not can_manage_pool(request.user):
        raise Http404
    form = NominateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Nothing was changed: give a reason for the nomination (at most 300 characters)."))
        return redirect("certification:pool_list")
    officer = officers_in_service().filter(pk=form.cleaned_data["officer"]).first()
    basis = Qualification.objects.filter(pk=form.cleaned_data["basis"], officer=officer).first() if officer else None
    if officer is None:
        messages.error(request, _("Nothing was changed: this officer is not in service."))
        return redirect("certification:pool_list")
    try:
        pool_nominate(officer=officer, basis=basis, reason=form.cleaned_data["reason"], actor=request.user)
    except PoolError as error:
        messages.error(request, error.message)
        return redirect("certification:pool_list")
    messages.success(request, _("%(name)s was nominated; a leader will decide.") % {"name": officer.name})
    return redirect("certification:pool_list")


@login_required
@require_POST
def pool_decide_view(request, pk: int):
    member = get_member_for_user(request.user, pk)
    if not can_decide_pool(request.user):
        raise Http404
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Nothing was changed: choose approve or reject (a note has at most 300 characters)."))
        return redirect("certification:pool_list")
    approve = form.cleaned_data["decision"] == "approve"
    try:
        pool_decide(member=member, approve=approve, note=form.cleaned_data["note"], actor=request.user)
    except PoolError as error:
        messages.error(request, error.message)
        return redirect("certification:pool_list")
    if approve:
        messages.success(request, _("%(name)s joined the reserve talent pool.") % {"name": member.officer.name})
    else:
        messages.success(request, _("The nomination of %(name)s was rejected.") % {"name": member.officer.name})
    return redirect("certification:pool_list")


# --- one member -------------------------------------------------------------------------------------


@login_required
@require_GET
def pool_member(request, pk: int):
    member = get_member_for_user(request.user, pk)
    memberships = list(memberships_visible_to(request.user).filter(officer=member.officer).order_by("-nominated_at"))
    attendance = officer_attendance(member.officer)
    counts = dict.fromkeys(AttendanceStatus.values, 0)
    for row in attendance:
        counts[row.status] += 1
    can_end = can_manage_pool(request.user) and member.status == MemberStatus.ACTIVE
    return render(
        request,
        "certification/pool/member.html",
        {
            "member": member,
            "memberships": memberships,
            "history": member_history(member),
            "attendance": attendance,
            "counts": counts,
            "end_form": EndForm() if can_end else None,
            "decision_form": DecisionForm()
            if can_decide_pool(request.user) and member.status == MemberStatus.NOMINATED
            else None,
        },
    )


@login_required
@require_POST
def pool_member_end_view(request, pk: int):
    member = get_member_for_user(request.user, pk)
    if not can_manage_pool(request.user):
        raise Http404
    form = EndForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Nothing was changed: give a reason (at most 300 characters)."))
        return redirect("certification:pool_member", pk=member.pk)
    try:
        pool_member_end(member=member, reason=form.cleaned_data["reason"], actor=request.user)
    except PoolError as error:
        messages.error(request, error.message)
        return redirect("certification:pool_member", pk=member.pk)
    messages.success(request, _("The membership of %(name)s ended.") % {"name": member.officer.name})
    return redirect("certification:pool_member", pk=member.pk)


# --- activities -------------------------------------------------------------------------------------


@login_required
@require_GET
def pool_activities(request):
    if not can_see_activities(request.user):
        raise Http404
    return render(
        request,
        "certification/pool/activities.html",
        {"activities": activity_list(request.user), "can_manage": can_manage_pool(request.user)},
    )


def _activity_form_page(request, activity=None):
    if not can_manage_pool(request.user):
        raise Http404
    template = "certification/pool/activity_form.html"
    if request.method != "POST":
        initial = {name: getattr(activity, name) for name in ActivityForm.base_fields} if activity else {}
        return render(request, template, {"form": ActivityForm(initial=initial), "activity": activity})
    form = ActivityForm(request.POST)
    if not form.is_valid():
        return render(request, template, {"form": form, "activity": activity}, status=400)
    try:
        if activity is None:
            activity = pool_activity_create(actor=request.user, **form.cleaned_data)
            messages.success(request, _("Activity created: record attendance once it has taken place."))
        else:
            activity = pool_activity_update(activity=activity, actor=request.user, **form.cleaned_data)
            messages.success(request, _("Activity saved."))
    except PoolError as error:
        form.add_error(None, error.message)
        return render(request, template, {"form": form, "activity": activity}, status=400)
    return redirect("certification:pool_activity", pk=activity.pk)


@login_required
def pool_activity_create_view(request):
    return _activity_form_page(request)


@login_required
def pool_activity_edit(request, pk: int):
    return _activity_form_page(request, get_activity_for_user(request.user, pk))


@login_required
@require_GET
def pool_activity(request, pk: int):
    activity = get_activity_for_user(request.user, pk)
    can_manage = can_manage_pool(request.user)
    roster = activity_roster(activity, request.user)
    return render(
        request,
        "certification/pool/activity.html",
        {
            "activity": activity,
            "roster": roster,
            "statuses": AttendanceStatus.choices,
            "can_manage": can_manage,
            "can_record": can_manage and activity.date <= timezone.localdate(),
        },
    )


@login_required
@require_POST
def pool_attendance(request, pk: int):
    activity = get_activity_for_user(request.user, pk)
    if not can_manage_pool(request.user):
        raise Http404
    roster = [row.officer.pk for row in activity_roster(activity)]
    entries, valid = attendance_entries(request.POST, roster)
    if not valid:
        messages.error(
            request, _("Nothing was changed: choose present, excused or absent (notes at most 200 characters).")
        )
        return redirect("certification:pool_activity", pk=activity.pk)
    try:
        changed = pool_attendance_record(activity=activity, entries=entries, actor=request.user)
    except PoolError as error:
        messages.error(request, error.message)
        return redirect("certification:pool_activity", pk=activity.pk)
    messages.success(request, _("Attendance saved (%(count)s changed).") % {"count": changed})
    return redirect("certification:pool_activity", pk=activity.pk)


urlpatterns: list = [
    path("pool/", pool_list, name="pool_list"),
    path("pool/export.xlsx", pool_export, name="pool_export"),
    path("pool/nominate/", pool_nominate_view, name="pool_nominate"),
    path("pool/members/<int:pk>/", pool_member, name="pool_member"),
    path("pool/members/<int:pk>/decide/", pool_decide_view, name="pool_decide"),
    path("pool/members/<int:pk>/end/", pool_member_end_view, name="pool_member_end"),
    path("pool/activities/", pool_activities, name="pool_activities"),
    path("pool/activities/new/", pool_activity_create_view, name="pool_activity_create"),
    path("pool/activities/<int:pk>/", pool_activity, name="pool_activity"),
    path("pool/activities/<int:pk>/edit/", pool_activity_edit, name="pool_activity_edit"),
    path("pool/activities/<int:pk>/attendance/", pool_attendance, name="pool_attendance"),
]
