"""Apps above exams hear about final and changed results through ``EXAMS_RESULT_HOOKS``."""

from __future__ import annotations

import pytest

from exams.services import answer_save, attempt_start, attempt_submit
from tests.exams.delivery_support import correct_response, objective_blueprint, published_exam

pytestmark = pytest.mark.django_db

HEARD: list[tuple[int, bool]] = []


def record_result(*, attempt) -> None:
    HEARD.append((attempt.pk, attempt.passed))


@pytest.fixture
def listening(settings):
    HEARD.clear()
    settings.EXAMS_RESULT_HOOKS = ["tests.exams.test_result_hooks.record_result"]
    yield HEARD
    HEARD.clear()


def test_a_graded_attempt_is_reported_once_with_its_outcome(listening, officer):
    exam = published_exam(objective_blueprint(), officer)
    attempt = attempt_start(exam=exam, officer=officer)
    for seq, item in enumerate(attempt.paper.items.select_related("question_version"), start=1):
        answer_save(attempt=attempt, item_id=item.pk, response=correct_response(item), client_seq=seq)

    attempt_submit(attempt=attempt, actor=officer)
    attempt_submit(attempt=attempt, actor=officer)

    assert listening == [(attempt.pk, True)]


def test_a_failing_hook_undoes_the_grading(settings, officer):
    settings.EXAMS_RESULT_HOOKS = ["tests.exams.test_result_hooks.no_such_hook"]
    exam = published_exam(objective_blueprint(), officer)
    attempt = attempt_start(exam=exam, officer=officer)

    with pytest.raises(ImportError):
        attempt_submit(attempt=attempt, actor=officer)

    attempt.refresh_from_db()
    assert attempt.state == "in_progress"
