"""Officer pages for taking exams: my exams, start page, the paper with autosave, submit, result and review.

The page saves each answer as JSON (``attempt_save``) in the option labels the examinee saw; this
module translates them to the question's own keys (``exams.responses``) before the delivery engine
stores them, so the
engine, grading and analysis never deal with permutations. Every attempt view goes through
``get_attempt_for_user``: another officer's attempt is a 404.
"""

from __future__ import annotations

import datetime
import json
import secrets

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from exams.models import FOCUS_EVENTS, AttemptState, ExamStatus, PaperItem, ReleaseRule
from exams.responses import BadResponse, response_from_labels
from exams.selectors.delivery import get_attempt_for_user
from exams.selectors.eligibility import exam_eligibility
from exams.selectors.exam_day import STRICT_KINDS, address_allowed, room_messages
from exams.selectors.taking import (
    ExamRow,
    attempt_review,
    exam_paper_size,
    exam_row,
    exemption_for,
    get_exam_for_examinee,
    my_exams,
    paper_for_taking,
    paper_parts_ahead,
    remaining_seconds,
)
from exams.services.delivery import DeliveryError, answer_save, attempt_start, attempt_submit
from exams.services.exam_day import attempt_device_claim, attempt_focus_event, attempt_heartbeat

# Saves that fail because the attempt is over: the page shows the message and opens the result.
CLOSED_CODES = {"not_in_progress", "too_late"}
# Saves held back for now (the clock is stopped, another device holds the paper, wrong network):
# the page keeps the answer and says why.
HELD_CODES = {"paused", "taken_over", "network"}
DEVICE_COOKIE = "exam_device"
DEVICE_COOKIE_AGE = 365 * 24 * 3600


def _local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


@login_required
@require_GET
def my_exams_view(request):
    return render(request, "exams/take/my_exams.html", {"groups": my_exams(request.user)})


def _refusal(row: ExamRow, eligibility, client_address: str | None = None) -> str:
    """Why the officer cannot start now (empty when they can), in the engine's own words. An
    officer outside the exam's networks learns it here, before trying."""
    exam = row.exam
    if not eligibility.eligible:
        return eligibility.reason
    if not address_allowed(exam, client_address):
        return DeliveryError("network", address=client_address or "?").message
    if row.in_progress is not None:
        return ""
    if row.absent:
        return DeliveryError("absent").message
    if exam.status != ExamStatus.PUBLISHED:
        return DeliveryError("not_published").message
    if row.now < row.terms.opens_at:
        return DeliveryError("not_open_yet", time=_local(row.terms.opens_at)).message
    if row.now >= row.terms.closes_at:
        return DeliveryError("closed", time=_local(row.terms.closes_at)).message
    if row.used >= row.terms.attempts_allowed:
        return DeliveryError("no_attempts_left", allowed=row.terms.attempts_allowed).message
    return ""


@login_required
@require_http_methods(["GET", "POST"])
def exam_start(request, pk: int):
    """GET: the rules page. POST: start (or resume) the attempt and open the paper."""
    exam = get_exam_for_examinee(request.user, pk)
    if request.method == "POST":
        try:
            attempt = attempt_start(
                exam=exam,
                officer=request.user,
                client_address=request.client_address,
                room_password=request.POST.get("room_password", ""),
            )
        except DeliveryError as error:
            messages.error(request, error.message)
            return redirect("exams:exam_start", pk=exam.pk)
        return redirect("exams:attempt_take", pk=attempt.pk)

    row = exam_row(exam, request.user)
    return render(
        request,
        "exams/take/start.html",
        {
            "exam": exam,
            "row": row,
            "size": exam_paper_size(exam),
            "refusal": _refusal(row, exam_eligibility(exam, request.user), request.client_address),
            "exemption": exemption_for(exam, request.user),
        },
    )


def _device(request) -> str:
    """The browser's exam cookie: which device holds a paper (``attempt_device_claim``)."""
    value = request.COOKIES.get(DEVICE_COOKIE, "")
    return value if value.isalnum() and len(value) <= 64 else ""


def _with_device_cookie(request, response, device: str):
    if request.COOKIES.get(DEVICE_COOKIE) != device:
        response.set_cookie(
            DEVICE_COOKIE,
            device,
            max_age=DEVICE_COOKIE_AGE,
            httponly=True,
            samesite="Lax",
            secure=settings.SESSION_COOKIE_SECURE,
        )
    return response


@login_required
@require_http_methods(["GET", "POST"])
def attempt_take(request, pk: int):
    """The paper. A finished attempt opens its result; one left open past its deadline and grace
    period is submitted first (as the sweep would), finishing at its deadline. Outside the exam's
    networks the paper is refused; when another device holds it, the examinee is asked to confirm
    the takeover first (POST ``takeover``)."""
    attempt = get_attempt_for_user(request.user, pk)
    grace = datetime.timedelta(seconds=attempt.exam.grace_seconds)
    if (
        attempt.state == AttemptState.IN_PROGRESS
        and attempt.paused_at is None
        and timezone.now() > attempt.deadline + grace
    ):
        attempt = attempt_submit(attempt=attempt, actor=None, reason="deadline")
    if attempt.state != AttemptState.IN_PROGRESS:
        return redirect("exams:attempt_result", pk=attempt.pk)
    exam = attempt.exam
    if not address_allowed(exam, request.client_address):
        error = DeliveryError("network", address=request.client_address or "?")
        return render(request, "exams/take/refused.html", {"exam": exam, "message": error.message}, status=403)
    device = _device(request) or secrets.token_hex(16)
    confirm = request.method == "POST" and request.POST.get("takeover") == "1"
    if not attempt_device_claim(attempt=attempt, device=device, confirm=confirm):
        attempt.refresh_from_db()
        response = render(request, "exams/take/takeover.html", {"attempt": attempt, "exam": exam})
        return _with_device_cookie(request, response, device)
    if request.method == "POST":
        return _with_device_cookie(request, redirect("exams:attempt_take", pk=attempt.pk), device)
    prerendered = paper_parts_ahead(attempt)
    sections = [] if prerendered else paper_for_taking(attempt)
    response = render(
        request,
        "exams/take/paper.html",
        {
            "attempt": attempt,
            "exam": exam,
            "sections": sections,
            "prerendered": prerendered,
            "question_total": attempt.paper.question_count
            if prerendered
            else sum(len(section.items) for section in sections),
            "remaining": remaining_seconds(attempt),
            "strings": _page_strings(),
            "poll_seconds": settings.EXAMS_STATUS_POLL_SECONDS,
            # Full screen is offered (never forced) on formal and qualification exams.
            "offer_fullscreen": exam.kind in STRICT_KINDS,
        },
    )
    return _with_device_cookie(request, response, device)


def _page_strings() -> dict[str, str]:
    """The texts take.js shows, translated here so the script holds no language."""
    return {
        "saving": _("Saving…"),
        "saved_at": _("Saved at %(time)s"),
        "all_saved": _("All answers saved at %(time)s"),
        "unsaved": _("Not saved yet"),
        "save_failed": _(
            "Your latest answers could not be saved: the connection seems to be down. "
            "Keep working; the page keeps retrying and will tell you when they are saved."
        ),
        "saved_again": _("Connection restored: all answers are saved."),
        "rejected": _("This answer could not be saved: %(error)s"),
        "unanswered": _("%(count)s of %(total)s questions are unanswered."),
        "all_answered": _("All %(total)s questions are answered."),
        "time_up": _("Time is up. Handing in your paper…"),
        "page": _("%(current)s of %(total)s"),
        "flag": _("Flag for review"),
        "unflag": _("Remove flag"),
        "leave": _("Some answers are not saved yet."),
        "held": _("Kept on this device, not saved yet: %(error)s"),
        "paused_title": _("The invigilator has stopped the clock"),
        "paused_text": _(
            "Your time is not running and your answers are kept. "
            "You can go on answering as soon as the invigilator restarts the clock."
        ),
        "resumed": _("The clock is running again. Go on answering."),
        "taken_title": _("This paper is open on another device"),
        "taken_text": _(
            "It can no longer be answered here; answers typed here are kept on this device. "
            "Continue on the other device, or take the paper back here: the other device then stops "
            "saving, and the change is recorded and shown to the invigilator."
        ),
        "exit_fullscreen": _("Leave full screen"),
        "fullscreen": _("Answer in full screen"),
    }


def _closed_response(attempt, message: str) -> JsonResponse:
    attempt.refresh_from_db(fields=["state"])
    return JsonResponse(
        {
            "error": message,
            "state": attempt.state,
            "result_url": reverse("exams:attempt_result", args=[attempt.pk]),
        },
        status=409,
    )


@login_required
@require_POST
def attempt_save(request, pk: int):
    """Autosave of one answer: ``{"item", "response", "seq"}`` → 200 / 400 / 409 (see the contract
    in the module docstring of ``exams.services.delivery`` and the helpers' preamble)."""
    attempt = get_attempt_for_user(request.user, pk, with_paper=False)
    try:
        data = json.loads(request.body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return JsonResponse({"error": _("The answer could not be read. Reload the page and try again.")}, status=400)
    item_id = data.get("item") if isinstance(data, dict) else None
    if not isinstance(item_id, int) or isinstance(item_id, bool) or "response" not in data:
        return JsonResponse({"error": _("The answer could not be read. Reload the page and try again.")}, status=400)
    if attempt.state != AttemptState.IN_PROGRESS:
        return _closed_response(attempt, DeliveryError("not_in_progress").message)
    item = PaperItem.objects.select_related("question_version").filter(pk=item_id, paper_id=attempt.paper_id).first()
    if item is None:
        return JsonResponse({"error": DeliveryError("unknown_item").message}, status=400)
    try:
        response = response_from_labels(item, data["response"])
    except BadResponse:
        return JsonResponse({"error": _("This answer does not fit the question.")}, status=400)
    seq = data.get("seq")
    try:
        result = answer_save(
            attempt=attempt,
            item_id=item.pk,
            response=response,
            client_seq=seq,
            client_address=request.client_address,
            device=_device(request),
        )
    except DeliveryError as error:
        if error.code in CLOSED_CODES:
            return _closed_response(attempt, error.message)
        if error.code in HELD_CODES:
            return JsonResponse({"error": error.message, "code": error.code}, status=409)
        return JsonResponse({"error": error.message}, status=400)
    return JsonResponse(
        {
            "saved": result.saved,
            "seq": result.client_seq,
            "saved_at": result.saved_at.isoformat(),
            "remaining_seconds": remaining_seconds(attempt),
        }
    )


@login_required
@require_GET
def attempt_status(request, pk: int):
    """The paper's poll (every ``EXAMS_STATUS_POLL_SECONDS``): time left (which follows time added,
    accommodations and a stopped clock), room messages after ``?after=<id>``, whether this device
    still holds the paper. Counts as contact for the invigilation board."""
    attempt = get_attempt_for_user(request.user, pk, with_paper=False)
    in_progress = attempt.state == AttemptState.IN_PROGRESS
    if in_progress:
        attempt_heartbeat(attempt=attempt)
    try:
        after = int(request.GET.get("after", 0))
    except ValueError:
        after = 0
    device = _device(request)
    return JsonResponse(
        {
            "state": attempt.state,
            "remaining_seconds": remaining_seconds(attempt) if in_progress else 0,
            "deadline": attempt.deadline.isoformat() if attempt.deadline else None,
            "paused": attempt.paused_at is not None,
            "taken_over": bool(
                in_progress and attempt.exam.single_device and attempt.device and device != attempt.device
            ),
            "focus_losses": attempt.focus_losses,
            "messages": room_messages(attempt.exam, after=after),
            "result_url": reverse("exams:attempt_result", args=[attempt.pk]),
        }
    )


@login_required
@require_POST
def attempt_event(request, pk: int):
    """The paper reports a focus loss: ``{"kind": "focus_lost" | "tab_hidden" | "fullscreen_exit"}``."""
    attempt = get_attempt_for_user(request.user, pk, with_paper=False)
    try:
        data = json.loads(request.body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        data = None
    kind = data.get("kind") if isinstance(data, dict) else None
    if kind not in FOCUS_EVENTS:
        return JsonResponse({"error": _("Unknown event.")}, status=400)
    result = attempt_focus_event(attempt=attempt, kind=kind)
    body = {"count": result.count, "warn": result.warn, "submitted": result.submitted}
    if result.warn:
        body["warning"] = _(
            "You have left the exam page %(count)s times. Each time is recorded and shown to the invigilator."
        ) % {"count": result.count}
    if result.submitted:
        body["result_url"] = reverse("exams:attempt_result", args=[attempt.pk])
    return JsonResponse(body)


@login_required
@require_POST
def attempt_submit_view(request, pk: int):
    """Hand in the paper. Submitting twice (a double click, a second tab) changes nothing."""
    attempt = get_attempt_for_user(request.user, pk)
    if attempt.state == AttemptState.IN_PROGRESS:
        attempt_submit(attempt=attempt, actor=request.user)
    return redirect("exams:attempt_result", pk=attempt.pk)


def _release_note(attempt) -> str:
    exam = attempt.exam
    if attempt.state == AttemptState.EXPIRED:
        return _("This attempt expired without being submitted.")
    if exam.release_rule == ReleaseRule.AFTER_CLOSE:
        return _("Results will be released after the exam closes at %(time)s.") % {"time": _local(exam.closes_at)}
    if attempt.state == AttemptState.SUBMITTED:
        return _("Your answers are being graded; the result will be shown here once grading is complete.")
    return _("Grading is complete; the result will be shown here once the organisers release it.")


@login_required
@require_GET
def attempt_result(request, pk: int):
    """The submission receipt, and once the result is released, the score and the review the exam
    allows (以考促训: wrong answers lead to the lessons on their knowledge points)."""
    attempt = get_attempt_for_user(request.user, pk)
    if attempt.state == AttemptState.IN_PROGRESS:
        return redirect("exams:attempt_take", pk=attempt.pk)
    released = attempt.state == AttemptState.RELEASED
    return render(
        request,
        "exams/take/result.html",
        {
            "attempt": attempt,
            "exam": attempt.exam,
            "released": released,
            "review": attempt_review(attempt) if released else None,
            "release_note": "" if released else _release_note(attempt),
        },
    )


urlpatterns: list = [
    path("my/", my_exams_view, name="my_exams"),
    path("take/<int:pk>/", exam_start, name="exam_start"),
    path("attempts/<int:pk>/", attempt_take, name="attempt_take"),
    path("attempts/<int:pk>/save/", attempt_save, name="attempt_save"),
    path("attempts/<int:pk>/status/", attempt_status, name="attempt_status"),
    path("attempts/<int:pk>/events/", attempt_event, name="attempt_event"),
    path("attempts/<int:pk>/submit/", attempt_submit_view, name="attempt_submit"),
    path("attempts/<int:pk>/result/", attempt_result, name="attempt_result"),
]
