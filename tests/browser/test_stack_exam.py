"""The officer's exam flow through the stack (issue 15's Done-when): Chromium on http://127.0.0.1
talks to nginx, which spreads the pages, autosaves and the hand-in over two gunicorn app servers
on production settings, PostgreSQL and Redis (tests/stack/support.py).

A demo officer signs in, opens the practice exam 法律知识自测练习, starts, answers every question
(each autosave acknowledged), hands in and sees the score: on a desktop and on a 375 px phone.
Production settings mark the session and CSRF cookies Secure; the sign-in working at all shows
Chromium keeps Secure cookies from http://127.0.0.1, the stack's one departure from TLS.

No database access from here: the stack's database is not the test database, so everything is
read from the pages, as the officer reads it.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.support import DESKTOP, PHONE
from tests.stack.support import DEMO_PASSWORD, stack_for_session

PRACTICE_TITLE = "法律知识自测练习"


@pytest.fixture(scope="session")
def stack(request):
    return stack_for_session(request)


def _sign_in(browser, stack, police_number, viewport):
    phone = viewport["width"] < 500
    context = browser.new_context(
        locale="zh-CN", timezone_id="Asia/Shanghai", viewport=viewport, is_mobile=phone, has_touch=phone
    )
    context.add_cookies([{"name": "django_language", "value": "en", "url": stack.url}])
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(f"{stack.url}/login/")
    page.fill("input[name=username]", police_number)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("main form button[type=submit]")
    expect(page).to_have_url(f"{stack.url}/dashboard/")
    cookies = {cookie["name"]: cookie for cookie in context.cookies()}
    assert cookies["sessionid"]["secure"] and cookies["csrftoken"]["secure"]
    return context, page


def _answer(page, item):
    kind = item.get_attribute("data-type")
    if kind == "fill_blank":
        for blank in item.locator(".q-blank input").all():
            blank.fill("依法")
    elif kind == "short_answer":
        item.locator("textarea").fill("依法受理，及时立案。")
    else:
        item.locator("input").first.check()
    expect(item.locator(".take-item-state")).to_contain_text("Saved at")


@pytest.mark.parametrize(("police_number", "viewport"), [("officer001", DESKTOP), ("031002", PHONE)])
def test_officer_sits_the_practice_exam_through_nginx_and_two_app_servers(browser, stack, police_number, viewport):
    phone = viewport["width"] < 500
    context, page = _sign_in(browser, stack, police_number, viewport)

    page.goto(f"{stack.url}/exams/my/")
    row = page.locator("#exams-open-section li.take-row", has_text=PRACTICE_TITLE)
    row.locator("a.take-row-action").click()
    page.click("button.take-start-button")
    expect(page).to_have_url(re.compile(rf"{re.escape(stack.url)}/exams/attempts/\d+/$"))
    attempt_url = page.url

    cells = page.locator("#take-map .take-map-cell[data-item]")
    count = cells.count()
    assert count == 15  # the practice blueprint: 5 single, 3 multiple, 5 true/false, 2 fill-in
    for index in range(count):
        if phone:
            page.click("#take-map-toggle")
        cell = cells.nth(index)
        item_id = cell.get_attribute("data-item")
        cell.click()
        item = page.locator(f"#item-{item_id}")
        expect(item).to_be_visible()
        _answer(page, item)
    expect(page.locator("#take-answered-count")).to_have_text(str(count))

    page.click("#take-submit-open")
    expect(page.locator("#take-confirm")).to_be_visible()
    page.click("#take-confirm-submit")
    expect(page).to_have_url(f"{attempt_url}result/")
    expect(page.locator("#take-score")).to_have_text(re.compile(r"^\d+(\.\d+)?$"))
    expect(page.locator("#take-passed, #take-failed")).to_have_count(1)
    expect(page.locator("#take-review .take-review-item")).to_have_count(count)
    context.close()
