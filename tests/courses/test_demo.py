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
