"""The lesson page costs a fixed number of queries, however many lessons its course has."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from courses.models import LessonPage, LessonProgress
from tests.courses.bulk import bulk_lessons, bulk_officers
from tests.courses.conftest import assign, full_body, make_course, make_lesson

# Wagtail routing and the site template included; measured at 25 with every block type and the
# officer's progress panel (22 for a plain lesson), whatever the size of the course.
LESSON_PAGE_MAX_QUERIES = 35
# Course page with progress and assignment, and 我的学习: measured at 22 and 20 with 1,000 lessons.
COURSE_PAGE_MAX_QUERIES = 35


def _queries_for(client, url) -> int:
    client.get(url)  # warm caches (site root paths, image renditions are created on first view)
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries)


def test_lesson_page_renders_in_bounded_queries(
    client, officer, course_index, image, document, video, django_assert_max_num_queries
):
    course = make_course(course_index, "伤害案件办理清单")
    make_lesson(course, "第一课")
    lesson = make_lesson(course, "受案登记", full_body(image=image, document=document, video=video))
    make_lesson(course, "第三课")
    client.force_login(officer)
    client.get(lesson.url)

    with django_assert_max_num_queries(LESSON_PAGE_MAX_QUERIES):
        response = client.get(lesson.url)

    assert response.status_code == 200


def test_lesson_page_queries_do_not_grow_with_the_number_of_lessons(client, officer, course_index):
    course = make_course(course_index, "接处警规范")
    lessons = [make_lesson(course, f"第{n}课") for n in range(1, 4)]
    client.force_login(officer)
    few = _queries_for(client, lessons[1].url)

    for n in range(4, 31):
        make_lesson(course, f"第{n}课")
    many = _queries_for(client, lessons[1].url)

    assert many == few


def test_course_pages_queries_do_not_grow_with_the_number_of_courses(client, officer, course_index, image):
    for n in range(3):
        make_course(course_index, f"课程{n}", cover_image=image)
    client.force_login(officer)
    few = _queries_for(client, course_index.url)

    for n in range(3, 15):
        course = make_course(course_index, f"课程{n}", cover_image=image)
        make_lesson(course, "课时")
    many = _queries_for(client, course_index.url)

    assert many == few


def test_lesson_page_with_a_thousand_lessons_and_officers_renders_in_bounded_queries(
    client, officer, station, trainer, course_index, django_assert_max_num_queries
):
    """The "done when" volume check: 1,000 lessons in the course, 1,000 officers assigned to it,
    each with progress on the lesson being viewed."""
    course = make_course(course_index, "接处警规范", slug="incident-response")
    lesson_ids = bulk_lessons(course, 1000)
    officers = bulk_officers(station, 1000)
    lesson = LessonPage.objects.get(pk=lesson_ids[500])
    now = timezone.now()
    LessonProgress.objects.bulk_create(
        [LessonProgress(officer=o, lesson=lesson, first_opened_at=now, opened_at=now) for o in officers]
    )
    assign(course, by=trainer, units_with_subtree=[station])
    client.force_login(officer)
    client.get(lesson.url)  # first visit records the opening

    with django_assert_max_num_queries(LESSON_PAGE_MAX_QUERIES):
        response = client.get(lesson.url)

    assert response.status_code == 200
    assert 'data-state="reading"' in response.content.decode()
    with django_assert_max_num_queries(COURSE_PAGE_MAX_QUERIES):
        assert client.get(course.url).status_code == 200
    with django_assert_max_num_queries(COURSE_PAGE_MAX_QUERIES):
        assert client.get("/courses/my/").status_code == 200
