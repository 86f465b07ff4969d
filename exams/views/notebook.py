"""The officer's wrong-answer notebook (错题本) and the practice papers made from it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from courses.models import KnowledgePoint
from exams.models import QuestionType
from exams.selectors.notebook import notebook_for
from exams.services.notebook import PRACTICE_LIMIT, NotebookError, practice_from_notebook


def _knowledge_point(value: str | None) -> KnowledgePoint | None:
    """The knowledge point named by a filter or form value; None for "all" or an unknown id."""
    if not value or not str(value).isdigit():
        return None
    return KnowledgePoint.objects.filter(pk=int(value)).first()


@login_required
@require_GET
def notebook(request):
    point = _knowledge_point(request.GET.get("knowledge_point"))
    question_type = request.GET.get("type", "")
    if question_type not in QuestionType.values:
        question_type = ""
    book = notebook_for(request.user, knowledge_point=point, question_type=question_type)
    return render(
        request,
        "exams/notebook/notebook.html",
        {
            "book": book,
            "point": point,
            "question_type": question_type,
            "filtered": bool(point or question_type),
            "practice_limit": PRACTICE_LIMIT,
            "has_short_answers": any(not e.auto_graded for e in book.entries),
        },
    )


@login_required
@require_POST
def notebook_practice(request):
    value = request.POST.get("knowledge_point", "")
    point = _knowledge_point(value)
    if value and point is None:
        messages.error(request, _("That knowledge point does not exist. Choose again."))
        return redirect("exams:notebook")
    try:
        exam, created = practice_from_notebook(officer=request.user, knowledge_point=point)
    except NotebookError as error:
        messages.error(request, str(error))
        return redirect("exams:notebook")
    if not created:
        messages.info(request, _("You already have this practice paper ready: it opens below."))
    return redirect("exams:exam_start", pk=exam.pk)


urlpatterns: list = [
    path("notebook/", notebook, name="notebook"),
    path("notebook/practice/", notebook_practice, name="notebook_practice"),
]
