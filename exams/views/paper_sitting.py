"""Trainer pages for paper sittings (线下考试): print the papers, enter results by keyboard grid or
spreadsheet. The rules live in ``exams.services.paper_sitting``; these views parse and render.

Training staff only (``training_staff_required``: others get 403); an exam that is not an
arrangement (personal practice) or does not exist is a 404 (``get_exam_for_staff``).
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from exams.models import ExamStatus
from exams.selectors.exams import get_exam_for_staff
from exams.selectors.paper_sitting import (
    entry_grid,
    paper_attempt_rows,
    paper_template_xlsx,
    paper_variants,
    variant_by_label,
)
from exams.services.paper_sitting import (
    MAX_VARIANTS,
    PaperEntryError,
    PaperSheet,
    paper_sheets_enter,
    paper_variants_draw,
)
from exams.services.paper_sitting_import import paper_entries_import
from exams.services.papers import PaperDrawError
from exams.views.exam_forms import DATETIME_WIDGET
from people.decorators import training_staff_required
from portal.exports import xlsx_download
from portal.imports import ImportFileError

DATETIME_INPUT_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]


class SittingForm(forms.Form):
    sat_at = forms.DateTimeField(
        label=gettext_lazy("Sitting started at"),
        required=False,
        input_formats=DATETIME_INPUT_FORMATS,
        widget=forms.DateTimeInput(**DATETIME_WIDGET),
        help_text=gettext_lazy("When the paper was handed out; the exam's opening time if left as it is."),
    )


class EntryForm(SittingForm):
    police_number = forms.CharField(
        label=gettext_lazy("Police number"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric", "autofocus": True}),
    )

    field_order = ["police_number", "sat_at"]


class UploadForm(SittingForm):
    file = forms.FileField(
        label=gettext_lazy("Answers file (.xlsx)"),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
        ),
    )

    field_order = ["file", "sat_at"]


class DrawVariantsForm(forms.Form):
    count = forms.IntegerField(label=gettext_lazy("Papers to draw"), min_value=1, max_value=MAX_VARIANTS, initial=2)


def _sat_at_initial(exam) -> str:
    return timezone.localtime(exam.opens_at).strftime("%Y-%m-%dT%H:%M")


@training_staff_required
@require_GET
def paper_sitting(request, pk: int):
    """The exam's paper sittings: printable papers, the entry grid and spreadsheet, and the papers
    entered so far."""
    exam = get_exam_for_staff(pk)
    return render(
        request,
        "exams/paper_sitting/overview.html",
        {
            "exam": exam,
            "variants": paper_variants(exam),
            "rows": paper_attempt_rows(exam),
            "draw_form": DrawVariantsForm(),
            "can_enter": exam.status in (ExamStatus.PUBLISHED, ExamStatus.CLOSED),
        },
    )


@training_staff_required
@require_POST
def paper_variants_draw_view(request, pk: int):
    exam = get_exam_for_staff(pk)
    form = DrawVariantsForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return redirect("exams:paper_sitting", pk=exam.pk)
    try:
        drawn = paper_variants_draw(exam=exam, count=form.cleaned_data["count"], actor=request.user)
    except PaperEntryError as error:
        messages.error(request, error.message)
    except PaperDrawError as error:  # the blueprint cannot fill a paper: its own sentences
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("%(count)d papers drawn for the sitting.") % {"count": len(drawn)})
    return redirect("exams:paper_sitting", pk=exam.pk)


def _entry_url(exam, label: str, sat_at=None) -> str:
    """The grid again for the next officer, keeping the sitting time the trainer typed."""
    query = {"variant": label}
    if sat_at is not None:
        query["sat_at"] = timezone.localtime(sat_at).strftime("%Y-%m-%dT%H:%M")
    return f"{reverse('exams:paper_entry', args=[exam.pk])}?{urlencode(query)}"


@training_staff_required
def paper_entry(request, pk: int):
    """The keyboard grid: one officer's paper per save, ✓/✗ beside each box as it is typed."""
    exam = get_exam_for_staff(pk)
    variants = paper_variants(exam)
    if not variants:
        messages.error(request, PaperEntryError("no_variants").message)
        return redirect("exams:paper_sitting", pk=exam.pk)
    variant = variant_by_label(variants, request.GET.get("variant", "") or variants[0].label)
    if variant is None:
        raise Http404
    grid = entry_grid(variant.paper)
    problems: dict[str, str] = {}
    entered = {}
    if request.method == "POST":
        form = EntryForm(request.POST)
        entered = {question.position: request.POST.get(f"q{question.position}", "") for question in grid}
        if form.is_valid():
            sheet = PaperSheet(form.cleaned_data["police_number"], variant.label, entered)
            try:
                result = paper_sheets_enter(
                    exam=exam, sheets=[sheet], actor=request.user, sat_at=form.cleaned_data["sat_at"]
                )
            except PaperEntryError as error:
                form.add_error(None, error.message)
            else:
                if result.skipped:
                    _sheet, attempt = result.skipped[0]
                    messages.warning(
                        request,
                        _("%(officer)s's paper was already entered (score %(score)s); nothing was changed.")
                        % {"officer": attempt.officer, "score": attempt.score},
                    )
                    return redirect(_entry_url(exam, variant.label, form.cleaned_data["sat_at"]))
                if result.entered:
                    attempt = result.entered[0]
                    messages.success(
                        request,
                        _("Saved: %(officer)s, score %(score)s.")
                        % {"officer": attempt.officer, "score": attempt.score},
                    )
                    return redirect(_entry_url(exam, variant.label, form.cleaned_data["sat_at"]))
                for problem in result.problems:
                    if problem.question:
                        problems[problem.question] = problem.message
                    else:
                        form.add_error("police_number", problem.message)
    else:
        form = EntryForm(initial={"sat_at": request.GET.get("sat_at") or _sat_at_initial(exam)})
    questions = [
        {
            "question": question,
            "value": entered.get(question.position, ""),
            "problem": problems.get(_("Question %(number)d") % {"number": question.position}, ""),
        }
        for question in grid
    ]
    return render(
        request,
        "exams/paper_sitting/entry.html",
        {
            "exam": exam,
            "variant": variant,
            "variants": variants,
            "form": form,
            "questions": questions,
            "checks": {str(question.position): question.check for question in grid},
            "strings": _entry_strings(),
            "rows": paper_attempt_rows(exam)[:20],
        },
        status=400 if request.method == "POST" else 200,
    )


def _entry_strings() -> dict[str, str]:
    """The texts paper_entry.js shows, translated here so the script holds no language."""
    return {
        "right": _("Right"),
        "wrong": _("Wrong"),
        "partly": _("Partly right"),
        "unreadable": _("Cannot be read"),
    }


@training_staff_required
@require_GET
def paper_template(request, pk: int):
    exam = get_exam_for_staff(pk)
    return xlsx_download(paper_template_xlsx(exam), f"线下考试成绩录入-{exam.pk}.xlsx")


@training_staff_required
def paper_import(request, pk: int):
    """Upload the spreadsheet: every problem is listed and nothing is written, or all is entered."""
    exam = get_exam_for_staff(pk)
    result = None
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                result = paper_entries_import(
                    exam=exam, file=form.cleaned_data["file"], actor=request.user, sat_at=form.cleaned_data["sat_at"]
                )
            except ImportFileError as error:
                form.add_error("file", str(error))
            except PaperEntryError as error:
                form.add_error(None, error.message)
    else:
        form = UploadForm(initial={"sat_at": _sat_at_initial(exam)})
    return render(
        request,
        "exams/paper_sitting/import.html",
        {"exam": exam, "form": form, "result": result, "variants": paper_variants(exam)},
    )


urlpatterns = [
    path("manage/<int:pk>/paper/", paper_sitting, name="paper_sitting"),
    path("manage/<int:pk>/paper/draw/", paper_variants_draw_view, name="paper_variants_draw"),
    path("manage/<int:pk>/paper/entry/", paper_entry, name="paper_entry"),
    path("manage/<int:pk>/paper/template.xlsx", paper_template, name="paper_template"),
    path("manage/<int:pk>/paper/import/", paper_import, name="paper_import"),
]
