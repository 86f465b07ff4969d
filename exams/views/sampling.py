"""Random ability tests: sampling plans, the drawn list, confirmation and the yearly coverage report."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from exams.models import Exam, ExamKind, SampleOutcome, SamplingPlan, SamplingStatus
from exams.selectors.sampling import (
    coverage_dataframes,
    drawn_list_review,
    plan_for_page,
    sampling_coverage,
    sampling_rerun,
)
from exams.services.sampling import (
    SamplingError,
    sampling_confirm,
    sampling_draw,
    sampling_plan_save,
)
from exams.views.sampling_forms import (
    ConfirmForm,
    DrawForm,
    SamplingPlanForm,
    plan_initial,
    quota_formset,
    quota_specs,
)
from people.decorators import training_staff_required
from people.models import Category
from portal.exports import xlsx_bytes, xlsx_download
from portal.services import audit_log


def _random_exam(pk: int) -> Exam:
    """A random ability test (not a personal practice exam); anything else is a 404."""
    return get_object_or_404(Exam, pk=pk, kind=ExamKind.RANDOM, practice_for__isnull=True)


def _plan_of(exam: Exam) -> SamplingPlan | None:
    plan_pk = SamplingPlan.objects.filter(exam=exam).values_list("pk", flat=True).first()
    return plan_for_page(plan_pk) if plan_pk is not None else None


def _page(request, exam: Exam, plan: SamplingPlan | None, *, form=None, quotas=None, problems=None, status=200):
    editable = plan is None or plan.status != SamplingStatus.CONFIRMED
    context = {
        "exam": exam,
        "plan": plan,
        "editable": editable,
        "form": form or SamplingPlanForm(initial=plan_initial(plan)),
        "quotas": quotas or quota_formset(plan=plan),
        "problems": problems or [],
        "draw_form": DrawForm(),
        "statuses": SamplingStatus,
        "outcomes": SampleOutcome,
        "window_closed": timezone.now() >= exam.closes_at,
    }
    if plan is not None and plan.status != SamplingStatus.DRAFT:
        context["review"] = drawn_list_review(plan)
        rerun = sampling_rerun(plan)
        context["rerun_matches"] = rerun.matches
        context["checks"] = rerun.result.checks
        context["confirm_form"] = ConfirmForm(initial={"drawn_at": plan.drawn_at.isoformat()})
        context["no_shows"] = [row for row in context["review"].rows if row.outcome == SampleOutcome.NO_SHOW]
    return render(request, "exams/sampling/plan.html", context, status=status)


@training_staff_required
def sampling_plan(request, pk: int):
    """GET: the plan, its drawn list and outcomes. POST: save the population and quotas (or add a
    blank quota row)."""
    exam = _random_exam(pk)
    plan = _plan_of(exam)
    if request.method != "POST":
        return _page(request, exam, plan)
    form = SamplingPlanForm(request.POST)
    add_row = "add_row" in request.POST
    quotas = quota_formset(request.POST, add_row=add_row)
    if add_row:
        return _page(request, exam, plan, form=form, quotas=quotas)
    if not (form.is_valid() and quotas.is_valid()):
        return _page(request, exam, plan, form=form, quotas=quotas, status=400)
    try:
        sampling_plan_save(
            exam=exam,
            audience=form.audience_spec(),
            quotas=quota_specs(quotas),
            age_min=form.cleaned_data.get("age_min"),
            age_max=form.cleaned_data.get("age_max"),
            actor=request.user,
        )
    except SamplingError as error:
        # Reloaded: the plan may have been confirmed since this page was loaded.
        return _page(request, exam, _plan_of(exam), form=form, quotas=quotas, problems=error.messages, status=400)
    messages.success(request, _("Sampling plan saved."))
    return redirect("exams:sampling_plan", pk=exam.pk)


@training_staff_required
@require_POST
def sampling_draw_view(request, pk: int):
    exam = _random_exam(pk)
    plan = _plan_of(exam)
    if plan is None:
        raise Http404
    form = DrawForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return redirect("exams:sampling_plan", pk=exam.pk)
    try:
        plan = sampling_draw(plan=plan, seed=form.cleaned_data.get("seed"), actor=request.user)
    except SamplingError as error:
        messages.error(request, _("Nothing was drawn:"))
        for message in error.messages:
            messages.error(request, message)
        return redirect("exams:sampling_plan", pk=exam.pk)
    messages.success(
        request,
        _("%(count)s officers drawn with seed %(seed)s.")
        % {
            "count": plan.drawn.count(),
            "seed": plan.seed,
        },
    )
    return redirect("exams:sampling_plan", pk=exam.pk)


@training_staff_required
@require_POST
def sampling_confirm_view(request, pk: int):
    exam = _random_exam(pk)
    plan = _plan_of(exam)
    if plan is None:
        raise Http404
    form = ConfirmForm(request.POST)
    drawn_at = None
    if form.is_valid():
        try:
            drawn_at = datetime.datetime.fromisoformat(form.cleaned_data["drawn_at"])
        except ValueError:
            drawn_at = None
    if drawn_at is None:
        messages.error(request, _("The confirmation was not understood; reload the page and try again."))
        return redirect("exams:sampling_plan", pk=exam.pk)
    try:
        notified = sampling_confirm(plan=plan, drawn_at=drawn_at, actor=request.user)
    except SamplingError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("exams:sampling_plan", pk=exam.pk)
    if notified:
        messages.success(
            request, _("Confirmed: %(count)s officers were added to the exam and notified.") % {"count": notified}
        )
    else:
        messages.info(request, _("This list was already confirmed; nobody was notified again."))
    return redirect("exams:sampling_plan", pk=exam.pk)


def _year(request) -> int:
    current = timezone.localdate().year
    try:
        year = int(request.GET.get("year", current))
    except ValueError:
        return current
    return year if 2000 <= year <= current + 1 else current


def _category(request) -> str:
    """Police officers unless the page asks for auxiliaries or ("all") everyone."""
    category = request.GET.get("category", Category.OFFICER)
    if category == "all":
        return ""
    return category if category in Category.values else Category.OFFICER


@training_staff_required
@require_GET
def sampling_coverage_view(request):
    year = _year(request)
    current = timezone.localdate().year
    return render(
        request,
        "exams/sampling/coverage.html",
        {
            "report": sampling_coverage(year, category=_category(request)),
            "year": year,
            "years": range(current, current - 6, -1),
            "categories": Category.choices,
            "category_param": request.GET.get("category", Category.OFFICER),
        },
    )


@training_staff_required
@require_GET
def sampling_coverage_xlsx(request):

    year = _year(request)
    report = sampling_coverage(year, category=_category(request))
    content = xlsx_bytes(coverage_dataframes(report))
    audit_log(
        actor=request.user,
        action="exams.coverage.exported",
        data={"year": year, "category": report.category, "middle_leaders_met": report.middle_leaders.met},
    )
    return xlsx_download(content, f"sampling-coverage-{year}.xlsx")


urlpatterns: list = [
    path("random-tests/<int:pk>/sampling/", sampling_plan, name="sampling_plan"),
    path("random-tests/<int:pk>/sampling/draw/", sampling_draw_view, name="sampling_draw"),
    path("random-tests/<int:pk>/sampling/confirm/", sampling_confirm_view, name="sampling_confirm"),
    path("random-tests/coverage/", sampling_coverage_view, name="sampling_coverage"),
    path("random-tests/coverage.xlsx", sampling_coverage_xlsx, name="sampling_coverage_xlsx"),
]
