"""Helpers for the court-attendance and points tests: sequence membership with a requirement, an
attendance in a given state, a case record, a released exam result."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from certification.models import AttendanceState, CourtAttendance, CourtRequirement, PointsSequence, Sequence
from exams.models import Attempt, AttemptState
from exams.services.delivery import attempt_start, attempt_submit
from tests.exams.delivery_support import objective_blueprint, published_exam


def this_year() -> int:
    return timezone.localdate().year


def in_sequence(*officers, required: int = 2, points_each: str = "1.5", year: int | None = None) -> CourtRequirement:
    for officer in officers:
        PointsSequence.objects.update_or_create(officer=officer, defaults={"sequence": Sequence.CASE_HANDLING})
    requirement, _created = CourtRequirement.objects.update_or_create(
        year=year or this_year(),
        sequence=Sequence.CASE_HANDLING,
        defaults={"required": required, "points_each": Decimal(points_each)},
    )
    return requirement


def attendance(officer, *, state: str = AttendanceState.SUBMITTED, date: datetime.date | None = None, **fields):
    values = {"court": "西湖区人民法院", "case": "张某盗窃案", **fields}
    return CourtAttendance.objects.create(
        officer=officer, date=date or timezone.localdate().replace(month=1, day=15), state=state, **values
    )


def released_attempt(exam, officer, *, passed: bool, score: int | None = None) -> Attempt:
    """An attempt through the delivery engine, then marked released with the result (as grading and
    release would)."""
    attempt = attempt_start(exam=exam, officer=officer)
    attempt = attempt_submit(attempt=attempt, actor=officer)
    Attempt.objects.filter(pk=attempt.pk).update(
        state=AttemptState.RELEASED,
        passed=passed,
        score=score if score is not None else (90 if passed else 40),
        graded_at=timezone.now(),
        released_at=timezone.now(),
    )
    attempt.refresh_from_db()
    return attempt


def formal_exam(*officers, blueprint=None, **fields):
    fields.setdefault("title", "年度执法知识考试")
    return published_exam(blueprint or objective_blueprint(), *officers, **fields)
