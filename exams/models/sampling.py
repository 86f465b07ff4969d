"""Random ability tests (执法能力随机测试): drawing WHICH officers sit an exam.

A ``SamplingPlan`` belongs to one exam. Its population is an audience rule (units with or without
their subtrees, categories, positions) narrowed by age; officers who have left, are seconded or on
leave, and officers exempted from the exam, are never in it. Its ``SamplingQuota`` rows say how
many to draw: at least a fraction of a position (≥ 1/3 of 中层领导), N per unit, or a total spread
over units in proportion to their size. The draw uses the plan's recorded ``seed`` over the
population in a stable order, so re-running it gives the same list (``SampledOfficer`` rows).

A trainer reviews the drawn list and confirms it: the officers go onto the exam's roster
(``ExamInvitation`` with source "sampled") and are notified. After the window closes each drawn
officer's outcome — tested, no-show or exempted — is recorded for the yearly coverage report.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from people.models.audience import AudienceRule, Position
from portal.models.fields import recorded_by


class SamplingStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    DRAWN = "drawn", _("Drawn, awaiting confirmation")
    CONFIRMED = "confirmed", _("Confirmed")


class SamplingPlan(AudienceRule):
    exam = models.OneToOneField(
        "exams.Exam", verbose_name=_("exam"), on_delete=models.CASCADE, related_name="sampling_plan"
    )
    age_min = models.PositiveSmallIntegerField(_("minimum age"), null=True, blank=True)
    age_max = models.PositiveSmallIntegerField(_("maximum age"), null=True, blank=True)
    seed = models.BigIntegerField(_("seed"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=SamplingStatus.choices, default=SamplingStatus.DRAFT)
    population_size = models.PositiveIntegerField(_("population"), default=0)
    drawn_at = models.DateTimeField(_("drawn at"), null=True, blank=True)
    drawn_by = recorded_by(_("drawn by"))
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    confirmed_by = recorded_by(_("confirmed by"))
    outcomes_recorded_at = models.DateTimeField(_("outcomes recorded at"), null=True, blank=True)
    created_by = recorded_by(_("created by"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("sampling plan")
        verbose_name_plural = _("sampling plans")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return str(self.exam)


class QuotaKind(models.TextChoices):
    POSITION_FRACTION = "position_fraction", _("At least a fraction of a position")
    PER_UNIT = "per_unit", _("A number from each unit")
    PROPORTIONAL = "proportional", _("A total spread over units by their size")


class SamplingQuota(models.Model):
    """One quota of a plan. Which fields count depends on ``kind``:

    - position_fraction: ``officer_position`` and ``numerator`` / ``denominator`` (≥ 1/3 of 中层领导);
    - per_unit: ``count`` officers from each unit directly below ``unit`` (or each population unit);
    - proportional: ``count`` officers in total, spread over the units below ``unit`` by headcount.
    """

    plan = models.ForeignKey(SamplingPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="quotas")
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    kind = models.CharField(_("kind"), max_length=30, choices=QuotaKind.choices)
    officer_position = models.CharField(_("position"), max_length=20, choices=Position.choices, blank=True)
    numerator = models.PositiveIntegerField(_("numerator"), default=1, validators=[MinValueValidator(1)])
    denominator = models.PositiveIntegerField(_("denominator"), default=1, validators=[MinValueValidator(1)])
    count = models.PositiveIntegerField(_("number of officers"), default=0)
    unit = models.ForeignKey(
        "people.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("sampling quota")
        verbose_name_plural = _("sampling quotas")
        ordering = ["plan", "position", "id"]

    def __str__(self) -> str:
        return f"{self.plan_id}/{self.kind}"


class SampleOutcome(models.TextChoices):
    PENDING = "pending", _("Not yet known")
    TESTED = "tested", _("Tested")
    NO_SHOW = "no_show", _("Did not sit the test")
    EXEMPTED = "exempted", _("Exempted")


class SampledOfficer(models.Model):
    plan = models.ForeignKey(SamplingPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="drawn")
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("officer"), on_delete=models.PROTECT, related_name="samplings"
    )
    order = models.PositiveIntegerField(_("order drawn"))
    # Which quota the officer was drawn for, in words, and the unit they were in at the draw.
    quota_label = models.CharField(_("drawn for"), max_length=200, blank=True)
    unit = models.ForeignKey(
        "people.Unit",
        verbose_name=_("unit at the draw"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    was_middle_leader = models.BooleanField(_("middle leader at the draw"), default=False)
    notified_at = models.DateTimeField(_("notified at"), null=True, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=20, choices=SampleOutcome.choices, default=SampleOutcome.PENDING
    )

    class Meta:
        verbose_name = _("sampled officer")
        verbose_name_plural = _("sampled officers")
        ordering = ["plan", "order"]
        constraints = [models.UniqueConstraint(fields=["plan", "officer"], name="unique_sampled_officer")]

    def __str__(self) -> str:
        return f"{self.plan_id}/{self.officer_id}"
