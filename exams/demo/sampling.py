"""Demo random ability test (执法能力随机测试) for `manage.py seed_demo`.

A random test three weeks back: its plan draws at least a third of the branch's middle leaders
and two police officers from each unit below the branch; the list was confirmed (the officers
notified) before the window opened. About two thirds of the drawn officers sat the test through
the delivery engine, one was exempted afterwards, and the outcomes were recorded once the window
had closed — so the plan page shows tested, exempted and no-show officers, and the coverage page a
year that does not yet meet the 1/3 rule. Idempotent: nothing is done when the exam exists.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from courses.models.choices import Tier
from exams.demo.blueprints import BLUEPRINTS
from exams.demo.delivery import MONTHLY_BLUEPRINT
from exams.models import (
    Blueprint,
    BlueprintStatus,
    Exam,
    ExamKind,
    ExemptionReason,
    PaperItem,
    QuestionType,
    QuotaKind,
    ReleaseRule,
    SampledOfficer,
)
from exams.selectors.papers import blueprint_plan
from exams.services import delivery
from exams.services.exams import ExamSpec, exam_create, exam_exemption_set, exam_publish
from exams.services.sampling import (
    QuotaSpec,
    sampling_confirm,
    sampling_draw,
    sampling_outcomes_record,
    sampling_plan_save,
)
from people.models import Category
from people.models.audience import AudienceSpec, Position
from portal.demo import SEED_ACTOR
from portal.demo.units import BRANCH

if TYPE_CHECKING:
    from portal.demo import DemoContext

LABEL = _("random ability tests")
TITLE = "2026年第三季度执法能力随机测试（示范）"
SEED = 20260301
SITTING_SHARE = 0.65


def _blueprint() -> Blueprint | None:
    titles = [MONTHLY_BLUEPRINT, BLUEPRINTS[Tier.BASIC]["title"]]
    for title in titles:
        blueprint = Blueprint.objects.filter(
            title=title, status=BlueprintStatus.ACTIVE, practice_for__isnull=True
        ).first()
        if blueprint is not None:
            return blueprint
    return None


def _sit(exam: Exam, officer, rng, *, start: datetime.datetime) -> None:
    """Answers every objective question through the engine, right with the officer's skill, then submits."""
    attempt = delivery.attempt_start(exam=exam, officer=officer, now=start, seed=rng.randrange(10**9))
    skill = rng.uniform(0.5, 0.95)
    moment = start
    items = PaperItem.objects.filter(paper_id=attempt.paper_id).select_related("question_version").order_by("position")
    for seq, item in enumerate(items, start=1):
        moment += datetime.timedelta(seconds=rng.randint(20, 80))
        key = item.question_version.answer
        if item.question_type == QuestionType.SHORT_ANSWER or rng.random() > skill:
            continue  # left blank
        fill_blank = item.question_type == QuestionType.FILL_BLANK
        response = [alternatives[0] for alternatives in key] if fill_blank else key
        delivery.answer_save(attempt=attempt, item_id=item.pk, response=response, client_seq=seq, now=moment)
    delivery.attempt_submit(attempt=attempt, actor=officer, now=moment + datetime.timedelta(minutes=1))


def build(ctx: DemoContext) -> None:
    if BRANCH not in ctx.units or Exam.objects.filter(title=TITLE).exists():
        return
    blueprint = _blueprint()
    if blueprint is None:
        return  # no questions in the bank
    actor = ctx.accounts.get("trainer") or SEED_ACTOR
    rng = ctx.random_for("exams.sampling")
    now = timezone.now()
    opens = timezone.localtime(now - datetime.timedelta(days=21)).replace(hour=9, minute=0, second=0, microsecond=0)
    closes = opens + datetime.timedelta(days=7)
    total = blueprint_plan(blueprint).total_points
    exam = exam_create(
        actor=actor,
        spec=ExamSpec(
            title=TITLE,
            kind=ExamKind.RANDOM,
            tier=Tier.BASIC,
            blueprint=blueprint,
            description="本次测试对象由系统随机抽取，抽中民警须在测试时间内完成作答。中层领导抽取比例不少于三分之一。",
            opens_at=opens,
            closes_at=closes,
            duration_minutes=60,
            pass_mark=(total * Decimal("0.6")).quantize(Decimal("1")),
            release_rule=ReleaseRule.AFTER_CLOSE,
        ),
    )
    branch = ctx.units[BRANCH]
    plan = sampling_plan_save(
        exam=exam,
        audience=AudienceSpec(units_with_subtree=(branch,), categories=(Category.OFFICER,)),
        quotas=[
            QuotaSpec(
                kind=QuotaKind.POSITION_FRACTION, officer_position=Position.MIDDLE_LEADER, numerator=1, denominator=3
            ),
            QuotaSpec(kind=QuotaKind.PER_UNIT, count=2, unit=branch),
        ],
        actor=actor,
    )
    plan = sampling_draw(plan=plan, seed=SEED, actor=actor, now=opens - datetime.timedelta(days=3))
    sampling_confirm(plan=plan, actor=actor, now=opens - datetime.timedelta(days=2))
    exam_publish(actor=actor, exam=exam, now=opens - datetime.timedelta(days=2), notify=False)

    drawn = [
        row.officer for row in SampledOfficer.objects.filter(plan=plan).select_related("officer").order_by("order")
    ]
    sitting = [officer for officer in drawn if rng.random() < SITTING_SHARE]
    # Papers are drawn from seeds taken from the builder's generator (``_sit``), so every run draws
    # the same papers.
    for officer in sitting:
        _sit(exam, officer, rng, start=opens + datetime.timedelta(minutes=rng.randint(0, 6 * 24 * 60)))
    absent = [officer for officer in drawn if officer not in sitting]
    if absent:
        exam_exemption_set(actor=actor, exam=exam, officer=absent[0], reason=ExemptionReason.INJURY, note="因公负伤")
    sampling_outcomes_record(now=now)
    ctx.created(LABEL)
