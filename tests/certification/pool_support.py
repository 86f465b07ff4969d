"""Helpers for the reserve talent pool tests: basis qualifications, members in each state, activities."""

from __future__ import annotations

import datetime

from django.utils import timezone

from certification.models import QualificationSource
from certification.services.pool import pool_decide, pool_nominate
from tests.certification.qualification_support import grant


def today() -> datetime.date:
    return timezone.localdate()


def days_ago(days: int) -> datetime.date:
    return today() - datetime.timedelta(days=days)


def basis(officer, code: str = "legal_profession", *, leader, granted_on=None):
    """A valid basis qualification granted by a leader's hand (no approval step)."""
    return grant(
        officer, code, actor=leader, source=QualificationSource.MANUAL, reason="档案录入", granted_on=granted_on
    )


def nominated(officer, *, trainer, leader, code: str = "legal_profession"):
    return pool_nominate(officer=officer, basis=basis(officer, code, leader=leader), reason="推荐", actor=trainer)


def member(officer, *, trainer, leader, code: str = "legal_profession", started_days_ago: int = 0):
    """An active member since ``started_days_ago`` days."""
    from certification.models import ReserveMember

    joined = pool_decide(
        member=nominated(officer, trainer=trainer, leader=leader, code=code), approve=True, note="", actor=leader
    )
    if started_days_ago:
        ReserveMember.objects.filter(pk=joined.pk).update(started_on=days_ago(started_days_ago))
        joined.refresh_from_db()
    return joined
