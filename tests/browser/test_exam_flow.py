"""Taking an exam in a real browser (issue #5's Done-when), on a desktop and on a 375 px phone.

An officer starts an exam with every objective question type and a short answer, answers through
the question map, reloads mid-way and finds the same answers and a remaining time that agrees with
the server, hands in through the confirmation dialog; a trainer grades the short answer blind; the
officer sees the score and follows a wrong answer's link to the lesson on its knowledge point.

The pages are read in English (language cookie) where text is asserted; most selectors are ids,
classes and data attributes.
"""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from courses.models import CourseIndexPage, KnowledgePoint
from exams.models import Answer, Attempt, AttemptState, Question, QuestionType, ReleaseRule, ReviewRule
from exams.services.delivery import attempt_start, attempt_submit
from tests.browser.support import sign_in
from tests.courses.conftest import make_course, make_lesson
from tests.exams.delivery_support import objective_blueprint, published_exam

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

SHORT_ANSWER_TEXT = "本案构成故意伤害，应当依法立案侦查。"
GRADER_COMMENT = "定性正确，证据分析不足。"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 800}


@pytest.fixture
def exam_with_lesson(officer):
    """An exam drawing every question type; the single-choice questions (and a live lesson) are
    tagged 受案立案, so a wrong single-choice answer leads to that lesson."""
    blueprint = objective_blueprint(short_answer=True)
    point = KnowledgePoint.add_root(name="受案立案")
    for question in Question.objects.filter(type=QuestionType.SINGLE):
        question.knowledge_points.add(point)
    course = make_course(CourseIndexPage.objects.get(), "受案登记课程", slug="intake")
    lesson = make_lesson(course, "受案登记要点")
    lesson.knowledge_points.add(point)
    lesson.save_revision().publish()
    exam = published_exam(
        blueprint,
        officer,
        release_rule=ReleaseRule.AFTER_GRADING,
        review_rule=ReviewRule.EXPLANATIONS,
    )
    return exam, lesson


def _log_in(browser, live_server, user, password, viewport):
    return sign_in(browser, live_server, user, password, viewport=viewport, english=True, phone=viewport["width"] < 500)


def _open_item(page, item, *, phone: bool):
    """Jump to a question through the question map (folded behind a button on phones)."""
    if phone:
        expect(page.locator("#take-map")).to_be_hidden()
        page.click("#take-map-toggle")
    page.click(f"#take-map .take-map-cell[data-item='{item.pk}']")
    expect(page.locator(f"#item-{item.pk}")).to_be_visible()
    expect(page.locator(f"#take-map .take-map-cell[data-item='{item.pk}']")).to_have_class(re.compile("is-current"))


def _wrong_key(item) -> str:
    version = item.question_version
    return next(option["key"] for option in version.options if option["key"] != version.answer)


def _answer(page, item):
    """Answer one question the way an officer would: single choices wrong, everything else right."""
    box = page.locator(f"#item-{item.pk}")
    key = item.question_version.answer
    if item.question_type == QuestionType.SINGLE:
        box.locator(f"input[value='{_wrong_key(item)}']").check()
    elif item.question_type == QuestionType.MULTIPLE:
        for original in key:
            box.locator(f"input[value='{original}']").check()
    elif item.question_type == QuestionType.TRUE_FALSE:
        box.locator(f"input[value='{'true' if key else 'false'}']").check()
    elif item.question_type == QuestionType.FILL_BLANK:
        for number, alternatives in enumerate(key):
            box.locator(".q-blank input").nth(number).fill(alternatives[0])
    else:
        box.locator("textarea").fill(SHORT_ANSWER_TEXT)
    expect(box.locator(".take-item-state")).to_contain_text("Saved at")


def _expect_answer_shown(page, item):
    box = page.locator(f"#item-{item.pk}")
    key = item.question_version.answer
    if item.question_type == QuestionType.SINGLE:
        expect(box.locator(f"input[value='{_wrong_key(item)}']")).to_be_checked()
    elif item.question_type == QuestionType.MULTIPLE:
        for original in key:
            expect(box.locator(f"input[value='{original}']")).to_be_checked()
    elif item.question_type == QuestionType.TRUE_FALSE:
        expect(box.locator(f"input[value='{'true' if key else 'false'}']")).to_be_checked()
    elif item.question_type == QuestionType.FILL_BLANK:
        expect(box.locator(".q-blank input").first).to_have_value(key[0][0])
    else:
        expect(box.locator("textarea")).to_have_value(SHORT_ANSWER_TEXT)


def _take_grade_and_review(browser, live_server, password, officer, trainer, exam, lesson, viewport):
    phone = viewport["width"] < 500

    # 1. The officer finds the exam on "my exams", reads the rules and starts.
    context, page = _log_in(browser, live_server, officer, password, viewport)
    page.goto(f"{live_server.url}/exams/my/")
    page.locator(f"#exams-open-section li[data-exam='{exam.pk}'] a.take-row-action").click()
    expect(page.locator("#exam-question-count")).to_have_text("9")
    page.click("button.take-start-button")
    attempt = Attempt.objects.get(exam=exam, officer=officer)
    expect(page).to_have_url(f"{live_server.url}/exams/attempts/{attempt.pk}/")
    items = list(attempt.paper.items.select_related("question_version").order_by("position"))
    assert {item.question_type for item in items} == set(QuestionType.values)

    # 2. Half the questions answered, then a reload: same answers, time consistent with the server.
    first_half, second_half = items[: len(items) // 2], items[len(items) // 2 :]
    for item in first_half:
        _open_item(page, item, phone=phone)
        _answer(page, item)
    page.reload()
    expect(page.locator("#take-answered-count")).to_have_text(str(len(first_half)))
    for item in first_half:
        _open_item(page, item, phone=phone)
        _expect_answer_shown(page, item)
    shown = int(page.locator("#take-timer").get_attribute("data-seconds"))
    attempt.refresh_from_db()
    server = (attempt.deadline - timezone.now()).total_seconds()
    assert abs(shown - server) <= 5, (shown, server)
    assert 55 * 60 < shown <= 60 * 60

    # 3. The rest answered (the pager's Next button on the last one), then handed in after confirming.
    for item in second_half:
        _open_item(page, item, phone=phone)
        _answer(page, item)
    expect(page.locator("#take-answered-count")).to_have_text(str(len(items)))
    page.click("#take-submit-open")
    dialog = page.locator("#take-confirm")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text(f"All {len(items)} questions are answered.")
    page.click("#take-confirm-submit")
    expect(page).to_have_url(f"{live_server.url}/exams/attempts/{attempt.pk}/result/")
    expect(page.locator("#take-receipt")).to_contain_text("being graded")
    context.close()

    stored = {answer.paper_item_id: answer.response for answer in Answer.objects.filter(attempt=attempt)}
    assert len(stored) == len(items)
    attempt.refresh_from_db()
    assert attempt.state == AttemptState.SUBMITTED

    # 4. A trainer grades the short answer without seeing whose paper it is.
    context, page = _log_in(browser, live_server, trainer, password, viewport)
    page.goto(f"{live_server.url}/exams/grading/exams/{exam.pk}/")
    expect(page.locator("main")).not_to_contain_text(officer.name)
    page.locator("main a.btn-primary[href*='/grading/answers/']").first.click()
    expect(page.locator("#response")).to_contain_text(SHORT_ANSWER_TEXT)
    expect(page.locator("main")).not_to_contain_text(officer.name)
    page.fill("#grade-form [name=score]", "15")
    page.fill("#grade-form [name=comment]", GRADER_COMMENT)
    page.click("#grade-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    context.close()
    attempt.refresh_from_db()
    assert attempt.state == AttemptState.RELEASED
    assert attempt.score == 85  # three wrong single choices (−30), the short answer 15 of 20

    # 5. The officer sees the result and follows a wrong answer to its lesson.
    context, page = _log_in(browser, live_server, officer, password, viewport)
    page.goto(f"{live_server.url}/exams/attempts/{attempt.pk}/result/")
    expect(page.locator("#take-score")).to_have_text("85")
    expect(page.locator("#take-review")).to_contain_text(GRADER_COMMENT)
    links = page.locator("#take-review .is-wrong a.take-lesson-link")
    expect(links).to_have_count(3)
    links.first.click()
    expect(page).to_have_url(f"{live_server.url}{lesson.url}")
    context.close()


def test_officer_takes_reloads_hands_in_trainer_grades_blind_officer_reviews(
    browser, live_server, password, officer, trainer, exam_with_lesson
):
    exam, lesson = exam_with_lesson
    _take_grade_and_review(browser, live_server, password, officer, trainer, exam, lesson, DESKTOP)


def test_the_same_flow_on_a_375px_phone(browser, live_server, password, officer, trainer, exam_with_lesson):
    exam, lesson = exam_with_lesson
    _take_grade_and_review(browser, live_server, password, officer, trainer, exam, lesson, PHONE)


def _paper_of(exam, officer, browser, live_server, password):
    """The officer's paper open in a desktop browser, and its choice questions (answered by a click)."""
    attempt = attempt_start(exam=exam, officer=officer)
    context, page = _log_in(browser, live_server, officer, password, DESKTOP)
    page.goto(f"{live_server.url}/exams/attempts/{attempt.pk}/")
    choices = (QuestionType.SINGLE, QuestionType.MULTIPLE, QuestionType.TRUE_FALSE)
    items = list(
        attempt.paper.items.filter(question_type__in=choices).select_related("question_version").order_by("position")
    )
    return attempt, context, page, items


def test_a_failed_save_shows_a_banner_and_is_retried_and_a_closed_attempt_opens_the_result(
    browser, live_server, password, officer
):
    exam = published_exam(objective_blueprint(), officer)
    attempt, context, page, items = _paper_of(exam, officer, browser, live_server, password)
    save_url = f"**/exams/attempts/{attempt.pk}/save/"

    # The connection drops: the banner appears, the answer waits; back online, it is saved.
    page.route(save_url, lambda route: route.abort())
    _open_item(page, items[0], phone=False)
    page.locator(f"#item-{items[0].pk} input").first.check()
    expect(page.locator("#take-banner")).to_be_visible()
    expect(page.locator(f"#item-{items[0].pk} .take-item-state")).to_contain_text("Not saved yet")
    page.unroute(save_url)
    expect(page.locator(f"#item-{items[0].pk} .take-item-state")).to_contain_text("Saved at", timeout=15_000)
    expect(page.locator("#take-banner")).to_contain_text("all answers are saved")
    assert Answer.objects.filter(attempt=attempt, paper_item=items[0]).exists()

    # Handed in elsewhere (another device): the next save is refused and the result opens.
    attempt_submit(attempt=attempt, actor=officer)
    _open_item(page, items[1], phone=False)
    page.locator(f"#item-{items[1].pk} input").first.check()
    expect(page.locator("#take-banner")).to_contain_text("already been submitted")
    expect(page).to_have_url(f"{live_server.url}/exams/attempts/{attempt.pk}/result/")
    assert not Answer.objects.filter(attempt=attempt, paper_item=items[1]).exists()
    context.close()


def test_the_paper_is_handed_in_when_the_timer_reaches_zero(browser, live_server, password, officer):
    exam = published_exam(objective_blueprint(), officer)
    exam.closes_at = timezone.now() + datetime.timedelta(seconds=12)
    exam.save(update_fields=["closes_at"])
    attempt, context, page, items = _paper_of(exam, officer, browser, live_server, password)
    assert int(page.locator("#take-timer").get_attribute("data-seconds")) <= 12

    _open_item(page, items[0], phone=False)
    page.locator(f"#item-{items[0].pk} input").first.check()
    expect(page.locator(f"#item-{items[0].pk} .take-item-state")).to_contain_text("Saved at")
    expect(page).to_have_url(f"{live_server.url}/exams/attempts/{attempt.pk}/result/", timeout=30_000)
    context.close()

    attempt.refresh_from_db()
    assert attempt.state != AttemptState.IN_PROGRESS
    assert attempt.submitted_at <= attempt.deadline
    assert Answer.objects.filter(attempt=attempt, paper_item=items[0]).exists()
