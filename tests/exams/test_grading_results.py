"""Which attempt counts (highest or last) and an exam's results per examinee."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from exams.models import AttemptCounting, AttemptState, ReleaseRule
from exams.selectors.results import counted_attempt, exam_results
from exams.services.grading import answer_grade
from tests.exams.delivery_support import objective_blueprint, published_exam
from tests.exams.grading_support import NOW, essay_answer, new_officer, sit

pytestmark = pytest.mark.django_db


def _three_attempts(exam, officer, trainer, scores):
    """Three attempts, one hour apart, whose short answers are graded ``scores`` (objective part 0)."""
    attempts = []
    for hour, score in enumerate(scores):
        attempt = sit(exam, officer, now=NOW + datetime.timedelta(hours=hour), objective=False)
        if score is not None:
            answer_grade(answer=essay_answer(attempt), score=score, comment="", grader=trainer)
        attempts.append(attempt)
    return attempts


@pytest.fixture
def blueprint():
    return objective_blueprint(short_answer=True)


def _exam(blueprint, officer, counts):
    return published_exam(
        blueprint,
        officer,
        now=NOW,
        attempts_allowed=3,
        counts=counts,
        closes_at=NOW + datetime.timedelta(hours=5),
        release_rule=ReleaseRule.AFTER_GRADING,
    )


def test_the_highest_score_counts_and_a_paper_waiting_for_grading_does_not(blueprint, officer, trainer):
    exam = _exam(blueprint, officer, AttemptCounting.HIGHEST)
    first, second, third = _three_attempts(exam, officer, trainer, ["8", "15", None])

    counted = counted_attempt(exam, officer)

    assert counted == second
    assert counted.score == Decimal("15.00")
    third.refresh_from_db()
    assert third.state == AttemptState.SUBMITTED


def test_of_equal_highest_scores_the_earlier_attempt_counts(blueprint, officer, trainer):
    exam = _exam(blueprint, officer, AttemptCounting.HIGHEST)
    first, second, third = _three_attempts(exam, officer, trainer, ["12", "12", "4"])

    assert counted_attempt(exam, officer) == first


def test_the_last_graded_attempt_counts_even_when_it_is_lower(blueprint, officer, trainer):
    exam = _exam(blueprint, officer, AttemptCounting.LAST)
    first, second, third = _three_attempts(exam, officer, trainer, ["18", "6", None])

    assert counted_attempt(exam, officer) == second

    answer_grade(answer=essay_answer(third), score="10", comment="", grader=trainer)
    assert counted_attempt(exam, officer) == third


def test_no_attempt_counts_before_any_result(blueprint, officer, trainer):
    exam = _exam(blueprint, officer, AttemptCounting.HIGHEST)
    sit(exam, officer, objective=False)

    assert counted_attempt(exam, officer) is None


def test_exam_results_list_every_examinee_with_the_counted_attempt(blueprint, officer, station, trainer):
    exam = _exam(blueprint, officer, AttemptCounting.HIGHEST)
    absent = new_officer(station, police_number="299999")
    exam.invitations.create(officer=absent)
    _three_attempts(exam, officer, trainer, ["8", "15", None])

    rows = {row.officer: row for row in exam_results(exam)}

    assert set(rows) == {officer, absent}
    assert rows[officer].score == Decimal("15.00")
    assert rows[officer].passed is False  # 15 of 120, pass mark 60
    assert len(rows[officer].attempts) == 3
    assert rows[officer].waiting_for_grading is True
    assert (rows[absent].counted, rows[absent].attempts, rows[absent].score) == (None, [], None)
