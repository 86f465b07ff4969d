"""Reading progress: a lesson counts as learned when marked done after min_read_seconds open;
course progress counts live lessons; re-read requests void earlier completions."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from courses.models import LessonCompletion, LessonProgress
from courses.selectors import course_progress_for
from courses.selectors.progress import LessonState
from courses.services import lesson_mark_learned, lesson_open, lesson_require_reread
from portal.models import AuditEntry
from tests.courses.conftest import learn, make_lesson


def test_opening_a_lesson_starts_the_reading_clock_once(client, officer, study_course):
    _course, (lesson, *_rest) = study_course
    client.force_login(officer)

    client.get(lesson.url)
    first = LessonProgress.objects.get(officer=officer, lesson=lesson)
    client.get(lesson.url)

    again = LessonProgress.objects.get(officer=officer, lesson=lesson)
    assert again.opened_at == first.opened_at == first.first_opened_at
    assert again.completed_at is None


def test_marking_learned_too_early_is_refused_with_the_seconds_left_and_writes_nothing(client, officer, study_course):
    _course, (lesson, *_rest) = study_course
    client.force_login(officer)
    client.get(lesson.url)

    response = client.post(lesson.url + "learned/", follow=True)

    messages = [str(message) for message in response.context["messages"]]
    assert len(messages) == 1 and re.search(r"\b(59|60)\b", messages[0])  # the seconds still to read
    assert not LessonCompletion.objects.exists()
    assert LessonProgress.objects.get(officer=officer, lesson=lesson).completed_at is None


def test_the_refusal_says_how_many_seconds_remain(officer, study_course):
    _course, (lesson, *_rest) = study_course
    now = timezone.now()
    lesson_open(officer=officer, lesson=lesson, now=now - datetime.timedelta(seconds=45))

    with pytest.raises(ValidationError) as refused:
        lesson_mark_learned(officer=officer, lesson=lesson, now=now)

    assert refused.value.code == "too_early"
    assert re.search(r"\b15\b", refused.value.messages[0])


def test_marking_learned_without_opening_is_refused(officer, study_course):
    _course, (lesson, *_rest) = study_course

    with pytest.raises(ValidationError) as refused:
        lesson_mark_learned(officer=officer, lesson=lesson)

    assert refused.value.code == "not_opened"
    assert not LessonProgress.objects.exists()


def test_after_the_minimum_time_the_lesson_is_learned_and_the_record_keeps_when_and_how_long(
    client, officer, study_course
):
    _course, (lesson, *_rest) = study_course
    opened = timezone.now() - datetime.timedelta(seconds=95)
    lesson_open(officer=officer, lesson=lesson, now=opened)
    client.force_login(officer)

    response = client.post(lesson.url + "learned/")

    assert response.status_code == 302 and response.url == lesson.url
    completion = LessonCompletion.objects.get(officer=officer, lesson=lesson)
    assert completion.opened_at == opened
    assert 95 <= completion.read_seconds <= 100
    assert completion.lesson_title == "受案登记" and completion.course_title == "伤害案件办理清单"
    page = client.get(lesson.url).content.decode()
    assert 'data-state="learned"' in page


def test_a_double_click_gives_one_completion(client, officer, study_course):
    _course, (lesson, *_rest) = study_course
    lesson_open(officer=officer, lesson=lesson, now=timezone.now() - datetime.timedelta(minutes=5))
    client.force_login(officer)

    client.post(lesson.url + "learned/")
    second = client.post(lesson.url + "learned/", follow=True)

    assert second.status_code == 200
    assert LessonCompletion.objects.filter(officer=officer, lesson=lesson).count() == 1


def test_marking_learned_needs_a_post(client, officer, study_course):
    _course, (lesson, *_rest) = study_course
    client.force_login(officer)

    assert client.get(lesson.url + "learned/").status_code == 405


def test_course_progress_counts_learned_live_lessons(client, officer, study_course):
    course, (first, second, _third) = study_course
    draft = make_lesson(course, "尚未发布的课时", live=False, min_read_seconds=1)
    learn(officer, first)
    learn(officer, second)

    progress = course_progress_for(officer=officer, course=course)

    assert (progress.learned, progress.total, progress.percent) == (2, 3, 67)
    assert draft.pk not in progress.states
    client.force_login(officer)
    html = client.get(course.url).content.decode()
    assert 'data-learned="2" data-total="3"' in html
    assert html.count('data-lesson-state="learned"') == 2


def test_an_editor_preview_does_not_start_anyones_reading_clock(client, trainer, study_course):
    from django.urls import reverse

    _course, (lesson, *_rest) = study_course
    client.force_login(trainer)

    response = client.get(reverse("wagtailadmin_pages:view_draft", args=[lesson.pk]))

    assert response.status_code == 200
    assert not LessonProgress.objects.exists()


def test_a_reread_request_voids_earlier_completions_and_shows_the_lesson_as_to_reread(
    client, officer, auxiliary, trainer, study_course
):
    course, (first, second, _third) = study_course
    learn(officer, first)
    learn(officer, second)
    learn(auxiliary, first)

    request = lesson_require_reread(actor=trainer, lesson=first, reason="新增《公安机关办理行政案件程序规定》条款")

    assert request.officers_affected == 2
    progress = course_progress_for(officer=officer, course=course)
    assert progress.learned == 1
    assert progress.state_of(first.pk) == LessonState.REREAD
    assert LessonCompletion.objects.filter(lesson=first).count() == 2  # history stays
    assert AuditEntry.objects.filter(action="courses.lesson.reread_required").exists()
    client.force_login(officer)
    lesson_html = client.get(first.url).content.decode()
    assert 'data-state="reread"' in lesson_html and "新增《公安机关办理行政案件程序规定》条款" in lesson_html
    course_html = client.get(course.url).content.decode()
    assert 'data-lesson-state="reread"' in course_html


def test_after_a_reread_request_the_reading_time_counts_again_from_the_next_opening(officer, trainer, study_course):
    _course, (lesson, *_rest) = study_course
    learn(officer, lesson)
    lesson_require_reread(actor=trainer, lesson=lesson, reason="重大修改")
    now = timezone.now()
    lesson_open(officer=officer, lesson=lesson, now=now)

    with pytest.raises(ValidationError):
        lesson_mark_learned(officer=officer, lesson=lesson, now=now + datetime.timedelta(seconds=10))
    progress, created = lesson_mark_learned(officer=officer, lesson=lesson, now=now + datetime.timedelta(seconds=61))

    assert created and progress.completed_at is not None and not progress.needs_reread
    assert LessonCompletion.objects.filter(officer=officer, lesson=lesson).count() == 2


def test_only_trainers_can_require_rereading(client, officer, trainer, study_course):
    _course, (lesson, *_rest) = study_course

    client.force_login(officer)
    assert client.post(lesson.url + "reread/", {"reason": "改了"}).status_code == 403
    assert "reread/" not in client.get(lesson.url).content.decode()

    client.force_login(trainer)
    assert 'action="' + lesson.url + 'reread/"' in client.get(lesson.url).content.decode()
    client.post(lesson.url + "reread/", {"reason": "改了"})
    assert lesson.reread_requests.get().reason == "改了"


def test_a_reread_request_needs_a_reason(client, trainer, study_course):
    _course, (lesson, *_rest) = study_course
    client.force_login(trainer)

    client.post(lesson.url + "reread/", {"reason": "  "})

    assert not lesson.reread_requests.exists()
