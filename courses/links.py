"""Addresses of the study pages, which are routes of the course index page (``CourseIndexPage``)
and of lesson pages, not entries of a URLconf.

``index_url("assignment_detail", pk)`` → ``/courses/manage/assignments/7/``. The course index sits
at a fixed path (created there by a migration; see ``courses.navigation``), so building an address
costs no query.
"""

from __future__ import annotations

from courses.models import CourseIndexPage, LessonPage

COURSES_PATH = "/courses/"


def index_url(name: str, *args) -> str:
    """The address of a route of the course index, e.g. ``index_url("my_study")``."""
    return COURSES_PATH + CourseIndexPage.get_resolver().reverse(name, *args).lstrip("/")


def lesson_route_url(lesson: LessonPage, name: str, request=None) -> str:
    """The address of a route of a lesson page, e.g. its ``mark_learned`` form target."""
    return lesson.get_url(request) + LessonPage.get_resolver().reverse(name).lstrip("/")


def my_study_url() -> str:
    return index_url("my_study")


def assignment_url(pk: int) -> str:
    return index_url("assignment_detail", pk)


def discussion_url(pk: int) -> str:
    return index_url("discussion_detail", pk)
