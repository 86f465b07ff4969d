"""Exam delivery under concurrent requests, on a real on-disk database (SQLite file or PostgreSQL):
parallel submits give one submission and one result; parallel starts give one attempt; parallel
saves keep the newest."""

from __future__ import annotations

import random
import threading
from collections.abc import Callable

import pytest
from django.db import connection

from exams.models import Answer, Attempt, AttemptState, AttemptTransition, ReleaseRule
from exams.services import answer_save, attempt_start, attempt_submit
from portal.models import AuditEntry
from tests.exams.delivery_support import correct_response, objective_blueprint, published_exam

pytestmark = pytest.mark.django_db(transaction=True)


def run_at_once(count: int, work: Callable[[int], object]) -> tuple[list, list[BaseException]]:
    """Run ``work(i)`` in ``count`` threads released together; each thread closes its connection."""
    barrier = threading.Barrier(count)
    results, errors = [], []
    lock = threading.Lock()

    def worker(index: int) -> None:
        try:
            barrier.wait()
            outcome = work(index)
            with lock:
                results.append(outcome)
        except BaseException as error:  # noqa: BLE001 — reported by the test
            with lock:
                errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results, errors


def test_twenty_parallel_submits_give_exactly_one_submission_and_one_result(officer):
    exam = published_exam(objective_blueprint(), officer, release_rule=ReleaseRule.AFTER_CLOSE)
    attempt = attempt_start(exam=exam, officer=officer)
    items = list(attempt.paper.items.select_related("question_version"))
    for seq, item in enumerate(items, start=1):
        answer_save(attempt=attempt, item_id=item.pk, response=correct_response(item), client_seq=seq)

    results, errors = run_at_once(
        20, lambda _i: attempt_submit(attempt=Attempt.objects.get(pk=attempt.pk), actor=officer)
    )

    assert errors == []
    assert len(results) == 20
    attempt.refresh_from_db()
    assert attempt.state == AttemptState.GRADED
    assert {(r.state, r.score, r.submitted_at) for r in results} == {
        (AttemptState.GRADED, attempt.score, attempt.submitted_at)
    }
    assert AttemptTransition.objects.filter(attempt=attempt, to_state=AttemptState.SUBMITTED).count() == 1
    assert AttemptTransition.objects.filter(attempt=attempt, to_state=AttemptState.GRADED).count() == 1
    assert AuditEntry.objects.filter(action="exams.attempt.submitted", target_id=str(attempt.pk)).count() == 1
    assert AuditEntry.objects.filter(action="exams.attempt.graded", target_id=str(attempt.pk)).count() == 1
    assert str(attempt.score) == "100.00"


def test_parallel_starts_give_one_attempt(officer):
    exam = published_exam(objective_blueprint(), officer)

    results, errors = run_at_once(6, lambda _i: attempt_start(exam=exam, officer=officer).pk)

    assert errors == []
    assert Attempt.objects.filter(exam=exam, officer=officer).count() == 1
    assert set(results) == {Attempt.objects.get().pk}


def test_parallel_saves_of_one_question_keep_the_newest(officer):
    exam = published_exam(objective_blueprint(), officer)
    attempt = attempt_start(exam=exam, officer=officer)
    item = attempt.paper.items.order_by("position").first()
    sequence = list(range(1, 13))
    random.Random(7).shuffle(sequence)

    _results, errors = run_at_once(
        len(sequence),
        lambda i: answer_save(attempt=attempt, item_id=item.pk, response=f"seq {sequence[i]}", client_seq=sequence[i]),
    )

    assert errors == []
    stored = Answer.objects.get(attempt=attempt, paper_item=item)
    assert (stored.client_seq, stored.response) == (12, "seq 12")
