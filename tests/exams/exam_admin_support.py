"""Helpers for the exam-arrangement tests: a valid ``ExamSpec``."""

from __future__ import annotations

import datetime

from django.utils import timezone

from exams.services.exams import ExamSpec
from people.models.audience import AudienceSpec


def exam_spec(blueprint, *, now: datetime.datetime | None = None, **overrides) -> ExamSpec:
    """An exam opening in a day for two hours, 60 minutes, on ``blueprint`` (100 points)."""
    now = now or timezone.now()
    values = {
        "title": "2026年第一季度法律知识考试",
        "blueprint": blueprint,
        "opens_at": now + datetime.timedelta(days=1),
        "closes_at": now + datetime.timedelta(days=1, hours=2),
        "duration_minutes": 60,
        "audience": AudienceSpec(),
        **overrides,
    }
    return ExamSpec(**values)
