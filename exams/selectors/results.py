"""Which attempt counts (计分规则), and an exam's results per examinee — for HR and certification.

``Exam.counts`` decides, among an officer's attempts that have a result (graded or released):
- ``highest``: the best score; of equal scores, the earlier attempt (it reached the score first);
- ``last``: the latest attempt that has a result.
An attempt still waiting for a grader, in progress or expired does not count yet: while a later
attempt waits for grading, the result so far stands. Whether the officer may already SEE the
result is another question (``Attempt.state == released``); these reads are for staff.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from exams.models import Attempt, AttemptCounting, AttemptState, Exam, ExamKind
from exams.selectors.eligibility import exam_examinees
from people.models import User

RESULT_STATES = (AttemptState.GRADED, AttemptState.RELEASED)


def _pick(exam: Exam, attempts: list[Attempt]) -> Attempt | None:
    with_result = [attempt for attempt in attempts if attempt.state in RESULT_STATES]
    if not with_result:
        return None
    if exam.counts == AttemptCounting.LAST:
        return max(with_result, key=lambda attempt: attempt.number)
    return max(with_result, key=lambda attempt: (attempt.score or Decimal("0"), -attempt.number))


def counted_attempt(exam: Exam, officer: User) -> Attempt | None:
    """The officer's attempt that counts for ``exam`` (see the module docstring); None without a result."""
    return _pick(exam, list(Attempt.objects.filter(exam=exam, officer=officer, state__in=RESULT_STATES)))


def passed_exams(officer: User, year: int) -> list[Attempt]:
    """Exams (practice aside) the officer sat in ``year`` whose counted attempt passed and is
    released to them — each as that attempt, its ``exam`` attached, in the order exams were made.
    What the officer's file, the promotion summary and the API call "exams passed"."""
    results = Attempt.objects.filter(officer=officer, state__in=RESULT_STATES).exclude(exam__kind=ExamKind.PRACTICE)
    sat_in_year = results.filter(submitted_at__year=year).values("exam_id")
    attempts: dict[int, list[Attempt]] = defaultdict(list)
    for attempt in results.filter(exam_id__in=sat_in_year).select_related("exam").order_by("exam_id", "number"):
        attempts[attempt.exam_id].append(attempt)
    passed = []
    for exam_attempts in attempts.values():
        counted = _pick(exam_attempts[0].exam, exam_attempts)
        if counted is not None and counted.passed and counted.state == AttemptState.RELEASED:
            passed.append(counted)
    return passed


@dataclass
class ExamResultRow:
    officer: User
    attempts: list[Attempt] = field(default_factory=list)  # every attempt, in order
    counted: Attempt | None = None

    @property
    def score(self) -> Decimal | None:
        return self.counted.score if self.counted else None

    @property
    def passed(self) -> bool | None:
        return self.counted.passed if self.counted else None

    @property
    def waiting_for_grading(self) -> bool:
        return any(attempt.state == AttemptState.SUBMITTED for attempt in self.attempts)


def exam_results(exam: Exam) -> list[ExamResultRow]:
    """One row per examinee — everyone the exam is for, and anyone else who sat it (an officer
    exempted after sitting keeps their row) — with their attempts and the counted one, ordered by
    unit and police number. Three queries whatever the number of examinees."""
    by_officer: dict[int, list[Attempt]] = defaultdict(list)
    for attempt in Attempt.objects.filter(exam=exam).exclude(state=AttemptState.NOT_STARTED).order_by("number"):
        by_officer[attempt.officer_id].append(attempt)
    examinee_ids = set(exam_examinees(exam).values_list("pk", flat=True)) | set(by_officer)
    officers = User.objects.filter(pk__in=examinee_ids).select_related("unit").order_by("unit__name", "police_number")
    return [
        ExamResultRow(officer=officer, attempts=by_officer[officer.pk], counted=_pick(exam, by_officer[officer.pk]))
        for officer in officers
    ]
