"""Item analysis (试题分析) pages for an exam: statistics, distribution chart, per-question figures, xlsx."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from exams.models import Exam
from exams.services.analysis import (
    DEFAULT_SORT,
    SORTS,
    AnalysisError,
    ExamAnalysis,
    exam_analysis,
    exam_analysis_export,
    questions_sorted,
)
from people.decorators import training_staff_required
from portal.charts import bar_chart_svg, histogram_svg

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _exam(pk: int) -> Exam:
    """Any exam but an officer's personal practice: those are private and not analysed."""
    return get_object_or_404(Exam, pk=pk, practice_for__isnull=True)


def _histogram(analysis: ExamAnalysis):
    return histogram_svg(
        [(b.label, b.count) for b in analysis.bins],
        title=_("Score distribution: %(exam)s") % {"exam": analysis.exam.title},
        x_label=_("Score"),
        y_label=_("Officers"),
        highlight=[index for index, b in enumerate(analysis.bins) if b.below_pass],
    )


@training_staff_required
@require_GET
def exam_analysis_page(request, pk: int):
    exam = _exam(pk)
    analysis = exam_analysis(exam=exam)
    sort = request.GET.get("sort", DEFAULT_SORT)
    if sort not in SORTS:
        sort = DEFAULT_SORT
    context = {"exam": exam, "analysis": analysis, "sort": sort}
    if analysis.has_data:
        context |= {
            "histogram": _histogram(analysis),
            "unit_chart": bar_chart_svg(
                [(g.label, g.pass_rate) for g in analysis.by_unit], title=_("Pass rate by unit")
            ),
            "category_chart": bar_chart_svg(
                [(g.label, g.pass_rate) for g in analysis.by_category], title=_("Pass rate by category")
            ),
            "questions": questions_sorted(analysis.questions, sort),
            "flagged_count": sum(1 for q in analysis.questions if q.flagged),
        }
    return render(request, "exams/analysis/exam_analysis.html", context)


@training_staff_required
@require_GET
def exam_score_chart(request, pk: int):
    """The score histogram alone, as an image (for slides and reports)."""
    analysis = exam_analysis(exam=_exam(pk))
    return HttpResponse(_histogram(analysis), content_type="image/svg+xml; charset=utf-8")


@training_staff_required
@require_GET
def exam_analysis_xlsx(request, pk: int):
    exam = _exam(pk)
    try:
        content = exam_analysis_export(exam=exam, actor=request.user)
    except AnalysisError as error:
        messages.error(request, str(error))
        return redirect("exams:exam_analysis", pk=exam.pk)
    response = HttpResponse(content, content_type=XLSX_TYPE)
    filename = _("item-analysis-%(pk)s.xlsx") % {"pk": exam.pk}
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


urlpatterns: list = [
    path("analysis/<int:pk>/", exam_analysis_page, name="exam_analysis"),
    path("analysis/<int:pk>/scores.svg", exam_score_chart, name="exam_score_chart"),
    path("analysis/<int:pk>/analysis.xlsx", exam_analysis_xlsx, name="exam_analysis_xlsx"),
]
