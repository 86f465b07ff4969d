"""The main portal flows in a real browser: Chinese login, dashboard, notifications, scope."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from portal.services import notification_send
from tests.browser.support import sign_in

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_officer_logs_in_in_chinese_reads_a_notification_on_a_phone(browser, live_server, officer, password):
    notification_send(
        recipient=officer, title="请于本周完成《接处警规范》学习", body="截止日期：周五", url="/dashboard/"
    )
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True, locale="zh-CN")
    page = context.new_page()

    page.goto(f"{live_server.url}/login/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.locator("h1")).to_have_text("登录")
    page.fill("input[name=username]", officer.police_number)
    page.fill("input[name=password]", password)
    page.click("main form button[type=submit]")

    expect(page).to_have_url(f"{live_server.url}/dashboard/")
    expect(page.locator("h1")).to_contain_text("我的待办")
    expect(page.locator(".badge").first).to_have_text("1")
    # No horizontal scrolling at 375 px.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    page.goto(f"{live_server.url}/notifications/")
    page.get_by_role("button", name="请于本周完成《接处警规范》学习").click()
    expect(page).to_have_url(f"{live_server.url}/dashboard/")
    expect(page.locator(".badge")).to_have_count(0)
    context.close()


def test_officer_gets_404_for_a_colleagues_profile_and_hr_sees_it(
    browser, live_server, officer, auxiliary, hr, password
):
    def log_in(user):
        return sign_in(browser, live_server, user, password, viewport={"width": 1280, "height": 720})

    context, page = log_in(officer)
    response = page.goto(f"{live_server.url}/people/officers/{auxiliary.pk}/")
    assert response.status == 404
    expect(page.locator("body")).not_to_contain_text(auxiliary.name)
    response = page.goto(f"{live_server.url}/people/officers/{officer.pk}/")
    assert response.status == 200
    expect(page.locator("body")).to_contain_text(officer.name)
    context.close()

    context, page = log_in(hr)
    response = page.goto(f"{live_server.url}/people/officers/{auxiliary.pk}/")
    assert response.status == 200
    expect(page.locator("body")).to_contain_text(auxiliary.name)
    expect(page.locator("body")).to_contain_text("北山派出所")
    context.close()
