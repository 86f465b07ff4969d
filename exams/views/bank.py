"""Question bank pages for trainers (/exams/bank/): browse, bulk actions, create, edit, history, preview.

Trainers, legal-brigade leaders and administrators only; everyone else gets 403, an unknown
question 404.
"""

from __future__ import annotations

import random

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from courses.selectors import knowledge_point_full_names
from exams.forms import BulkAction, BulkActionForm, QuestionFilterForm, QuestionForm
from exams.models import MultipleChoiceScoring, QuestionStatus, QuestionType
from exams.rendering import blank_count, response_from_data
from exams.scoring import score_response
from exams.selectors.questions import (
    question_get,
    question_ids_matching,
    question_search,
    question_status_counts,
    question_version_get,
    question_versions,
)
from exams.services import (
    QuestionContent,
    question_create,
    question_retag,
    question_set_status,
    question_update,
)
from people.decorators import training_staff_required

PAGE_SIZE = 50
CONFIRM_SAMPLE = 20


def _list_url(query: str = "") -> str:
    """The browser with the given filters. The querystring is re-encoded from its parsed values,
    so whatever was posted can only ever become parameters of this one page."""
    encoded = QueryDict(query or "").urlencode()
    url = reverse("exams:bank_list")
    return f"{url}?{encoded}" if encoded else url


def _point_names(questions) -> dict[int, str]:
    points = {point.pk: point for question in questions for point in question.knowledge_points.all()}
    return knowledge_point_full_names(points.values())


@training_staff_required
def bank_list(request: HttpRequest) -> HttpResponse:
    form = QuestionFilterForm(request.GET or None)
    filters = form.search_filters()
    page_obj = Paginator(question_search(**filters), PAGE_SIZE).get_page(request.GET.get("page"))
    questions = list(page_obj.object_list)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "exams/bank/list.html",
        {
            "form": form,
            "page_obj": page_obj,
            "questions": questions,
            "point_names": _point_names(questions),
            "counts": question_status_counts(**filters),
            "current_status": filters["status"] or "",
            "statuses": QuestionStatus.choices,
            "bulk_form": BulkActionForm(initial={"query": query.urlencode()}),
            "query": query.urlencode(),
        },
    )


def _bulk_apply(request: HttpRequest, form: BulkActionForm, ids: list[int]) -> str:
    action = form.cleaned_data["action"]
    if action in BulkAction.STATUS:
        status = BulkAction.STATUS[action]
        changed = question_set_status(questions=ids, status=status, actor=request.user)
        return ngettext(
            "%(count)s question set to “%(status)s”.", "%(count)s questions set to “%(status)s”.", changed
        ) % {"count": changed, "status": QuestionStatus(status).label}
    point = form.cleaned_data.get("knowledge_point")
    if action == BulkAction.ADD_KNOWLEDGE_POINT:
        count = question_retag(questions=ids, add_knowledge_point_ids=[point.pk], actor=request.user)
        message = ngettext(
            "Knowledge point “%(point)s” added to %(count)s question.",
            "Knowledge point “%(point)s” added to %(count)s questions.",
            count,
        )
    elif action == BulkAction.REMOVE_KNOWLEDGE_POINT:
        count = question_retag(questions=ids, remove_knowledge_point_ids=[point.pk], actor=request.user)
        message = ngettext(
            "Knowledge point “%(point)s” removed from %(count)s question.",
            "Knowledge point “%(point)s” removed from %(count)s questions.",
            count,
        )
    elif action == BulkAction.SET_DIFFICULTY:
        count = question_retag(questions=ids, difficulty=form.cleaned_data["difficulty"], actor=request.user)
        message = ngettext(
            "Difficulty set to %(difficulty)s for %(count)s question.",
            "Difficulty set to %(difficulty)s for %(count)s questions.",
            count,
        )
    else:
        count = question_retag(questions=ids, tier=form.cleaned_data["tier"], actor=request.user)
        message = ngettext(
            "Tier set to “%(tier)s” for %(count)s question.", "Tier set to “%(tier)s” for %(count)s questions.", count
        )
    return message % {
        "count": count,
        "point": point.name if point else "",
        "difficulty": form.cleaned_data.get("difficulty") or "",
        "tier": dict(BulkActionForm.base_fields["tier"].choices).get(form.cleaned_data.get("tier"), ""),
    }


@training_staff_required
@require_POST
def bank_bulk(request: HttpRequest) -> HttpResponse:
    """Two steps: the list posts the selection and action; a confirmation page shows what will
    change and posts it again with ``confirm``."""
    form = BulkActionForm(request.POST)
    query = request.POST.get("query", "")
    if not form.is_valid():
        for error in form.non_field_errors():
            messages.error(request, error)
        for field in form:
            for error in field.errors:
                messages.error(request, f"{field.label}: {error}")
        return redirect(_list_url(query))
    if form.cleaned_data["all_matching"]:
        filter_form = QuestionFilterForm(QueryDict(query))
        ids = question_ids_matching(**filter_form.search_filters())
    else:
        ids = form.cleaned_data["ids"]
    if not ids:
        messages.warning(request, _("No question matches; nothing was changed."))
        return redirect(_list_url(query))
    if not form.cleaned_data["confirm"]:
        sample = list(question_search().filter(pk__in=ids)[:CONFIRM_SAMPLE])
        return render(
            request,
            "exams/bank/bulk_confirm.html",
            {
                "form": form,
                "ids": ids,
                "count": len(ids),
                "sample": sample,
                "more": max(0, len(ids) - len(sample)),
                "action_label": dict(BulkAction.CHOICES)[form.cleaned_data["action"]],
                "query": query,
                "list_url": _list_url(query),
            },
        )
    try:
        messages.success(request, _bulk_apply(request, form, ids))
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    return redirect(_list_url(query))


def _apply_service_errors(form: QuestionForm, error: ValidationError) -> None:
    for name, messages_ in error.message_dict.items() if hasattr(error, "error_dict") else [(None, error.messages)]:
        for message in messages_:
            form.add_error(name if name in form.fields else None, message)


@training_staff_required
def bank_create(request: HttpRequest) -> HttpResponse:
    question_type = request.POST.get("type") or request.GET.get("type")
    if question_type not in QuestionType.values:
        return render(request, "exams/bank/choose_type.html", {"types": QuestionType.choices})
    form = QuestionForm(request.POST or None, question_type=question_type)
    if request.method == "POST" and form.is_valid():
        status = QuestionStatus.DRAFT if "save_draft" in request.POST else QuestionStatus.ACTIVE
        try:
            question = question_create(content=form.content, actor=request.user, status=status)
        except ValidationError as error:
            _apply_service_errors(form, error)
        else:
            messages.success(request, _("Question #%(id)s created.") % {"id": question.pk})
            if "save_another" in request.POST:
                return redirect(f"{reverse('exams:bank_create')}?type={question_type}")
            return redirect("exams:bank_detail", pk=question.pk)
    return render(
        request,
        "exams/bank/edit.html",
        {
            "form": form,
            "question": None,
            "question_type": question_type,
            "type_label": QuestionType(question_type).label,
        },
    )


@training_staff_required
def bank_edit(request: HttpRequest, pk: int) -> HttpResponse:
    question = question_get(pk)
    if question.status == QuestionStatus.RETIRED:
        messages.error(request, _("A retired question cannot be edited; reactivate it first."))
        return redirect("exams:bank_detail", pk=question.pk)
    before = QuestionContent.from_question(question)
    if request.method == "POST":
        form = QuestionForm(request.POST, question_type=question.type)
        if form.is_valid():
            if form.content.as_dict() == before.as_dict():
                messages.info(request, _("Nothing was changed."))
                return redirect("exams:bank_detail", pk=question.pk)
            old_number = question.current_version.number
            try:
                question = question_update(question=question, content=form.content, actor=request.user)
            except ValidationError as error:
                _apply_service_errors(form, error)
            else:
                new_number = question.current_version.number
                if new_number != old_number:
                    messages.success(
                        request,
                        _(
                            "Saved as version %(new)s. Papers already drawn keep version %(old)s; "
                            "new papers draw version %(new)s."
                        )
                        % {"new": new_number, "old": old_number},
                    )
                else:
                    messages.success(request, _("Question #%(id)s saved.") % {"id": question.pk})
                return redirect("exams:bank_detail", pk=question.pk)
    else:
        form = QuestionForm(initial=QuestionForm.initial_from(before), question_type=question.type)
    return render(
        request,
        "exams/bank/edit.html",
        {
            "form": form,
            "question": question,
            "question_type": question.type,
            "type_label": question.get_type_display(),
            "version": question.current_version,
        },
    )


@training_staff_required
def bank_detail(request: HttpRequest, pk: int) -> HttpResponse:
    question = question_get(pk)
    points = list(question.knowledge_points.all())
    return render(
        request,
        "exams/bank/detail.html",
        {
            "question": question,
            "version": question.current_version,
            "versions": question_versions(question),
            "point_names": knowledge_point_full_names(points),
            "knowledge_points": points,
        },
    )


@training_staff_required
def bank_version(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    question = question_get(pk)
    version = question_version_get(question, number)
    return render(
        request,
        "exams/bank/version.html",
        {"question": question, "version": version, "is_current": version.pk == question.current_version_id},
    )


@training_staff_required
def bank_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The question as an examinee sees it: optionally with shuffled options, at phone width,
    and with "check my answer" scoring the response like an exam would."""
    question = question_get(pk)
    number = request.GET.get("version")
    version = question_version_get(question, int(number)) if number and number.isdigit() else question.current_version
    permutation = None
    seed = request.GET.get("seed", "")
    if request.GET.get("shuffle") and question.type in (QuestionType.SINGLE, QuestionType.MULTIPLE):
        seed = seed if seed.isdigit() else str(random.SystemRandom().randint(1, 99999))
        permutation = [option["key"] for option in version.options]
        random.Random(int(seed)).shuffle(permutation)
    response = None
    scores = []
    if request.method == "POST":
        response = response_from_data(
            request.POST, question_type=question.type, name="answer", blanks=blank_count(version)
        )
        schemes = [MultipleChoiceScoring.ALL_OR_NOTHING]
        if question.type == QuestionType.MULTIPLE:
            schemes.append(MultipleChoiceScoring.PARTIAL)
        for scheme in schemes:
            score = score_response(
                question_type=question.type,
                answer=version.answer,
                response=response,
                points=10,
                multiple_scoring=scheme,
            )
            scores.append({"scheme": MultipleChoiceScoring(scheme).label, "score": score})
    return render(
        request,
        "exams/bank/preview.html",
        {
            "question": question,
            "version": version,
            "permutation": permutation,
            "seed": seed if permutation else "",
            "phone": request.GET.get("width") == "phone",
            "response": response,
            "scores": scores,
            "checked": request.method == "POST",
        },
    )


@training_staff_required
@require_POST
def bank_status(request: HttpRequest, pk: int) -> HttpResponse:
    question = question_get(pk)
    action = request.POST.get("action")
    status = BulkAction.STATUS.get(action)
    if status is None:
        messages.error(request, _("Unknown action."))
    elif question_set_status(questions=[question], status=status, actor=request.user):
        messages.success(
            request,
            _("Question #%(id)s set to “%(status)s”.") % {"id": question.pk, "status": QuestionStatus(status).label},
        )
    else:
        messages.info(request, _("Nothing was changed."))
    return redirect("exams:bank_detail", pk=question.pk)


urlpatterns = [
    path("bank/", bank_list, name="bank_list"),
    path("bank/bulk/", bank_bulk, name="bank_bulk"),
    path("bank/new/", bank_create, name="bank_create"),
    path("bank/<int:pk>/", bank_detail, name="bank_detail"),
    path("bank/<int:pk>/edit/", bank_edit, name="bank_edit"),
    path("bank/<int:pk>/preview/", bank_preview, name="bank_preview"),
    path("bank/<int:pk>/status/", bank_status, name="bank_status"),
    path("bank/<int:pk>/versions/<int:number>/", bank_version, name="bank_version"),
]
