"""The lesson page costs a fixed number of queries, however many lessons its course has."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.courses.conftest import full_body, make_course, make_lesson

# Wagtail routing and the site template included; measured at 24 with every block type.
LESSON_PAGE_MAX_QUERIES = 35


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
