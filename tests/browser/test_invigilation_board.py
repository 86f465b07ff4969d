"""The invigilation board (考务监控) in a real browser, on a desktop and on a 375 px phone: the
invigilator opens the board from the exam's page, sees the examinees, watches the board update by
itself when an examinee starts, filters by state, adds 5 minutes to one examinee and messages the
room."""

from __future__ import annotations

import datetime

import pytest
from playwright.sync_api import expect

from exams.models import Attempt, ExamRoomMessage, ReleaseRule
from exams.services.delivery import attempt_start
from tests.browser.support import DESKTOP, PHONE, sign_in
from tests.exams.delivery_support import objective_blueprint, published_exam

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_invigilator_watches_the_board_adds_time_and_messages_the_room(
    browser, live_server, trainer, officer, squad_officer, auxiliary, password, viewport
):
    exam = published_exam(
        objective_blueprint(), officer, squad_officer, auxiliary, release_rule=ReleaseRule.AFTER_CLOSE
    )
    sitting = attempt_start(exam=exam, officer=officer)
    phone = viewport["width"] < 500
    context, page = sign_in(browser, live_server, trainer, password, viewport=viewport, phone=phone)

    page.goto(f"{live_server.url}/exams/manage/{exam.pk}/")
    page.click("#open-board")
    expect(page.locator("h1")).to_contain_text("考务监控")
    rows = page.locator("#board-rows tr")
    expect(rows).to_have_count(3)
    expect(page.locator(f"#board-rows tr[data-officer='{officer.pk}']")).to_contain_text("作答中")
    expect(page.locator("#board-updated")).to_contain_text("数据更新于")
    if phone:
        # Name, state, time left and focus losses are the first columns: on screen without scrolling.
        for column in range(2, 6):
            box = page.locator(f"#board-table thead th:nth-child({column})").bounding_box()
            assert box is not None and box["x"] < viewport["width"]

    # The board follows the room by itself: an examinee starts, the next poll shows it.
    attempt_start(exam=exam, officer=squad_officer)
    expect(page.locator(f"#board-rows tr[data-officer='{squad_officer.pk}']")).to_contain_text("作答中", timeout=15_000)

    # Filter by state: only those sitting the exam.
    page.click("#board-states a[data-state='in_progress']")
    expect(rows).to_have_count(2)
    expect(page.locator(f"#board-rows tr[data-officer='{auxiliary.pk}']")).to_have_count(0)

    # Add 5 minutes to one examinee.
    before = Attempt.objects.get(pk=sitting.pk).deadline
    page.check(f"#board-rows tr[data-officer='{officer.pk}'] input[name=pick]")
    expect(page.locator("#board-picked")).to_have_text("1")
    page.fill("#board-minutes", "5")
    page.fill("#board-reason", "网络中断")
    page.click("#board-add-time")
    expect(page.locator("ul.messages")).to_contain_text("已为 1 名考生加时 5 分钟")
    assert Attempt.objects.get(pk=sitting.pk).deadline == before + datetime.timedelta(minutes=5)
    assert Attempt.objects.get(officer=squad_officer).time_added_seconds == 0
    expect(rows).to_have_count(2)  # the filter survived the action

    # Message the room.
    page.fill("#board-message-form textarea[name=text]", "还有十分钟，请检查答卷")
    page.click("#board-send")
    expect(page.locator("ul.messages")).to_contain_text("消息已发送")
    expect(page.locator("#board-messages")).to_contain_text("还有十分钟，请检查答卷")
    assert ExamRoomMessage.objects.filter(exam=exam).count() == 1
    context.close()
