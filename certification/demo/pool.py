"""Demo reserve talent pool (法制后备人才库) for `manage.py seed_demo`; runs after
``certification.demo.qualifications.build``.

- Three founding members, in the pool for about ten months: officers whose 法律职业资格 was entered
  from the paper archive (granted years ago, chosen by police number among officers holding no
  basis yet). One of them has their basis suspended today and the nightly review ends the
  membership with the reason.
- Up to three officers who hold a valid 法律职业资格 or 高级执法资格 from the qualifications demo
  (by police number) nominated and approved today; the next one nominated and awaiting a leader.
- Three activities (调研, two 案件研讨) in the last four months with the founding members'
  attendance in every state.

Idempotent by state: each part counts what the demo already made (by its fixed nomination reasons
and activity titles) and adds only what is missing.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from certification.models import (
    ActivityKind,
    AttendanceStatus,
    MemberStatus,
    PoolActivity,
    PoolAttendance,
    Qualification,
    QualificationSource,
    QualificationStatus,
    QualificationType,
    ReserveMember,
)
from certification.selectors.pool import BASIS_CODES, officer_valid_bases, officers_in_service, pool_candidates
from certification.services.pool import (
    pool_activity_create,
    pool_attendance_record,
    pool_decide,
    pool_memberships_review,
    pool_nominate,
)
from certification.services.qualifications import qualification_grant, qualification_suspend

if TYPE_CHECKING:
    from portal.demo import DemoContext

LABEL = _("reserve pool memberships")
ACTIVITY_LABEL = _("reserve pool activities")
ATTENDANCE_LABEL = _("reserve pool attendance records")
QUALIFICATION_LABEL = _("qualification records")

FOUNDING_REASON = "首批入库：通过司法考试，长期承担疑难案件法律审核"
NEW_REASON = "持有效资格，所在单位推荐，法制大队审核同意提名"
PENDING_REASON = "持有效资格，本人申请入库，待领导审批"
ARCHIVE_REASON = "系统上线前取得，按纸质档案录入"
SUSPEND_REASON = "涉嫌执法过错，调查期间暂停"
FOUNDING_DAYS = 300
FOUNDING, NEW = 3, 3

ACTIVITIES = [
    (
        "行政案件办理中的证据规则调研",
        ActivityKind.RESEARCH,
        110,
        "分局法制大队会议室",
        "走访三个派出所，梳理行政案件证据收集中的常见问题，形成调研报告初稿。",
    ),
    (
        "盗窃案件定性疑难问题研讨",
        ActivityKind.CASE_DISCUSSION,
        55,
        "北山派出所会议室",
        "围绕两起入户盗窃与盗窃未遂的定性争议进行讨论，统一办案口径。",
    ),
    (
        "行政诉讼败诉案件复盘研讨",
        ActivityKind.CASE_DISCUSSION,
        14,
        "分局法制大队会议室",
        "复盘一起因程序瑕疵败诉的行政诉讼案件，提出执法程序改进意见。",
    ),
]
# Attendance of the founding members (in police-number order) at each activity, in every state.
ATTENDANCE = [
    [(AttendanceStatus.PRESENT, ""), (AttendanceStatus.PRESENT, ""), (AttendanceStatus.PRESENT, "")],
    [(AttendanceStatus.PRESENT, ""), (AttendanceStatus.EXCUSED, "出差办案，事先请假"), (AttendanceStatus.PRESENT, "")],
    [(AttendanceStatus.PRESENT, ""), (AttendanceStatus.PRESENT, ""), (AttendanceStatus.ABSENT, "未请假缺席")],
]


def _at(ctx, days: int) -> datetime.datetime:
    day = ctx.today - datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(9, 30)))


def build(ctx: DemoContext) -> None:
    trainer, leader = ctx.accounts["trainer"], ctx.accounts["legal_leader"]
    founding = _founding(ctx, trainer, leader)
    _new_members(ctx, trainer, leader)
    _activities(ctx, trainer, founding)
    _end_one(ctx, leader, founding)


def _officers_without_basis(ctx):
    accounts = {account.pk for account in ctx.accounts.values()}
    holders = Qualification.objects.filter(qualification_type__code__in=BASIS_CODES).values("officer")
    return (
        officers_in_service()
        .filter(is_new_officer=False)
        .exclude(pk__in=holders)
        .exclude(pk__in=accounts)
        .exclude(pk__in=ReserveMember.objects.values("officer"))
        .exclude(police_number="admin")
        .order_by("police_number")
    )


def _founding(ctx, trainer, leader) -> list[ReserveMember]:
    """Founding members: archive 法律职业资格 granted years ago, in the pool for ~10 months."""
    members = list(ReserveMember.objects.filter(nomination_reason=FOUNDING_REASON).select_related("officer", "basis"))
    missing = FOUNDING - len(members)
    if missing > 0:
        legal_profession = QualificationType.objects.get(code="legal_profession")
        for offset, officer in enumerate(list(_officers_without_basis(ctx)[:missing])):
            basis = qualification_grant(
                officer=officer,
                qualification_type=legal_profession,
                source=QualificationSource.MANUAL,
                actor=leader,
                granted_on=ctx.today - datetime.timedelta(days=1500 + 200 * offset),
                reason=ARCHIVE_REASON,
            )
            ctx.created(QUALIFICATION_LABEL)
            member = pool_nominate(officer=officer, basis=basis, reason=FOUNDING_REASON, actor=trainer)
            member = pool_decide(member=member, approve=True, note="同意入库", actor=leader)
            ReserveMember.objects.filter(pk=member.pk).update(
                nominated_at=_at(ctx, FOUNDING_DAYS + 10),
                decided_at=_at(ctx, FOUNDING_DAYS),
                started_on=ctx.today - datetime.timedelta(days=FOUNDING_DAYS),
            )
            member.refresh_from_db()
            members.append(member)
            ctx.created(LABEL)
    return sorted(members, key=lambda m: m.officer.police_number)


def _new_members(ctx, trainer, leader) -> None:
    """Holders of the qualifications demo's valid bases join today; the next one waits."""
    accounts = {account.pk for account in ctx.accounts.values()}
    approved = ReserveMember.objects.filter(nomination_reason=NEW_REASON).count()
    pending = ReserveMember.objects.filter(nomination_reason=PENDING_REASON).exists()
    candidates = sorted(
        (c for c in pool_candidates(ctx.today) if c.officer.pk not in accounts),
        key=lambda c: c.officer.police_number,
    )
    for candidate in candidates:
        if approved < NEW:
            member = pool_nominate(officer=candidate.officer, basis=candidate.basis, reason=NEW_REASON, actor=trainer)
            pool_decide(member=member, approve=True, note="同意入库", actor=leader)
            approved += 1
        elif not pending:
            pool_nominate(officer=candidate.officer, basis=candidate.basis, reason=PENDING_REASON, actor=trainer)
            pending = True
        else:
            break
        ctx.created(LABEL)


def _activities(ctx, trainer, founding: list[ReserveMember]) -> None:
    for (title, kind, days_ago, place, summary), plan in zip(ACTIVITIES, ATTENDANCE, strict=True):
        activity = PoolActivity.objects.filter(title=title).first()
        if activity is None:
            activity = pool_activity_create(
                title=title,
                kind=kind,
                date=ctx.today - datetime.timedelta(days=days_ago),
                place=place,
                summary=summary,
                actor=trainer,
            )
            ctx.created(ACTIVITY_LABEL)
        if PoolAttendance.objects.filter(activity=activity).exists():
            continue
        entries = {member.officer_id: state for member, state in zip(founding, plan, strict=False)}
        ctx.created(ATTENDANCE_LABEL, pool_attendance_record(activity=activity, entries=entries, actor=trainer))


def _end_one(ctx, leader, founding: list[ReserveMember]) -> None:
    """The last founding member's basis is suspended; the nightly review ends their membership."""
    if (
        len(founding) < FOUNDING
        or ReserveMember.objects.filter(nomination_reason=FOUNDING_REASON, status=MemberStatus.ENDED).exists()
    ):
        return
    member = founding[-1]
    basis = Qualification.objects.get(pk=member.basis_id)
    if basis.status == QualificationStatus.VALID and len(officer_valid_bases(member.officer, ctx.today)) == 1:
        qualification_suspend(qualification=basis, actor=leader, reason=SUSPEND_REASON)
        ctx.updated(QUALIFICATION_LABEL)
    ctx.updated(LABEL, pool_memberships_review(today=ctx.today))
