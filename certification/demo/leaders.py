"""Demo reminder talks (提醒谈话) for middle leaders. Runs after ``exams.demo.build``, whose random
ability test drew at least a third of the branch's middle leaders.

The result hook runs over the graded attempts of the test's middle leaders who failed or scored
below the policy's low score, so the talks appear as they would in production. Before that, the
first of them who failed (by police number; else the first who scored low) is given a held talk of
the previous year, so their result this year raises a flag for organisational measures instead
(when the hook already raised a talk for that result during grading, that talk is replaced).
The first talk of this year is then recorded as held by the legal-brigade leader; the others stay
to be held.

Without such a leader (no question bank, or nobody failed), the same three stories are written
directly on the first middle leaders in service by police number, without exam attempts.

Idempotent and deterministic: records are looked up before they are written, and the hook itself
raises one talk or flag per attempt.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from certification.models import CertificationPolicy, OrganisationalFlag, ReminderTalk
from certification.services.leaders import exam_year, leader_result_hook, reminder_talk_record
from exams.models import Attempt, AttemptState, Exam
from people.models import Role, User
from people.selectors import officers_in_audience

if TYPE_CHECKING:
    from portal.demo import DemoContext

TALK_LABEL = _("reminder talks")
FLAG_LABEL = _("organisational-measures flags")

EARLIER_REASON = "{year}年度执法能力随机测试成绩低于70分（示范）"
EARLIER_SUMMARY = "指出其执法办案法律知识更新不及时，要求年内参加两次以上法制培训并结合分管案件复盘。"
EARLIER_FOLLOW_UP = "由法制大队每季度抽查其审批案件一次。"
HELD_SUMMARY = "与其谈话，分析测试失分集中在行政处罚程序和证据规则，本人表示将加强学习。"
HELD_FOLLOW_UP = "一个月内完成错题本全部练习；下次随机测试重点关注。"
MANUAL_REASON = "年度集中测试成绩偏低（示范，未关联考试记录）"
FLAG_REASON = "提醒谈话后再次测试不合格（示范，未关联考试记录）"


def _legal_leader(ctx: DemoContext) -> User | None:
    return (
        ctx.accounts.get("legal_leader")
        or User.objects.filter(is_active=True, groups__name=Role.LEGAL_LEADER).order_by("police_number").first()
    )


def _earlier_talk(ctx: DemoContext, officer: User, year: int, leader: User | None) -> None:
    """A held talk of the previous year, written directly (it predates the platform's records)."""
    if ReminderTalk.objects.filter(officer=officer, year=year - 1, attempt__isnull=True).exists():
        return
    ReminderTalk.objects.create(
        officer=officer,
        year=year - 1,
        reason=EARLIER_REASON.format(year=year - 1),
        talk_date=datetime.date(year - 1, 12, 10),
        talked_by=leader,
        summary=EARLIER_SUMMARY,
        follow_up=EARLIER_FOLLOW_UP,
        created_at=timezone.make_aware(datetime.datetime(year - 1, 12, 1, 9, 0)),
    )
    ctx.created(TALK_LABEL)


def _record_held(ctx: DemoContext, talk: ReminderTalk, leader: User | None, day: datetime.date) -> None:
    if talk.talk_date is not None or leader is None:
        return
    reminder_talk_record(
        talk=talk,
        talk_date=day,
        talked_by=leader,
        summary=HELD_SUMMARY,
        follow_up=HELD_FOLLOW_UP,
        actor=leader,
        today=ctx.today,
    )
    ctx.updated(TALK_LABEL)


def _from_random_test(ctx: DemoContext, leader: User | None) -> bool:
    """Talks from the demo random test's results; False when it has no middle leader to talk to."""
    from exams.demo.sampling import TITLE

    exam = Exam.objects.filter(title=TITLE).first()
    if exam is None:
        return False
    low = CertificationPolicy.current().leader_low_score
    attempts = [
        attempt
        for attempt in Attempt.objects.filter(
            exam=exam, officer__is_middle_leader=True, state__in=(AttemptState.GRADED, AttemptState.RELEASED)
        )
        .select_related("officer", "exam")
        .order_by("officer__police_number", "number")
        if attempt.passed is False or (attempt.score is not None and attempt.score < low)
    ]
    if not attempts:
        return False
    year = exam_year(exam)
    again = next((attempt for attempt in attempts if attempt.passed is False), attempts[0])
    if not ReminderTalk.objects.filter(officer=again.officer, year=year - 1).exists():
        # The hook already ran when the test was graded, before last year's talk was on record:
        # the talk it raised then is replaced by what the history calls for (a flag).
        ReminderTalk.objects.filter(attempt=again, talk_date__isnull=True).delete()
    _earlier_talk(ctx, again.officer, year, leader)

    talks_before = ReminderTalk.objects.count()
    flags_before = OrganisationalFlag.objects.count()
    for attempt in attempts:
        leader_result_hook(attempt=attempt)
    ctx.created(TALK_LABEL, ReminderTalk.objects.count() - talks_before)
    ctx.created(FLAG_LABEL, OrganisationalFlag.objects.count() - flags_before)

    talks = ReminderTalk.objects.filter(attempt__exam=exam).exclude(officer=leader).order_by("officer__police_number")
    first = talks.first()
    if first is not None:
        closed = timezone.localtime(exam.closes_at).date()
        _record_held(ctx, first, leader, min(ctx.today, closed + datetime.timedelta(days=3)))
    return True


def _direct(ctx: DemoContext, leader: User | None) -> None:
    """No result to raise talks from: one talk held, one to be held, one flag after a talk of the
    previous year, on the first three middle leaders in service by police number."""
    year = ctx.today.year
    officers = list(officers_in_audience().filter(is_middle_leader=True).order_by("police_number")[:3])
    if len(officers) < 3:
        return
    held_by, pending_for, flagged = officers
    for officer in (held_by, pending_for):
        talk = ReminderTalk.objects.filter(officer=officer, year=year, reason=MANUAL_REASON).first()
        if talk is None:
            talk = ReminderTalk.objects.create(officer=officer, year=year, reason=MANUAL_REASON)
            ctx.created(TALK_LABEL)
        if officer is held_by:
            _record_held(ctx, talk, leader, ctx.today - datetime.timedelta(days=7))
    _earlier_talk(ctx, flagged, year, leader)
    if not OrganisationalFlag.objects.filter(officer=flagged, year=year, reason=FLAG_REASON).exists():
        earlier = ReminderTalk.objects.get(officer=flagged, year=year - 1, attempt__isnull=True)
        OrganisationalFlag.objects.create(officer=flagged, year=year, talk=earlier, reason=FLAG_REASON)
        ctx.created(FLAG_LABEL)


def build(ctx: DemoContext) -> None:
    leader = _legal_leader(ctx)
    if not _from_random_test(ctx, leader):
        _direct(ctx, leader)
