"""Legal-officer quarterly evaluations (法制员季度考评, seed items 5 and 19).

An ``EvaluationScheme`` per year lists ``EvaluationItem``s grouped as individual items and unit
items, each with a weight and a maximum. Each quarter the legal brigade enters an officer's
``EvaluationScore``s (form or xlsx); the ``QuarterlyEvaluation`` row keeps the computed total and
rank. The scheme's thresholds flag officers for review ("suggest replacement") when they stay below
a score for N consecutive quarters or fall in the bottom X %; a ``ReplacementReview`` records the
flag and the decision.

Item 19: each legal-brigade officer is linked to two or more units (``LegalBrigadeLink``); their
assessment blends their own result with the linked units' results by the scheme's
``linked_unit_weight``.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portal.models.fields import recorded_by


class EvaluationScheme(models.Model):
    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    title = models.CharField(_("title"), max_length=200)
    low_score = models.DecimalField(
        _("low score"),
        max_digits=6,
        decimal_places=2,
        default=Decimal("60"),
        help_text=_("A total below this counts as a low quarter."),
    )
    low_quarters = models.PositiveSmallIntegerField(
        _("consecutive low quarters that flag"), default=2, validators=[MinValueValidator(1)]
    )
    bottom_percent = models.PositiveSmallIntegerField(
        _("bottom share that flags (%)"), default=10, validators=[MaxValueValidator(100)]
    )
    linked_unit_weight = models.DecimalField(
        _("weight of linked units for legal-brigade officers"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("0.30"),
        validators=[MinValueValidator(0), MaxValueValidator(1)],
    )
    created_by = recorded_by(_("created by"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("evaluation scheme")
        verbose_name_plural = _("evaluation schemes")
        ordering = ["-year"]

    def __str__(self) -> str:
        return self.title


class ItemGroup(models.TextChoices):
    INDIVIDUAL = "individual", _("Individual items")
    UNIT = "unit", _("Unit items")


class EvaluationItem(models.Model):
    scheme = models.ForeignKey(
        EvaluationScheme, verbose_name=_("scheme"), on_delete=models.CASCADE, related_name="items"
    )
    group = models.CharField(_("group"), max_length=20, choices=ItemGroup.choices)
    name = models.CharField(_("item"), max_length=200)
    weight = models.DecimalField(
        _("weight"), max_digits=5, decimal_places=2, default=Decimal("1"), validators=[MinValueValidator(0)]
    )
    max_score = models.DecimalField(_("maximum"), max_digits=6, decimal_places=2, validators=[MinValueValidator(0)])
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("evaluation item")
        verbose_name_plural = _("evaluation items")
        ordering = ["scheme", "group", "order", "pk"]
        constraints = [models.UniqueConstraint(fields=["scheme", "name"], name="unique_evaluation_item_name")]

    def __str__(self) -> str:
        return self.name


class QuarterlyEvaluation(models.Model):
    scheme = models.ForeignKey(
        EvaluationScheme, verbose_name=_("scheme"), on_delete=models.PROTECT, related_name="evaluations"
    )
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("officer"), on_delete=models.PROTECT, related_name="evaluations"
    )
    quarter = models.PositiveSmallIntegerField(_("quarter"), validators=[MinValueValidator(1), MaxValueValidator(4)])
    # The unit the officer served at that quarter (the unit items are that unit's results).
    unit = models.ForeignKey(
        "people.Unit", verbose_name=_("unit"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    individual_score = models.DecimalField(_("individual items"), max_digits=7, decimal_places=2, default=0)
    unit_score = models.DecimalField(_("unit items"), max_digits=7, decimal_places=2, default=0)
    linked_score = models.DecimalField(_("linked units"), max_digits=7, decimal_places=2, null=True, blank=True)
    total = models.DecimalField(pgettext_lazy("score", "total"), max_digits=7, decimal_places=2, default=0)
    rank = models.PositiveIntegerField(_("rank"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    entered_by = recorded_by(_("entered by"))
    entered_at = models.DateTimeField(_("entered at"), default=timezone.now)

    class Meta:
        verbose_name = _("quarterly evaluation")
        verbose_name_plural = _("quarterly evaluations")
        ordering = ["scheme", "quarter", "rank", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "officer", "quarter"], name="unique_quarterly_evaluation")
        ]

    def __str__(self) -> str:
        return f"{self.officer} {self.scheme.year}Q{self.quarter}"


class EvaluationScore(models.Model):
    evaluation = models.ForeignKey(
        QuarterlyEvaluation, verbose_name=_("evaluation"), on_delete=models.CASCADE, related_name="scores"
    )
    item = models.ForeignKey(EvaluationItem, verbose_name=_("item"), on_delete=models.PROTECT, related_name="+")
    score = models.DecimalField(_("score"), max_digits=6, decimal_places=2, validators=[MinValueValidator(0)])

    class Meta:
        verbose_name = _("evaluation score")
        verbose_name_plural = _("evaluation scores")
        constraints = [models.UniqueConstraint(fields=["evaluation", "item"], name="unique_evaluation_score")]

    def __str__(self) -> str:
        return f"{self.evaluation_id}/{self.item_id}: {self.score}"


class LegalBrigadeLink(models.Model):
    """Item 19: a legal-brigade officer linked to a unit they support (挂钩联系), from / until."""

    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("legal-brigade officer"),
        on_delete=models.PROTECT,
        related_name="linked_units",
    )
    unit = models.ForeignKey("people.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    started_on = models.DateField(pgettext_lazy("date range", "from"))
    ended_on = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        verbose_name = _("linked unit")
        verbose_name_plural = _("linked units")
        ordering = ["officer", "unit"]
        constraints = [
            models.UniqueConstraint(
                fields=["officer", "unit"], condition=Q(ended_on__isnull=True), name="one_open_link_per_unit"
            )
        ]

    def __str__(self) -> str:
        return f"{self.officer} ↔ {self.unit}"


class FlagReason(models.TextChoices):
    CONSECUTIVE_LOW = "consecutive_low", _("Below the low score for consecutive quarters")
    BOTTOM = "bottom", _("In the bottom share of the ranking")


class ReviewDecision(models.TextChoices):
    PENDING = "pending", _("Awaiting review")
    KEEP = "keep", _("Keep in post")
    REPLACE = "replace", _("Replace")


class ReplacementReview(models.Model):
    """A "suggest replacement" flag raised by the quarter's results, and the decision on it."""

    scheme = models.ForeignKey(
        EvaluationScheme, verbose_name=_("scheme"), on_delete=models.CASCADE, related_name="reviews"
    )
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("officer"), on_delete=models.PROTECT, related_name="+"
    )
    quarter = models.PositiveSmallIntegerField(_("quarter"))
    reasons = models.JSONField(_("reasons"), default=list)
    decision = models.CharField(
        _("decision"), max_length=20, choices=ReviewDecision.choices, default=ReviewDecision.PENDING
    )
    decision_note = models.CharField(_("decision note"), max_length=300, blank=True)
    decided_by = recorded_by(_("decided by"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    created_at = models.DateTimeField(_("flagged at"), default=timezone.now)

    class Meta:
        verbose_name = _("replacement review")
        verbose_name_plural = _("replacement reviews")
        ordering = ["decision", "-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "officer", "quarter"], name="unique_replacement_review")
        ]

    def __str__(self) -> str:
        return f"{self.officer} {self.scheme.year}Q{self.quarter}"
