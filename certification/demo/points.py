"""Demo data for court-hearing attendance and the points ledger: the 2-a-year requirement of the
执法办案积分序列, about forty officers in the sequence (the first by police number, 张伟 among
them), attendance in every state (张伟 with 1 of 2 verified), rebuilt ledgers, and the over-50
indicator target with officers on and off it.

Runs after the qualifications and pathway demos (their qualifications and case records feed the
ledgers). Idempotent: an officer who already has attendance this year, or figures for the year,
is left alone; the ledger rebuild changes nothing the second time.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from certification.models import (
    AttendanceState,
    CaseHandlingIndicator,
    CourtAttendance,
    CourtRequirement,
    CourtRole,
    IndicatorTarget,
    PointsSequence,
    Sequence,
)
from certification.services.points import points_rebuild_all
from people.models import Category, OfficerStatus, User
from portal.demo import DemoContext

SEQUENCE_SIZE = 40
COURTS = ["杭州市西湖区人民法院", "杭州市中级人民法院", "杭州市上城区人民法院", "杭州铁路运输法院"]
CASES = ["王某盗窃案", "李某故意伤害案", "陈某诈骗案", "赵某寻衅滋事案", "孙某危险驾驶案", "周某非法经营案"]
REJECT_REASONS = ["未上传旁听证明，请补充法院旁听证或庭审照片", "旁听日期与法院排期不符"]

# Per member (by position in the sequence, cycling): the states of their attendance this year.
PATTERNS = [
    [AttendanceState.VERIFIED, AttendanceState.VERIFIED],
    [AttendanceState.VERIFIED, AttendanceState.SUBMITTED],
    [AttendanceState.REJECTED, AttendanceState.SUBMITTED],
    [],
    [AttendanceState.VERIFIED, AttendanceState.VERIFIED, AttendanceState.SUBMITTED],
    [AttendanceState.SUBMITTED],
]


def _members() -> list[User]:
    return list(
        User.objects.filter(category=Category.OFFICER, is_active=True, is_new_officer=False)
        .exclude(status=OfficerStatus.LEFT)
        .exclude(police_number="admin")
        .order_by("police_number")[:SEQUENCE_SIZE]
    )


def _day(ctx: DemoContext, rng, *, earliest: datetime.date) -> datetime.date:
    span = max(0, (ctx.today - earliest).days)
    return earliest + datetime.timedelta(days=rng.randint(0, span))


def _attend(ctx, officer, state, rng, reviewer) -> None:
    year_start = datetime.date(ctx.today.year, 1, 1)
    reviewed = state != AttendanceState.SUBMITTED
    day = _day(ctx, rng, earliest=year_start)
    CourtAttendance.objects.create(
        officer=officer,
        date=day,
        court=rng.choice(COURTS),
        case=rng.choice(CASES),
        role=CourtRole.OBSERVER,
        note="单位组织旁听",
        state=state,
        reviewed_by=reviewer if reviewed else None,
        reviewed_at=timezone.make_aware(datetime.datetime.combine(day, datetime.time(16))) if reviewed else None,
        reject_reason=rng.choice(REJECT_REASONS) if state == AttendanceState.REJECTED else "",
        created_at=timezone.make_aware(datetime.datetime.combine(day, datetime.time(12))),
    )
    ctx.created(_("court-hearing attendance records"))


def build(ctx: DemoContext) -> None:
    if "officer" not in ctx.accounts or "trainer" not in ctx.accounts:
        return  # the demo accounts are not there
    rng = ctx.random_for("certification.points")
    reviewer = ctx.accounts["trainer"]
    year = ctx.today.year

    _requirement, created = CourtRequirement.objects.get_or_create(
        year=year, sequence=Sequence.CASE_HANDLING, defaults={"required": 2, "points_each": Decimal("1")}
    )
    if created:
        ctx.created(_("court-attendance requirements"))

    officer001 = ctx.accounts["officer"]
    members = _members()
    if officer001 not in members:
        members = [officer001, *members[: SEQUENCE_SIZE - 1]]
    in_sequence = set(PointsSequence.objects.values_list("officer_id", flat=True))
    for officer in members:
        if officer.pk not in in_sequence:
            PointsSequence.objects.create(
                officer=officer, sequence=Sequence.CASE_HANDLING, since=datetime.date(year, 1, 1)
            )
            ctx.created(_("points sequence memberships"))

    attended = set(CourtAttendance.objects.filter(date__year=year).values_list("officer_id", flat=True))
    for index, officer in enumerate(members):
        if officer.pk in attended:
            continue
        # 张伟: one verified hearing of the two required.
        states = [AttendanceState.VERIFIED] if officer.pk == officer001.pk else PATTERNS[index % len(PATTERNS)]
        for state in states:
            _attend(ctx, officer, state, rng, reviewer)

    target, created = IndicatorTarget.objects.get_or_create(
        year=year, defaults={"min_age": 50, "cases_required": 10, "incidents_required": 30}
    )
    if created:
        ctx.created(_("case-handling indicator targets"))
    born_by = datetime.date(year - target.min_age, 12, 31)
    over_age = User.objects.filter(is_active=True, birth_date__lte=born_by).exclude(police_number="admin")
    entered = set(CaseHandlingIndicator.objects.filter(year=year).values_list("officer_id", flat=True))
    for index, officer in enumerate(over_age.order_by("police_number")):
        if officer.pk in entered or index % 4 == 3:
            continue  # every fourth has no figures yet
        on_target = index % 4 != 1
        CaseHandlingIndicator.objects.create(
            officer=officer,
            year=year,
            cases_handled=rng.randint(10, 18) if on_target else rng.randint(3, 9),
            incidents_responded=rng.randint(30, 60) if on_target else rng.randint(12, 40),
            updated_by=reviewer,
        )
        ctx.created(_("case-handling indicators"))

    changes = points_rebuild_all(year)
    if changes:
        ctx.updated(_("point entries"), changes)
