"""Paper sittings in a real browser, at 1366 px and at 375 px: the trainer opens the exam's paper
sittings from the exam page, enters one officer through the grid by keyboard (✓/✗ beside each box
while typing), saves; then uploads a spreadsheet with a bad row, sees the row named, fixes it and
uploads again."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from exams.models import Attempt, AttemptMode
from tests.browser.support import DESKTOP, PHONE, sign_in
from tests.exams.paper_sitting_support import fixed_paper_exam, printed_entry, workbook
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_trainer_enters_a_paper_by_keyboard_then_uploads_a_fixed_spreadsheet(
    browser, live_server, trainer, officer, station, password, tmp_path, viewport
):
    second = UserFactory(police_number="200777", name="李明", unit=station)
    exam = fixed_paper_exam(officer, second)
    items = list(exam.fixed_paper.items.select_related("question_version").order_by("position"))
    context, page = sign_in(browser, live_server, trainer, password, viewport=viewport, phone=viewport is PHONE)

    page.goto(f"{live_server.url}/exams/manage/{exam.pk}/")
    page.locator("#paper-sitting-links").get_by_role("link", name="成绩录入表").click()
    expect(page.locator("#paper-entry[data-ready]")).to_be_visible()

    # Keyboard only: the police number, Enter, the sitting time (kept), Enter, then each answer + Enter.
    page.locator("#id_police_number").fill(officer.police_number)
    page.keyboard.press("Enter")
    expect(page.locator("#id_sat_at")).to_be_focused()
    page.keyboard.press("Enter")
    wrong = items[0]
    for item in items:
        expect(page.locator(f"#q{item.position}")).to_be_focused()
        page.keyboard.type(printed_entry(item, right=item is not wrong))
        verdict = page.locator(f'[data-mark="{item.position}"]')
        if item is wrong:
            expect(verdict).to_have_text("✗")
        else:
            expect(verdict).to_have_text("✓")
        if item is not items[-1]:
            page.keyboard.press("Enter")
    page.keyboard.press("Enter")  # the last box saves
    expect(page.locator(".messages")).to_contain_text("已保存")
    expect(page.locator(f'[data-entered="{officer.police_number}"]')).to_be_visible()
    attempt = Attempt.objects.get(exam=exam, officer=officer)
    assert attempt.mode == AttemptMode.PAPER and attempt.score == 100 - wrong.points

    # The spreadsheet: the second officer's true/false answer is unreadable.
    page.goto(f"{live_server.url}/exams/manage/{exam.pk}/paper/")
    page.get_by_test_id("paper-import").click()
    header = ["警号", "姓名", "试卷", *range(1, len(items) + 1)]
    answers = [printed_entry(item, right=True) for item in items]
    true_false = next(item for item in items if item.question_type == "true_false")
    bad_answers = list(answers)
    bad_answers[true_false.position - 1] = "也许"
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(workbook([header, [second.police_number, second.name, "A", *bad_answers]]))
    page.locator("input[name=file]").set_input_files(str(bad))
    page.get_by_role("button", name="上传并录入").click()
    errors = page.get_by_test_id("import-errors")
    expect(errors).to_be_visible()
    row = errors.locator('tr[data-row="2"]')
    expect(row).to_contain_text(second.police_number)
    expect(row).to_contain_text(f"第 {true_false.position} 题")
    expect(row).to_contain_text("也许")
    assert not Attempt.objects.filter(exam=exam, officer=second).exists()

    fixed = tmp_path / "fixed.xlsx"
    fixed.write_bytes(workbook([header, [second.police_number, second.name, "A", *answers]]))
    page.locator("input[name=file]").set_input_files(str(fixed))
    page.get_by_role("button", name="上传并录入").click()
    expect(page.get_by_test_id("import-summary")).to_be_visible()
    expect(page.locator('[data-count="entered"]')).to_have_text("1")
    assert Attempt.objects.get(exam=exam, officer=second).score == 100
    context.close()
