"""Helpers for the random-test sampling tests: a random exam, officers in units, a saved plan."""

from __future__ import annotations

import datetime

from django.utils import timezone

from exams.models import Exam, ExamKind, ExamStatus, QuotaKind
from exams.services import blueprint_create
from exams.services.sampling import QuotaSpec, sampling_plan_save
from people.models.audience import AudienceSpec, Position
from tests.exams.papers_support import make_bank, one_section_spec, rule
from tests.factories import UserFactory


def random_exam(*, now: datetime.datetime | None = None, kind: str = ExamKind.RANDOM, **fields) -> Exam:
    """A draft random ability test opening in a day, over a two-question blueprint."""
    now = now or timezone.now()
    make_bank(3)
    blueprint = blueprint_create(spec=one_section_spec(rule(count=2, points="50")), actor=None)
    values = {
        "title": "2026年执法能力随机测试",
        "kind": kind,
        "blueprint": blueprint,
        "opens_at": now + datetime.timedelta(days=1),
        "closes_at": now + datetime.timedelta(days=8),
        "duration_minutes": 60,
        "status": ExamStatus.DRAFT,
        **fields,
    }
    return Exam.objects.create(**values)


def officers(unit, count: int, **fields) -> list:
    return [UserFactory(unit=unit, **fields) for _ in range(count)]


def middle_leaders(fraction=(1, 3)) -> QuotaSpec:
    return QuotaSpec(
        kind=QuotaKind.POSITION_FRACTION,
        officer_position=Position.MIDDLE_LEADER,
        numerator=fraction[0],
        denominator=fraction[1],
    )


def per_unit(count: int, unit=None) -> QuotaSpec:
    return QuotaSpec(kind=QuotaKind.PER_UNIT, count=count, unit=unit)


def proportional(count: int, unit=None) -> QuotaSpec:
    return QuotaSpec(kind=QuotaKind.PROPORTIONAL, count=count, unit=unit)


def save_plan(exam, *quotas: QuotaSpec, units=(), actor=None, **fields):
    return sampling_plan_save(
        exam=exam, audience=AudienceSpec(units_with_subtree=tuple(units)), quotas=list(quotas), actor=actor, **fields
    )
