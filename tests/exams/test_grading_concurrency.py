"""Two graders saving the same waiting answer at the same moment, on a real database."""

from __future__ import annotations

from decimal import Decimal

import pytest

from exams.models import Answer, AttemptState, ReleaseRule
from exams.services.grading import GradingError, answer_grade
from portal.models import AuditEntry, Notification
from tests.exams.delivery_support import objective_blueprint, published_exam
from tests.exams.grading_support import NOW, essay_answer, sit
from tests.exams.test_delivery_concurrency import run_at_once

pytestmark = pytest.mark.django_db(transaction=True)


def test_of_two_graders_saving_at_once_one_grade_is_kept_and_the_other_is_told(officer, trainer, legal_leader):
    exam = published_exam(
        objective_blueprint(short_answer=True), officer, now=NOW, release_rule=ReleaseRule.AFTER_GRADING
    )
    attempt = sit(exam, officer)
    answer = essay_answer(attempt)
    graders = [(trainer, "18"), (legal_leader, "6")]

    results, errors = run_at_once(
        2,
        lambda i: answer_grade(
            answer=Answer.objects.get(pk=answer.pk), score=graders[i][1], comment="", grader=graders[i][0]
        ),
    )

    assert len(results) == 1
    assert len(errors) == 1 and isinstance(errors[0], GradingError) and errors[0].code == "graded_meanwhile"
    answer.refresh_from_db()
    attempt.refresh_from_db()
    winner = results[0].answer.graded_by
    assert answer.graded_by == winner
    assert attempt.score == Decimal("100.00") + answer.score
    assert attempt.state == AttemptState.RELEASED
    assert attempt.transitions.filter(to_state=AttemptState.GRADED).count() == 1
    assert AuditEntry.objects.filter(action__startswith="exams.answer.").count() == 1
    assert Notification.objects.filter(recipient=officer, kind="exams.result.released").count() == 1
