"""Exam day with both sides in the browser, at 1366 px and at 375 px: the examinee's paper and the
invigilator's board (考务监控) open at once, each seeing what the other does.

- The examinee switches tab twice: the board shows 2 focus losses within 10 s (it polls every 5 s).
- The invigilator adds 5 minutes on the board: the examinee's timer shows them without a reload.
- A second device takes the paper over after confirming: the board shows the device change.
- A submitted paper is re-opened: the invigilator asks on the attempt's page, the legal leader
  approves, the examinee continues from 我的考试 with the answers kept.

Tab switches are made as in ``test_exam_page_signals`` (its docstring says why headless Chromium
needs the hidden state completed by hand).
"""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import expect

from exams.models import Attempt, AttemptState, QuestionType
from exams.services.delivery import attempt_start, attempt_submit
from tests.browser.support import DESKTOP, HIDE_TAB, PHONE, SHOW_TAB, sign_in
from tests.exams.delivery_support import objective_blueprint, published_exam

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

VIEWPORTS = [pytest.param(DESKTOP, id="1366"), pytest.param(PHONE, id="375")]

# Board columns (exams/static/exams/board.js buildRow): tick, name, state, time left, focus losses,
# police number, unit, started, last save, answered, devices.
FOCUS_COLUMN = 5
DEVICE_COLUMN = 11


@pytest.fixture
def fast_paper(settings):
    settings.EXAMS_STATUS_POLL_SECONDS = 1


@pytest.fixture
def exam(officer, squad_officer, fast_paper):
    return published_exam(
        objective_blueprint(),
        officer,
        squad_officer,
        track_focus=True,
        focus_warn_after=5,
        focus_submit_after=20,
        single_device=True,
    )


def _people(browser, live_server, password, viewport, *users):
    phone = viewport is PHONE
    return [sign_in(browser, live_server, user, password, viewport=viewport, phone=phone) for user in users]


def _seconds(page) -> int:
    return int(page.locator("#take-timer").get_attribute("data-seconds") or "0")


def _row_cell(board, officer, column: int):
    return board.locator(f"#board-rows tr[data-officer='{officer.pk}'] td:nth-child({column})")


def _switch_tab(context, paper, other):
    other.bring_to_front()  # a real blur on the paper
    paper.evaluate(HIDE_TAB)  # and what a headed browser adds: the tab is hidden
    time.sleep(1.5)  # longer than the paper's quiet period, so the next switch counts again
    paper.evaluate(SHOW_TAB)
    paper.bring_to_front()
    time.sleep(0.5)


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_focus_losses_time_added_and_a_takeover_cross_between_paper_and_board(
    browser, live_server, officer, trainer, password, exam, viewport
):
    attempt = attempt_start(exam=exam, officer=officer)
    (examinee_context, paper), (_invigilator_context, board) = _people(
        browser, live_server, password, viewport, officer, trainer
    )
    paper.goto(f"{live_server.url}/exams/attempts/{attempt.pk}/")
    expect(paper.locator("#take-form")).to_be_visible()
    board.goto(f"{live_server.url}/exams/manage/{exam.pk}/board/")
    expect(_row_cell(board, officer, FOCUS_COLUMN)).to_have_text("0")

    # Two tab switches: the board shows 2 within 10 s.
    other = examinee_context.new_page()
    for page in (paper, other):
        examinee_context.new_cdp_session(page).send("Emulation.setFocusEmulationEnabled", {"enabled": False})
    paper.bring_to_front()
    _switch_tab(examinee_context, paper, other)
    _switch_tab(examinee_context, paper, other)
    expect(_row_cell(board, officer, FOCUS_COLUMN)).to_have_text("2", timeout=10_000)
    other.close()

    # Five minutes added on the board: the paper's timer follows without a reload.
    before = _seconds(paper)
    board.check(f"#board-rows tr[data-officer='{officer.pk}'] input[name=pick]")
    board.fill("#board-minutes", "5")
    board.fill("#board-reason", "切屏核实耽误时间")
    board.click("#board-add-time")
    expect(board.locator("ul.messages")).to_contain_text("5 分钟")
    deadline = time.monotonic() + 8
    while time.monotonic() < deadline and _seconds(paper) < before + 280:
        time.sleep(0.2)
    assert _seconds(paper) >= before + 280, (before, _seconds(paper))

    # A second device asks first, then takes the paper over; the board shows the change.
    _second_context, second = _people(browser, live_server, password, viewport, officer)[0]
    second.goto(f"{live_server.url}/exams/attempts/{attempt.pk}/")
    second.click("#take-takeover-confirm")
    expect(second.locator("#take-form")).to_be_visible()
    expect(paper.locator("#take-hold")).to_be_visible(timeout=10_000)
    expect(_row_cell(board, officer, DEVICE_COLUMN)).to_have_text("1", timeout=10_000)
    assert Attempt.objects.get(pk=attempt.pk).device_changes == 1


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_a_submitted_paper_reopened_after_the_legal_leaders_approval_is_continued(
    browser, live_server, officer, trainer, legal_leader, password, exam, viewport
):
    attempt = attempt_start(exam=exam, officer=officer)
    item = next(item for item in attempt.paper.items.order_by("position") if item.question_type == QuestionType.SINGLE)
    (examinee_context, paper), (_t, invigilator), (_l, leader) = _people(
        browser, live_server, password, viewport, officer, trainer, legal_leader
    )
    paper.goto(f"{live_server.url}/exams/attempts/{attempt.pk}/")
    if viewport is PHONE:
        paper.click("#take-map-toggle")
    paper.click(f"#take-map .take-map-cell[data-item='{item.pk}']")
    paper.locator(f"#item-{item.pk} input[type=radio]").first.check()
    expect(paper.locator(f"#item-{item.pk} .take-item-state")).to_contain_text("已于", timeout=10_000)
    # The computer fails; the paper is handed in by the deadline rule or the examinee by mistake.
    attempt_submit(attempt=attempt, actor=officer)
    examinee_context.close()

    # The invigilator asks from the attempt's page (the name on the board leads there).
    invigilator.goto(f"{live_server.url}/exams/manage/{exam.pk}/board/")
    invigilator.click(f"#board-rows tr[data-officer='{officer.pk}'] td:nth-child(2) a")
    invigilator.fill("#attempt-reopen input[name=minutes]", "20")
    invigilator.fill("#attempt-reopen input[name=reason]", "电脑蓝屏，经核实非本人原因")
    invigilator.click("#attempt-reopen-ask")
    expect(invigilator.locator("ul.messages")).to_be_visible()
    assert Attempt.objects.get(pk=attempt.pk).state != AttemptState.IN_PROGRESS

    # The legal leader approves.
    leader.goto(f"{live_server.url}/exams/manage/reopen-requests/")
    expect(leader.locator("main")).to_contain_text("电脑蓝屏")
    leader.click("button[name=decision][value=approve]")
    expect(leader.locator("ul.messages")).to_be_visible()
    assert Attempt.objects.get(pk=attempt.pk).state == AttemptState.IN_PROGRESS

    # The examinee continues from 我的考试 with the answer kept and about 20 minutes left.
    _c, again = _people(browser, live_server, password, viewport, officer)[0]
    again.goto(f"{live_server.url}/exams/my/")
    resume = again.locator(f"#exams-open-section li[data-exam='{exam.pk}'] a.take-row-action")
    expect(resume).to_have_text("继续")
    resume.click()
    again.click("#take-takeover-confirm")  # a new computer: it takes the paper over from the first
    expect(again.locator("#take-form")).to_be_visible()
    expect(again.locator(f"#item-{item.pk} input[type=radio]").first).to_be_checked()
    # The timer is set by the page's script once it runs: wait for it before reading.
    expect(again.locator("#take-timer")).to_have_attribute("data-seconds", re.compile(r"^[1-9][0-9]*$"))
    assert 18 * 60 <= _seconds(again) <= 20 * 60


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_taking_the_paper_back_never_overwrites_a_newer_answer_from_the_other_device(
    browser, live_server, officer, password, exam, viewport
):
    """Device A's change is refused while B holds the paper and kept on A; B then answers the same
    question. Taken back, A shows and keeps B's newer answer rather than sending its older one."""
    attempt = attempt_start(exam=exam, officer=officer)
    item = next(item for item in attempt.paper.items.order_by("position") if item.question_type == QuestionType.SINGLE)
    (_a, first), (_b, second) = _people(browser, live_server, password, viewport, officer, officer)

    def open_item(page):
        if viewport is PHONE:
            page.click("#take-map-toggle")
        page.click(f"#take-map .take-map-cell[data-item='{item.pk}']")
        return page.locator(f"#item-{item.pk} input[type=radio]")

    first.goto(f"{live_server.url}/exams/attempts/{attempt.pk}/")
    expect(first.locator("#take-form")).to_be_visible()
    second.goto(f"{live_server.url}/exams/attempts/{attempt.pk}/")
    second.click("#take-takeover-confirm")
    expect(second.locator("#take-form")).to_be_visible()
    # A answers before it learns it lost the paper: refused, kept on A.
    open_item(first).nth(0).check()
    expect(first.locator("#take-hold")).to_be_visible(timeout=10_000)
    assert not Attempt.objects.get(pk=attempt.pk).answers.exists()
    # B answers the same question later, differently: stored.
    time.sleep(0.05)
    open_item(second).nth(1).check()
    expect(second.locator(f"#item-{item.pk} .take-item-state")).to_contain_text("已于", timeout=10_000)
    stored = Attempt.objects.get(pk=attempt.pk).answers.get().response

    first.click("#take-hold-continue")
    expect(first.locator("#take-hold")).to_be_hidden()
    radios = open_item(first)
    expect(radios.nth(1)).to_be_checked()
    expect(radios.nth(0)).not_to_be_checked()
    time.sleep(2)  # time for a wrong resend to arrive
    assert Attempt.objects.get(pk=attempt.pk).answers.get().response == stored
