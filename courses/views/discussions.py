"""学习讨论: list, schedule, detail with sign-in, the host's attendance checklist, minutes."""

from __future__ import annotations

import mimetypes
from pathlib import PurePath

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from courses import services
from courses.forms import AttendanceForm, DiscussionForm, MinutesForm
from courses.links import discussion_url, index_url
from courses.models import DiscussionAttendance, StudyDiscussion
from courses.selectors import (
    can_manage_discussion,
    can_manage_study,
    discussion_checklist,
    discussions_for_management,
    discussions_for_officer,
    get_discussion_for_user,
    is_invited,
)
from people.decorators import training_staff_required
from people.selectors import audience_labels, unit_full_paths


@login_required
def discussion_list(request):
    manager = can_manage_study(request.user)
    context = {"is_manager": manager, "create_url": index_url("discussion_create")}
    if manager:
        context["upcoming"] = list(discussions_for_management(upcoming=True))
        context["past"] = list(discussions_for_management(upcoming=False)[:50])
    else:
        context["mine"] = discussions_for_officer(request.user)
    return render(request, "courses/study/discussion_list.html", context)


@training_staff_required
def discussion_create(request):
    if request.method == "POST":
        form = DiscussionForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                discussion = services.discussion_create(
                    actor=request.user,
                    topic=data["topic"],
                    description=data.get("description", ""),
                    starts_at=data["starts_at"],
                    ends_at=data["ends_at"],
                    place=data["place"],
                    lessons=data.get("lessons") or [],
                    audience=form.audience_spec(),
                    submission_key=data.get("submission_key"),
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Discussion scheduled; the invited officers are notified."))
                return redirect(discussion_url(discussion.pk))
    else:
        form = DiscussionForm()
    return render(request, "courses/study/discussion_form.html", {"form": form})


def _render_detail(request, discussion: StudyDiscussion, *, minutes_form: MinutesForm | None = None, status=200):
    manager = can_manage_discussion(request.user, discussion)
    now = timezone.now()
    mine = DiscussionAttendance.objects.filter(discussion=discussion, officer=request.user).first()
    context = {
        "discussion": discussion,
        "is_manager": manager,
        "invited": is_invited(request.user, discussion),
        "my_attendance": mine,
        "sign_in_open": discussion.self_sign_in_open(now),
        "not_started": now < discussion.self_sign_in_opens_at,
        "is_over": now > discussion.ends_at,
        "sign_in_url": index_url("discussion_sign_in", discussion.pk),
        "minutes_file_url": index_url("discussion_minutes_file", discussion.pk) if discussion.minutes_file else "",
        "list_url": index_url("discussion_list"),
    }
    if manager:
        unit_labels = unit_full_paths()
        checklist = discussion_checklist(discussion)
        context.update(
            {
                "audience": audience_labels(discussion, unit_labels=unit_labels),
                "checklist": checklist,
                "attendee_count": sum(1 for row in checklist if row.attendance),
                "unit_labels": unit_labels,
                "attendance_url": index_url("discussion_attendance", discussion.pk),
                "minutes_url": index_url("discussion_minutes", discussion.pk),
                "cancel_url": index_url("discussion_cancel", discussion.pk),
                "minutes_form": minutes_form
                or MinutesForm(
                    initial={"minutes_text": discussion.minutes_text, "has_file": bool(discussion.minutes_file)}
                ),
            }
        )
    return render(request, "courses/study/discussion_detail.html", context, status=status)


@login_required
def discussion_detail(request, pk: int):
    return _render_detail(request, get_discussion_for_user(request.user, pk))


@require_POST
@login_required
def discussion_sign_in(request, pk: int):
    """An officer signs in. Someone not invited gets a clear refusal, not a 404, so that an officer
    who scanned the wrong code learns why."""
    discussion = StudyDiscussion.objects.filter(pk=pk).first()
    if discussion is None:
        raise Http404
    try:
        attendance, created = services.discussion_sign_in(officer=request.user, discussion=discussion)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if created:
            messages.success(request, _("You are signed in. Your attendance is recorded."))
        else:
            messages.info(
                request,
                _("You were already signed in at %(time)s.")
                % {"time": timezone.localtime(attendance.signed_in_at).strftime("%Y-%m-%d %H:%M")},
            )
    try:
        get_discussion_for_user(request.user, pk)
    except Http404:
        return redirect(index_url("discussion_list"))
    return redirect(discussion_url(pk))


@require_POST
@login_required
def discussion_attendance(request, pk: int):
    discussion = get_discussion_for_user(request.user, pk, manage=True)
    form = AttendanceForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The attendance list could not be read; reload the page and try again."))
        return redirect(discussion_url(pk))
    try:
        added, removed = services.discussion_attendance_set(
            actor=request.user, discussion=discussion, officers=form.cleaned_data["officers"]
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Attendance saved: %(added)d signed in, %(removed)d removed.")
            % {"added": len(added), "removed": len(removed)},
        )
    return redirect(discussion_url(pk))


@require_POST
@login_required
def discussion_minutes(request, pk: int):
    discussion = get_discussion_for_user(request.user, pk, manage=True)
    form = MinutesForm(request.POST, request.FILES, initial={"has_file": bool(discussion.minutes_file)})
    if not form.is_valid():
        return _render_detail(request, discussion, minutes_form=form, status=400)
    services.discussion_minutes_save(
        actor=request.user,
        discussion=discussion,
        text=form.cleaned_data["minutes_text"],
        file=form.cleaned_data.get("minutes_file"),
        remove_file=form.cleaned_data.get("remove_file", False),
    )
    messages.success(request, _("Minutes saved."))
    return redirect(discussion_url(pk))


@login_required
def discussion_minutes_file(request, pk: int):
    """The minutes document, for whoever may see the discussion (never a public media URL)."""
    discussion = get_discussion_for_user(request.user, pk)
    if not discussion.minutes_file:
        raise Http404
    name = PurePath(discussion.minutes_file.name).name
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return FileResponse(
        discussion.minutes_file.open("rb"), as_attachment=True, filename=name, content_type=content_type
    )


@require_POST
@login_required
def discussion_cancel(request, pk: int):
    discussion = get_discussion_for_user(request.user, pk, manage=True)
    try:
        services.discussion_cancel(actor=request.user, discussion=discussion)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Discussion cancelled; the invited officers are notified."))
    return redirect(discussion_url(pk))
