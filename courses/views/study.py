"""Studying: the lesson page with its progress panel, marking lessons learned, re-read requests, 我的学习."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from courses.forms import RereadForm
from courses.links import lesson_route_url
from courses.models import LessonPage, LessonRereadRequest
from courses.selectors import (
    assignments_for_officer,
    can_manage_study,
    completions_of,
    discussions_for_officer,
)
from courses.selectors.progress import LessonState
from courses.services import lesson_mark_learned, lesson_open, lesson_require_reread, seconds_until_learnable

RECENT_COMPLETIONS = 20


def _progress_panel(request, lesson: LessonPage, progress) -> dict:
    """What the lesson footer shows: the state, the seconds still to read, the forms."""
    now = timezone.now()
    if progress.completed_at is not None:
        state = LessonState.LEARNED
    elif progress.needs_reread:
        state = LessonState.REREAD
    else:
        state = LessonState.READING
    panel = {
        "state": state,
        "progress": progress,
        "seconds_left": 0 if state == LessonState.LEARNED else seconds_until_learnable(progress, lesson, now),
        "mark_url": lesson_route_url(lesson, "mark_learned", request),
        "reread_request": None,
        "can_require_reread": can_manage_study(request.user),
    }
    if progress.needs_reread:
        panel["reread_request"] = LessonRereadRequest.objects.filter(lesson=lesson).order_by("-requested_at").first()
    if panel["can_require_reread"]:
        panel["reread_url"] = lesson_route_url(lesson, "require_reread", request)
        panel["reread_form"] = RereadForm()
    return panel


def lesson_view(request, *, lesson: LessonPage):
    """The lesson page. Opening it starts the officer's reading clock (not in an editor's preview)."""
    context = {}
    if request.user.is_authenticated and not getattr(request, "is_preview", False):
        progress = lesson_open(officer=request.user, lesson=lesson)
        context["progress_panel"] = _progress_panel(request, lesson, progress)
    return lesson.render(request, context_overrides=context)


@require_POST
@login_required
def mark_learned(request, *, lesson: LessonPage):
    """POST: mark the lesson learned; too early gets the seconds still to read, twice is harmless."""
    try:
        progress, created = lesson_mark_learned(officer=request.user, lesson=lesson)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if created:
            messages.success(request, _("Lesson marked as learned."))
        else:
            messages.info(
                request,
                _("You had already marked this lesson as learned on %(date)s.")
                % {"date": timezone.localtime(progress.completed_at).strftime("%Y-%m-%d %H:%M")},
            )
    return redirect(lesson.get_url(request))


@require_POST
@login_required
def require_reread(request, *, lesson: LessonPage):
    """POST, trainers: earlier completions of this lesson stop counting (after a major edit)."""
    if not can_manage_study(request.user):
        raise PermissionDenied
    form = RereadForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say what changed in the lesson: officers see it when they are asked to re-read."))
        return redirect(lesson.get_url(request))
    reread = lesson_require_reread(actor=request.user, lesson=lesson, reason=form.cleaned_data["reason"])
    messages.success(
        request,
        _("Re-reading required. %(count)d officers who had learned this lesson will see it as to re-read.")
        % {"count": reread.officers_affected},
    )
    return redirect(lesson.get_url(request))


@login_required
def my_study(request):
    """我的学习: assigned courses with progress and due dates, discussions, the learning record."""
    rows = assignments_for_officer(request.user)
    return render(
        request,
        "courses/study/my_study.html",
        {
            "pending": [row for row in rows if not row.is_complete],
            "finished": [row for row in rows if row.is_complete],
            "discussions": discussions_for_officer(request.user),
            "completions": completions_of(request.user)[:RECENT_COMPLETIONS],
            "is_study_manager": can_manage_study(request.user),
        },
    )
