"""Pages of the 123 new-officer pathway: enrolment, the pathway board, an officer's pathway,
shadowing logs and their sign-off."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from certification.list_exports import pathways_export
from certification.models import LogStatus, Pathway, PathwayPhase
from certification.selectors.mentors import binding_history, can_bind_mentor
from certification.selectors.pathway import (
    ACTIVE_PHASES,
    active_binding,
    can_manage_pathways,
    get_log_entry_for_signer,
    get_pathway_for_user,
    is_legal_brigade_staff,
    pathway_board_rows,
    phase1_log_counts,
)
from certification.services.pathway import (
    PathwayError,
    log_signer_problem,
    pathway_advance_to_phase2,
    pathway_complete,
    pathway_enrol,
    pathway_log_add,
    pathway_log_return,
    pathway_log_sign,
    pathway_withdraw,
)
from certification.views.pathway_forms import BoardFilterForm, CommentForm, EnrolForm, LogEntryForm, ReasonForm
from people.models import User
from people.selectors import unit_full_paths, units_visible_to
from portal.services.exports import export_respond


def pathway_staff_required(view):
    """HR and the legal brigade (legal-brigade officers and training staff)."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not can_manage_pathways(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


@pathway_staff_required
def pathway_board(request):
    unit_labels = unit_full_paths()
    form = BoardFilterForm(request.GET or None, units=units_visible_to(request.user), unit_labels=unit_labels)
    filters = form.cleaned_data if form.is_valid() else {}
    rows = pathway_board_rows(unit=filters.get("unit"), phase=filters.get("phase", ""))
    return render(
        request,
        "certification/pathway/board.html",
        {"form": form, "rows": rows, "unit_labels": unit_labels, "overdue": sum(1 for row in rows if row.overdue)},
    )


@pathway_staff_required
@require_GET
def pathway_board_xlsx(request):
    """The board as xlsx with its filters: at once when small, else a background export with progress."""
    return export_respond(request, kind="certification.pathways", filters=pathways_export.filters_from(request.GET))


@pathway_staff_required
def pathway_enrol_view(request):
    form = EnrolForm(request.POST or None, officers=User.objects.filter(is_active=True))
    if request.method == "POST" and form.is_valid():
        officer = form.cleaned_data["officer"]
        if Pathway.objects.filter(officer=officer).exists():
            form.add_error("officer", _("%(name)s is already enrolled.") % {"name": officer.name})
        else:
            start = form.cleaned_data["start_date"] or timezone.localdate()
            if start > timezone.localdate():
                form.add_error("start_date", _("The start date is in the future."))
            else:
                pathway = pathway_enrol(officer=officer, start_date=start, actor=request.user)
                messages.success(request, _("%(name)s is enrolled in the pathway.") % {"name": officer.name})
                return redirect("certification:pathway_detail", pk=pathway.pk)
    return render(request, "certification/pathway/enrol.html", {"form": form})


def _detail_context(request, pathway: Pathway) -> dict:
    user = request.user
    is_self = user.pk == pathway.officer_id
    binding = active_binding(pathway.officer)
    entries = list(pathway.log_entries.select_related("signer").order_by("-date", "-pk"))
    for entry in entries:
        entry.can_decide = entry.status == LogStatus.SUBMITTED and not log_signer_problem(entry, user, binding=binding)
    staff = is_legal_brigade_staff(user)
    active = pathway.phase in ACTIVE_PHASES
    today = timezone.localdate()
    return {
        "pathway": pathway,
        "officer": pathway.officer,
        "is_self": is_self,
        "binding": binding,
        "bindings": binding_history(pathway.officer),
        "transitions": pathway.transitions.select_related("actor").order_by("at", "pk"),
        "entries": entries,
        "phase1_counts": phase1_log_counts(pathway),
        "overdue": pathway.is_overdue(today),
        "today": today,
        "log_form": LogEntryForm(initial={"date": today})
        if is_self
        and pathway.phase
        in (
            PathwayPhase.PHASE1,
            PathwayPhase.PHASE2,
        )
        else None,
        "can_advance": staff and pathway.phase == PathwayPhase.PHASE1,
        "can_complete": staff and pathway.phase == PathwayPhase.PHASE3,
        "can_withdraw": active and can_manage_pathways(user),
        "can_bind": active and binding is None and can_bind_mentor(user, pathway.officer),
        "can_unbind": binding is not None and can_bind_mentor(user, pathway.officer),
        "phases": PathwayPhase,
    }


@login_required
def pathway_detail(request, pk: int):
    pathway = get_pathway_for_user(request.user, pk)
    return render(request, "certification/pathway/detail.html", _detail_context(request, pathway))


@login_required
def my_pathway(request):
    pathway = Pathway.objects.select_related("officer", "officer__unit").filter(officer=request.user).first()
    if pathway is None:
        return render(request, "certification/pathway/none.html", {})
    return render(request, "certification/pathway/detail.html", _detail_context(request, pathway))


def _back(pathway: Pathway, request):
    if request.user.pk == pathway.officer_id:
        return redirect("certification:my_pathway")
    return redirect("certification:pathway_detail", pk=pathway.pk)


@login_required
@require_POST
def pathway_log_add_view(request, pk: int):
    pathway = get_pathway_for_user(request.user, pk)
    form = LogEntryForm(request.POST)
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            messages.error(request, f"{label}: {' '.join(errors)}" if label else " ".join(errors))
        return _back(pathway, request)
    try:
        pathway_log_add(pathway=pathway, actor=request.user, **form.cleaned_data)
    except PathwayError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The log entry was recorded and awaits a signature."))
    return _back(pathway, request)


@login_required
@require_POST
def pathway_log_decide(request, pk: int, decision: str):
    entry = get_log_entry_for_signer(request.user, pk)
    form = CommentForm(request.POST)
    comment = form.cleaned_data["comment"] if form.is_valid() else ""
    try:
        if decision == "sign":
            pathway_log_sign(entry=entry, actor=request.user, comment=comment)
            messages.success(request, _("Log entry signed."))
        else:
            pathway_log_return(entry=entry, actor=request.user, comment=comment)
            messages.success(request, _("Log entry returned to the new officer."))
    except PathwayError as exc:
        messages.error(request, str(exc))
    target = request.POST.get("next", "")
    if target in ("mentees", "dashboard"):
        return redirect("certification:my_mentees" if target == "mentees" else "portal:dashboard")
    return redirect("certification:pathway_detail", pk=entry.pathway_id)


@login_required
@require_POST
def pathway_advance(request, pk: int):
    pathway = get_pathway_for_user(request.user, pk)
    try:
        pathway_advance_to_phase2(pathway=pathway, actor=request.user)
    except PathwayError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Phase 2 has started."))
    return redirect("certification:pathway_detail", pk=pathway.pk)


@login_required
@require_POST
def pathway_complete_view(request, pk: int):
    pathway = get_pathway_for_user(request.user, pk)
    form = CommentForm(request.POST)
    try:
        pathway_complete(
            pathway=pathway, actor=request.user, reason=form.cleaned_data["comment"] if form.is_valid() else ""
        )
    except PathwayError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The pathway is completed."))
    return redirect("certification:pathway_detail", pk=pathway.pk)


@login_required
@require_POST
def pathway_withdraw_view(request, pk: int):
    pathway = get_pathway_for_user(request.user, pk)
    if not can_manage_pathways(request.user):
        raise PermissionDenied
    form = ReasonForm(request.POST)
    try:
        pathway_withdraw(
            pathway=pathway, actor=request.user, reason=form.cleaned_data["reason"] if form.is_valid() else ""
        )
    except PathwayError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The officer was withdrawn from the pathway."))
    return redirect("certification:pathway_detail", pk=pathway.pk)


urlpatterns: list = [
    path("pathways/", pathway_board, name="pathway_board"),
    path("pathways.xlsx", pathway_board_xlsx, name="pathway_board_xlsx"),
    path("pathways/enrol/", pathway_enrol_view, name="pathway_enrol"),
    path("pathways/<int:pk>/", pathway_detail, name="pathway_detail"),
    path("pathways/<int:pk>/logs/", pathway_log_add_view, name="pathway_log_add"),
    path("pathways/<int:pk>/advance/", pathway_advance, name="pathway_advance"),
    path("pathways/<int:pk>/complete/", pathway_complete_view, name="pathway_complete"),
    path("pathways/<int:pk>/withdraw/", pathway_withdraw_view, name="pathway_withdraw"),
    path("pathway/", my_pathway, name="my_pathway"),
    path("logs/<int:pk>/sign/", pathway_log_decide, {"decision": "sign"}, name="pathway_log_sign"),
    path("logs/<int:pk>/return/", pathway_log_decide, {"decision": "return"}, name="pathway_log_return"),
]
