"""Demo qualifications for `manage.py seed_demo`: every type across the branch's officers.

- 基本级执法资格 for about half of the regular officers, granted over the last three years, so
  some expire within 30 days, some within 90, and one has expired; 张伟 (officer001) holds one
  expiring within 90 days (his certificate downloads from 我的资格).
- 中级执法资格 for a quarter of those, 高级执法资格 (approved by the legal-brigade leader) for a few.
- 主办民警资格 for experienced officers (10+ years of service) — the mentors of the 123 pathway
  come from them.
- 法律职业资格 and 公职律师 from reviewed evidence, plus one 法律职业资格 still awaiting approval.
- One 基本级 suspended, one 中级 revoked, each with a reason.
- Every valid record has its certificate. The demo 基本级 qualification exam (built by the exams
  demo) is linked to 基本级执法资格.

Records that existed before the system (paper archives) are entered as leader's grants with the
reason "系统上线前取得，按纸质档案录入". Idempotent: an officer who already holds a type is left
alone; randomness comes from the builder's fixed seed.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.core.files.base import ContentFile
from django.utils.translation import gettext_lazy as _

from certification.models import (
    Qualification,
    QualificationExam,
    QualificationSource,
    QualificationStatus,
    QualificationType,
)
from certification.services.qualifications import (
    qualification_approve,
    qualification_grant,
    qualification_revoke,
    qualification_suspend,
    qualifications_expire_and_remind,
)
from exams.demo.delivery import QUALIFICATION_TITLE
from exams.models import Exam, ExamKind
from people.models import Category, OfficerStatus, User

if TYPE_CHECKING:
    from portal.demo import DemoContext

LABEL = _("qualification records")
LINK_LABEL = _("qualification exam links")
ARCHIVE_REASON = "系统上线前取得，按纸质档案录入"


def _days(ctx, days: int) -> datetime.date:
    return ctx.today - datetime.timedelta(days=days)


def _type(code: str) -> QualificationType:
    return QualificationType.objects.get(code=code)


def build(ctx: DemoContext) -> None:
    leader = ctx.accounts["legal_leader"]
    rng = ctx.random_for("certification.qualifications")
    held = set(Qualification.objects.values_list("officer_id", "qualification_type__code"))

    def give(officer: User, code: str, granted_on: datetime.date, **kwargs) -> Qualification | None:
        if (officer.pk, code) in held:
            return None
        held.add((officer.pk, code))
        kwargs.setdefault("source", QualificationSource.MANUAL)
        if kwargs["source"] == QualificationSource.MANUAL:
            kwargs.setdefault("reason", ARCHIVE_REASON)
        record = qualification_grant(
            officer=officer, qualification_type=_type(code), actor=leader, granted_on=granted_on, **kwargs
        )
        ctx.created(LABEL)
        return record

    officers = list(
        User.objects.filter(category=Category.OFFICER, is_new_officer=False, is_active=True)
        .exclude(status=OfficerStatus.LEFT)
        .exclude(police_number="admin")
        .order_by("police_number")
    )
    demo = ctx.accounts
    # 张伟 first: his 基本级 expires within 90 days.
    give(demo["officer"], "basic", _days(ctx, 3 * 365 - 60))
    give(demo["legal_officer"], "basic", _days(ctx, 400))
    give(demo["legal_officer"], "intermediate", _days(ctx, 200))
    give(demo["legal_leader"], "basic", _days(ctx, 900))
    give(demo["legal_leader"], "intermediate", _days(ctx, 700))
    give(demo["legal_leader"], "advanced", _days(ctx, 300))
    give(demo["trainer"], "basic", _days(ctx, 500))
    give(demo["trainer"], "intermediate", _days(ctx, 320))

    others = [o for o in officers if o.pk not in {a.pk for a in demo.values()}]
    rng.shuffle(others)
    basic_holders = others[: len(others) // 2]
    for index, officer in enumerate(basic_holders):
        if index < 3:
            age = 3 * 365 - rng.randint(5, 28)  # expiring within 30 days
        elif index < 8:
            age = 3 * 365 - rng.randint(35, 88)  # within 90 days
        elif index == 8:
            age = 3 * 365 + 20  # past its expiry: the nightly run marks it expired
        else:
            age = rng.randint(20, 3 * 365 - 100)
        give(officer, "basic", _days(ctx, age))
    intermediate_holders = basic_holders[9 : 9 + len(basic_holders) // 4]
    for officer in intermediate_holders:
        give(officer, "intermediate", _days(ctx, rng.randint(10, 700)))
    for officer in intermediate_holders[:3]:
        record = give(officer, "advanced", _days(ctx, 0), source=QualificationSource.EXAM)
        if record is not None and record.status == QualificationStatus.PROPOSED:
            qualification_approve(qualification=record, actor=leader, reason="高级执法资格考试合格")

    veterans = [o for o in officers if o.service_start_date and (ctx.today - o.service_start_date).days >= 10 * 365]
    for officer in veterans[: max(12, len(veterans) // 3)]:
        give(officer, "lead_officer", _days(ctx, rng.randint(100, 2000)))

    _evidence(ctx, give, leader, [o for o in others if o not in basic_holders][:6])
    _suspend_and_revoke(ctx, leader, basic_holders, intermediate_holders)
    _link_exams(ctx)
    qualifications_expire_and_remind(today=ctx.today)


def _evidence(ctx, give, leader, officers: list[User]) -> None:
    """法律职业资格 / 公职律师 from scanned certificates: approved ones and one awaiting approval."""
    plan = [
        ("legal_profession", "2018年国家司法考试合格（A证）", True),
        ("legal_profession", "2020年国家统一法律职业资格考试合格（A类）", True),
        ("public_lawyer", "公职律师证（司法局颁发）", True),
        ("legal_profession", "2025年国家统一法律职业资格考试合格（C类）", False),
    ]
    for officer, (code, note, approve) in zip(officers, plan, strict=False):
        scan = ContentFile(f"{officer.name} {note}（扫描件示例）".encode(), name=f"{code}-{officer.police_number}.pdf")
        record = give(officer, code, ctx.today, source=QualificationSource.EVIDENCE, evidence=scan, evidence_note=note)
        if approve and record is not None and record.status == QualificationStatus.PROPOSED:
            qualification_approve(qualification=record, actor=leader, reason="证书原件已核对")


def _suspend_and_revoke(ctx, leader, basic_holders: list[User], intermediate_holders: list[User]) -> None:
    if len(basic_holders) > 12:
        record = Qualification.objects.get(officer=basic_holders[12], qualification_type__code="basic")
        if record.status == QualificationStatus.VALID and not record.events.filter(action="suspended").exists():
            qualification_suspend(qualification=record, actor=leader, reason="涉嫌执法过错，调查期间暂停")
            ctx.updated(LABEL)
    if len(intermediate_holders) > 4:
        record = Qualification.objects.get(officer=intermediate_holders[4], qualification_type__code="intermediate")
        if record.status == QualificationStatus.VALID and not record.events.filter(action="revoked").exists():
            qualification_revoke(qualification=record, actor=leader, reason="年度执法质量考评发现严重问题，撤销")
            ctx.updated(LABEL)


def _link_exams(ctx) -> None:
    """The exams demo's 基本级 qualification test grants 基本级执法资格 (skipped if it made none)."""
    basic = _type("basic")
    for exam in Exam.objects.filter(kind=ExamKind.QUALIFICATION, title=QUALIFICATION_TITLE):
        _link, created = QualificationExam.objects.get_or_create(exam=exam, defaults={"qualification_type": basic})
        if created:
            ctx.created(LINK_LABEL)
