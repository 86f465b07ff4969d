"""Mentor binding (师徒结对): bind / unbind with eligibility and capacity rules, the mentor's page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from certification.models import MentorBinding
from certification.selectors.cases import mentee_case_records
from certification.selectors.mentors import can_bind_mentor, mentor_eligibility, mentor_pending_logs, my_mentee_rows
from certification.selectors.pathway import get_pathway_for_user
from certification.services.mentors import MentorError, mentor_bind, mentor_unbind
from certification.views.pathway_forms import BindForm, ReasonForm
from people.models import User


@login_required
def my_mentees(request):
    """The mentor's page: mentees with phase and dues, logs to sign, their exams and cases."""
    rows = my_mentee_rows(request.user)
    return render(
        request,
        "certification/mentors/my_mentees.html",
        {
            "rows": rows,
            "pending": mentor_pending_logs(request.user),
            "cases": mentee_case_records(request.user)[:50],
        },
    )


@login_required
def mentor_bind_view(request, pk: int):
    """Bind a mentor to the pathway's new officer; a refusal names every rule the mentor fails."""
    pathway = get_pathway_for_user(request.user, pk)
    if not can_bind_mentor(request.user, pathway.officer):
        raise Http404
    form = BindForm(request.POST or None, officers=User.objects.filter(is_active=True))
    reasons: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            mentor_bind(
                mentee=pathway.officer,
                mentor=form.cleaned_data["mentor"],
                reason=form.cleaned_data["reason"],
                actor=request.user,
            )
        except MentorError as exc:
            _ok, reasons = mentor_eligibility(form.cleaned_data["mentor"])
            if not reasons:
                form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _("%(mentor)s is now the mentor of %(name)s.")
                % {"mentor": form.cleaned_data["mentor"].name, "name": pathway.officer.name},
            )
            return redirect("certification:pathway_detail", pk=pathway.pk)
    return render(
        request,
        "certification/mentors/bind.html",
        {
            "form": form,
            "pathway": pathway,
            "reasons": reasons,
            "mentor": form.cleaned_data.get("mentor") if reasons else None,
        },
    )


@login_required
@require_POST
def mentor_unbind_view(request, pk: int):
    binding = MentorBinding.objects.select_related("mentee").filter(pk=pk).first()
    if binding is None or binding.pathway_id is None:
        raise Http404
    pathway = get_pathway_for_user(request.user, binding.pathway_id)
    if not can_bind_mentor(request.user, binding.mentee):
        raise Http404
    form = ReasonForm(request.POST)
    try:
        mentor_unbind(
            binding=binding, reason=form.cleaned_data["reason"] if form.is_valid() else "", actor=request.user
        )
    except MentorError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The mentor binding has ended."))
    return redirect("certification:pathway_detail", pk=pathway.pk)


urlpatterns: list = [
    path("mentees/", my_mentees, name="my_mentees"),
    path("pathways/<int:pk>/mentor/", mentor_bind_view, name="mentor_bind"),
    path("bindings/<int:pk>/unbind/", mentor_unbind_view, name="mentor_unbind"),
]
