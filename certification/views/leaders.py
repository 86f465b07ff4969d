"""Middle-leader pages: annual test coverage against the one-third rule, reminder talks and
organisational-measures flags."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from certification.selectors.leaders import (
    LEADER_STAFF_ROLES,
    coverage_dataframes,
    flag_list,
    get_flag_for_user,
    get_talk_for_user,
    leader_coverage,
    my_talks,
    talk_filters_from,
    talk_list,
    talk_years,
    talks_dataframes,
)
from certification.services.leaders import (
    TALK_RECORD_ROLES,
    LeaderTalkError,
    organisational_flag_resolve,
    reminder_talk_create,
    reminder_talk_record,
)
from certification.views.leaders_forms import STATE_CHOICES, FlagResolveForm, TalkCreateForm, TalkRecordForm
from people.decorators import role_required
from people.selectors import has_role
from portal.exports import xlsx_bytes, xlsx_download
from portal.services import audit_log

TOKEN_KEY = "certification.leader_talk_create"


def _year(request) -> int:
    current = timezone.localdate().year
    try:
        year = int(request.GET.get("year", current))
    except ValueError:
        return current
    return year if 2000 <= year <= current + 1 else current


# --- coverage ----------------------------------------------------------------------------------------


@role_required(*LEADER_STAFF_ROLES)
@require_GET
def leader_coverage_view(request):
    year = _year(request)
    current = timezone.localdate().year
    return render(
        request,
        "certification/leaders/coverage.html",
        {"coverage": leader_coverage(year), "year": year, "years": range(current, current - 6, -1)},
    )


@role_required(*LEADER_STAFF_ROLES)
@require_GET
def leader_coverage_xlsx(request):
    year = _year(request)
    coverage = leader_coverage(year)
    content = xlsx_bytes(coverage_dataframes(coverage))
    audit_log(
        actor=request.user,
        action="certification.leader_coverage.exported",
        data={
            "year": year,
            "middle_leaders": coverage.rule.total,
            "tested": coverage.rule.tested,
            "met": coverage.rule.met,
            "results": len(coverage.results),
        },
    )
    return xlsx_download(content, f"middle-leaders-{year}.xlsx")


# --- talks and flags ---------------------------------------------------------------------------------


@role_required(*LEADER_STAFF_ROLES)
@require_GET
def leader_talks(request):
    filters = talk_filters_from(request.GET)
    return render(
        request,
        "certification/leaders/talks.html",
        {
            "talks": talk_list(filters),
            "flags": flag_list(filters),
            "filters": filters,
            "years": talk_years(),
            "states": STATE_CHOICES,
            "can_create": has_role(request.user, *TALK_RECORD_ROLES),
        },
    )


@role_required(*LEADER_STAFF_ROLES)
@require_GET
def leader_talks_xlsx(request):
    filters = talk_filters_from(request.GET)
    talks, flags = talk_list(filters), flag_list(filters)
    content = xlsx_bytes(talks_dataframes(talks, flags))
    audit_log(
        actor=request.user,
        action="certification.leader_talks.exported",
        data={"filters": filters.as_data(), "talks": len(talks), "flags": len(flags)},
    )
    return xlsx_download(content, f"reminder-talks-{timezone.localdate():%Y%m%d}.xlsx")


@role_required(*TALK_RECORD_ROLES)
@require_http_methods(["GET", "POST"])
def leader_talk_create(request):
    if request.method == "POST":
        form = TalkCreateForm(request.POST)
        if form.is_valid():
            tokens = request.session.get(TOKEN_KEY, [])
            token = form.cleaned_data["token"]
            if token not in tokens:
                messages.info(request, _("This form was already submitted; nothing was added again."))
                return redirect("certification:leader_talks")
            try:
                talk = reminder_talk_create(
                    officer=form.cleaned_data["officer"],
                    year=form.cleaned_data["year"],
                    reason=form.cleaned_data["reason"],
                    actor=request.user,
                )
            except LeaderTalkError as error:
                form.add_error(None, str(error))
            else:
                tokens.remove(token)
                request.session[TOKEN_KEY] = tokens
                messages.success(request, _("Reminder talk added: to be held."))
                return redirect("certification:leader_talk_detail", pk=talk.pk)
    else:
        token = TalkCreateForm.new_token()
        request.session[TOKEN_KEY] = [*request.session.get(TOKEN_KEY, [])[-9:], token]
        form = TalkCreateForm(initial={"token": token})
    return render(request, "certification/leaders/talk_create.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def leader_talk_detail(request, pk: int):
    talk = get_talk_for_user(request.user, pk)
    can_record = has_role(request.user, *TALK_RECORD_ROLES)
    form = None
    if can_record:
        initial = {
            "talk_date": talk.talk_date,
            "talked_by": talk.talked_by.police_number if talk.talked_by_id else request.user.police_number,
            "summary": talk.summary,
            "follow_up": talk.follow_up,
        }
        form = TalkRecordForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if form is None:
            messages.error(request, _("Only HR and the legal-brigade leaders record reminder talks."))
            return redirect("certification:leader_talk_detail", pk=talk.pk)
        if form.is_valid():
            try:
                reminder_talk_record(talk=talk, actor=request.user, **form.cleaned_data)
            except LeaderTalkError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("The talk is recorded."))
                return redirect("certification:leader_talk_detail", pk=talk.pk)
    return render(request, "certification/leaders/talk_detail.html", {"talk": talk, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def leader_flag_detail(request, pk: int):
    flag = get_flag_for_user(request.user, pk)
    can_resolve = has_role(request.user, *TALK_RECORD_ROLES) and flag.resolved_at is None
    form = FlagResolveForm(request.POST or None) if can_resolve else None
    if request.method == "POST":
        if form is None:
            messages.error(request, _("This flag cannot be resolved here (already resolved, or not yours to resolve)."))
            return redirect("certification:leader_flag_detail", pk=flag.pk)
        if form.is_valid():
            try:
                organisational_flag_resolve(flag=flag, resolution=form.cleaned_data["resolution"], actor=request.user)
            except LeaderTalkError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("The measures are recorded."))
                return redirect("certification:leader_flag_detail", pk=flag.pk)
    return render(
        request,
        "certification/leaders/flag_detail.html",
        {"flag": flag, "form": form, "talk_url": reverse("certification:leader_talk_detail", args=[flag.talk_id])},
    )


@login_required
@require_GET
def my_talks_view(request):
    return render(request, "certification/leaders/my_talks.html", {"mine": my_talks(request.user)})


urlpatterns: list = [
    path("leaders/coverage/", leader_coverage_view, name="leader_coverage"),
    path("leaders/coverage.xlsx", leader_coverage_xlsx, name="leader_coverage_xlsx"),
    path("leaders/talks/", leader_talks, name="leader_talks"),
    path("leaders/talks.xlsx", leader_talks_xlsx, name="leader_talks_xlsx"),
    path("leaders/talks/new/", leader_talk_create, name="leader_talk_create"),
    path("leaders/talks/<int:pk>/", leader_talk_detail, name="leader_talk_detail"),
    path("leaders/flags/<int:pk>/", leader_flag_detail, name="leader_flag_detail"),
    path("leaders/my-talks/", my_talks_view, name="my_talks"),
]
