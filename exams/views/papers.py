"""Trainer pages for paper blueprints (组卷方案) and drawn papers: list, edit with live availability,
sample preview by seed, draw for printing, and the paper / answer key / answer sheet PDFs."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from courses.models.choices import Audience, Tier
from exams import pdf
from exams.models import ANY, Blueprint, BlueprintStatus, Paper, QuestionType, QuestionVersion
from exams.selectors.papers import (
    blueprint_plan,
    blueprint_with_structure,
    blueprints_for_listing,
    papers_in_context,
    papers_of_blueprint,
    resolve_audience,
    resolve_tier,
    rule_availability,
    rule_available_count,
)
from exams.services.blueprints import (
    BlueprintSpec,
    blueprint_copy,
    blueprint_create,
    blueprint_set_status,
    blueprint_update,
)
from exams.services.papers import (
    PaperDrawError,
    new_seed,
    paper_draw,
    paper_preview,
    paper_rederivation_matches,
    plan_shortfalls,
)
from exams.views.paper_forms import BlueprintEditor, DrawForm, PreviewForm
from people.decorators import training_staff_required


@training_staff_required
def blueprint_list(request):
    status = request.GET.get("status", "")
    if status not in BlueprintStatus.values:
        status = ""
    return render(
        request,
        "exams/papers/blueprint_list.html",
        {
            "blueprints": blueprints_for_listing(status=status),
            "status": status,
            "statuses": BlueprintStatus.choices,
        },
    )


def _editor_page(request, *, blueprint: Blueprint | None):
    if request.method == "POST":
        editor = BlueprintEditor(request.POST)
        if editor.is_valid():
            spec = editor.spec()
            if spec is not None:
                try:
                    if blueprint is None:
                        blueprint = blueprint_create(spec=spec, actor=request.user)
                        messages.success(request, _("Blueprint created."))
                    else:
                        blueprint = blueprint_update(blueprint=blueprint, spec=spec, actor=request.user)
                        messages.success(request, _("Blueprint saved."))
                    return redirect("exams:blueprint_detail", pk=blueprint.pk)
                except ValidationError as error:
                    editor.problems = list(error.messages)
    else:
        editor = BlueprintEditor(spec=BlueprintSpec.from_blueprint(blueprint) if blueprint else None)
    return render(
        request,
        "exams/papers/blueprint_form.html",
        {
            "blueprint": blueprint,
            "editor": editor,
            "availability_url": reverse("exams:blueprint_availability"),
            "multiple_type": QuestionType.MULTIPLE,
        },
        status=400 if request.method == "POST" else 200,
    )


@training_staff_required
def blueprint_create_page(request):
    return _editor_page(request, blueprint=None)


@training_staff_required
def blueprint_edit(request, pk: int):
    return _editor_page(request, blueprint=get_object_or_404(Blueprint, pk=pk))


@training_staff_required
@require_GET
def blueprint_availability(request):
    """``{"available": n}`` for a rule being edited; the blueprint's tier and audience resolve the
    rule's "same as the blueprint"."""
    data = request.GET
    question_type = data.get("question_type", "")
    try:
        difficulty_min = int(data.get("difficulty_min") or 1)
        difficulty_max = int(data.get("difficulty_max") or 5)
        point = int(data["knowledge_point"]) if data.get("knowledge_point") else None
    except ValueError:
        return JsonResponse({"error": _("Invalid rule.")}, status=400)
    tier_values = ("", ANY, *Tier.values)
    audience_values = ("", ANY, *Audience.values)
    if (
        question_type not in QuestionType.values
        or data.get("tier", "") not in tier_values
        or data.get("audience", "") not in audience_values
        or data.get("blueprint_tier", "") not in ("", *Tier.values)
        or data.get("blueprint_audience", "") not in ("", *Audience.values)
    ):
        return JsonResponse({"error": _("Invalid rule.")}, status=400)
    available = rule_available_count(
        question_type=question_type,
        knowledge_point=point,
        difficulty_min=difficulty_min,
        difficulty_max=difficulty_max,
        tier=resolve_tier(data.get("tier", ""), data.get("blueprint_tier", "")),
        audience=resolve_audience(data.get("audience", ""), data.get("blueprint_audience", "")),
    )
    return JsonResponse({"available": available})


@training_staff_required
def blueprint_detail(request, pk: int):
    blueprint = blueprint_with_structure(pk)
    plan = blueprint_plan(blueprint)
    availability = rule_availability(plan)
    rows = []
    for section, planned in zip(blueprint.sections.all(), plan.sections, strict=True):
        rules = [
            {"rule": rule, "plan": rule_plan, "available": availability[rule_plan.key]}
            for rule, rule_plan in zip(section.rules.all(), planned.rules, strict=True)
        ]
        rows.append({"section": section, "rules": rules, "fixed": section.fixed_questions.all()})
    return render(
        request,
        "exams/papers/blueprint_detail.html",
        {
            "blueprint": blueprint,
            "plan": plan,
            "sections": rows,
            "shortfalls": plan_shortfalls(plan) if blueprint.status != BlueprintStatus.ARCHIVED else [],
            "papers": papers_of_blueprint(blueprint),
            "preview_form": PreviewForm(),
            "draw_form": DrawForm(),
            "statuses": BlueprintStatus,
        },
    )


@training_staff_required
@require_POST
def blueprint_status(request, pk: int):
    blueprint = get_object_or_404(Blueprint, pk=pk)
    try:
        blueprint_set_status(blueprint=blueprint, status=request.POST.get("status", ""), actor=request.user)
        messages.success(request, _("Status changed."))
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    return redirect("exams:blueprint_detail", pk=pk)


@training_staff_required
@require_POST
def blueprint_copy_view(request, pk: int):
    blueprint = get_object_or_404(Blueprint, pk=pk)
    try:
        copy = blueprint_copy(blueprint=blueprint, actor=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("exams:blueprint_detail", pk=pk)
    messages.success(request, _("A draft copy was made; edit it here."))
    return redirect("exams:blueprint_edit", pk=copy.pk)


@training_staff_required
@require_GET
def blueprint_preview(request, pk: int):
    """A sample paper for a seed, with answers, written nowhere. Without a seed: a new one, in the URL
    so the page can be shared and reloaded."""
    blueprint = get_object_or_404(Blueprint, pk=pk)
    form = PreviewForm(request.GET)
    if not form.is_valid() or form.cleaned_data.get("seed") is None:
        return redirect(f"{reverse('exams:blueprint_preview', args=[pk])}?seed={new_seed()}")
    seed = form.cleaned_data["seed"]
    try:
        result = paper_preview(blueprint=blueprint, seed=seed)
    except PaperDrawError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("exams:blueprint_detail", pk=pk)
    versions = QuestionVersion.objects.in_bulk([item.version_id for item in result.items])
    sections: list[dict] = []
    for item in result.items:
        if not sections or sections[-1]["index"] != item.section_index:
            sections.append({"index": item.section_index, "title": item.section_title, "items": []})
        sections[-1]["items"].append(
            {"item": item, "version": versions[item.version_id], "points": pdf.points_number(item.points)}
        )
    return render(
        request,
        "exams/papers/preview.html",
        {"blueprint": blueprint, "result": result, "seed": seed, "sections": sections, "draw_form": DrawForm()},
    )


@training_staff_required
@require_POST
def blueprint_draw(request, pk: int):
    blueprint = get_object_or_404(Blueprint, pk=pk)
    form = DrawForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return redirect("exams:blueprint_detail", pk=pk)
    context = form.cleaned_data.get("context", "").strip()
    earlier = list(papers_in_context(blueprint=blueprint, context=context)) if context else None
    try:
        paper = paper_draw(
            blueprint=blueprint,
            seed=form.cleaned_data.get("seed"),
            exclude_overlap_with=earlier,
            context=context,
            actor=request.user,
        )
    except PaperDrawError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("exams:blueprint_detail", pk=pk)
    messages.success(request, _("Paper drawn."))
    return redirect("exams:paper_detail", pk=paper.pk)


@training_staff_required
def paper_detail(request, pk: int):
    paper = get_object_or_404(Paper.objects.select_related("blueprint", "created_by"), pk=pk)
    return render(
        request,
        "exams/papers/paper_detail.html",
        {
            "paper": paper,
            "sections": pdf.print_sections(paper, show_key=True),
            "rederivation": paper_rederivation_matches(paper),
        },
    )


def _pdf_response(paper: Paper, kind: str) -> HttpResponse:
    response = HttpResponse(pdf.paper_pdf(paper, kind=kind), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{pdf.paper_pdf_filename(paper, kind)}"'
    return response


@training_staff_required
def paper_pdf(request, pk: int):
    return _pdf_response(get_object_or_404(Paper, pk=pk), "paper")


@training_staff_required
def paper_key_pdf(request, pk: int):
    return _pdf_response(get_object_or_404(Paper, pk=pk), "key")


@training_staff_required
def paper_sheet_pdf(request, pk: int):
    return _pdf_response(get_object_or_404(Paper, pk=pk), "sheet")


urlpatterns = [
    path("blueprints/", blueprint_list, name="blueprint_list"),
    path("blueprints/new/", blueprint_create_page, name="blueprint_create"),
    path("blueprints/availability/", blueprint_availability, name="blueprint_availability"),
    path("blueprints/<int:pk>/", blueprint_detail, name="blueprint_detail"),
    path("blueprints/<int:pk>/edit/", blueprint_edit, name="blueprint_edit"),
    path("blueprints/<int:pk>/status/", blueprint_status, name="blueprint_status"),
    path("blueprints/<int:pk>/copy/", blueprint_copy_view, name="blueprint_copy"),
    path("blueprints/<int:pk>/preview/", blueprint_preview, name="blueprint_preview"),
    path("blueprints/<int:pk>/draw/", blueprint_draw, name="blueprint_draw"),
    path("papers/<int:pk>/", paper_detail, name="paper_detail"),
    path("papers/<int:pk>/paper.pdf", paper_pdf, name="paper_pdf"),
    path("papers/<int:pk>/key.pdf", paper_key_pdf, name="paper_key_pdf"),
    path("papers/<int:pk>/answer-sheet.pdf", paper_sheet_pdf, name="paper_sheet_pdf"),
]
