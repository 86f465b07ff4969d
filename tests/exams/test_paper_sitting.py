"""Paper sittings (线下考试): entry by grid and spreadsheet, scored exactly like online attempts."""

from __future__ import annotations

import pytest

from exams.models import Answer, Attempt, AttemptMode, AttemptState, AttemptTransition
from exams.services.delivery import answer_save, attempt_start, attempt_submit
from exams.services.paper_sitting import PaperSheet, paper_entries_import, paper_sheets_enter
from portal.models import AuditEntry
from tests.exams.paper_sitting_support import fixed_paper_exam, printed_entry, workbook
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _items(exam):
    return list(exam.fixed_paper.items.select_related("question_version").order_by("position"))


def _sheet(exam, officer, *, right_positions, row=0):
    entries = {item.position: printed_entry(item, right=item.position in right_positions) for item in _items(exam)}
    return PaperSheet(officer.police_number, "A", entries, row=row)


def test_grid_entry_scores_exactly_like_the_same_answers_online(officer, squad_officer, trainer):
    exam = fixed_paper_exam(officer, squad_officer, attempts_allowed=2)
    items = _items(exam)
    right = {item.position for item in items if item.position % 2}
    online = attempt_start(exam=exam, officer=squad_officer)
    for seq, item in enumerate(items, start=1):
        entered = printed_entry(item, right=item.position in right)
        from exams.services.paper_sitting import entry_response

        answer_save(attempt=online, item_id=item.pk, response=entry_response(item, entered), client_seq=seq)
    online = attempt_submit(attempt=online, actor=squad_officer)

    result = paper_sheets_enter(exam=exam, sheets=[_sheet(exam, officer, right_positions=right)], actor=trainer)
    assert not result.problems
    [paper] = result.entered
    assert paper.mode == AttemptMode.PAPER
    assert paper.state in (AttemptState.GRADED, AttemptState.RELEASED)
    assert paper.score == online.score and paper.passed == online.passed
    assert 0 < paper.score < 100
    by_item = lambda attempt: {a.paper_item_id: (a.score, a.correct) for a in Answer.objects.filter(attempt=attempt)}  # noqa: E731
    assert by_item(paper) == by_item(online)
    transitions = list(
        AttemptTransition.objects.filter(attempt=paper).values_list("from_state", "to_state", "reason", "actor")
    )
    assert transitions[:2] == [
        ("not_started", "in_progress", "paper", trainer.pk),
        ("in_progress", "submitted", "paper", trainer.pk),
    ]
    assert paper.started_at == exam.opens_at
    assert AuditEntry.objects.filter(action="exams.attempt.paper_entered").count() == 1


def test_entering_the_same_officer_twice_is_reported_not_doubled(officer, trainer):
    exam = fixed_paper_exam(officer, attempts_allowed=3)
    sheet = _sheet(exam, officer, right_positions={1, 2, 3})
    first = paper_sheets_enter(exam=exam, sheets=[sheet], actor=trainer)
    again = paper_sheets_enter(exam=exam, sheets=[sheet], actor=trainer)
    assert len(first.entered) == 1 and not again.entered
    assert [attempt.pk for _sheet, attempt in again.skipped] == [first.entered[0].pk]
    assert Attempt.objects.filter(exam=exam, officer=officer).count() == 1


def test_short_answer_mark_is_a_graders_grade_and_the_attempt_ends_graded(officer, trainer):
    exam = fixed_paper_exam(officer, short_answer=True)
    result = paper_sheets_enter(
        exam=exam, sheets=[_sheet(exam, officer, right_positions=set(range(1, 20)))], actor=trainer
    )
    [attempt] = result.entered
    assert attempt.state in (AttemptState.GRADED, AttemptState.RELEASED)
    assert attempt.score == 120
    short = Answer.objects.get(attempt=attempt, paper_item__question_type="short_answer")
    assert short.graded_by == trainer and short.score == 20
