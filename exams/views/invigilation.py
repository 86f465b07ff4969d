"""The invigilation board (考务监控) and its actions, an attempt's history, and the legal leader's
approvals of re-opening a paper.

Training staff only, as the other exam management pages (officers and everyone else get 403 before
any lookup; an unknown exam or attempt, or one of a personal practice paper, is a 404). Approving a
re-opening is for legal leaders and administrators (the service enforces it too).

Every action is a POST with the CSRF token and a reason, answered by a redirect back to the page
with a message. Sent twice, none does anything twice: time is added only where the attempt's
deadline is still the one the board showed (``Pick``), hand-in and absence only change examinees
not yet handed in / not started, a room message already sent after the last one the page knew is
not sent again, and pause, resume and re-opening refuse the second time by their state.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from exams.models import AttemptReopenRequest, AttemptState, ExamRoomMessage, ExamStatus
from exams.selectors.attempt_history import (
    attempt_events,
    attempt_reopen_requests,
    get_attempt_for_staff,
    pending_reopen_requests,
    recent_reopen_decisions,
)
from exams.selectors.eligibility import exam_examinees
from exams.selectors.exams import get_exam_for_staff
from exams.selectors.invigilation import BOARD_STATES, STATE_LABELS, Board, BoardRow, invigilation_board
from exams.selectors.taking import remaining_seconds
from exams.services.exam_day import (
    ExamDayError,
    attempt_pause,
    attempt_reopen_decide,
    attempt_reopen_request,
    attempt_resume,
    attempts_add_time,
    attempts_force_submit,
    exam_absence_mark,
    exam_room_message_send,
)
from exams.views.invigilation_forms import (
    AddTimeForm,
    DecisionForm,
    MessageForm,
    OptionalReasonForm,
    Pick,
    ReasonForm,
    ReopenForm,
)
from people.decorators import role_required, training_staff_required
from people.models import Role, Unit
from people.selectors import unit_full_paths

APPROVERS = (Role.LEGAL_LEADER, Role.ADMIN)
POLL_SECONDS = 5
HISTORY_SENTINEL = "987654321"


# --- the board ------------------------------------------------------------------------------------


def _filters(request: HttpRequest) -> tuple[str, Unit | None]:
    state = request.GET.get("state", "")
    state = state if state in BOARD_STATES else ""
    unit = None
    raw = request.GET.get("unit", "")
    if raw.isdigit():
        unit = Unit.objects.filter(pk=int(raw)).first()
    return state, unit


def _clock(seconds: int | None) -> str:
    if seconds is None:
        return ""
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60:02d}:{rest % 60:02d}"


def _time(moment, pattern: str = "%H:%M:%S", zone=None) -> str:
    return moment.astimezone(zone or timezone.get_current_timezone()).strftime(pattern) if moment else ""


def _row_data(row: BoardRow, labels: dict[str, str], history: str, zone) -> dict:
    return {
        "officer": row.officer_id,
        "attempt": row.attempt_id,
        "pick": Pick.value(row.officer_id, row.attempt_id, row.deadline),
        "name": row.name,
        "number": row.police_number,
        "unit": row.unit_name,
        "state": row.state,
        "state_label": labels[row.state],
        "started": _time(row.started_at, "%H:%M", zone),
        "last_save": _time(row.last_save, zone=zone),
        "answered": row.answered,
        "left": _clock(row.remaining_seconds),
        "focus": row.focus_losses,
        "devices": row.device_changes,
        "paused": row.paused,
        "accommodation": row.accommodation,
        "no_contact": row.no_contact,
        "history": history.replace(HISTORY_SENTINEL, str(row.attempt_id)) if row.attempt_id else "",
    }


def _board_data(board: Board) -> dict:
    labels = {code: str(label) for code, label in STATE_LABELS.items()}
    history = reverse("exams:attempt_history", args=[HISTORY_SENTINEL])  # once, not once a row
    zone = timezone.get_current_timezone()
    return {
        "generated_at": _time(board.generated_at),
        "total": board.total,
        "counts": board.counts,
        "state": board.state,
        "rows": [_row_data(row, labels, history, zone) for row in board.rows],
    }


def _last_message_id(exam) -> int:
    return ExamRoomMessage.objects.filter(exam=exam).order_by("-pk").values_list("pk", flat=True).first() or 0


@require_GET
@training_staff_required
def board_page(request: HttpRequest, pk: int) -> HttpResponse:
    exam = get_exam_for_staff(pk)
    state, unit = _filters(request)
    board = invigilation_board(exam, state=state, unit=unit)
    data = _board_data(board)
    labels = unit_full_paths()
    room_messages = list(ExamRoomMessage.objects.filter(exam=exam).select_related("sent_by").order_by("-pk")[:5])
    return render(
        request,
        "exams/manage/board.html",
        {
            "exam": exam,
            "board": board,
            "rows": data["rows"],
            "generated_at": data["generated_at"],
            "states": [(code, STATE_LABELS[code], board.counts[code]) for code in BOARD_STATES],
            "units": [
                (pk, labels.get(pk, ""))
                for pk in Unit.objects.filter(is_active=True).order_by("path").values_list("pk", flat=True)
            ],
            "unit": unit,
            "add_time_form": AddTimeForm(initial={"minutes": 5}),
            "message_form": MessageForm(initial={"after": room_messages[0].pk if room_messages else 0}),
            "room_messages": room_messages,
            "poll_seconds": POLL_SECONDS,
            "strings": {
                "updated": _("Data updated at %(time)s"),
                "failed": _("Could not refresh the board; retrying."),
                "none": _("Nobody here."),
                "paused": _("Clock stopped"),
                "accommodation": _("Accommodation"),
                "no_contact": _("No contact"),
                "history": _("History"),
                "select": _("Select %(name)s"),
            },
        },
    )


@require_GET
@training_staff_required
def board_json(request: HttpRequest, pk: int) -> JsonResponse:
    """The board's poll (every ``POLL_SECONDS``): the rows under the page's filters and the counts."""
    exam = get_exam_for_staff(pk)
    state, unit = _filters(request)
    return JsonResponse(_board_data(invigilation_board(exam, state=state, unit=unit)))


def _back_to_board(request: HttpRequest, exam) -> HttpResponse:
    """Back to the board with the filters it had (the page posts them as ``next``)."""
    target = request.POST.get("next", "")
    board = reverse("exams:exam_board", args=[exam.pk])
    if target.startswith(board) and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(board)


def _picks(request: HttpRequest) -> list[Pick] | None:
    """The examinees ticked on the board; None when a value is not one the board sends."""
    picks = [Pick.parse(value) for value in request.POST.getlist("pick")]
    if any(pick is None for pick in picks):
        return None
    return picks


def _form_errors(request: HttpRequest, form) -> None:
    for errors in form.errors.values():
        for message in errors:
            messages.error(request, message)


def _board_action(request: HttpRequest, pk: int, form_class, action) -> HttpResponse:
    """Parse the ticked examinees and the form, run ``action(exam, picks, data)``; refusals become
    error messages and nothing is lost but the click."""
    exam = get_exam_for_staff(pk)
    picks = _picks(request)
    form = form_class(request.POST)
    if picks is None:
        messages.error(request, _("The selection is not one this board sent. Reload the board and try again."))
    elif not picks:
        messages.error(request, _("Tick at least one examinee first."))
    elif not form.is_valid():
        _form_errors(request, form)
    else:
        try:
            action(exam, picks, form.cleaned_data)
        except ExamDayError as error:
            messages.error(request, error.message)
    return _back_to_board(request, exam)


@require_POST
@training_staff_required
def board_add_time(request: HttpRequest, pk: int) -> HttpResponse:
    def add(exam, picks, data):
        chosen = [pick for pick in picks if pick.attempt_id and pick.deadline]
        added = attempts_add_time(
            actor=request.user,
            exam=exam,
            attempt_ids=[pick.attempt_id for pick in chosen],
            minutes=data["minutes"],
            reason=data["reason"],
            seen_deadlines={pick.attempt_id: pick.deadline for pick in chosen},
        )
        if added:
            messages.success(
                request,
                ngettext(
                    "%(minutes)d minutes added for %(count)d examinee.",
                    "%(minutes)d minutes added for %(count)d examinees.",
                    added,
                )
                % {"minutes": data["minutes"], "count": added},
            )
        if added < len(picks):
            messages.warning(
                request,
                _(
                    "%(count)d of the examinees you ticked got no time: they are not sitting the exam now, or "
                    "their time changed after the board showed it (the form sent twice, or a colleague). "
                    "Check the board before trying again."
                )
                % {"count": len(picks) - added},
            )

    return _board_action(request, pk, AddTimeForm, add)


@require_POST
@training_staff_required
def board_force_submit(request: HttpRequest, pk: int) -> HttpResponse:
    def force(exam, picks, data):
        attempt_ids = [pick.attempt_id for pick in picks if pick.attempt_id]
        submitted = attempts_force_submit(actor=request.user, exam=exam, attempt_ids=attempt_ids, reason=data["reason"])
        if submitted:
            messages.success(
                request,
                ngettext("%(count)d paper handed in.", "%(count)d papers handed in.", submitted) % {"count": submitted},
            )
        if submitted < len(picks):
            messages.warning(
                request,
                _("%(count)d of the examinees you ticked were not sitting the exam; nothing was handed in for them.")
                % {"count": len(picks) - submitted},
            )

    return _board_action(request, pk, ReasonForm, force)


@require_POST
@training_staff_required
def board_mark_absent(request: HttpRequest, pk: int) -> HttpResponse:
    def absent(exam, picks, data):
        officers = list(exam_examinees(exam).filter(pk__in=[pick.officer_id for pick in picks]))
        if len(officers) < len({pick.officer_id for pick in picks}):
            messages.error(request, _("Only examinees of this exam who have not started can be marked absent."))
            return
        marked = exam_absence_mark(actor=request.user, exam=exam, officers=officers, reason=data["reason"])
        messages.success(
            request,
            ngettext("%(count)d examinee marked absent.", "%(count)d examinees marked absent.", marked)
            % {"count": marked}
            if marked
            else _("They were already marked absent."),
        )

    return _board_action(request, pk, ReasonForm, absent)


@require_POST
@training_staff_required
def board_message(request: HttpRequest, pk: int) -> HttpResponse:
    exam = get_exam_for_staff(pk)
    form = MessageForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
    elif exam.status != ExamStatus.PUBLISHED:
        messages.error(request, _("Messages go to the room only while the exam is published."))
    else:
        try:
            exam_room_message_send(
                actor=request.user, exam=exam, text=form.cleaned_data["text"], after=form.cleaned_data["after"]
            )
        except ExamDayError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Message sent: examinees see it on their paper within seconds."))
    return _back_to_board(request, exam)


# --- one attempt: history, clock, re-opening ---------------------------------------------------------


@require_GET
@training_staff_required
def attempt_history(request: HttpRequest, pk: int) -> HttpResponse:
    attempt = get_attempt_for_staff(pk)
    finished = attempt.state in (AttemptState.SUBMITTED, AttemptState.GRADED, AttemptState.RELEASED)
    return render(
        request,
        "exams/manage/attempt_history.html",
        {
            "attempt": attempt,
            "exam": attempt.exam,
            "events": attempt_events(attempt),
            "requests": attempt_reopen_requests(attempt),
            "in_progress": attempt.state == AttemptState.IN_PROGRESS,
            "paused": attempt.paused_at is not None,
            "remaining": _clock(remaining_seconds(attempt)) if attempt.state == AttemptState.IN_PROGRESS else "",
            "can_request_reopen": finished and attempt.exam.status != ExamStatus.CLOSED,
            "pause_form": ReasonForm(),
            "resume_form": OptionalReasonForm(),
            "reopen_form": ReopenForm(initial={"minutes": 10}),
        },
    )


def _attempt_action(request: HttpRequest, pk: int, form_class, action) -> HttpResponse:
    attempt = get_attempt_for_staff(pk)
    form = form_class(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
    else:
        try:
            action(attempt, form.cleaned_data)
        except ExamDayError as error:
            messages.error(request, error.message)
    return redirect("exams:attempt_history", pk=attempt.pk)


@require_POST
@training_staff_required
def attempt_pause_view(request: HttpRequest, pk: int) -> HttpResponse:
    def pause(attempt, data):
        attempt_pause(actor=request.user, attempt=attempt, reason=data["reason"])
        messages.success(request, _("Clock stopped. The examinee's answers wait until it restarts."))

    return _attempt_action(request, pk, ReasonForm, pause)


@require_POST
@training_staff_required
def attempt_resume_view(request: HttpRequest, pk: int) -> HttpResponse:
    def resume(attempt, data):
        attempt_resume(actor=request.user, attempt=attempt, reason=data["reason"])
        messages.success(request, _("Clock restarted; the deadline moved on by the time it stood still."))

    return _attempt_action(request, pk, OptionalReasonForm, resume)


@require_POST
@training_staff_required
def attempt_reopen_request_view(request: HttpRequest, pk: int) -> HttpResponse:
    def ask(attempt, data):
        attempt_reopen_request(actor=request.user, attempt=attempt, reason=data["reason"], minutes=data["minutes"])
        messages.success(request, _("Request sent. A legal leader decides whether the paper re-opens."))

    return _attempt_action(request, pk, ReopenForm, ask)


# --- the legal leader's approvals -------------------------------------------------------------------


@require_GET
@role_required(*APPROVERS)
def reopen_requests(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "exams/manage/reopen_requests.html",
        {"pending": pending_reopen_requests(), "decided": recent_reopen_decisions(), "form": DecisionForm()},
    )


@require_POST
@role_required(*APPROVERS)
def reopen_decide(request: HttpRequest, pk: int) -> HttpResponse:
    reopen = get_object_or_404(AttemptReopenRequest, pk=pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("exams:reopen_requests")
    approve = form.cleaned_data["decision"] == "approve"
    try:
        attempt_reopen_decide(actor=request.user, request=reopen, approve=approve, note=form.cleaned_data["note"])
    except ExamDayError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Approved: the paper is open again with the minutes requested.") if approve else _("Request refused."),
        )
    return redirect("exams:reopen_requests")


urlpatterns = [
    path("manage/<int:pk>/board/", board_page, name="exam_board"),
    path("manage/<int:pk>/board.json", board_json, name="exam_board_json"),
    path("manage/<int:pk>/board/add-time/", board_add_time, name="exam_board_add_time"),
    path("manage/<int:pk>/board/hand-in/", board_force_submit, name="exam_board_force_submit"),
    path("manage/<int:pk>/board/absent/", board_mark_absent, name="exam_board_absent"),
    path("manage/<int:pk>/board/message/", board_message, name="exam_board_message"),
    path("manage/attempts/<int:pk>/", attempt_history, name="attempt_history"),
    path("manage/attempts/<int:pk>/pause/", attempt_pause_view, name="attempt_pause"),
    path("manage/attempts/<int:pk>/resume/", attempt_resume_view, name="attempt_resume"),
    path("manage/attempts/<int:pk>/reopen/", attempt_reopen_request_view, name="attempt_reopen_request"),
    path("manage/reopen-requests/", reopen_requests, name="reopen_requests"),
    path("manage/reopen-requests/<int:pk>/decide/", reopen_decide, name="reopen_decide"),
]
