"""Demo legal-officer quarterly evaluations (法制员季度考评) for `manage.py seed_demo`.

- This year's scheme: individual items 案件审核质量 (40, weight 2), 执法监督 (30), 学习培训 (30);
  unit items 单位执法质量 (50), 案件办理时效 (50). Flags: below 60 for two consecutive quarters,
  or the bottom 5 % (one officer with the demo roster).
- Every legal-brigade officer is linked to two of the units that have a legal officer (from
  1 January), so their totals blend in those units' results (weight 0.30).
- Every completed quarter of the year is scored for the legal officers (周敏 legal001 and the
  generated ones) and the legal-brigade officers who are not leaders. The legal officer with the
  highest police number scores low every quarter: flagged each quarter; the leader kept them in
  post after Q1 (talk and watch), the later reviews are pending.

Runs after the roster (portal.demo.people) and the demo accounts. Idempotent: existing links and
scored quarters are left alone; randomness comes from the builder's fixed seed.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from certification.models import (
    EvaluationItem,
    EvaluationScheme,
    ItemGroup,
    LegalBrigadeLink,
    QuarterlyEvaluation,
    ReplacementReview,
    ReviewDecision,
)
from certification.selectors.evaluations import completed_quarters, evaluated_officers, quarter_bounds
from certification.services.evaluations import (
    EvaluationInput,
    ItemInput,
    evaluations_save,
    replacement_review_decide,
    scheme_save,
)
from people.models import User

if TYPE_CHECKING:
    from portal.demo import DemoContext

SCHEME_LABEL = _("evaluation schemes")
LINK_LABEL = _("linked units")
EVALUATION_LABEL = _("quarterly evaluations")
DECISION_LABEL = _("replacement review decisions")

ITEMS = [
    ItemInput(group=ItemGroup.INDIVIDUAL, name="案件审核质量", weight=Decimal("2"), max_score=Decimal("40")),
    ItemInput(group=ItemGroup.INDIVIDUAL, name="执法监督", weight=Decimal("1"), max_score=Decimal("30")),
    ItemInput(group=ItemGroup.INDIVIDUAL, name="学习培训", weight=Decimal("1"), max_score=Decimal("30")),
    ItemInput(group=ItemGroup.UNIT, name="单位执法质量", weight=Decimal("1"), max_score=Decimal("50")),
    ItemInput(group=ItemGroup.UNIT, name="案件办理时效", weight=Decimal("1"), max_score=Decimal("50")),
]
KEEP_NOTE = "首季度排名靠后，已谈话提醒，继续观察"


def build(ctx: DemoContext) -> None:
    trainer = ctx.accounts["trainer"]
    leader = ctx.accounts["legal_leader"]
    rng = ctx.random_for("certification.evaluations")
    year = ctx.today.year

    scheme = EvaluationScheme.objects.filter(year=year).first()
    if scheme is None:
        scheme = scheme_save(
            scheme=None,
            year=year,
            title=f"{year}年度法制员季度考评方案",
            low_score=Decimal("60"),
            low_quarters=2,
            bottom_percent=5,
            linked_unit_weight=Decimal("0.30"),
            items=ITEMS,
            actor=trainer,
        )
        ctx.created(SCHEME_LABEL)

    officers = list(evaluated_officers().order_by("police_number"))
    legal_officers = [officer for officer in officers if officer.is_legal_officer]
    brigade = [officer for officer in officers if officer.is_legal_brigade and not officer.is_legal_officer]
    _link_brigade(ctx, brigade, legal_officers, datetime.date(year, 1, 1))

    low = next((o for o in reversed(legal_officers) if o.pk != ctx.accounts["legal_officer"].pk), None)
    scored = legal_officers + [officer for officer in brigade if not officer.is_middle_leader]
    items = list(scheme.items.order_by("order", "pk"))
    for quarter in completed_quarters(year, ctx.today):
        done = set(scheme.evaluations.filter(quarter=quarter).values_list("officer_id", flat=True))
        entries = []
        for officer in scored:
            # Draw for everyone, so an officer's scores do not depend on who was already scored.
            share = rng.uniform(0.45, 0.56) if officer == low else rng.uniform(0.72, 0.97)
            scores = {item.pk: _score(item, share + rng.uniform(-0.04, 0.04)) for item in items}
            if officer.pk not in done:
                note = "审核差错较多，整改不及时" if officer == low else ""
                entries.append(EvaluationInput(officer=officer, scores=scores, note=note))
        if not entries:
            continue
        # The trainer enters the quarter; their own scores are entered by the brigade's leader.
        for actor, group in (
            (trainer, [entry for entry in entries if entry.officer.pk != trainer.pk]),
            (leader, [entry for entry in entries if entry.officer.pk == trainer.pk]),
        ):
            if group:
                evaluations_save(scheme=scheme, quarter=quarter, entries=group, actor=actor, source="demo")
        entered_at = timezone.make_aware(
            datetime.datetime.combine(quarter_bounds(year, quarter)[1] + datetime.timedelta(days=8), datetime.time(10))
        )
        QuarterlyEvaluation.objects.filter(
            scheme=scheme, quarter=quarter, officer__in=[entry.officer for entry in entries]
        ).update(entered_at=entered_at)
        ReplacementReview.objects.filter(scheme=scheme, quarter=quarter, decision=ReviewDecision.PENDING).update(
            created_at=entered_at
        )
        ctx.created(EVALUATION_LABEL, len(entries))

    if low is not None:
        first = ReplacementReview.objects.filter(
            scheme=scheme, officer=low, quarter=1, decision=ReviewDecision.PENDING
        ).first()
        if first is not None:
            replacement_review_decide(review=first, decision=ReviewDecision.KEEP, note=KEEP_NOTE, actor=leader)
            ctx.created(DECISION_LABEL)


def _score(item: EvaluationItem, share: float) -> Decimal:
    """``share`` of the item's maximum to one decimal, within 0..maximum."""
    value = (item.max_score * Decimal(str(round(share, 3)))).quantize(Decimal("0.5"))
    return min(max(value, Decimal(0)), item.max_score)


def _link_brigade(ctx: DemoContext, brigade: list[User], legal_officers: list[User], since: datetime.date) -> None:
    """Two units with a legal officer per legal-brigade officer, round robin by police number."""
    units = sorted({officer.unit for officer in legal_officers if officer.unit_id}, key=lambda unit: unit.path)
    if len(units) < 2:
        return
    linked = set(LegalBrigadeLink.objects.filter(ended_on__isnull=True).values_list("officer_id", "unit_id"))
    new = []
    for index, officer in enumerate(brigade):
        if any(officer_id == officer.pk for officer_id, _unit in linked):
            continue
        for unit in (units[(2 * index) % len(units)], units[(2 * index + 1) % len(units)]):
            new.append(LegalBrigadeLink(officer=officer, unit=unit, started_on=since))
    LegalBrigadeLink.objects.bulk_create(new)
    ctx.created(LINK_LABEL, len(new))
