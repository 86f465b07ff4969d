"""An officer whose computer fails mid-exam resumes on another computer with the same answers and
the remaining time (issue 14, technical incidents), at 1366 px and on a 375 px phone.

Two browser contexts are two computers: the first answers some questions and is closed without
handing in (the computer fails); the second signs in, opens the exam from 我的考试 (继续), finds the
same answers and a timer that went on counting from where the first one was, and carries on.

The exam allows several devices (``single_device`` off). With "one device at a time", the second
computer is asked to take over from the first after 继续, before the paper opens.
"""

from __future__ import annotations

import datetime
import re
import time

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from exams.models import Answer, Attempt, AttemptState, QuestionType
from tests.browser.support import DESKTOP, PHONE, sign_in
from tests.exams.delivery_support import objective_blueprint, published_exam

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def exam(officer):
    """60 minutes, but the window closes in 40: the deadline is the close, so a timer restarted
    from the duration would show an hour."""
    now = timezone.now()
    return published_exam(
        objective_blueprint(), officer, now=now, closes_at=now + datetime.timedelta(minutes=40), single_device=False
    )


def _open_item(page, item, *, phone: bool):
    """A question through the question map (folded behind a button on phones)."""
    if phone:
        expect(page.locator("#take-map")).to_be_hidden()
        page.click("#take-map-toggle")
    page.click(f"#take-map .take-map-cell[data-item='{item.pk}']")
    expect(page.locator(f"#item-{item.pk}")).to_be_visible()
    expect(page.locator(f"#take-map .take-map-cell[data-item='{item.pk}']")).to_have_class(re.compile("is-current"))


def _chosen(item) -> list[str]:
    """The option keys the officer picks: single choices wrong (the first other option), the rest right."""
    version = item.question_version
    if item.question_type == QuestionType.SINGLE:
        return [next(option["key"] for option in version.options if option["key"] != version.answer)]
    if item.question_type == QuestionType.MULTIPLE:
        return list(version.answer)
    return ["true" if version.answer else "false"]


def _answer(page, item):
    box = page.locator(f"#item-{item.pk}")
    if item.question_type == QuestionType.FILL_BLANK:
        box.locator(".q-blank input").first.fill(item.question_version.answer[0][0])
    else:
        for key in _chosen(item):
            box.locator(f"input[value='{key}']").check()
    expect(box.locator(".take-item-state")).to_have_text(re.compile(r"^已于 .+ 保存$"))


def _expect_answer_shown(page, item):
    box = page.locator(f"#item-{item.pk}")
    if item.question_type == QuestionType.FILL_BLANK:
        expect(box.locator(".q-blank input").first).to_have_value(item.question_version.answer[0][0])
        return
    chosen = _chosen(item)
    for choice in box.locator("input[type=radio], input[type=checkbox]").all():
        if choice.get_attribute("value") in chosen:
            expect(choice).to_be_checked()
        else:
            expect(choice).not_to_be_checked()


def _timer(page) -> int:
    expect(page.locator("#take-timer")).to_have_attribute("data-seconds", re.compile(r"^\d+$"))
    return int(page.locator("#take-timer").get_attribute("data-seconds"))


def _resume_on_another_computer(browser, live_server, password, officer, exam, viewport):
    phone = viewport["width"] < 500

    # The first computer: start from 我的考试, answer one question of each kind, then it fails.
    first, page = sign_in(browser, live_server, officer, password, viewport=viewport, phone=phone)
    page.goto(f"{live_server.url}/exams/my/")
    page.locator(f"#exams-open-section li[data-exam='{exam.pk}'] a.take-row-action").click()
    page.click("button.take-start-button")
    attempt = Attempt.objects.get(exam=exam, officer=officer)
    expect(page).to_have_url(f"{live_server.url}/exams/attempts/{attempt.pk}/")
    items = list(attempt.paper.items.select_related("question_version").order_by("position"))
    kinds = (QuestionType.SINGLE, QuestionType.MULTIPLE, QuestionType.TRUE_FALSE, QuestionType.FILL_BLANK)
    answered = [next(item for item in items if item.question_type == kind) for kind in kinds]
    for item in answered:
        _open_item(page, item, phone=phone)
        _answer(page, item)
    expect(page.locator("#take-answered-count")).to_have_text(str(len(answered)))
    left_on_first = _timer(page)
    failed_at = time.monotonic()
    first.close()  # no hand-in, no goodbye: the computer is gone
    assert Answer.objects.filter(attempt=attempt).count() == len(answered)

    # The second computer: sign in, 我的考试 → 继续, the same paper with the same answers.
    second, page = sign_in(browser, live_server, officer, password, viewport=viewport, phone=phone)
    page.goto(f"{live_server.url}/exams/my/")
    expect(page.locator("h1")).to_have_text("我的考试")
    resume = page.locator(f"#exams-open-section li[data-exam='{exam.pk}'] a.take-row-action")
    expect(resume).to_have_text("继续")
    resume.click()
    # (With single_device on, the "take over from the other device?" confirmation comes here.)
    expect(page).to_have_url(f"{live_server.url}/exams/attempts/{attempt.pk}/")
    expect(page.locator("#take-answered-count")).to_have_text(str(len(answered)))
    for item in answered:
        expect(page.locator(f"#take-map .take-map-cell[data-item='{item.pk}']")).to_have_class(
            re.compile("is-answered")
        )
        _open_item(page, item, phone=phone)
        _expect_answer_shown(page, item)

    # The remaining time went on from where the first computer was, and agrees with the server.
    left_on_second = _timer(page)
    expected = left_on_first - (time.monotonic() - failed_at)
    assert abs(left_on_second - expected) <= 3, (left_on_second, expected)
    attempt.refresh_from_db()
    assert abs(left_on_second - (attempt.deadline - timezone.now()).total_seconds()) <= 3
    assert left_on_second < 40 * 60  # the deadline is the window's close, not a new hour

    # The officer carries on on the second computer.
    rest = next(item for item in items if item not in answered)
    _open_item(page, rest, phone=phone)
    _answer(page, rest)
    expect(page.locator("#take-answered-count")).to_have_text(str(len(answered) + 1))
    second.close()
    attempt.refresh_from_db()
    assert attempt.state == AttemptState.IN_PROGRESS
    assert Answer.objects.filter(attempt=attempt).count() == len(answered) + 1


def test_an_officer_resumes_on_another_computer_with_the_same_answers_and_time(
    browser, live_server, password, officer, exam
):
    _resume_on_another_computer(browser, live_server, password, officer, exam, DESKTOP)


def test_the_same_on_a_375px_phone(browser, live_server, password, officer, exam):
    _resume_on_another_computer(browser, live_server, password, officer, exam, PHONE)
