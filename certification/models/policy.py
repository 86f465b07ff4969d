"""The numbers the legal brigade may change without a release: one row, edited in the admin."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class CertificationPolicy(models.Model):
    """Phase lengths of the 123 pathway, mentor rules, joint-scoring weights and reminder days.

    ``CertificationPolicy.current()`` returns the single row, created with the defaults below the
    first time it is read (the seed plan's 1 / 2 / 3 months, at most 2 mentees, …)."""

    phase1_months = models.PositiveSmallIntegerField(
        _("phase 1 (legal department shadowing), months"), default=1, validators=[MinValueValidator(1)]
    )
    phase2_months = models.PositiveSmallIntegerField(
        _("phase 2 (mentor shadowing), months"), default=2, validators=[MinValueValidator(1)]
    )
    phase3_months = models.PositiveSmallIntegerField(
        _("phase 3 (joint case quality), months"), default=3, validators=[MinValueValidator(1)]
    )
    retake_wait_days = models.PositiveSmallIntegerField(
        _("wait before retaking the lead-officer test, days"), default=14
    )
    mentor_min_service_years = models.PositiveSmallIntegerField(_("mentor: minimum years of service"), default=3)
    mentor_capacity = models.PositiveSmallIntegerField(
        _("mentor: most active mentees"), default=2, validators=[MinValueValidator(1)]
    )
    mentor_lookback_months = models.PositiveSmallIntegerField(
        _("mentor: months without a serious case-quality deduction"), default=12
    )
    mentee_weight = models.DecimalField(
        _("phase 3: weight of a case for the new officer"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("1.00"),
        validators=[MinValueValidator(0), MaxValueValidator(1)],
    )
    mentor_weight = models.DecimalField(
        _("phase 3: weight of the mentee's case for the mentor"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("0.50"),
        validators=[MinValueValidator(0), MaxValueValidator(1)],
    )
    leader_low_score = models.DecimalField(
        _("middle leaders: score below which a reminder talk is due"),
        max_digits=6,
        decimal_places=2,
        default=Decimal("70"),
        help_text=_("Failing the annual concentrated test always calls for one."),
    )
    reminder_days = models.CharField(
        _("expiry reminders, days ahead"),
        max_length=50,
        default="90,30,7",
        help_text=_("Comma-separated numbers of days before expiry."),
    )

    class Meta:
        verbose_name = _("certification policy")
        verbose_name_plural = _("certification policy")

    def __str__(self) -> str:
        return str(self._meta.verbose_name)

    @classmethod
    def current(cls) -> CertificationPolicy:
        policy = cls.objects.order_by("pk").first()
        return policy or cls.objects.create()

    @property
    def reminder_day_list(self) -> list[int]:
        days = {int(part) for part in self.reminder_days.replace("，", ",").split(",") if part.strip().isdigit()}
        return sorted(days, reverse=True)
