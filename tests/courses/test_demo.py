from __future__ import annotations

from courses.blocks import LessonBodyBlock
from courses.demo import build
from courses.models import CoursePage, KnowledgePoint, LessonPage
from courses.selectors import course_search
from portal.demo import DemoContext


def test_demo_builder_publishes_four_courses_using_every_block_and_is_idempotent(
    client, trainer, legal_leader, officer, auxiliary
):
    ctx = DemoContext(accounts={"trainer": trainer, "legal_leader": legal_leader})

    build(ctx)

    courses = {course.slug: course for course in CoursePage.objects.live()}
    assert set(courses) == {"incident-response", "injury-cases", "e-case-file", "auxiliary-it-and-case-control"}
    assert courses["auxiliary-it-and-case-control"].audiences == ["auxiliary"]
    lessons = list(LessonPage.objects.live())
    for course in courses.values():
        assert LessonPage.objects.child_of(course).live().count() >= 3
    used = {block.block_type for lesson in lessons for block in lesson.body}
    assert used == set(LessonBodyBlock.base_blocks)
    assert all(lesson.knowledge_points.exists() for lesson in lessons)
    assert lessons[0].owner == trainer
    assert KnowledgePoint.objects.filter(name="伤情鉴定", depth=3).exists()

    # The injury-case course walks from 受案登记 to 结案 and cites the laws by name and article.
    injury = [lesson.title for lesson in LessonPage.objects.child_of(courses["injury-cases"]).order_by("path")]
    assert injury[0].startswith("受案登记") and "结案" in injury[-1]
    assert course_search(user=officer, query="第二百三十四条")[0].exists()
    assert course_search(user=officer, query="电子组卷")[0].first().title == "电子组卷规范"

    counts_before = (CoursePage.objects.count(), LessonPage.objects.count(), KnowledgePoint.objects.count())
    again = DemoContext(accounts={"trainer": trainer, "legal_leader": legal_leader})
    build(again)
    assert not again.changed
    assert (CoursePage.objects.count(), LessonPage.objects.count(), KnowledgePoint.objects.count()) == counts_before

    client.force_login(auxiliary)
    for lesson in lessons:
        assert client.get(lesson.url).status_code == 200, lesson.title


def test_demo_builder_adds_assignments_progress_and_discussions_idempotently(
    trainer, legal_leader, officer, auxiliary, squad_officer, unit_leader, hr
):
    from courses.models import LessonCompletion, StudyAssignment, StudyDiscussion
    from courses.selectors import assignments_for_officer, overdue_for
    from portal.models import Notification

    ctx = DemoContext(
        accounts={"trainer": trainer, "legal_leader": legal_leader, "officer": officer, "auxiliary": auxiliary}
    )

    build(ctx)

    assert StudyAssignment.objects.count() == 4
    assert StudyDiscussion.objects.count() == 2
    upcoming = StudyDiscussion.objects.get(topic="伤害案件办理清单专题学习讨论")
    assert upcoming.lessons.count() == 3 and upcoming.starts_at > upcoming.created_at
    held = StudyDiscussion.objects.get(topic="接处警规范学习讨论")
    assert held.has_minutes and held.attendance.exists()
    rows = {row.course.slug: row for row in assignments_for_officer(officer)}
    assert set(rows) == {"incident-response", "injury-cases"}
    assert rows["injury-cases"].is_overdue and rows["injury-cases"].progress.learned == 1
    assert rows["incident-response"].progress.learned == 2
    assert {row.course.slug for row in assignments_for_officer(auxiliary)} >= {"auxiliary-it-and-case-control"}
    # The unit leader's overdue list has names on it: the demo officer among them.
    assert officer.police_number in {row.officer.police_number for row in overdue_for(unit_leader)}
    assert not Notification.objects.exists()  # demo data sends nothing

    counts = (StudyAssignment.objects.count(), StudyDiscussion.objects.count(), LessonCompletion.objects.count())
    again = DemoContext(
        accounts={"trainer": trainer, "legal_leader": legal_leader, "officer": officer, "auxiliary": auxiliary}
    )
    build(again)
    assert not again.changed
    assert (
        StudyAssignment.objects.count(),
        StudyDiscussion.objects.count(),
        LessonCompletion.objects.count(),
    ) == counts
