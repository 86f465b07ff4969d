from __future__ import annotations

from typing import Any

from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from wagtail.images import get_image_model
from wagtail.models import Page

from courses.models import Audience, ChoiceSetField, CourseIndexPage, CoursePage, LessonPage
from courses.selectors.knowledge import knowledge_point_full_names

COVER_RENDITION = "fill-640x360"


def course_index_page() -> CourseIndexPage | None:
    """The live 课程中心 page (created by a migration at /courses/)."""
    return CourseIndexPage.objects.live().first()


def _live_lesson_count():
    lessons = (
        Page.objects.filter(
            live=True,
            depth=OuterRef("depth") + 1,
            path__startswith=OuterRef("path"),
            content_type__model="lessonpage",
            content_type__app_label="courses",
        )
        .order_by()
        .values("depth")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(lessons, output_field=IntegerField()), 0)


def courses_for_listing(
    *, index: CourseIndexPage, audience: str | None = None, tier: str | None = None
) -> QuerySet[CoursePage]:
    """Live courses of the index in admin order, each with ``lesson_count`` (live lessons).

    Filtering by an audience also shows courses for all officers (全警).
    """
    courses = CoursePage.objects.child_of(index).live().order_by("path")
    if audience:
        wanted = Q(audiences__contains=ChoiceSetField.contains_lookup(audience))
        if audience != Audience.ALL:
            wanted |= Q(audiences__contains=ChoiceSetField.contains_lookup(Audience.ALL))
        courses = courses.filter(wanted)
    if tier:
        courses = courses.filter(tier=tier)
    images = get_image_model().objects.prefetch_renditions(COVER_RENDITION)
    return courses.annotate(lesson_count=_live_lesson_count()).prefetch_related(Prefetch("cover_image", images))


def lessons_of_course(*, course: CoursePage) -> QuerySet[LessonPage]:
    """Live lessons in the order editors arranged them; the bodies are not loaded."""
    return LessonPage.objects.child_of(course).live().order_by("path").defer_streamfields()


def lesson_navigation(*, lesson: LessonPage) -> dict[str, Any]:
    """Course, previous / next live lesson, position and knowledge points of a lesson.

    A constant number of queries however many lessons the course has.
    """
    course = lesson.get_parent()
    # A course's children are lessons (CoursePage.subpage_types); no content-type filter needed.
    siblings = Page.objects.child_of(course).live()
    previous_lesson = siblings.filter(path__lt=lesson.path).order_by("-path").first()
    next_lesson = siblings.filter(path__gt=lesson.path).order_by("path").first()
    position = siblings.filter(path__lt=lesson.path).count() + 1
    total = siblings.count() if (previous_lesson or next_lesson) else 1
    points = list(lesson.knowledge_points.order_by("path"))
    full_names = knowledge_point_full_names(points)
    return {
        "course": course,
        "previous_lesson": previous_lesson,
        "next_lesson": next_lesson,
        "lesson_position": position,
        "lesson_total": total,
        "knowledge_points": [{"point": p, "full_name": full_names[p.pk]} for p in points],
    }
