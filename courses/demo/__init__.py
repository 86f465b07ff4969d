"""Demo study material for `manage.py seed_demo`: ``courses.demo.build`` (a portal demo builder).

Four published courses written for the demo (接处警规范, 伤害案件办理清单, 电子组卷规范 and a course
for auxiliary officers), each with several lessons that together use every block type, tagged with
a knowledge-point tree. Idempotent: a course, lesson, knowledge point or file that already exists
(found by slug, name path or title) is left as it is, so edits made by trainers survive a re-run.
Moderation is set up first with the data migrations' code (``courses.moderation``): 法制大队审核 is
the one active workflow, even on a flushed database.
Then ``courses.demo.study`` adds assignments, reading progress and discussions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import apps
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from courses.demo import study
from courses.demo.content import auxiliary, e_case_file, incident_response, injury_cases
from courses.demo.knowledge import ensure_knowledge_points
from courses.demo.media import ensure_media
from courses.models import CourseIndexPage, CoursePage, LessonPage
from courses.moderation import moderation_set_up, workflow_keep_single

if TYPE_CHECKING:
    from portal.demo import DemoContext

COURSE_MODULES = [incident_response, injury_cases, e_case_file, auxiliary]
LABELS = {
    "course": _("courses"),
    "lesson": _("lessons"),
    "knowledge point": _("knowledge points"),
    "image": _("images"),
    "document": _("documents"),
    "workflow": _("workflows"),
}


def _course_index() -> CourseIndexPage:
    index = CourseIndexPage.objects.first()
    if index is None:
        # The data migration creates it; a database flushed by tests may have lost it.
        from portal.models import HomePage

        home = HomePage.objects.get()
        index = home.add_child(instance=CourseIndexPage(title="课程中心", slug="courses"))
        index.save_revision().publish()
    return index


def _publish(page, *, author, approver) -> None:
    """Publish demo content directly: it is the seed, not a trainer's submission to moderation."""
    revision = page.save_revision(user=author, log_action=True)
    revision.publish(user=approver, skip_permission_checks=True)


def build(ctx: DemoContext) -> None:
    author = ctx.accounts.get("trainer")
    approver = ctx.accounts.get("legal_leader")

    def created(kind: str) -> None:
        ctx.created(LABELS[kind])

    with transaction.atomic():
        index = _course_index()
        # The same code as the data migrations: a flushed database gets its workflow back, and
        # 法制大队审核 stays the only active one.
        moderation_set_up(apps)
        if deactivated := workflow_keep_single(apps):
            ctx.updated(LABELS["workflow"], deactivated)
        points = ensure_knowledge_points(on_created=created)
        media = ensure_media(on_created=created)
        for module in COURSE_MODULES:
            spec = module.course(media)
            course = CoursePage.objects.child_of(index).filter(slug=spec["slug"]).first()
            if course is None:
                course = index.add_child(
                    instance=CoursePage(
                        title=spec["title"],
                        slug=spec["slug"],
                        summary=spec["summary"],
                        audiences=spec["audiences"],
                        tier=spec["tier"],
                        estimated_minutes=spec["estimated_minutes"],
                        cover_image_id=media[spec["cover"]],
                        owner=author,
                        live=False,
                    )
                )
                _publish(course, author=author, approver=approver)
                created("course")
            for lesson_spec in spec["lessons"]:
                if LessonPage.objects.child_of(course).filter(slug=lesson_spec["slug"]).exists():
                    continue
                course.refresh_from_db()  # numchild changed with the previous lesson
                lesson = course.add_child(
                    instance=LessonPage(
                        title=lesson_spec["title"],
                        slug=lesson_spec["slug"],
                        summary=lesson_spec["summary"],
                        body=lesson_spec["body"],
                        min_read_seconds=lesson_spec["min_read_seconds"],
                        owner=author,
                        live=False,
                    )
                )
                lesson.knowledge_points.set([points[path] for path in lesson_spec["knowledge_points"]])
                _publish(lesson, author=author, approver=approver)
                created("lesson")
        study.build(ctx)
