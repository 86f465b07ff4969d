"""Exam-room rules and accommodations in a real browser, at 1366 px and on a 375 px phone, in Chinese.

A wrong room password is refused and the right one opens the paper; an officer outside the exam's
networks is told so on the start page (the live server sees 127.0.0.1) while one inside starts; a
trainer grants extra time through the accommodation page and the officer's start page shows the
longer time; "my exams" lists an exemption with its reason.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from exams.models import Attempt, AttemptState, ExamExemption, ExemptionReason
from tests.browser.support import DESKTOP, PHONE, sign_in
from tests.exams.delivery_support import objective_blueprint, published_exam

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

VIEWPORTS = [pytest.param(DESKTOP, id="desktop"), pytest.param(PHONE, id="phone")]


def _sign_in(browser, live_server, user, password, viewport):
    return sign_in(browser, live_server, user, password, viewport=viewport, phone=viewport is PHONE)


def _no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_a_wrong_room_password_is_refused_and_the_right_one_starts(browser, live_server, officer, password, viewport):
    exam = published_exam(objective_blueprint(), officer, room_password="8521")
    context, page = _sign_in(browser, live_server, officer, password, viewport)

    page.goto(f"{live_server.url}/exams/take/{exam.pk}/")
    expect(page.locator("#exam-room-rules")).to_contain_text("开考需输入考场口令")
    _no_sideways_scroll(page)
    page.fill("#id_room_password", "1234")
    page.click(".take-start-button")
    expect(page.locator(".messages")).to_contain_text("考场口令不正确")
    expect(page).to_have_url(f"{live_server.url}/exams/take/{exam.pk}/")
    assert not Attempt.objects.filter(exam=exam).exists()

    page.fill("#id_room_password", "8521")
    page.click(".take-start-button")
    attempt = Attempt.objects.get(exam=exam)
    expect(page).to_have_url(f"{live_server.url}/exams/attempts/{attempt.pk}/")
    assert attempt.state == AttemptState.IN_PROGRESS
    context.close()


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_outside_the_allowed_networks_the_officer_is_told_before_trying(
    browser, live_server, officer, password, viewport
):
    exam = published_exam(objective_blueprint(), officer, allowed_networks="10.0.0.0/8")
    context, page = _sign_in(browser, live_server, officer, password, viewport)

    page.goto(f"{live_server.url}/exams/my/")
    expect(page.locator(f"li[data-exam='{exam.pk}'] [data-rule='network']")).to_have_text("须在考场网络内作答")
    page.goto(f"{live_server.url}/exams/take/{exam.pk}/")
    refusal = page.locator(".take-refusal")
    expect(refusal).to_contain_text("只能在考场网络内作答")
    expect(refusal).to_contain_text("127.0.0.1")
    expect(page.locator(".take-start-button")).to_have_count(0)
    _no_sideways_scroll(page)
    assert not Attempt.objects.filter(exam=exam).exists()
    context.close()


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_inside_the_allowed_networks_the_exam_starts(browser, live_server, officer, password, viewport):
    exam = published_exam(objective_blueprint(), officer, allowed_networks="127.0.0.0/8")
    context, page = _sign_in(browser, live_server, officer, password, viewport)

    page.goto(f"{live_server.url}/exams/take/{exam.pk}/")
    expect(page.locator(".take-refusal")).to_have_count(0)
    page.click(".take-start-button")
    attempt = Attempt.objects.get(exam=exam)
    expect(page).to_have_url(f"{live_server.url}/exams/attempts/{attempt.pk}/")
    context.close()


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_a_trainer_grants_extra_time_and_the_officer_sees_it(
    browser, live_server, officer, trainer, password, viewport
):
    exam = published_exam(objective_blueprint(), officer, duration_minutes=60)
    context, page = _sign_in(browser, live_server, trainer, password, viewport)

    page.goto(f"{live_server.url}/exams/manage/{exam.pk}/")
    page.click("#exam-accommodations-link")
    expect(page).to_have_url(f"{live_server.url}/exams/manage/{exam.pk}/accommodations/")
    page.fill("#id_officers", officer.police_number)
    page.fill("#id_extra_minutes", "30")
    page.fill("#id_reason", "医院证明：右手骨折")
    page.click("#accommodation-submit")
    row = page.locator(f"tr[data-accommodation='{officer.police_number}']")
    expect(row).to_contain_text("延长作答时间 30 分钟")
    expect(row).to_contain_text("医院证明：右手骨折")
    _no_sideways_scroll(page)
    context.close()

    context, page = _sign_in(browser, live_server, officer, password, viewport)
    page.goto(f"{live_server.url}/exams/take/{exam.pk}/")
    expect(page.locator("#exam-time-allowed")).to_contain_text(re.compile(r"90\s*分钟"))
    expect(page.locator("#exam-accommodation")).to_contain_text("延长作答时间 30 分钟")
    _no_sideways_scroll(page)
    context.close()


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_my_exams_shows_an_exemption_with_its_reason(browser, live_server, officer, trainer, password, viewport):
    exam = published_exam(objective_blueprint(), officer, title="第二季度执法资格考试")
    ExamExemption.objects.create(
        exam=exam, officer=officer, reason=ExemptionReason.INJURY, note="住院治疗", created_by=trainer
    )
    context, page = _sign_in(browser, live_server, officer, password, viewport)

    page.goto(f"{live_server.url}/exams/my/")
    section = page.locator("#exams-exempted-section")
    expect(section).to_contain_text("第二季度执法资格考试")
    expect(section).to_contain_text("原因：伤病")
    expect(section).to_contain_text("住院治疗")
    expect(section.locator("a")).to_have_count(0)
    _no_sideways_scroll(page)
    context.close()
