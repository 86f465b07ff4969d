"""The demo grading: about half of last month's waiting case analyses graded by the demo trainer."""

from __future__ import annotations

import pytest

from exams.demo.delivery import PAST_TITLE
from exams.demo.grading import build
from exams.models import Answer, AttemptState, QuestionType
from exams.selectors.grading import waiting_answers
from portal.demo import DemoContext
from tests.exams.delivery_support import objective_blueprint, published_exam
from tests.exams.grading_support import ESSAY, NOW, new_officer, sit

pytestmark = pytest.mark.django_db


def test_half_of_the_waiting_answers_are_graded_with_comments_and_a_rerun_grades_no_more(station, trainer):
    officers = [new_officer(station) for _ in range(5)]
    exam = published_exam(objective_blueprint(short_answer=True), *officers, now=NOW, title=PAST_TITLE)
    essays = [ESSAY, "先调解，调解不成再处罚。", ESSAY, "受案登记、现场勘查、询问查证。", ESSAY]
    for officer, essay in zip(officers, essays, strict=True):
        sit(exam, officer, essay=essay)
    ctx = DemoContext(accounts={"trainer": trainer})

    build(ctx)
    build(ctx)

    graded = Answer.objects.filter(
        attempt__exam=exam, graded_by=trainer, paper_item__question_type=QuestionType.SHORT_ANSWER
    )
    assert graded.count() == 3
    assert all(answer.comment for answer in graded)
    by_text = {answer.response: answer.score for answer in graded}
    assert by_text[ESSAY] > by_text["先调解，调解不成再处罚。"]  # the fuller answer scores more
    assert waiting_answers().filter(attempt__exam=exam).count() == 2
    assert exam.attempts.filter(state=AttemptState.RELEASED).count() == 3
    assert sum(ctx.created_counts.values()) == 3


def test_without_the_demo_exam_nothing_is_graded(trainer):
    ctx = DemoContext(accounts={"trainer": trainer})

    build(ctx)

    assert not ctx.changed
