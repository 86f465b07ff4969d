"""Reads about reading progress. Course progress = learned live lessons / live lessons."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from courses.models import CoursePage, LessonCompletion, LessonPage, LessonProgress


class LessonState:
    """What a lesson is to one officer (strings, used as CSS modifiers and in tests)."""

    NEW = "new"  # never opened
    READING = "reading"  # opened, not marked learned yet
    LEARNED = "learned"
    REREAD = "reread"  # learned before a re-read request: to read again


@dataclass(frozen=True)
class CourseProgress:
    learned: int
    total: int
    states: Mapping[int, str] = field(default_factory=dict)

    @property
    def percent(self) -> int:
        return round(100 * self.learned / self.total) if self.total else 0

    @property
    def is_complete(self) -> bool:
        """Every live lesson learned. A course without live lessons asks nothing of anyone."""
        return self.learned >= self.total

    @property
    def rereads(self) -> int:
        return sum(1 for state in self.states.values() if state == LessonState.REREAD)

    def state_of(self, lesson_id: int) -> str:
        return self.states.get(lesson_id, LessonState.NEW)


def _state(progress: LessonProgress) -> str:
    if progress.completed_at is not None:
        return LessonState.LEARNED
    if progress.needs_reread:
        return LessonState.REREAD
    return LessonState.READING if progress.opened_at is not None else LessonState.NEW


def lesson_states(*, officer, lesson_ids: Iterable[int]) -> dict[int, str]:
    """``{lesson pk: LessonState}`` for the lessons the officer has touched; one query."""
    lesson_ids = list(lesson_ids)
    if not lesson_ids or not getattr(officer, "is_authenticated", False):
        return {}
    rows = LessonProgress.objects.filter(officer=officer, lesson_id__in=lesson_ids).only(
        "lesson_id", "opened_at", "completed_at", "needs_reread"
    )
    return {row.lesson_id: _state(row) for row in rows}


def course_progress_for(*, officer, course: CoursePage, lessons: Iterable[LessonPage] | None = None) -> CourseProgress:
    """The officer's progress in one course. Pass the course's live lessons if already loaded."""
    if lessons is None:
        lesson_ids = live_lesson_ids_by_course([course]).get(course.pk, [])
    else:
        lesson_ids = [lesson.pk for lesson in lessons]
    states = lesson_states(officer=officer, lesson_ids=lesson_ids)
    learned = sum(1 for state in states.values() if state == LessonState.LEARNED)
    return CourseProgress(learned=learned, total=len(lesson_ids), states=states)


def live_lesson_ids_by_course(courses: Iterable[CoursePage]) -> dict[int, list[int]]:
    """``{course pk: [live lesson pks in order]}`` for several courses, in one query."""
    courses = [course for course in courses if course is not None]
    if not courses:
        return {}
    condition = reduce(or_, [Q(path__startswith=c.path, depth=c.depth + 1) for c in courses])
    by_path = {course.path: course.pk for course in courses}
    result: dict[int, list[int]] = {course.pk: [] for course in courses}
    rows = LessonPage.objects.filter(condition, live=True).order_by("path").values_list("pk", "path")
    for pk, path in rows:
        course_pk = by_path.get(path[: len(path) - LessonPage.steplen])
        if course_pk is not None:
            result[course_pk].append(pk)
    return result


def courses_progress_for(*, officer, courses: Iterable[CoursePage]) -> dict[int, CourseProgress]:
    """``{course pk: CourseProgress}`` for several courses in two queries."""
    lesson_ids = live_lesson_ids_by_course(courses)
    states = lesson_states(officer=officer, lesson_ids=[pk for ids in lesson_ids.values() for pk in ids])
    result = {}
    for course_pk, ids in lesson_ids.items():
        course_states = {pk: states[pk] for pk in ids if pk in states}
        learned = sum(1 for state in course_states.values() if state == LessonState.LEARNED)
        result[course_pk] = CourseProgress(learned=learned, total=len(ids), states=course_states)
    return result


def live_lesson_count(course: CoursePage | None) -> int:
    if course is None or not course.live:
        return 0
    return LessonPage.objects.child_of(course).live().count()


def learned_count_expression(course: CoursePage):
    """An annotation for ``User`` querysets: how many live lessons of ``course`` the row's officer
    has learned (after any re-read request). A correlated subquery over an indexed unique pair."""
    learned = (
        LessonProgress.objects.filter(
            officer=OuterRef("pk"),
            completed_at__isnull=False,
            lesson__live=True,
            lesson__path__startswith=course.path,
            lesson__depth=course.depth + 1,
        )
        .order_by()
        .values("officer")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(learned, output_field=IntegerField()), 0)


def lesson_progress_of(*, officer, lesson: LessonPage) -> LessonProgress | None:
    return LessonProgress.objects.filter(officer=officer, lesson=lesson).first()


def completions_of(officer) -> QuerySet[LessonCompletion]:
    """The officer's learning history, newest first: what, when, how long. Kept when lessons are
    re-read, unpublished or deleted and when the officer leaves (for the officer's file)."""
    return LessonCompletion.objects.filter(officer=officer).order_by("-completed_at", "-id")
