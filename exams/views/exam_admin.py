"""Trainer pages for exams (考试安排): list, create and edit with audience, roster, exemptions, publish."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from exams.models import Attempt, AttemptState, ExamKind, ExamStatus, InvitationSource
from exams.selectors.exams import (
    EXEMPTED,
    ROW_STATES,
    exam_examinee_rows,
    examinee_state_counts,
    exams_for_management,
    get_exam_for_staff,
)
from exams.services.exams import (
    exam_close,
    exam_create,
    exam_exemption_remove,
    exam_exemption_set,
    exam_publish,
    exam_roster_add,
    exam_roster_remove,
    exam_update,
)
from exams.views.exam_forms import ExamForm, ExemptionForm, OfficerForm, RosterAddForm
from people.decorators import training_staff_required
from people.selectors import audience_labels, unit_full_paths

LIST_PAGE_SIZE = 30
EXAMINEE_PAGE_SIZE = 50


def _state_labels() -> dict[str, str]:
    return {**dict(AttemptState.choices), EXEMPTED: _("Exempted")}


@training_staff_required
def exam_list(request):
    status = request.GET.get("status", "")
    kind = request.GET.get("kind", "")
    status = status if status in ExamStatus.values else ""
    kind = kind if kind in ExamKind.values else ""
    page_obj = Paginator(exams_for_management(status=status, kind=kind), LIST_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "exams/manage/exam_list.html",
        {
            "page_obj": page_obj,
            "exams": page_obj.object_list,
            "status": status,
            "kind": kind,
            "statuses": ExamStatus.choices,
            "kinds": ExamKind.choices,
            "now": timezone.now(),
        },
    )


def _form_messages(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


@training_staff_required
def exam_create_page(request):
    if request.method == "POST":
        form = ExamForm(request.POST)
        if form.is_valid():
            try:
                exam = exam_create(
                    actor=request.user, spec=form.spec(), submission_key=form.cleaned_data.get("submission_key")
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Exam saved as a draft. Check it, then publish it."))
                return redirect("exams:exam_detail", pk=exam.pk)
    else:
        form = ExamForm()
    return render(
        request,
        "exams/manage/exam_form.html",
        {"form": form, "exam": None},
        status=400 if request.method == "POST" else 200,
    )


def _started(exam) -> bool:
    return Attempt.objects.filter(exam=exam).exclude(state=AttemptState.NOT_STARTED).exists()


@training_staff_required
def exam_edit(request, pk: int):
    exam = get_exam_for_staff(pk)
    started = _started(exam)
    if request.method == "POST":
        form = ExamForm(request.POST, exam=exam, started=started)
        if form.is_valid():
            try:
                exam_update(actor=request.user, exam=exam, spec=form.spec())
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Exam saved."))
                return redirect("exams:exam_detail", pk=exam.pk)
    else:
        form = ExamForm(exam=exam, started=started)
    return render(
        request,
        "exams/manage/exam_form.html",
        {"form": form, "exam": exam, "started": started},
        status=400 if request.method == "POST" else 200,
    )


@training_staff_required
def exam_detail(request, pk: int):
    exam = get_exam_for_staff(pk)
    rows = exam_examinee_rows(exam)
    counts = examinee_state_counts(rows)
    labels = _state_labels()
    # Expired attempts are rare (an attempt abandoned by the engine); their count shows only when any exist.
    shown_states = [*ROW_STATES, *([AttemptState.EXPIRED] if counts.get(AttemptState.EXPIRED) else [])]
    state = request.GET.get("state", "")
    if state not in counts:
        state = ""
    shown = [row for row in rows if row.state == state] if state else rows
    page_obj = Paginator(shown, EXAMINEE_PAGE_SIZE).get_page(request.GET.get("page"))
    unit_labels = unit_full_paths()
    return render(
        request,
        "exams/manage/exam_detail.html",
        {
            "exam": exam,
            "audience": audience_labels(exam, unit_labels=unit_labels),
            "rows": page_obj.object_list,
            "page_obj": page_obj,
            "total": len(rows),
            "state": state,
            "state_counts": [(code, labels[code], counts.get(code, 0)) for code in shown_states],
            "state_labels": labels,
            "exemptions": [row for row in rows if row.exemption is not None],
            "named": [row for row in rows if row.source],
            "unit_labels": unit_labels,
            "roster_form": RosterAddForm(),
            "exemption_form": ExemptionForm(),
            "sources": dict(InvitationSource.choices),
            "started": _started(exam),
            "statuses": ExamStatus,
            "is_random": exam.kind == ExamKind.RANDOM,
        },
    )


def _post_action(request, pk: int, action) -> HttpResponseRedirect:
    """Run ``action(exam)`` for a POST from the detail page; a refusal becomes an error message."""
    exam = get_exam_for_staff(pk)
    try:
        action(exam)
    except ValidationError as error:
        _form_messages(request, error)
    return redirect("exams:exam_detail", pk=exam.pk)


@require_POST
@training_staff_required
def exam_publish_view(request, pk: int):
    def publish(exam):
        exam_publish(actor=request.user, exam=exam)
        messages.success(request, _("Exam published. Every examinee has been told."))

    return _post_action(request, pk, publish)


@require_POST
@training_staff_required
def exam_close_view(request, pk: int):
    def close(exam):
        exam_close(actor=request.user, exam=exam)
        messages.success(request, _("Exam closed. Nobody can start it any more."))

    return _post_action(request, pk, close)


def _invalid(request, form) -> None:
    for errors in form.errors.values():
        for message in errors:
            messages.error(request, message)


@require_POST
@training_staff_required
def exam_roster_add_view(request, pk: int):
    def add(exam):
        form = RosterAddForm(request.POST)
        if not form.is_valid():
            _invalid(request, form)
            return
        added = exam_roster_add(actor=request.user, exam=exam, officers=form.cleaned_data["officers"])
        messages.success(request, _("%(count)d officers added to the roster.") % {"count": added})

    return _post_action(request, pk, add)


@require_POST
@training_staff_required
def exam_roster_remove_view(request, pk: int):
    def remove(exam):
        form = OfficerForm(request.POST)
        if not form.is_valid():
            _invalid(request, form)
            return
        exam_roster_remove(actor=request.user, exam=exam, officer=form.cleaned_data["police_number"])
        messages.success(request, _("Removed from the roster."))

    return _post_action(request, pk, remove)


@require_POST
@training_staff_required
def exam_exemption_add_view(request, pk: int):
    def exempt(exam):
        form = ExemptionForm(request.POST)
        if not form.is_valid():
            _invalid(request, form)
            return
        data = form.cleaned_data
        exam_exemption_set(
            actor=request.user, exam=exam, officer=data["police_number"], reason=data["reason"], note=data["note"]
        )
        messages.success(request, _("Exemption recorded."))

    return _post_action(request, pk, exempt)


@require_POST
@training_staff_required
def exam_exemption_remove_view(request, pk: int):
    def remove(exam):
        form = OfficerForm(request.POST)
        if not form.is_valid():
            _invalid(request, form)
            return
        exam_exemption_remove(actor=request.user, exam=exam, officer=form.cleaned_data["police_number"])
        messages.success(request, _("Exemption withdrawn."))

    return _post_action(request, pk, remove)


urlpatterns = [
    path("manage/", exam_list, name="exam_list"),
    path("manage/new/", exam_create_page, name="exam_create"),
    path("manage/<int:pk>/", exam_detail, name="exam_detail"),
    path("manage/<int:pk>/edit/", exam_edit, name="exam_edit"),
    path("manage/<int:pk>/publish/", exam_publish_view, name="exam_publish"),
    path("manage/<int:pk>/close/", exam_close_view, name="exam_close"),
    path("manage/<int:pk>/roster/add/", exam_roster_add_view, name="exam_roster_add"),
    path("manage/<int:pk>/roster/remove/", exam_roster_remove_view, name="exam_roster_remove"),
    path("manage/<int:pk>/exemptions/add/", exam_exemption_add_view, name="exam_exemption_add"),
    path("manage/<int:pk>/exemptions/remove/", exam_exemption_remove_view, name="exam_exemption_remove"),
]
