"""Reads of the question bank: the trainer's browser (filters, status counts) and single questions.

Text search: Chinese has no spaces between words, so a word index would not find 伤害 inside
轻伤害案件. The query is split at whitespace, each term normalised exactly like the stored
``Question.normalized_stem`` (``exams.text.normalize_stem``: tags, spaces, punctuation and width
differences removed, case folded) and every term must occur as a substring — ``LIKE '%term%'``,
the same on SQLite and PostgreSQL (see docs/SEARCH.md for the reasoning and the upgrade path).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Count, Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from courses.models import KnowledgePoint
from courses.models.fields import ChoiceSetField
from exams.models import Question, QuestionKnowledgePoint, QuestionStatus, QuestionVersion
from exams.text import normalize_stem

MAX_QUERY_TERMS = 8


def _as_list(value: str | Iterable[str] | None) -> list[str] | None:
    if value in (None, "", [], ()):
        return None
    return [value] if isinstance(value, str) else list(value)


def _text_terms(text: str) -> list[str]:
    terms: list[str] = []
    for raw in (text or "")[:200].split():
        term = normalize_stem(raw)
        if term and term not in terms:
            terms.append(term)
    return terms[:MAX_QUERY_TERMS]


def _filtered(
    *,
    knowledge_point: KnowledgePoint | int | None = None,
    type: str | Iterable[str] | None = None,  # noqa: A002 - the filter's name in the brief
    difficulty: int | tuple[int | None, int | None] | range | None = None,
    tier: str | Iterable[str] | None = None,
    audience: str | None = None,
    status: str | Iterable[str] | None = None,
    text: str | None = None,
) -> QuerySet[Question]:
    questions = Question.objects.all()
    if knowledge_point:
        path = (
            knowledge_point.path
            if isinstance(knowledge_point, KnowledgePoint)
            else KnowledgePoint.objects.filter(pk=knowledge_point).values_list("path", flat=True).first()
        )
        if path is None:
            return Question.objects.none()
        # A subquery, not a join: no duplicates for questions tagged twice within the subtree.
        tagged = QuestionKnowledgePoint.objects.filter(knowledge_point__path__startswith=path).values("question_id")
        questions = questions.filter(pk__in=tagged)
    if types := _as_list(type):
        questions = questions.filter(type__in=types)
    if difficulty is not None and difficulty != "":
        if isinstance(difficulty, range):
            difficulty = (difficulty.start, difficulty.stop - 1)
        if isinstance(difficulty, tuple | list):
            low, high = (list(difficulty) + [None, None])[:2]
            if low is not None:
                questions = questions.filter(difficulty__gte=low)
            if high is not None:
                questions = questions.filter(difficulty__lte=high)
        else:
            questions = questions.filter(difficulty=int(difficulty))
    if tiers := _as_list(tier):
        questions = questions.filter(tier__in=tiers)
    if audience:
        # Exact tag: a question for 全警 is not listed under 辅警 (blueprints decide how audiences combine).
        questions = questions.filter(audiences__contains=ChoiceSetField.contains_lookup(audience))
    if statuses := _as_list(status):
        questions = questions.filter(status__in=statuses)
    for term in _text_terms(text or ""):
        questions = questions.filter(normalized_stem__contains=term)
    return questions


def question_search(
    *,
    knowledge_point: KnowledgePoint | int | None = None,
    type: str | Iterable[str] | None = None,  # noqa: A002
    difficulty: int | tuple[int | None, int | None] | range | None = None,
    tier: str | Iterable[str] | None = None,
    audience: str | None = None,
    status: str | Iterable[str] | None = None,
    text: str | None = None,
) -> QuerySet[Question]:
    """Questions matching every given filter, newest first, ready for a list: the current version
    and author joined, knowledge points prefetched in tree order (three queries per page in all).

    ``knowledge_point``: that point and its subtree. ``difficulty``: 3, or (2, 4) / range(2, 5)
    inclusive, either end may be None. ``type``/``tier``/``status``: one code or several.
    ``text``: every whitespace-separated term in the normalised stem.
    """
    return (
        _filtered(
            knowledge_point=knowledge_point,
            type=type,
            difficulty=difficulty,
            tier=tier,
            audience=audience,
            status=status,
            text=text,
        )
        .select_related("current_version", "author")
        .prefetch_related(Prefetch("knowledge_points", queryset=KnowledgePoint.objects.order_by("path")))
        .order_by("-id")
    )


def question_status_counts(**filters: Any) -> dict[str, int]:
    """``{"all": n, "draft": n, "active": n, "retired": n}`` for the other filters (``status`` is
    ignored): the browser header's tabs. One grouped query."""
    filters.pop("status", None)
    rows = _filtered(**filters).order_by().values("status").annotate(n=Count("id"))
    counts = dict.fromkeys(QuestionStatus.values, 0)
    for row in rows:
        counts[row["status"]] = row["n"]
    counts["all"] = sum(counts.values())
    return counts


def question_ids_matching(**filters: Any) -> list[int]:
    """Ids of the questions matching the filters (bulk actions on "every match")."""
    return list(_filtered(**filters).order_by("pk").values_list("pk", flat=True))


def question_get(pk: int) -> Question:
    """One question for the trainer pages, with its current version and knowledge points; 404 if unknown."""
    return get_object_or_404(
        Question.objects.select_related("current_version", "author").prefetch_related(
            Prefetch("knowledge_points", queryset=KnowledgePoint.objects.order_by("path"))
        ),
        pk=pk,
    )


def question_versions(question: Question) -> QuerySet[QuestionVersion]:
    """Every version of ``question``, newest first, with who wrote it."""
    return question.versions.select_related("created_by").order_by("-number")


def question_version_get(question: Question, number: int) -> QuestionVersion:
    return get_object_or_404(QuestionVersion.objects.select_related("created_by"), question=question, number=number)
