"""Demo study activity: assignments of the four demo courses, reading progress, discussions.

- 接处警规范 to the whole branch, due in two weeks;
- 伤害案件办理清单 to the police officers of the three police stations, due five days ago, so the
  unit leader's and HR's overdue lists have names on them;
- 电子组卷规范 to legal officers and new officers, due in two days (urgent on their dashboards);
- the auxiliary course to every auxiliary officer, due in ten days;
- progress: the demo officer has learned part of two courses, the demo auxiliary one lesson,
  generated officers of the stations most of the injury-case course (some all of it);
- one discussion scheduled in three days, and one held ten days ago with attendance and minutes.

Idempotent: assignments and discussions carry fixed submission keys, progress is added only for
lessons an officer has not touched. No notifications are sent for demo data.
"""

from __future__ import annotations

import datetime
import uuid
from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from courses.models import (
    CoursePage,
    DiscussionAttendance,
    LessonCompletion,
    LessonPage,
    LessonProgress,
    SignInMethod,
    StudyAssignment,
    StudyDiscussion,
)
from courses.services import assignment_create, discussion_create
from people.models import Category, Unit, User
from people.models.audience import AudienceSpec, Position
from people.selectors import officers_matching, unit_full_paths

if TYPE_CHECKING:
    from portal.demo import DemoContext

BRANCH = "西湖分局"
STATIONS = [f"{BRANCH}/北山派出所", f"{BRANCH}/灵隐派出所", f"{BRANCH}/文新派出所"]
DEMO_NAMESPACE = uuid.UUID("6f1d3c1e-8a55-4c1b-9d7e-2f0b5a8c4e21")

LABELS = {
    "assignment": _("study assignments"),
    "discussion": _("study discussions"),
    "completion": _("lesson completions"),
    "attendance": _("discussion attendances"),
}


def _key(name: str) -> uuid.UUID:
    return uuid.uuid5(DEMO_NAMESPACE, name)


def _units(ctx: DemoContext, paths: list[str]) -> tuple[Unit, ...]:
    """The units at these full paths, fresh from the database; missing ones are skipped."""
    by_path = {path: pk for pk, path in unit_full_paths().items()}
    pks = [ctx.units[path].pk if path in ctx.units else by_path.get(path) for path in paths]
    found = Unit.objects.in_bulk([pk for pk in pks if pk])
    return tuple(found[pk] for pk in pks if pk in found)


def _lessons(course: CoursePage) -> list[LessonPage]:
    return list(LessonPage.objects.child_of(course).live().order_by("path").defer_streamfields())


def build(ctx: DemoContext) -> None:
    courses = {course.slug: course for course in CoursePage.objects.live()}
    trainer = ctx.accounts.get("trainer")
    today = ctx.today
    plans = [
        (
            "incident-response",
            14,
            AudienceSpec(units_with_subtree=_units(ctx, [BRANCH])),
            "请全体民警、辅警在两周内完成学习。",
        ),
        (
            "injury-cases",
            -5,
            AudienceSpec(units_with_subtree=_units(ctx, STATIONS), categories=(Category.OFFICER,)),
            "派出所民警办理轻伤害案件前必须完成本课程。",
        ),
        ("e-case-file", 2, AudienceSpec(positions=(Position.LEGAL_OFFICER, Position.NEW_OFFICER)), ""),
        ("auxiliary-it-and-case-control", 10, AudienceSpec(categories=(Category.AUXILIARY,)), ""),
    ]
    assignments = {}
    for slug, due_in, audience, note in plans:
        course = courses.get(slug)
        if course is None or audience.is_empty:
            continue
        assignments[slug] = _ensure_assignment(
            ctx, course, today + datetime.timedelta(days=due_in), audience, note, trainer
        )
    _ensure_progress(ctx, courses, assignments)
    _ensure_discussions(ctx, courses, trainer)


def _ensure_assignment(ctx, course, due_date, audience, note, trainer) -> StudyAssignment:
    key = _key(f"assignment:{course.slug}")
    existing = StudyAssignment.objects.filter(submission_key=key).first()
    if existing is not None:
        return existing
    # A past due date is refused for new assignments; the overdue demo one is made as it was
    # three weeks before its due date, when it was assigned.
    assigned_on = min(ctx.today, due_date - datetime.timedelta(days=21))
    assignment = assignment_create(
        actor=trainer,
        course=course,
        due_date=due_date,
        audience=audience,
        note=note,
        submission_key=key,
        today=assigned_on,
        notify=False,
    )
    if assigned_on != ctx.today:
        moment = timezone.make_aware(datetime.datetime.combine(assigned_on, datetime.time(9, 0)))
        StudyAssignment.objects.filter(pk=assignment.pk).update(created_at=moment)
    ctx.created(LABELS["assignment"])
    return assignment


def _ensure_progress(ctx: DemoContext, courses: dict[str, CoursePage], assignments: dict) -> None:
    """Reading records: who learned which lessons, added only where an officer has none."""
    rng = ctx.random_for("courses.study")
    planned: list[tuple[User, LessonPage, int]] = []  # (officer, lesson, days ago)
    officer, auxiliary = ctx.accounts.get("officer"), ctx.accounts.get("auxiliary")
    if officer is not None:
        for slug, count in (("incident-response", 2), ("injury-cases", 1)):
            if slug in courses:
                planned += [(officer, lesson, 3 + n) for n, lesson in enumerate(_lessons(courses[slug])[:count])]
    if auxiliary is not None and "auxiliary-it-and-case-control" in courses:
        planned += [(auxiliary, lesson, 1) for lesson in _lessons(courses["auxiliary-it-and-case-control"])[:1]]
    injury = assignments.get("injury-cases")
    if injury is not None and injury.course is not None:
        lessons = _lessons(injury.course)
        demo_numbers = {account.police_number for account in ctx.accounts.values()}
        for person in officers_matching(injury).exclude(police_number__in=demo_numbers).order_by("police_number"):
            # About 55 % finished in time, 30 % part of the way, the rest nothing: overdue names.
            draw = rng.random()
            learned = len(lessons) if draw < 0.55 else rng.randint(1, max(1, len(lessons) - 1)) if draw < 0.85 else 0
            planned += [(person, lesson, rng.randint(6, 20)) for lesson in lessons[:learned]]
    if not planned:
        return
    touched = set(
        LessonProgress.objects.filter(lesson__in={lesson.pk for _o, lesson, _d in planned}).values_list(
            "officer_id", "lesson_id"
        )
    )
    titles = {course.path: course.title for course in courses.values()}
    now = timezone.now()
    progress, completions = [], []
    for person, lesson, days_ago in planned:
        if (person.pk, lesson.pk) in touched:
            continue
        read_seconds = lesson.min_read_seconds + rng.randint(30, 600)
        completed = now - datetime.timedelta(days=days_ago, minutes=rng.randint(0, 600))
        opened = completed - datetime.timedelta(seconds=read_seconds)
        progress.append(
            LessonProgress(
                officer=person,
                lesson=lesson,
                first_opened_at=opened,
                opened_at=opened,
                completed_at=completed,
                read_seconds=read_seconds,
            )
        )
        completions.append(
            LessonCompletion(
                officer=person,
                lesson=lesson,
                lesson_title=lesson.title,
                course_title=titles.get(lesson.path[: -LessonPage.steplen], ""),
                opened_at=opened,
                completed_at=completed,
                read_seconds=read_seconds,
            )
        )
    LessonProgress.objects.bulk_create(progress, batch_size=500)
    LessonCompletion.objects.bulk_create(completions, batch_size=500)
    ctx.created(LABELS["completion"], len(completions))


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def _ensure_discussions(ctx: DemoContext, courses: dict[str, CoursePage], trainer) -> None:
    station = _units(ctx, STATIONS[:1])
    injury = courses.get("injury-cases")
    response = courses.get("incident-response")
    if not station or trainer is None:
        return
    named = tuple(account for account in (ctx.accounts.get("auxiliary"),) if account is not None)
    invited = AudienceSpec(units_with_subtree=station, categories=(Category.OFFICER,), officers=named)

    upcoming_day = ctx.today + datetime.timedelta(days=3)
    if injury is not None and not StudyDiscussion.objects.filter(submission_key=_key("discussion:injury")).exists():
        discussion_create(
            actor=trainer,
            topic="伤害案件办理清单专题学习讨论",
            description="结合近期两起轻伤害案件，逐项对照办理清单讨论受案登记、伤情鉴定委托和调解适用条件中的常见问题。",
            starts_at=_at(upcoming_day, 15),
            ends_at=_at(upcoming_day, 16, 30),
            place="北山派出所三楼会议室",
            audience=invited,
            lessons=_lessons(injury)[:3],
            submission_key=_key("discussion:injury"),
            notify=False,
        )
        ctx.created(LABELS["discussion"])

    held_day = ctx.today - datetime.timedelta(days=10)
    key = _key("discussion:incident-response")
    if response is not None and not StudyDiscussion.objects.filter(submission_key=key).exists():
        held = discussion_create(
            actor=trainer,
            topic="接处警规范学习讨论",
            description="围绕执法记录仪全程记录和现场先期处置，交流接处警中的执法风险点。",
            starts_at=_at(held_day, 9),
            ends_at=_at(held_day, 10, 30),
            place="分局二楼会议室",
            audience=invited,
            lessons=_lessons(response)[:2],
            submission_key=key,
            now=_at(held_day - datetime.timedelta(days=7), 9),
            notify=False,
        )
        StudyDiscussion.objects.filter(pk=held.pk).update(
            minutes_text=(
                "一、法制大队通报近期接处警执法检查中发现的问题：执法记录仪未全程开启、现场笔录要素不全。\n"
                "二、与会民警结合本所警情逐项讨论，明确到达现场即开启记录、不得中断。\n"
                "三、会后各中队组织一次执法记录仪使用复训。"
            ),
            minutes_updated_at=_at(held_day, 11),
            minutes_updated_by=trainer,
        )
        rng = ctx.random_for("courses.discussions")
        people = list(officers_matching(invited).order_by("police_number"))
        present = [person for person in people if rng.random() < 0.8]
        DiscussionAttendance.objects.bulk_create(
            [
                DiscussionAttendance(
                    discussion=held,
                    officer=person,
                    signed_in_at=_at(held_day, 8, 50 + n % 10),
                    signed_in_by=trainer if n % 3 == 0 else person,
                    method=SignInMethod.HOST if n % 3 == 0 else SignInMethod.SELF,
                )
                for n, person in enumerate(present)
            ]
        )
        ctx.created(LABELS["discussion"])
        ctx.created(LABELS["attendance"], len(present))
