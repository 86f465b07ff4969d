"""Helpers for the middle-leader tests: random ability tests, graded attempts and sampled leaders."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.test import override_settings
from django.utils import timezone

from exams.models import Attempt, AttemptState, ExamKind, SampledOfficer, SampleOutcome, SamplingPlan, SamplingStatus
from exams.services.delivery import attempt_start, attempt_submit
from tests.exams.delivery_support import objective_blueprint, published_exam
from tests.factories import UserFactory


def middle_leader(unit, police_number: str, **fields):
    return UserFactory(police_number=police_number, unit=unit, is_middle_leader=True, **fields)


def random_exam(*officers, blueprint=None, kind=ExamKind.RANDOM, title="2026年执法能力随机测试"):
    """A published test open now, for ``officers``; random unless ``kind`` says otherwise."""
    return published_exam(blueprint or objective_blueprint(), *officers, kind=kind, title=title)


def graded(exam, officer, *, score, passed: bool | None = None, submitted_ago: int = 0) -> Attempt:
    """An attempt sat through the delivery engine, then given ``score`` (passed against the pass
    mark unless said) as grading would; ``submitted_ago`` minutes moves its submission back. The
    result hooks do not run on the blank submission: each test calls the hook it is about."""
    score = Decimal(str(score))
    with override_settings(EXAMS_RESULT_HOOKS=[]):
        attempt = attempt_submit(attempt=attempt_start(exam=exam, officer=officer), actor=officer)
    Attempt.objects.filter(pk=attempt.pk).update(
        state=AttemptState.GRADED,
        score=score,
        passed=score >= exam.pass_mark if passed is None else passed,
        graded_at=timezone.now(),
        submitted_at=timezone.now() - datetime.timedelta(minutes=submitted_ago),
    )
    attempt.refresh_from_db()
    return attempt


def sampled(exam, *officers) -> SamplingPlan:
    """A confirmed sampling plan of ``exam`` that drew ``officers``."""
    plan = SamplingPlan.objects.create(exam=exam, status=SamplingStatus.CONFIRMED, seed=1)
    SampledOfficer.objects.bulk_create(
        [
            SampledOfficer(plan=plan, officer=officer, order=index, was_middle_leader=officer.is_middle_leader)
            for index, officer in enumerate(officers, start=1)
        ]
    )
    return plan


def mark_tested(plan: SamplingPlan, *officers) -> None:
    SampledOfficer.objects.filter(plan=plan, officer__in=officers).update(outcome=SampleOutcome.TESTED)
