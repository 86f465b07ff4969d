from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet

from courses.models import KnowledgePoint, LessonPage
from courses.models.knowledge import PATH_SEPARATOR


def knowledge_point_subtree(point: KnowledgePoint | int, *, include_self: bool = True) -> QuerySet[KnowledgePoint]:
    """The point and every point below it, in tree order: one indexed ``path LIKE 'xxxx%'`` query.

    Exams use this to pick questions "under 接处警" whatever the depth of their tags.
    """
    if not isinstance(point, KnowledgePoint):
        point = KnowledgePoint.objects.get(pk=point)
    points = KnowledgePoint.objects.filter(path__startswith=point.path).order_by("path")
    return points if include_self else points.exclude(pk=point.pk)


def knowledge_points_in_tree_order() -> QuerySet[KnowledgePoint]:
    return KnowledgePoint.objects.order_by("path")


def knowledge_point_full_names(points: Iterable[KnowledgePoint]) -> dict[int, str]:
    """``{pk: '接处警 › 现场处置 › 证据固定'}`` for the given points, with one query for all ancestors."""
    points = list(points)
    if not points:
        return {}
    steplen = KnowledgePoint.steplen
    ancestor_paths = {p.path[: steplen * depth] for p in points for depth in range(1, p.depth)}
    names = dict(KnowledgePoint.objects.filter(path__in=ancestor_paths).values_list("path", "name"))
    names.update({p.path: p.name for p in points})
    return {
        p.pk: PATH_SEPARATOR.join(names.get(p.path[: steplen * depth], "?") for depth in range(1, p.depth + 1))
        for p in points
    }


def lessons_for_knowledge_point(point: KnowledgePoint | int, *, include_subtree: bool = True) -> QuerySet[LessonPage]:
    """Live lessons tagged with the point (and, by default, with any point below it)."""
    points = (
        knowledge_point_subtree(point)
        if include_subtree
        else KnowledgePoint.objects.filter(pk=getattr(point, "pk", point))
    )
    return LessonPage.objects.live().filter(knowledge_points__in=points).distinct().order_by("path")
