"""Demo exams for `manage.py seed_demo`, after the question bank and the blueprints.

- 北山派出所法律知识月考（本月）: a formal exam open now for 北山派出所 and its squads, officer001
  included and not yet started; a few colleagues have started or finished it.
- 北山派出所法律知识月考（上月）: the same exam two weeks ago, closed, with about 60 papers sat
  through the real delivery engine (start, autosave, submit, in the past). The answers are
  realistic — most right, some wrong, a few left blank — so the objective questions are graded
  and every paper's case-analysis answer waits in the grading queue; item analysis has data.
- 法律知识自测练习: a practice exam open to the whole branch, results on submission.
- 基本级执法资格考试（示范）: a qualification test of tier 基本级 opening next week.

The examinees of the three published exams have their "you have an exam" notification.

Everything random comes from the builder's fixed seed — the officers chosen, their answers and the
papers drawn (the engine's paper seeds are taken from the same generator here) — so every run
builds the same exams. Idempotent: an exam whose title exists is left as it is.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from courses.models.choices import Tier
from exams.demo.blueprints import BLUEPRINTS
from exams.models import (
    Attempt,
    Blueprint,
    BlueprintStatus,
    Exam,
    ExamKind,
    ExemptionReason,
    PaperItem,
    QuestionType,
    ReleaseRule,
    ReviewRule,
)
from exams.selectors.eligibility import exam_examinees
from exams.selectors.papers import blueprint_plan, rule_available_count
from exams.services import delivery
from exams.services.blueprints import BlueprintSpec, RuleSpec, SectionSpec, blueprint_create
from exams.services.exams import ExamSpec, exam_close, exam_create, exam_exemption_set, exam_publish
from people.models import Category
from people.models.audience import AudienceSpec
from portal.demo import SEED_ACTOR
from portal.demo.units import BRANCH, STATION

if TYPE_CHECKING:
    from portal.demo import DemoContext

LABEL = _("exams")
ATTEMPT_LABEL = _("exam papers sat")
BLUEPRINT_LABEL = _("paper blueprints")

MONTHLY_BLUEPRINT = "法律知识月考（示范组卷方案）"
PRACTICE_BLUEPRINT = "法律知识自测练习（示范组卷方案）"
OPEN_TITLE = "北山派出所法律知识月考（本月）"
PAST_TITLE = "北山派出所法律知识月考（上月）"
PRACTICE_TITLE = "法律知识自测练习"
QUALIFICATION_TITLE = "基本级执法资格考试（示范）"

# (type, section title, questions, points each): 100 points when the bank has enough.
MONTHLY_SECTIONS = [
    (QuestionType.SINGLE, "单选题", 10, "3"),
    (QuestionType.MULTIPLE, "多选题", 5, "4"),
    (QuestionType.TRUE_FALSE, "判断题", 10, "2"),
    (QuestionType.FILL_BLANK, "填空题", 2, "5"),
    (QuestionType.SHORT_ANSWER, "案例分析题", 1, "20"),
]
PRACTICE_SECTIONS = [
    (QuestionType.SINGLE, "单选题", 5, "4"),
    (QuestionType.MULTIPLE, "多选题", 3, "6"),
    (QuestionType.TRUE_FALSE, "判断题", 5, "2"),
    (QuestionType.FILL_BLANK, "填空题", 2, "11"),
]

RULES_TEXT = (
    "1. 考试期间请独立作答，不得查阅资料或与他人交流。\n"
    "2. 答案自动保存；网络中断后重新进入可继续作答。\n"
    "3. 时间到后系统自动交卷。"
)
PAST_ATTEMPTS = 60
OPEN_SUBMITTED = 5
OPEN_IN_PROGRESS = 2

WRONG_FILL = ["不知道", "12", "48小时", "三日", "立即", "书面"]
SHORT_ANSWERS = [
    "一、受案登记，开具受案回执；二、及时固定现场证据，开启执法记录仪全程记录；三、告知双方权利义务，"
    "对伤者及时送医并委托伤情鉴定；四、依法调解或者立案侦查。",
    "应当先控制现场、救治伤员，然后询问当事人和证人，制作笔录，调取监控，依法处理。",
    "根据《治安管理处罚法》的规定，对违法行为人依法处罚，情节严重的移送刑侦部门。",
    "先调解，调解不成再处罚。",
    "受案登记、现场勘查、询问查证。",
]


def _hour(moment: datetime.datetime, hour: int) -> datetime.datetime:
    local = timezone.localtime(moment)
    return local.replace(hour=hour, minute=0, second=0, microsecond=0)


def _blueprint(ctx, title: str, sections_wanted: list, description: str, actor) -> Blueprint | None:
    existing = Blueprint.objects.filter(title=title, practice_for__isnull=True).first()
    if existing is not None:
        return existing
    sections = []
    for question_type, section_title, wanted, points in sections_wanted:
        count = min(wanted, rule_available_count(question_type=question_type, tier=Tier.BASIC))
        if count:
            rule = RuleSpec(question_type=question_type, count=count, points=points)
            sections.append(
                SectionSpec(title=section_title, instructions=f"本部分共{count}题，每题{points}分。", rules=[rule])
            )
    if not sections:
        return None
    spec = BlueprintSpec(
        title=title, tier=Tier.BASIC, description=description, status=BlueprintStatus.ACTIVE, sections=sections
    )
    blueprint = blueprint_create(spec=spec, actor=actor)
    ctx.created(BLUEPRINT_LABEL)
    return blueprint


def _pass_mark(blueprint: Blueprint) -> Decimal:
    return (blueprint_plan(blueprint).total_points * Decimal("0.6")).quantize(Decimal("1"))


def _exam(ctx, *, actor, blueprint, title, audience, publish_at, notify=True, **settings) -> Exam:
    spec = ExamSpec(title=title, blueprint=blueprint, audience=audience, pass_mark=_pass_mark(blueprint), **settings)
    exam = exam_create(actor=actor, spec=spec)
    exam_publish(actor=actor, exam=exam, now=publish_at, notify=notify)
    ctx.created(LABEL)
    return exam


def _response(item: PaperItem, rng, skill: float):
    """What an officer of ``skill`` (chance of knowing an answer) answers, in original option keys."""
    version = item.question_version
    key = version.answer
    if item.question_type == QuestionType.SHORT_ANSWER:
        return "" if rng.random() < 0.08 else rng.choice(SHORT_ANSWERS)
    if rng.random() < 0.04:
        return None  # skipped
    right = rng.random() < skill
    if item.question_type == QuestionType.SINGLE:
        return key if right else rng.choice([k for k in item.option_order if k != key] or [key])
    if item.question_type == QuestionType.MULTIPLE:
        if right:
            return sorted(key)
        others = [k for k in item.option_order if k not in key]
        if others and rng.random() < 0.5:
            return sorted([*key, rng.choice(others)])
        return sorted(key[:-1]) if len(key) > 1 else sorted(others[:1])
    if item.question_type == QuestionType.TRUE_FALSE:
        return key if right else not key
    if item.question_type == QuestionType.FILL_BLANK:
        return [alternatives[0] if right else rng.choice(WRONG_FILL) for alternatives in key]
    return None


def _sit(
    exam: Exam,
    officer,
    rng,
    *,
    start: datetime.datetime,
    submit: bool = True,
    answered: int | None = None,
    client_address: str | None = None,
    room_password: str | None = None,
) -> Attempt:
    """One officer sits the exam through the engine, from ``start``: answers saved 15 to 90
    seconds apart (well inside the hour), then submitted — or, with ``answered``, only the first
    questions answered and the paper left in progress. ``client_address`` and ``room_password``
    are the room's, for exams with exam-day rules."""
    attempt = delivery.attempt_start(
        exam=exam,
        officer=officer,
        now=start,
        seed=rng.randrange(10**9),
        client_address=client_address,
        room_password=room_password,
    )
    skill = rng.uniform(0.45, 0.97)
    moment = start
    items = PaperItem.objects.filter(paper_id=attempt.paper_id).select_related("question_version").order_by("position")
    for seq, item in enumerate(items[:answered] if answered is not None else items, start=1):
        moment += datetime.timedelta(seconds=rng.randint(15, 90))
        response = _response(item, rng, skill)
        if response is not None:
            delivery.answer_save(
                attempt=attempt,
                item_id=item.pk,
                response=response,
                client_seq=seq,
                now=moment,
                client_address=client_address,
            )
    if submit:
        attempt = delivery.attempt_submit(attempt=attempt, actor=officer, now=moment + datetime.timedelta(minutes=2))
    return attempt


def _officers(exam: Exam, ctx, rng, count: int, *, include_demo_officer: bool) -> list:
    officers = list(exam_examinees(exam).order_by("police_number"))
    demo_officer = ctx.accounts.get("officer")
    officers = [o for o in officers if demo_officer is None or o.pk != demo_officer.pk]
    chosen = rng.sample(officers, min(count, len(officers)))
    if include_demo_officer and demo_officer is not None and demo_officer.in_audience:
        chosen = [demo_officer, *chosen[: count - 1]]
    return chosen


def build(ctx: DemoContext) -> None:
    if STATION not in ctx.units or BRANCH not in ctx.units:
        return  # the demo branch is not there (the exams demo run on its own)
    actor = ctx.accounts.get("trainer") or SEED_ACTOR
    rng = ctx.random_for("exams.delivery")
    monthly = _blueprint(
        ctx, MONTHLY_BLUEPRINT, MONTHLY_SECTIONS, "每月一次的法律知识考试：各类客观题加一道案例分析题。", actor
    )
    practice = _blueprint(ctx, PRACTICE_BLUEPRINT, PRACTICE_SECTIONS, "供民警随时自测的客观题练习卷。", actor)
    if monthly is None or practice is None:
        return  # no questions in the bank
    now = timezone.now()
    station = AudienceSpec(units_with_subtree=(ctx.units[STATION],))
    branch = AudienceSpec(units_with_subtree=(ctx.units[BRANCH],))
    common = {"kind": ExamKind.FORMAL, "tier": Tier.BASIC, "description": RULES_TEXT, "duration_minutes": 60}

    # Papers are drawn from seeds taken from the builder's generator (``_sit``), so every run draws
    # the same papers.
    if not Exam.objects.filter(title=PAST_TITLE).exists():
        _build_past(ctx, actor, monthly, station, common, rng, now)
    if not Exam.objects.filter(title=OPEN_TITLE).exists():
        _build_open(ctx, actor, monthly, station, common, rng, now)
    if not Exam.objects.filter(title=PRACTICE_TITLE).exists():
        _exam(
            ctx,
            actor=actor,
            blueprint=practice,
            title=PRACTICE_TITLE,
            audience=branch,
            publish_at=now,
            kind=ExamKind.PRACTICE,
            tier=Tier.BASIC,
            description="自测练习，可反复作答，交卷后即可查看得分、正确答案和解析。",
            opens_at=_hour(now - datetime.timedelta(days=30), 0),
            closes_at=_hour(now + datetime.timedelta(days=90), 0),
            duration_minutes=30,
            attempts_allowed=5,
            release_rule=ReleaseRule.ON_SUBMIT,
            review_rule=ReviewRule.EXPLANATIONS,
        )
    if not Exam.objects.filter(title=QUALIFICATION_TITLE).exists():
        basic = Blueprint.objects.filter(title=BLUEPRINTS[Tier.BASIC]["title"], status=BlueprintStatus.ACTIVE).first()
        opens = _hour(now + datetime.timedelta(days=7), 9)
        _exam(
            ctx,
            actor=actor,
            blueprint=basic or monthly,
            title=QUALIFICATION_TITLE,
            audience=AudienceSpec(units_with_subtree=(ctx.units[BRANCH],), categories=(Category.OFFICER,)),
            publish_at=now,
            kind=ExamKind.QUALIFICATION,
            tier=Tier.BASIC,
            description=RULES_TEXT + "\n4. 本考试成绩作为基本级执法资格认定依据。",
            opens_at=opens,
            closes_at=opens + datetime.timedelta(hours=8),
            duration_minutes=90,
            blind_grading=True,
        )


def _build_past(ctx, actor, blueprint, audience, common, rng, now) -> None:
    day = now - datetime.timedelta(days=14)
    opens, closes = _hour(day, 8), _hour(day, 18)
    exam = _exam(
        ctx,
        actor=actor,
        blueprint=blueprint,
        title=PAST_TITLE,
        audience=audience,
        publish_at=opens - datetime.timedelta(days=3),
        notify=False,
        opens_at=opens,
        closes_at=closes,
        **common,
    )
    sitting = _officers(exam, ctx, rng, PAST_ATTEMPTS + 2, include_demo_officer=True)
    for officer, reason, note in zip(
        sitting[-2:], [ExemptionReason.LEAVE, ExemptionReason.INJURY], ["年休假", "因公负伤"], strict=False
    ):
        exam_exemption_set(actor=actor, exam=exam, officer=officer, reason=reason, note=note)
    for officer in sitting[:-2]:
        start = opens + datetime.timedelta(minutes=rng.randint(0, 7 * 60))
        _sit(exam, officer, rng, start=start)
    ctx.created(ATTEMPT_LABEL, len(sitting[:-2]))
    exam_close(actor=actor, exam=exam, now=closes)


def _build_open(ctx, actor, blueprint, audience, common, rng, now) -> None:
    opens = _hour(now - datetime.timedelta(days=1), 8)
    exam = _exam(
        ctx,
        actor=actor,
        blueprint=blueprint,
        title=OPEN_TITLE,
        audience=audience,
        publish_at=opens + datetime.timedelta(minutes=30),  # announced once, already open
        opens_at=opens,
        closes_at=_hour(now + datetime.timedelta(days=6), 18),
        **common,
    )
    others = _officers(exam, ctx, rng, OPEN_SUBMITTED + OPEN_IN_PROGRESS, include_demo_officer=False)
    for index, officer in enumerate(others):
        if index < OPEN_SUBMITTED:
            _sit(exam, officer, rng, start=opens + datetime.timedelta(hours=1 + index))
        else:
            _sit(exam, officer, rng, start=now - datetime.timedelta(minutes=10 + index), submit=False, answered=4)
    ctx.created(ATTEMPT_LABEL, len(others))
