"""Trainer pages for an exam's accommodations (考试特殊安排): list, grant to one officer or a list of
police numbers, edit, remove. Training staff only, like the other exam arrangement pages."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from exams.selectors.accommodations import exam_accommodations, get_accommodation_for_staff
from exams.selectors.exams import get_exam_for_staff
from exams.services.accommodations import exam_accommodations_grant
from exams.services.exam_day import ExamDayError, exam_accommodation_remove, exam_accommodation_set
from exams.views.accommodation_forms import AccommodationForm, AccommodationGrantForm
from people.decorators import training_staff_required


@training_staff_required
@require_http_methods(["GET", "POST"])
def accommodation_list(request, pk: int):
    """GET: the exam's accommodations and the grant form. POST: grant; a refusal keeps what was typed."""
    exam = get_exam_for_staff(pk)
    form = AccommodationGrantForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        officers = form.cleaned_data["officers"]
        try:
            exam_accommodations_grant(actor=request.user, exam=exam, officers=officers, **form.terms())
        except ExamDayError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Accommodation recorded for %(count)d officers.") % {"count": len(officers)})
            return redirect("exams:exam_accommodations", pk=exam.pk)
    return render(
        request,
        "exams/manage/accommodations.html",
        {"exam": exam, "accommodations": exam_accommodations(exam), "form": form},
        status=400 if request.method == "POST" else 200,
    )


@training_staff_required
@require_http_methods(["GET", "POST"])
def accommodation_edit(request, pk: int, officer_id: int):
    exam = get_exam_for_staff(pk)
    accommodation = get_accommodation_for_staff(exam, officer_id)
    form = AccommodationForm(request.POST if request.method == "POST" else None, accommodation=accommodation)
    if request.method == "POST" and form.is_valid():
        try:
            exam_accommodation_set(actor=request.user, exam=exam, officer=accommodation.officer, **form.terms())
        except ExamDayError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Accommodation saved."))
            return redirect("exams:exam_accommodations", pk=exam.pk)
    return render(
        request,
        "exams/manage/accommodation_edit.html",
        {"exam": exam, "accommodation": accommodation, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@training_staff_required
@require_POST
def accommodation_remove(request, pk: int, officer_id: int):
    exam = get_exam_for_staff(pk)
    accommodation = get_accommodation_for_staff(exam, officer_id)
    exam_accommodation_remove(actor=request.user, exam=exam, officer=accommodation.officer)
    messages.success(request, _("Accommodation removed."))
    return redirect("exams:exam_accommodations", pk=exam.pk)


urlpatterns = [
    path("manage/<int:pk>/accommodations/", accommodation_list, name="exam_accommodations"),
    path("manage/<int:pk>/accommodations/<int:officer_id>/", accommodation_edit, name="exam_accommodation_edit"),
    path(
        "manage/<int:pk>/accommodations/<int:officer_id>/remove/",
        accommodation_remove,
        name="exam_accommodation_remove",
    ),
]
