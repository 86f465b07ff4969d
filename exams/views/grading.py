"""Trainer pages for grading short answers (阅卷), blind by default, key corrections and result release.

Training staff only (trainers, legal-brigade leaders, administrators): everyone else gets 403 on
every page, before any object is looked up; an unknown exam, answer or version is a 404, and so is
an answer that is not a short answer of a submitted paper. On a blind exam the pages show an
anonymous code instead of the officer (``exams.selectors.grading``).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from exams.models import KeyCorrection, PaperItem, QuestionType, QuestionVersion
from exams.selectors.grading import (
    answer_row,
    exam_grading_groups,
    exams_with_held_results,
    get_answer_for_grader,
    grading_exam_get,
    grading_queue_rows,
    held_count,
    next_waiting_answer,
    waiting_count,
)
from exams.services.grading import GradingError, answer_grade, exam_results_release
from exams.services.key_correction import question_key_correct
from exams.views.grading_forms import GradeForm, KeyCorrectionForm
from people.decorators import training_staff_required


@training_staff_required
def grading_queue(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "exams/grading/queue.html",
        {"rows": grading_queue_rows(), "held": exams_with_held_results()},
    )


@training_staff_required
def grading_exam(request: HttpRequest, pk: int) -> HttpResponse:
    exam = grading_exam_get(pk)
    return render(
        request,
        "exams/grading/exam.html",
        {
            "exam": exam,
            "groups": exam_grading_groups(exam),
            "waiting": waiting_count(exam),
            "held": held_count(exam),
            "first": next_waiting_answer(exam),
        },
    )


def _seen_value(answer) -> str:
    return answer.graded_at.isoformat() if answer.graded_at else ""


@training_staff_required
def grade_answer(request: HttpRequest, pk: int) -> HttpResponse:
    answer = get_answer_for_grader(request.user, pk)
    item = answer.paper_item
    exam = answer.attempt.exam
    if request.method == "POST":
        form = GradeForm(request.POST, points=item.points)
        if form.is_valid():
            try:
                result = answer_grade(
                    answer=answer,
                    score=form.cleaned_data["score"],
                    comment=form.cleaned_data["comment"],
                    grader=request.user,
                    seen_graded_at=form.cleaned_data["seen"],
                )
            except GradingError as error:
                # Keep what the grader typed; show the answer as it is stored now.
                answer = get_answer_for_grader(request.user, pk)
                data = request.POST.copy()
                data["seen"] = _seen_value(answer)
                form = GradeForm(data, points=item.points)
                form.is_valid()
                form.add_error(None, error.message)
            else:
                return _after_grading(request, result)
    else:
        form = GradeForm(
            points=item.points,
            initial={"score": answer.score, "comment": answer.comment, "seen": _seen_value(answer)},
        )
    return render(
        request,
        "exams/grading/grade.html",
        {
            "exam": exam,
            "answer": answer,
            "row": answer_row(answer),
            "item": item,
            "version": item.question_version,
            "form": form,
            "waiting": waiting_count(exam),
        },
    )


def _after_grading(request: HttpRequest, result) -> HttpResponse:
    answer, attempt = result.answer, result.attempt
    code = answer_row(answer).code
    if not result.changed:
        messages.info(request, _("This grade was already saved."))
    else:
        messages.success(
            request, _("Saved: %(score)s points for paper #%(code)s.") % {"score": answer.score, "code": code}
        )
    if result.attempt_graded:
        text = _("Paper #%(code)s is fully graded: %(score)s points.") % {"code": code, "score": attempt.score}
        if result.released:
            text += " " + _("The result was released to the officer.")
        else:
            text += " " + _("The result is released when the exam window has closed.")
        messages.success(request, text)
    following = next_waiting_answer(attempt.exam, after=answer)
    if following is not None:
        return redirect("exams:grade_answer", following.pk)
    messages.info(request, _("No answers of this exam are waiting for grading."))
    return redirect("exams:grading_exam", attempt.exam_id)


@require_POST
@training_staff_required
def exam_release(request: HttpRequest, pk: int) -> HttpResponse:
    exam = grading_exam_get(pk)
    released = exam_results_release(exam=exam, actor=request.user)
    if released:
        messages.success(request, _("Released %(count)s graded results to the officers.") % {"count": released})
    else:
        messages.info(
            request,
            _("No graded results were waiting. Papers graded from now on are released as soon as they are graded."),
        )
    return redirect("exams:grading_exam", exam.pk)


@training_staff_required
def key_correct(request: HttpRequest, pk: int) -> HttpResponse:
    version = get_object_or_404(QuestionVersion.objects.select_related("question"), pk=pk)
    question = version.question
    if question.type not in QuestionType.auto_graded() or not version.in_use:
        raise Http404
    form = KeyCorrectionForm(request.POST or None, version=version)
    if request.method == "POST" and form.is_valid():
        try:
            outcome = question_key_correct(
                version=version, new_answer=form.new_answer(), reason=form.cleaned_data["reason"], actor=request.user
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                for message in errors:
                    form.add_error(field if field in form.fields else None, message)
        else:
            messages.success(
                request,
                _(
                    "The key was corrected. %(regraded)s papers were regraded and %(changed)s scores changed; "
                    "officers whose released result changed have been notified."
                )
                % {"regraded": outcome.correction.attempts_regraded, "changed": outcome.attempts_changed},
            )
            return redirect("exams:bank_version", question.pk, version.number)
    return render(
        request,
        "exams/grading/key_correct.html",
        {
            "version": version,
            "question": question,
            "form": form,
            "papers": PaperItem.objects.filter(question_version=version).values("paper_id").distinct().count(),
            "corrections": KeyCorrection.objects.filter(question_version=version).select_related("corrected_by"),
            "back_url": reverse("exams:bank_version", args=[question.pk, version.number]),
        },
    )


urlpatterns = [
    path("grading/", grading_queue, name="grading_queue"),
    path("grading/exams/<int:pk>/", grading_exam, name="grading_exam"),
    path("grading/exams/<int:pk>/release/", exam_release, name="exam_release"),
    path("grading/answers/<int:pk>/", grade_answer, name="grade_answer"),
    path("grading/keys/<int:pk>/", key_correct, name="key_correct"),
]
