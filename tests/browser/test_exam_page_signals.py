"""The exam paper on exam day, in a real browser at 1366 px and at 375 px: focus losses reported
once per tab switch, time added and a stopped clock followed without reloading, room messages, and
a second device asked to confirm before it takes the paper over.

The status poll is set to one second (``settings.EXAMS_STATUS_POLL_SECONDS``: the live server runs
in this process, so the override reaches it).

Switching tabs in headless Chromium: Playwright emulates focus for every page (each one believes it
has focus), so bringing another page to the front fires nothing. With focus emulation switched off
(CDP ``Emulation.setFocusEmulationEnabled``) bringing another page of the context to the front fires
a real ``blur`` on the paper, but headless windows are never hidden, so ``visibilitychange`` does
not fire (neither on bring_to_front, a minimised window nor ``Page.setWebLifecycleState``). What a
headed browser does on a tab switch is therefore completed by hand: the real blur from
bring_to_front, then ``document.visibilityState`` reading "hidden" and a ``visibilitychange`` event
dispatched on the paper; coming back, "visible" again. The paper must count each switch once.
"""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect

from exams.models import FOCUS_EVENTS, Attempt, AttemptEvent, AttemptState, QuestionType
from exams.services.delivery import attempt_start
from exams.services.exam_day import attempt_pause, attempt_resume, attempts_add_time, exam_room_message_send
from tests.browser.support import DESKTOP, HIDE_TAB, PHONE, SHOW_TAB, sign_in
from tests.exams.delivery_support import objective_blueprint, published_exam

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

VIEWPORTS = [pytest.param(DESKTOP, id="1366"), pytest.param(PHONE, id="375")]

COPY_CANCELLED = """(selector) => {
  const event = new ClipboardEvent("copy", { bubbles: true, cancelable: true });
  document.querySelector(selector).dispatchEvent(event);
  return event.defaultPrevented;
}"""


@pytest.fixture
def fast_poll(settings):
    settings.EXAMS_STATUS_POLL_SECONDS = 1


@pytest.fixture
def attempt(officer, fast_poll):
    exam = published_exam(
        objective_blueprint(),
        officer,
        track_focus=True,
        focus_warn_after=2,
        focus_submit_after=10,
        single_device=True,
        prevent_copy=True,
    )
    return attempt_start(exam=exam, officer=officer)


def _open_paper(browser, live_server, officer, password, attempt, viewport):
    context, page = sign_in(browser, live_server, officer, password, viewport=viewport, phone=viewport is PHONE)
    page.goto(f"{live_server.url}/exams/attempts/{attempt.pk}/")
    expect(page.locator("#take-form")).to_be_visible()
    return context, page


def _seconds(page) -> int:
    return int(page.locator("#take-timer").get_attribute("data-seconds") or "0")


def _open_single_choice(page, attempt, *, phone: bool):
    """Jump to the paper's first single-choice question through the question map; its first option."""
    item = next(item for item in attempt.paper.items.order_by("position") if item.question_type == QuestionType.SINGLE)
    if phone:
        page.click("#take-map-toggle")
    page.click(f"#take-map .take-map-cell[data-item='{item.pk}']")
    expect(page.locator(f"#item-{item.pk}")).to_be_visible()
    return page.locator(f"#item-{item.pk} input[type=radio]").first, page.locator(f"#item-{item.pk} .take-item-state")


def _wait_for(condition, *, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return condition()


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_switching_tab_twice_records_two_focus_losses_and_warns(
    browser, live_server, officer, password, attempt, viewport
):
    context, paper = _open_paper(browser, live_server, officer, password, attempt, viewport)

    # The exam's other rules on the page: question text not selectable nor copyable (answer fields
    # are), full screen offered; entering and leaving it through the button is no focus loss.
    assert paper.evaluate("getComputedStyle(document.querySelector('.take-paper .q-stem')).userSelect") == "none"
    assert paper.evaluate("getComputedStyle(document.querySelector('.take-paper .q-blank input')).userSelect") != "none"
    assert paper.evaluate(COPY_CANCELLED, ".take-paper .q-stem") is True
    assert paper.evaluate(COPY_CANCELLED, ".take-paper .q-blank input") is False
    full_screen = paper.locator("#take-fullscreen")
    expect(full_screen).to_have_text("全屏作答")
    full_screen.click()
    expect(full_screen).to_have_text("退出全屏")
    full_screen.click()
    expect(full_screen).to_have_text("全屏作答")
    assert Attempt.objects.get(pk=attempt.pk).focus_losses == 0

    other = context.new_page()
    for page in (paper, other):
        context.new_cdp_session(page).send("Emulation.setFocusEmulationEnabled", {"enabled": False})
    paper.bring_to_front()
    time.sleep(0.5)

    for switch in (1, 2):
        other.bring_to_front()  # a real blur on the paper
        paper.evaluate(HIDE_TAB)  # what a headed browser adds: the tab is hidden
        assert _wait_for(lambda n=switch: Attempt.objects.get(pk=attempt.pk).focus_losses >= n)
        time.sleep(1.5)  # longer than the paper's quiet period, so the next switch counts again
        paper.evaluate(SHOW_TAB)
        paper.bring_to_front()
        time.sleep(0.5)

    attempt.refresh_from_db()
    assert attempt.focus_losses == 2
    # One event per switch although each fired blur and visibilitychange; which of the two is
    # recorded depends on how fast the second follows the first (a hidden tab is preferred).
    assert AttemptEvent.objects.filter(attempt=attempt, kind__in=FOCUS_EVENTS).count() == 2
    warning = paper.locator("#take-focus-warning")
    expect(warning).to_be_visible()
    expect(warning).to_have_attribute("role", "alert")
    expect(warning).to_contain_text("2 次")
    context.close()


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_invigilator_time_stopped_clock_and_messages_reach_the_open_paper(
    browser, live_server, officer, password, trainer, attempt, viewport
):
    context, page = _open_paper(browser, live_server, officer, password, attempt, viewport)
    radio, radio_state = _open_single_choice(page, attempt, phone=viewport is PHONE)
    before = _seconds(page)

    # Ten minutes added: the timer shows them without a reload.
    attempts_add_time(actor=trainer, exam=attempt.exam, attempt_ids=[attempt.pk], minutes=10, reason="断网补时")
    assert _wait_for(lambda: _seconds(page) >= before + 590, timeout=6), (before, _seconds(page))

    # Two room messages: both listed, newest first.
    exam_room_message_send(actor=trainer, exam=attempt.exam, text="请检查姓名和警号。")
    exam_room_message_send(actor=trainer, exam=attempt.exam, text="距离考试结束还有三十分钟。")
    messages = page.locator("#take-messages-list .take-message")
    expect(messages).to_have_count(2)
    expect(messages.first).to_contain_text("距离考试结束还有三十分钟。")
    expect(messages.nth(1)).to_contain_text("请检查姓名和警号。")
    expect(page.locator("#take-messages-list")).to_have_attribute("role", "status")

    # The clock stopped: the paper says so, the timer stands still, the answers are disabled.
    attempt_pause(actor=trainer, attempt=attempt, reason="考场断电")
    hold = page.locator("#take-hold")
    expect(hold).to_be_visible()
    expect(hold).to_contain_text("监考员已暂停计时")
    expect(radio).to_be_disabled()
    stopped = _seconds(page)
    time.sleep(2)
    assert abs(_seconds(page) - stopped) <= 1
    box = hold.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"]

    # Restarted: answering again, and the answer is saved.
    attempt_resume(actor=trainer, attempt=attempt)
    expect(hold).to_be_hidden()
    expect(radio).to_be_enabled()
    radio.check()
    expect(radio_state).to_contain_text("已于", timeout=10_000)
    assert _wait_for(lambda: Attempt.objects.get(pk=attempt.pk).answers.exists())
    context.close()


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_a_second_device_confirms_the_takeover_and_the_first_shows_it_lost_the_paper(
    browser, live_server, officer, password, attempt, viewport
):
    first_context, first = _open_paper(browser, live_server, officer, password, attempt, viewport)
    second_context, second = sign_in(
        browser, live_server, officer, password, viewport=viewport, phone=viewport is PHONE
    )
    second.goto(f"{live_server.url}/exams/attempts/{attempt.pk}/")

    # The second device is asked first; nothing changes until it confirms.
    expect(second.locator(".take-takeover")).to_contain_text("此试卷已在另一台设备上打开")
    confirm = second.locator("#take-takeover-confirm")
    expect(confirm).to_have_text("在此设备继续")
    box = confirm.bounding_box()
    assert box is not None and box["x"] + box["width"] <= viewport["width"]
    assert second.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    assert Attempt.objects.get(pk=attempt.pk).device_changes == 0
    confirm.click()
    expect(second.locator("#take-form")).to_be_visible()
    assert Attempt.objects.get(pk=attempt.pk).device_changes == 1

    # The first device learns at its next poll: the paper is disabled and can be taken back.
    hold = first.locator("#take-hold")
    expect(hold).to_be_visible()
    expect(hold).to_contain_text("此试卷已在另一台设备上打开")
    expect(first.locator(".take-item.is-current-page input").first).to_be_disabled()
    take_back = first.locator("#take-hold-continue")
    expect(take_back).to_be_visible()
    expect(take_back).to_have_text("在此设备继续")

    # Taking it back reloads the paper here; now the second device has lost it.
    take_back.click()
    expect(first.locator("#take-hold")).to_be_hidden()
    expect(first.locator(".take-item.is-current-page input").first).to_be_enabled()
    expect(second.locator("#take-hold")).to_be_visible()
    attempt.refresh_from_db()
    assert attempt.device_changes == 2 and attempt.state == AttemptState.IN_PROGRESS
    first_context.close()
    second_context.close()


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_an_answer_refused_while_the_clock_is_stopped_is_kept_and_saved_once_it_restarts(
    browser, live_server, officer, password, trainer, attempt, viewport, settings
):
    settings.EXAMS_STATUS_POLL_SECONDS = 4  # room to answer before the page learns of the stop
    context, page = _open_paper(browser, live_server, officer, password, attempt, viewport)
    radio, state = _open_single_choice(page, attempt, phone=viewport is PHONE)
    with page.expect_response(lambda response: "/status/" in response.url):
        pass  # a poll just ran: the next one is four seconds away
    attempt_pause(actor=trainer, attempt=attempt, reason="考场断电")
    radio.check()

    # The save is refused: the answer stays, the page says why and stops answering.
    expect(state).to_contain_text("已暂存在本设备", timeout=10_000)
    expect(page.locator("#take-hold")).to_contain_text("监考员已暂停计时")
    expect(radio).to_be_checked()
    expect(radio).to_be_disabled()
    assert not Attempt.objects.get(pk=attempt.pk).answers.exists()

    # Even a reload loses nothing: the answer comes back from the device.
    page.reload()
    radio, state = _open_single_choice(page, attempt, phone=viewport is PHONE)
    expect(radio).to_be_checked()

    attempt_resume(actor=trainer, attempt=attempt)
    expect(state).to_contain_text("已于", timeout=15_000)
    expect(page.locator("#take-hold")).to_be_hidden()
    answer = Attempt.objects.get(pk=attempt.pk).answers.get()
    assert answer.response is not None
    context.close()


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_a_paper_opened_outside_the_exam_networks_is_refused_in_chinese(
    browser, live_server, officer, password, attempt, viewport
):
    attempt.exam.allowed_networks = "10.12.0.0/16"
    attempt.exam.save(update_fields=["allowed_networks"])
    context, page = sign_in(browser, live_server, officer, password, viewport=viewport, phone=viewport is PHONE)
    page.goto(f"{live_server.url}/exams/attempts/{attempt.pk}/")
    refusal = page.locator(".take-refused .notice")
    expect(refusal).to_contain_text("本场考试只能在考场网络内作答")
    expect(refusal).to_have_attribute("role", "alert")
    expect(page.locator(".take-refused")).to_contain_text("请联系监考员")
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    assert Attempt.objects.get(pk=attempt.pk).state == AttemptState.IN_PROGRESS
    context.close()
