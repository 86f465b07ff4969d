"""Random ability tests (执法能力随机测试): the sampling plan, the draw, its confirmation and the
recorded outcomes.

A plan is edited freely until its drawn list is confirmed; editing a drawn plan discards the list
(it no longer matches the plan). A draw stores the list a seed gives (``exams.selectors.sampling``
explains how); drawing again replaces it. Confirmation puts the drawn officers on the exam's roster
and notifies them — once, however often it is posted. After the window closes, the hourly task
records who was tested and who did not show, for the yearly coverage report.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from exams import texts
from exams.models import (
    Attempt,
    AttemptState,
    Exam,
    ExamExemption,
    ExamInvitation,
    ExamKind,
    ExamStatus,
    InvitationSource,
    QuotaKind,
    SampledOfficer,
    SampleOutcome,
    SamplingPlan,
    SamplingQuota,
    SamplingStatus,
)
from exams.selectors.sampling import FINISHED_STATES, sampling_compute, sampling_rerun
from exams.services.papers import new_seed
from people.models import Unit
from people.models.audience import AudienceSpec, Position
from people.selectors.audience import audience_labels
from portal.services import audit_log, notification_send

ERRORS = {
    "not_random": _("Only random ability tests have a sampling plan."),
    "confirmed": _("The drawn list has been confirmed; the plan can no longer change."),
    "no_population": _("Choose who can be drawn: at least one unit, category or position."),
    "ages": _("The minimum age is above the maximum age."),
    "no_quota": _("Add at least one quota: how many officers to draw."),
    "quota_position": _("Quota %(row)s: choose the position."),
    "quota_fraction": _("Quota %(row)s: the share must be at most 1 (numerator not above denominator)."),
    "quota_count": _("Quota %(row)s: draw at least one officer."),
    "quota_kind": _("Quota %(row)s: unknown kind."),
    "not_drawn": _("Draw the list before confirming it."),
    "stale": _("The list was drawn again after this page was loaded; review the new list and confirm it."),
    "window_closed": _("The exam's window has closed; drawn officers could no longer sit it."),
    "empty_draw": _("The quotas draw nobody from this population."),
}


class SamplingError(Exception):
    """A plan cannot be saved, drawn or confirmed; ``messages`` say why, in the user's language."""

    def __init__(self, messages: list):
        self.messages = [str(message) for message in messages]
        super().__init__("; ".join(self.messages))


@dataclass(frozen=True)
class QuotaSpec:
    """One quota as plain values (see ``SamplingQuota`` for which fields each kind reads)."""

    kind: str
    officer_position: str = ""
    numerator: int = 1
    denominator: int = 1
    count: int = 0
    unit: Unit | None = None

    @classmethod
    def from_quota(cls, quota: SamplingQuota) -> QuotaSpec:
        return cls(
            kind=quota.kind,
            officer_position=quota.officer_position,
            numerator=quota.numerator,
            denominator=quota.denominator,
            count=quota.count,
            unit=quota.unit,
        )


def _quota_problems(quotas: list[QuotaSpec]) -> list:
    problems = []
    if not quotas:
        problems.append(ERRORS["no_quota"])
    for row, quota in enumerate(quotas, start=1):
        if quota.kind == QuotaKind.POSITION_FRACTION:
            if quota.officer_position not in Position.values:
                problems.append(ERRORS["quota_position"] % {"row": row})
            if quota.numerator < 1 or quota.denominator < 1 or quota.numerator > quota.denominator:
                problems.append(ERRORS["quota_fraction"] % {"row": row})
        elif quota.kind in (QuotaKind.PER_UNIT, QuotaKind.PROPORTIONAL):
            if quota.count < 1:
                problems.append(ERRORS["quota_count"] % {"row": row})
        else:
            problems.append(ERRORS["quota_kind"] % {"row": row})
    return problems


def _discard_draw(plan: SamplingPlan) -> None:
    SampledOfficer.objects.filter(plan=plan).delete()
    plan.status = SamplingStatus.DRAFT
    plan.population_size = 0
    plan.drawn_at = None
    plan.drawn_by = None


def sampling_plan_save(
    *,
    exam: Exam,
    audience: AudienceSpec,
    quotas: list[QuotaSpec],
    actor,
    age_min: int | None = None,
    age_max: int | None = None,
) -> SamplingPlan:
    """Create or update the exam's plan. A drawn list is discarded (it was drawn for the old plan);
    a confirmed plan is refused. Named officers in ``audience`` are ignored: a random test draws
    from units, categories and positions."""
    audience = AudienceSpec(
        units_with_subtree=audience.units_with_subtree,
        units_only=audience.units_only,
        categories=audience.categories,
        positions=audience.positions,
    )
    problems = []
    if exam.kind != ExamKind.RANDOM:
        raise SamplingError([ERRORS["not_random"]])
    if not audience.has_criteria:
        problems.append(ERRORS["no_population"])
    if age_min is not None and age_max is not None and age_min > age_max:
        problems.append(ERRORS["ages"])
    problems += _quota_problems(quotas)
    if problems:
        raise SamplingError(problems)
    with transaction.atomic():
        plan, created = SamplingPlan.objects.select_for_update(of=("self",)).get_or_create(
            exam=exam, defaults={"created_by": actor if getattr(actor, "is_authenticated", False) else None}
        )
        if plan.status == SamplingStatus.CONFIRMED:
            raise SamplingError([ERRORS["confirmed"]])
        discarded = plan.status == SamplingStatus.DRAWN
        if discarded:
            _discard_draw(plan)
        plan.age_min = age_min
        plan.age_max = age_max
        plan.save(update_fields=["age_min", "age_max", "status", "population_size", "drawn_at", "drawn_by"])
        plan.audience_store(audience)
        plan.quotas.all().delete()
        SamplingQuota.objects.bulk_create(
            [
                SamplingQuota(
                    plan=plan,
                    position=index,
                    kind=quota.kind,
                    officer_position=quota.officer_position if quota.kind == QuotaKind.POSITION_FRACTION else "",
                    numerator=quota.numerator,
                    denominator=quota.denominator,
                    count=quota.count if quota.kind != QuotaKind.POSITION_FRACTION else 0,
                    unit=quota.unit if quota.kind != QuotaKind.POSITION_FRACTION else None,
                )
                for index, quota in enumerate(quotas)
            ]
        )
        audit_log(
            actor=actor,
            action="exams.sampling.created" if created else "exams.sampling.updated",
            target=plan,
            data={
                "exam": exam.pk,
                "population": audience_labels(audience),
                "age_min": age_min,
                "age_max": age_max,
                "quotas": len(quotas),
                "discarded_draw": discarded,
            },
        )
    return plan


def sampling_draw(
    *, plan: SamplingPlan, actor, seed: int | None = None, now: datetime.datetime | None = None
) -> SamplingPlan:
    """Draw the list for ``seed`` (a new random seed when None) and store it, replacing an earlier
    unconfirmed list. Refused, writing nothing, when a quota cannot be met: the message names each
    quota (and unit) and its shortfall."""
    now = now or timezone.now()
    seed = new_seed() if seed is None else seed
    with transaction.atomic():
        plan = SamplingPlan.objects.select_for_update(of=("self",)).select_related("exam").get(pk=plan.pk)
        if plan.status == SamplingStatus.CONFIRMED:
            raise SamplingError([ERRORS["confirmed"]])
        result = sampling_compute(plan, seed=seed, as_of=now)
        if result.shortfalls:
            raise SamplingError(result.shortfalls)
        if not result.picks:
            raise SamplingError([ERRORS["empty_draw"]])
        SampledOfficer.objects.filter(plan=plan).delete()
        SampledOfficer.objects.bulk_create(
            [
                SampledOfficer(
                    plan=plan,
                    officer=pick.officer,
                    order=order,
                    quota_label=pick.quota_label[:200],
                    unit_id=pick.officer.unit_id,
                    was_middle_leader=pick.officer.is_middle_leader,
                )
                for order, pick in enumerate(result.picks, start=1)
            ]
        )
        plan.seed = seed
        plan.population_size = result.population_size
        plan.drawn_at = now
        plan.drawn_by = actor if getattr(actor, "is_authenticated", False) else None
        plan.status = SamplingStatus.DRAWN
        plan.save(update_fields=["seed", "population_size", "drawn_at", "drawn_by", "status"])
        audit_log(
            actor=actor,
            action="exams.sampling.drawn",
            target=plan,
            data={
                "seed": seed,
                "population": result.population_size,
                "drawn": len(result.picks),
                "quotas": [
                    {"quota": check.label, "needed": check.needed, "drawn": check.drawn} for check in result.checks
                ],
            },
        )
    return plan


def sampling_redraw_check(plan: SamplingPlan) -> bool:
    """True when the stored seed, re-run as of the draw, gives exactly the stored list (appeals)."""
    rerun = sampling_rerun(plan)
    return rerun is not None and rerun.matches


def _drawn_notification(exam: Exam):
    """Title and body as stored texts: each reader sees them in their own language."""
    title = texts.SAMPLING_DRAWN(exam=exam.title)
    body = texts.SAMPLING_WINDOW(opens=timezone.localtime(exam.opens_at), closes=timezone.localtime(exam.closes_at))
    return title, body


def sampling_confirm(
    *,
    plan: SamplingPlan,
    actor,
    drawn_at: datetime.datetime | None = None,
    now: datetime.datetime | None = None,
) -> int:
    """Confirm the drawn list: each officer goes onto the exam's roster ("sampled") and is notified.
    Returns how many were notified — 0 when the plan was already confirmed (a double POST).

    ``drawn_at`` is the draw the trainer reviewed; a list drawn again since is refused. The in-app
    notifications are rows written in the same transaction as ``notified_at``, so an officer is
    told exactly once, or not at all if the confirmation fails.
    """
    now = now or timezone.now()
    with transaction.atomic():
        plan = SamplingPlan.objects.select_for_update(of=("self",)).select_related("exam").get(pk=plan.pk)
        if plan.status == SamplingStatus.CONFIRMED:
            return 0
        if plan.status != SamplingStatus.DRAWN:
            raise SamplingError([ERRORS["not_drawn"]])
        if drawn_at is not None and drawn_at != plan.drawn_at:
            raise SamplingError([ERRORS["stale"]])
        exam = plan.exam
        if now >= exam.closes_at or exam.status == ExamStatus.CLOSED:
            raise SamplingError([ERRORS["window_closed"]])
        rows = list(SampledOfficer.objects.filter(plan=plan).select_related("officer").order_by("order"))
        ExamInvitation.objects.bulk_create(
            [ExamInvitation(exam=exam, officer=row.officer, source=InvitationSource.SAMPLED) for row in rows],
            ignore_conflicts=True,  # an officer already named on the roster stays on it
        )
        url = reverse("exams:exam_start", args=[exam.pk])
        title, body = _drawn_notification(exam)
        for row in rows:
            notification_send(recipient=row.officer, title=title, body=body, url=url, kind="exams.sampling.drawn")
        SampledOfficer.objects.filter(plan=plan).update(notified_at=now)
        plan.status = SamplingStatus.CONFIRMED
        plan.confirmed_at = now
        plan.confirmed_by = actor if getattr(actor, "is_authenticated", False) else None
        plan.save(update_fields=["status", "confirmed_at", "confirmed_by"])
        audit_log(
            actor=actor,
            action="exams.sampling.confirmed",
            target=plan,
            data={"seed": plan.seed, "drawn": len(rows), "population": plan.population_size},
        )
    return len(rows)


def sampling_outcomes_record(now: datetime.datetime | None = None) -> int:
    """Record the outcome of every drawn officer of confirmed plans whose window has closed:
    tested (sat it), exempted (exempted after the draw), else no-show. Returns how many plans.

    A plan whose exam still has an attempt in progress waits for the next run: the sweep submits
    such attempts at their deadline, and they count as tested then.
    """
    now = now or timezone.now()
    due = SamplingPlan.objects.filter(
        status=SamplingStatus.CONFIRMED, outcomes_recorded_at__isnull=True, exam__closes_at__lte=now
    ).values_list("pk", flat=True)
    recorded = 0
    for plan_pk in list(due):
        with transaction.atomic():
            plan = (
                SamplingPlan.objects.select_for_update(of=("self",))
                .select_related("exam")
                .filter(pk=plan_pk, outcomes_recorded_at__isnull=True)
                .first()
            )
            if plan is None or Attempt.objects.filter(exam=plan.exam, state=AttemptState.IN_PROGRESS).exists():
                continue
            officers = SampledOfficer.objects.filter(plan=plan).values("officer_id")
            tested = set(
                Attempt.objects.filter(exam=plan.exam, officer_id__in=officers, state__in=FINISHED_STATES).values_list(
                    "officer_id", flat=True
                )
            )
            exempted = set(
                ExamExemption.objects.filter(exam=plan.exam, officer_id__in=officers).values_list(
                    "officer_id", flat=True
                )
            )
            counts = {SampleOutcome.TESTED: 0, SampleOutcome.EXEMPTED: 0, SampleOutcome.NO_SHOW: 0}
            rows = list(SampledOfficer.objects.filter(plan=plan))
            for row in rows:
                if row.officer_id in tested:
                    row.outcome = SampleOutcome.TESTED
                elif row.officer_id in exempted:
                    row.outcome = SampleOutcome.EXEMPTED
                else:
                    row.outcome = SampleOutcome.NO_SHOW
                counts[row.outcome] += 1
            SampledOfficer.objects.bulk_update(rows, ["outcome"])
            plan.outcomes_recorded_at = now
            plan.save(update_fields=["outcomes_recorded_at"])
            audit_log(
                actor=None,
                action="exams.sampling.outcomes_recorded",
                target=plan,
                data={str(outcome): n for outcome, n in counts.items()},
            )
            recorded += 1
    return recorded
