"""Case-quality records (执法质量考评) and who they count for.

A ``CaseQualityRecord`` is one case's assessment for its handling officer; the case number is the
key — a second record with the same number updates the first (entered by legal officers, imported
from xlsx, or pushed by the case-handling system over the API). ``CaseQualityShare`` rows say
whom the record counts for and with what weight: the handler always; in phase 3 of the 123 pathway
also the bound mentor ("责任、荣誉"捆绑), with the policy's weights. Shares are recomputed whenever
the record changes, so positive and negative results both follow.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.models.fields import recorded_by


class CaseRecordSource(models.TextChoices):
    FORM = "form", _("Entered on the platform")
    IMPORT = "import", _("Imported from xlsx")
    API = "api", _("Case-handling system")


class CaseQualityRecord(models.Model):
    case_number = models.CharField(_("case number"), max_length=60, unique=True)
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handling officer"),
        on_delete=models.PROTECT,
        related_name="case_quality_records",
    )
    case_date = models.DateField(_("case date"))
    case_title = models.CharField(_("case"), max_length=200, blank=True)
    score = models.DecimalField(
        _("score"), max_digits=6, decimal_places=2, null=True, blank=True, help_text=_("Out of 100.")
    )
    deductions = models.DecimalField(_("deductions"), max_digits=6, decimal_places=2, default=Decimal("0"))
    issue_categories = models.JSONField(_("issue categories"), default=list, blank=True)
    serious = models.BooleanField(_("serious problem"), default=False)
    commendation = models.CharField(_("commendation"), max_length=300, blank=True)
    note = models.TextField(_("note"), blank=True)
    source = models.CharField(
        _("source"), max_length=20, choices=CaseRecordSource.choices, default=CaseRecordSource.FORM
    )
    entered_by = recorded_by(_("entered by"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("case-quality record")
        verbose_name_plural = _("case-quality records")
        ordering = ["-case_date", "-pk"]
        indexes = [models.Index(fields=["officer", "case_date"], name="case_officer_date")]

    def __str__(self) -> str:
        return self.case_number


class ShareRole(models.TextChoices):
    HANDLER = "handler", _("Handling officer")
    MENTOR = "mentor", _("Mentor (phase 3)")


class CaseQualityShare(models.Model):
    record = models.ForeignKey(
        CaseQualityRecord, verbose_name=_("case-quality record"), on_delete=models.CASCADE, related_name="shares"
    )
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("officer"), on_delete=models.PROTECT, related_name="case_shares"
    )
    role = models.CharField(_("role"), max_length=20, choices=ShareRole.choices)
    weight = models.DecimalField(_("weight"), max_digits=4, decimal_places=2)
    binding = models.ForeignKey(
        "certification.MentorBinding",
        verbose_name=_("mentor binding"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("case-quality share")
        verbose_name_plural = _("case-quality shares")
        constraints = [models.UniqueConstraint(fields=["record", "officer", "role"], name="unique_case_share")]

    def __str__(self) -> str:
        return f"{self.record_id} → {self.officer_id} ({self.role})"
