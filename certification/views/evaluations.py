"""Legal-officer quarterly evaluation pages (法制员季度考评): schemes, score entry and xlsx import,
rankings, replacement reviews, linked units.

The ranking pages are for HR and the legal brigade (everyone) and unit leaders (their subtree);
others get a 404, as do schemes, quarters and reviews outside their scope. Every officer sees their
own results on 我的季度考评.
"""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from certification.models import EvaluationScheme, ItemGroup, LegalBrigadeLink, ReviewDecision
from certification.selectors.evaluations import (
    QUARTERS,
    can_decide_reviews,
    can_manage_evaluations,
    can_view_rankings,
    completed_quarters,
    evaluated_officers,
    evaluations_for_reviews,
    get_review_for_user,
    get_scheme_or_404,
    linked_units_overview,
    officer_evaluations,
    officer_quarter_sizes,
    quarter_counts,
    quarter_evaluations,
    quarter_reviews,
    ranking_dataframe,
    reason_labels,
    reviews_visible_to,
)
from certification.services.evaluation_import import (
    XLSX_CONTENT_TYPE,
    EvaluationFileError,
    evaluation_import,
    evaluation_template_xlsx,
)
from certification.services.evaluations import (
    EvaluationError,
    ItemInput,
    evaluation_save,
    legal_brigade_link_add,
    legal_brigade_link_end,
    replacement_review_decide,
    scheme_save,
)
from certification.views.evaluation_forms import (
    DecisionForm,
    EntryForm,
    ImportForm,
    ItemFormSet,
    LinkEndForm,
    LinkForm,
    SchemeForm,
    item_initial,
)
from people.models import OfficerStatus, Unit, User
from people.selectors import unit_full_paths
from portal.exports import xlsx_bytes, xlsx_download
from portal.formatting import format_quarter
from portal.services import audit_log


def _gate(check):
    """Log in, then 404 unless ``check(user)``: the pages do not reveal themselves to others."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not check(request.user):
                raise Http404
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


rankings_required = _gate(can_view_rankings)
manager_required = _gate(can_manage_evaluations)


def _quarter_or_404(quarter: int) -> int:
    if quarter not in QUARTERS:
        raise Http404
    return quarter


# --- schemes ---------------------------------------------------------------------------------------


@rankings_required
@require_GET
def evaluation_schemes(request):
    schemes = list(EvaluationScheme.objects.prefetch_related("items"))
    today = timezone.localdate()
    rows = [
        {
            "scheme": scheme,
            "counts": quarter_counts(scheme),
            "completed": completed_quarters(scheme.year, today),
            "individual": [item for item in scheme.items.all() if item.group == ItemGroup.INDIVIDUAL],
            "unit": [item for item in scheme.items.all() if item.group == ItemGroup.UNIT],
        }
        for scheme in schemes
    ]
    pending = reviews_visible_to(request.user).filter(decision=ReviewDecision.PENDING).count()
    return render(
        request,
        "certification/evaluations/schemes.html",
        {"rows": rows, "can_manage": can_manage_evaluations(request.user), "pending": pending},
    )


def _scheme_form_page(request, scheme: EvaluationScheme | None):
    has_evaluations = scheme is not None and scheme.evaluations.exists()
    if scheme is None:
        initial = {"year": timezone.localdate().year, "title": f"{timezone.localdate().year}年度法制员季度考评方案"}
        item_rows: list[dict] = []
    else:
        initial = {
            field: getattr(scheme, field)
            for field in ("year", "title", "low_score", "low_quarters", "bottom_percent", "linked_unit_weight")
        }
        item_rows = item_initial(scheme.items.order_by("order", "pk"))
    form = SchemeForm(request.POST or None, initial=initial)
    formset = ItemFormSet(request.POST or None, initial=item_rows, prefix="items")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        items = [
            ItemInput(
                pk=row.cleaned_data.get("item_id"),
                group=row.cleaned_data["group"],
                name=row.cleaned_data["name"],
                weight=row.cleaned_data["weight"],
                max_score=row.cleaned_data["max_score"],
            )
            for row in formset.forms
            if row.cleaned_data and not row.cleaned_data.get("DELETE")
        ]
        try:
            saved = scheme_save(scheme=scheme, items=items, actor=request.user, **form.cleaned_data)
        except EvaluationError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Scheme “%(title)s” saved.") % {"title": saved.title})
            return redirect("certification:evaluation_schemes")
    return render(
        request,
        "certification/evaluations/scheme_form.html",
        {"form": form, "formset": formset, "scheme": scheme, "has_evaluations": has_evaluations},
    )


@manager_required
def evaluation_scheme_create(request):
    return _scheme_form_page(request, None)


@manager_required
def evaluation_scheme_edit(request, pk: int):
    return _scheme_form_page(request, get_scheme_or_404(pk))


# --- a quarter -------------------------------------------------------------------------------------


@rankings_required
@require_GET
def evaluation_quarter(request, pk: int, quarter: int):
    scheme = get_scheme_or_404(pk)
    quarter = _quarter_or_404(quarter)
    items = list(scheme.items.order_by("group", "order", "pk"))
    evaluations = list(quarter_evaluations(request.user, scheme, quarter))
    reviews = quarter_reviews(scheme, quarter)
    rows = []
    for evaluation in evaluations:
        scores = {score.item_id: score.score for score in evaluation.scores.all()}
        review = reviews.get(evaluation.officer_id)
        rows.append(
            {
                "evaluation": evaluation,
                "scores": [scores.get(item.pk) for item in items],
                "review": review,
                "reasons": reason_labels(review.reasons) if review else [],
                "low": evaluation.total < scheme.low_score,
            }
        )
    return render(
        request,
        "certification/evaluations/quarter.html",
        {
            "scheme": scheme,
            "quarter": quarter,
            "quarters": QUARTERS,
            "items": items,
            "rows": rows,
            "can_manage": can_manage_evaluations(request.user),
        },
    )


@rankings_required
@require_GET
def evaluation_quarter_xlsx(request, pk: int, quarter: int):

    scheme = get_scheme_or_404(pk)
    quarter = _quarter_or_404(quarter)
    evaluations = list(quarter_evaluations(request.user, scheme, quarter))
    frame = ranking_dataframe(scheme, evaluations, quarter_reviews(scheme, quarter))
    content = xlsx_bytes({format_quarter(scheme.year, quarter): frame}, freeze="D2", max_width=40)
    audit_log(
        actor=request.user,
        action="certification.evaluation.exported",
        target=scheme,
        data={"year": scheme.year, "quarter": quarter, "rows": len(frame)},
    )
    return xlsx_download(content, f"法制员季度考评-{scheme.year}Q{quarter}.xlsx")


@manager_required
def evaluation_entry(request, pk: int, quarter: int):
    """Enter or correct one officer's scores; ?officer=<police number> loads their current scores."""
    scheme = get_scheme_or_404(pk)
    quarter = _quarter_or_404(quarter)
    items = list(scheme.items.order_by("group", "order", "pk"))
    # Legal-brigade officers are evaluated too: nobody is offered their own scores to enter.
    officers = evaluated_officers().exclude(pk=request.user.pk)
    initial = {}
    number = request.GET.get("officer", "").strip()
    if request.method == "GET" and number:
        initial["officer"] = number
        existing = (
            scheme.evaluations.filter(quarter=quarter, officer__police_number=number).prefetch_related("scores").first()
        )
        if existing is not None:
            initial["note"] = existing.note
            initial.update({f"item_{score.item_id}": score.score for score in existing.scores.all()})
    form = EntryForm(request.POST or None, initial=initial, officers=officers, items=items)
    if request.method == "POST" and form.is_valid():
        try:
            evaluation = evaluation_save(
                scheme=scheme,
                quarter=quarter,
                officer=form.cleaned_data["officer"],
                scores=form.scores(),
                note=form.cleaned_data["note"],
                actor=request.user,
            )
        except EvaluationError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _("Scores of %(name)s saved: total %(total)s, rank %(rank)s.")
                % {"name": evaluation.officer.name, "total": evaluation.total, "rank": evaluation.rank},
            )
            return redirect("certification:evaluation_quarter", pk=scheme.pk, quarter=quarter)
    return render(
        request,
        "certification/evaluations/entry.html",
        {"scheme": scheme, "quarter": quarter, "form": form, "officers": officers},
    )


@manager_required
def evaluation_import_view(request, pk: int, quarter: int):
    scheme = get_scheme_or_404(pk)
    quarter = _quarter_or_404(quarter)
    result = None
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            result = evaluation_import(
                scheme=scheme,
                quarter=quarter,
                file=form.cleaned_data["file"],
                actor=request.user,
                dry_run=form.cleaned_data["dry_run"],
            )
        except (EvaluationFileError, EvaluationError) as exc:
            form.add_error("file", str(exc))
    return render(
        request,
        "certification/evaluations/import.html",
        {"scheme": scheme, "quarter": quarter, "form": form, "result": result},
    )


@manager_required
@require_GET
def evaluation_import_template(request, pk: int, quarter: int):
    scheme = get_scheme_or_404(pk)
    quarter = _quarter_or_404(quarter)
    response = HttpResponse(evaluation_template_xlsx(scheme), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"法制员季度考评导入模板-{scheme.year}Q{quarter}.xlsx"
    )
    return response


# --- replacement reviews ---------------------------------------------------------------------------


@rankings_required
@require_GET
def replacement_reviews(request):
    reviews = list(
        reviews_visible_to(request.user)
        .select_related("scheme", "officer", "officer__unit", "decided_by")
        .order_by("decision", "-scheme__year", "-quarter", "officer__police_number")
    )
    totals = {
        (evaluation.scheme_id, evaluation.officer_id, evaluation.quarter): evaluation
        for evaluation in evaluations_for_reviews(reviews)
    }
    rows = [
        {
            "review": review,
            "reasons": reason_labels(review.reasons),
            "evaluation": totals.get((review.scheme_id, review.officer_id, review.quarter)),
        }
        for review in reviews
    ]
    return render(
        request,
        "certification/evaluations/reviews.html",
        {
            "pending": [row for row in rows if row["review"].decision == ReviewDecision.PENDING],
            "decided": [row for row in rows if row["review"].decision != ReviewDecision.PENDING],
            "can_decide": can_decide_reviews(request.user),
            "decision_form": DecisionForm(),
        },
    )


@login_required
@require_POST
def replacement_review_decide_view(request, pk: int):
    review = get_review_for_user(request.user, pk)
    if not can_decide_reviews(request.user):
        raise Http404
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose to keep the officer in post or to replace them."))
    else:
        try:
            replacement_review_decide(
                review=review,
                decision=form.cleaned_data["decision"],
                note=form.cleaned_data["note"],
                actor=request.user,
            )
        except EvaluationError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Decision on %(name)s recorded.") % {"name": review.officer.name})
    return redirect(reverse("certification:replacement_reviews") + f"#review-{review.pk}")


# --- linked units ----------------------------------------------------------------------------------


@rankings_required
def linked_units(request):
    can_manage = can_manage_evaluations(request.user)
    unit_labels = unit_full_paths()
    brigade = User.objects.filter(is_legal_brigade=True, is_active=True).exclude(status=OfficerStatus.LEFT)
    form = LinkForm(
        request.POST or None,
        officers=brigade.order_by("police_number"),
        units=Unit.objects.filter(is_active=True).order_by("path"),
        unit_labels=unit_labels,
    )
    if request.method == "POST":
        if not can_manage:
            raise Http404
        if form.is_valid():
            try:
                link = legal_brigade_link_add(actor=request.user, **form.cleaned_data)
            except EvaluationError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(
                    request, _("%(name)s linked to %(unit)s.") % {"name": link.officer.name, "unit": link.unit.name}
                )
                return redirect("certification:linked_units")
    rows = linked_units_overview()
    return render(
        request,
        "certification/evaluations/linked_units.html",
        {
            "rows": rows,
            "form": form,
            "end_form": LinkEndForm(),
            "can_manage": can_manage,
            "unit_labels": unit_labels,
            "short": sum(1 for row in rows if row.too_few),
        },
    )


@manager_required
@require_POST
def linked_unit_end(request, pk: int):
    link = LegalBrigadeLink.objects.filter(pk=pk).first()
    if link is None:
        raise Http404
    form = LinkEndForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the date the link ends."))
    else:
        try:
            legal_brigade_link_end(link=link, ended_on=form.cleaned_data["ended_on"], actor=request.user)
        except EvaluationError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Link ended."))
    return redirect("certification:linked_units")


# --- the officer's own results ---------------------------------------------------------------------


@login_required
@require_GET
def my_evaluations(request):
    evaluations = list(officer_evaluations(request.user).prefetch_related("scores__item"))
    sizes = officer_quarter_sizes(evaluations)
    reviews = {
        (review.scheme_id, review.quarter): review
        for review in reviews_visible_to(request.user).filter(officer=request.user)
    }
    rows = [
        {
            "evaluation": evaluation,
            "size": sizes[(evaluation.scheme_id, evaluation.quarter)],
            "scores": sorted(evaluation.scores.all(), key=lambda score: (score.item.group, score.item.order)),
            "review": reviews.get((evaluation.scheme_id, evaluation.quarter)),
        }
        for evaluation in evaluations
    ]
    return render(
        request,
        "certification/evaluations/mine.html",
        {"rows": rows, "is_evaluated": request.user.is_legal_officer or request.user.is_legal_brigade},
    )


urlpatterns: list = [
    path("evaluations/", evaluation_schemes, name="evaluation_schemes"),
    path("evaluations/new/", evaluation_scheme_create, name="evaluation_scheme_create"),
    path("evaluations/<int:pk>/edit/", evaluation_scheme_edit, name="evaluation_scheme_edit"),
    path("evaluations/<int:pk>/q<int:quarter>/", evaluation_quarter, name="evaluation_quarter"),
    path("evaluations/<int:pk>/q<int:quarter>/export.xlsx", evaluation_quarter_xlsx, name="evaluation_quarter_xlsx"),
    path("evaluations/<int:pk>/q<int:quarter>/entry/", evaluation_entry, name="evaluation_entry"),
    path("evaluations/<int:pk>/q<int:quarter>/import/", evaluation_import_view, name="evaluation_import"),
    path(
        "evaluations/<int:pk>/q<int:quarter>/import/template.xlsx",
        evaluation_import_template,
        name="evaluation_import_template",
    ),
    path("evaluations/reviews/", replacement_reviews, name="replacement_reviews"),
    path("evaluations/reviews/<int:pk>/decide/", replacement_review_decide_view, name="replacement_review_decide"),
    path("evaluations/linked-units/", linked_units, name="linked_units"),
    path("evaluations/linked-units/<int:pk>/end/", linked_unit_end, name="linked_unit_end"),
    path("evaluations/mine/", my_evaluations, name="my_evaluations"),
]
