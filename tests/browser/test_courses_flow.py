"""The study-material flow in a real browser: a trainer writes a lesson with a checklist in the
Wagtail admin and submits it; the legal-brigade leader approves it; an officer of the assigned
audience finds it by a Chinese word, reads it, marks it learned, and the course shows the progress.

Selectors use names and attributes, not text: the interface may be Chinese or English depending on
whether the translations are compiled.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from wagtail.models import WorkflowState

from courses.models import CourseIndexPage, LessonCompletion, LessonPage
from tests.browser.support import sign_in
from tests.courses.conftest import assign, make_course, make_lesson

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

SEARCH_WORD = "询问笔录"


@pytest.fixture
def course_index() -> CourseIndexPage:
    """Created by a migration; serialized_rollback restores it for live-server tests."""
    return CourseIndexPage.objects.get()


def _log_in(browser, live_server, user, password):
    return sign_in(browser, live_server, user, password, viewport={"width": 1400, "height": 1000})


def _open_action_menu(page) -> None:
    """The page editor's footer: the main button plus a dropdown with the other actions."""
    page.locator("footer [data-w-dropdown-target='toggle']").first.click()


def test_trainer_writes_leader_approves_officer_finds_learns_and_sees_progress(
    browser, live_server, course_index, trainer, legal_leader, officer, station, password
):
    course = make_course(course_index, "伤害案件办理清单", slug="injury-cases")
    make_lesson(course, "受案登记", min_read_seconds=60)
    assign(course, by=trainer, units_with_subtree=[station])

    # 1. The trainer writes a lesson with a checklist block and submits it to moderation.
    context, page = _log_in(browser, live_server, trainer, password)
    page.goto(f"{live_server.url}/admin/pages/add/courses/lessonpage/{course.pk}/")
    page.fill("#id_title", "伤情鉴定与询问")
    page.fill("#id_summary", "伤情鉴定委托和被害人询问的要点。")
    page.locator("button.c-sf-add-button").first.click()
    page.locator('.w-combobox__option:has(use[href="#icon-list-ol"])').click()  # the checklist block
    page.fill("[name='body-0-value-title']", "轻伤害案件询问清单")
    page.fill("[name='body-0-value-items-0-value-text']", f"对被害人制作{SEARCH_WORD}，问明伤害经过")
    page.fill("[name='body-0-value-items-0-value-legal_basis']", "《公安机关办理刑事案件程序规定》第二百零七条")
    page.fill("#id_min_read_seconds", "1")
    _open_action_menu(page)
    page.click("button[name='action-submit']")
    expect(page).to_have_url(re.compile(rf"/admin/pages/{course.pk}/$"))
    context.close()

    lesson = LessonPage.objects.get(title="伤情鉴定与询问")
    assert not lesson.live
    assert lesson.workflow_in_progress
    assert lesson.current_workflow_state.status == WorkflowState.STATUS_IN_PROGRESS

    # 2. The legal-brigade leader approves it, which publishes it.
    context, page = _log_in(browser, live_server, legal_leader, password)
    page.goto(f"{live_server.url}/admin/pages/{lesson.pk}/edit/")
    _open_action_menu(page)
    page.locator("button[data-workflow-action-name='approve']:not([data-workflow-action-modal-url])").click()
    expect(page).not_to_have_url(re.compile(rf"/admin/pages/{lesson.pk}/edit/$"))
    context.close()
    lesson.refresh_from_db()
    assert lesson.live

    # 3. An officer of the assigned station searches in Chinese, opens the lesson, learns it.
    context, page = _log_in(browser, live_server, officer, password)
    page.goto(f"{live_server.url}/courses/")
    page.fill("input[name=q]", SEARCH_WORD)
    page.locator("form.course-search button[type=submit]").click()
    result = page.locator(".search-result-title a", has_text="伤情鉴定与询问")
    expect(result).to_have_count(1)
    result.click()
    expect(page).to_have_url(f"{live_server.url}{lesson.url}")
    expect(page.locator(".checklist")).to_contain_text(SEARCH_WORD)
    progress = page.locator("[data-lesson-progress]")
    expect(progress).to_have_attribute("data-state", "reading")
    mark = page.locator("[data-mark-learned]")
    expect(mark).to_be_enabled(timeout=10_000)  # after min_read_seconds (1 s)
    page.wait_for_timeout(300)  # the server's clock, not only the page's, has passed the second
    mark.click()
    expect(progress).to_have_attribute("data-state", "learned")

    # 4. The course shows the new progress: one of two lessons learned.
    page.goto(f"{live_server.url}{course.url}")
    block = page.locator("[data-course-progress]")
    expect(block).to_have_attribute("data-learned", "1")
    expect(block).to_have_attribute("data-total", "2")
    expect(page.locator("[data-lesson-state='learned']")).to_have_count(1)
    expect(page.locator("[data-lesson-state='learned'] .lesson-list-title")).to_have_text("伤情鉴定与询问")
    page.goto(f"{live_server.url}/courses/my/")
    expect(page.locator("[data-assignment] progress")).to_have_attribute("value", "1")
    context.close()

    assert LessonCompletion.objects.filter(officer=officer, lesson=lesson).count() == 1
