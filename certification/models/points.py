"""Court-hearing attendance (庭审旁听, seed item 13), the points ledger (积分, items 13 and 16),
case-handling indicators for officers aged 50 or more, and middle-leader reminder talks (item 4).

- ``CourtAttendance``: an officer records a hearing they attended with evidence; the legal brigade
  verifies or rejects it. ``PointsSequence`` assigns officers to a points sequence (e.g. 执法办案
  积分序列) and ``CourtRequirement`` says how many verified attendances a sequence needs a year.
- ``PointEntry``: one ledger line per officer and year, each pointing at its source record
  (``source_type`` + ``source_id``), so every total can be traced; entries generated from a
  source are unique per source, so regenerating never double-counts.
- ``CaseHandlingIndicator``: an over-50 officer's cases handled and incidents responded to in a
  year, against ``IndicatorTarget``.
- ``ReminderTalk`` (提醒谈话) for a middle leader who failed or scored low; ``OrganisationalFlag``
  when it happens again.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portal.models.fields import recorded_by
from portal.texts import render, stored_text_field


class Sequence(models.TextChoices):
    CASE_HANDLING = "case_handling", _("Case-handling points sequence")
    OTHER = "other", _("Other")


class PointsSequence(models.Model):
    """Which points sequence an officer is in (执法办案积分序列 or not)."""

    officer = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("officer"), on_delete=models.CASCADE, related_name="points_sequence"
    )
    sequence = models.CharField(_("sequence"), max_length=20, choices=Sequence.choices)
    since = models.DateField(_("since"), null=True, blank=True)

    class Meta:
        verbose_name = _("points sequence membership")
        verbose_name_plural = _("points sequence memberships")

    def __str__(self) -> str:
        return f"{self.officer}: {self.sequence}"


class CourtRequirement(models.Model):
    year = models.PositiveSmallIntegerField(_("year"))
    sequence = models.CharField(_("sequence"), max_length=20, choices=Sequence.choices)
    required = models.PositiveSmallIntegerField(_("hearings required"), default=2)
    points_each = models.DecimalField(
        _("points per verified hearing"), max_digits=5, decimal_places=2, default=Decimal("1")
    )

    class Meta:
        verbose_name = _("court-attendance requirement")
        verbose_name_plural = _("court-attendance requirements")
        ordering = ["-year", "sequence"]
        constraints = [models.UniqueConstraint(fields=["year", "sequence"], name="unique_court_requirement")]

    def __str__(self) -> str:
        return f"{self.year} {self.sequence}: {self.required}"


class CourtRole(models.TextChoices):
    OBSERVER = "observer", _("Observer")
    WITNESS = "witness", _("Witness")
    AGENCY_REPRESENTATIVE = "representative", _("Agency representative")


class AttendanceState(models.TextChoices):
    SUBMITTED = "submitted", _("Awaiting verification")
    VERIFIED = "verified", _("Verified")
    REJECTED = "rejected", _("Rejected")


class CourtAttendance(models.Model):
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("officer"), on_delete=models.PROTECT, related_name="court_attendance"
    )
    date = models.DateField(_("hearing date"))
    court = models.CharField(_("court"), max_length=200)
    case = models.CharField(_("case"), max_length=200)
    role = models.CharField(_("role"), max_length=20, choices=CourtRole.choices, default=CourtRole.OBSERVER)
    evidence = models.FileField(_("evidence"), upload_to="certification/court/%Y/", blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    state = models.CharField(
        _("state"), max_length=20, choices=AttendanceState.choices, default=AttendanceState.SUBMITTED
    )
    reviewed_by = recorded_by(_("reviewed by"))
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reject_reason = models.CharField(_("reason for rejection"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("court-hearing attendance")
        verbose_name_plural = _("court-hearing attendance")
        ordering = ["-date", "-pk"]

    def __str__(self) -> str:
        return f"{self.officer} {self.date} {self.court}"


class PointCategory(models.TextChoices):
    CASE_HANDLING = "case_handling", _("Case handling")
    COURT = "court", _("Court-hearing attendance")
    EXAM = "exam", _("Exams")
    QUALIFICATION = "qualification", _("Qualifications")
    MENTOR = "mentor", _("Mentor binding")
    DEDUCTION = "deduction", _("Deductions")
    OTHER = "other", _("Other")


class PointEntry(models.Model):
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("officer"), on_delete=models.PROTECT, related_name="point_entries"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    category = models.CharField(_("category"), max_length=20, choices=PointCategory.choices)
    points = models.DecimalField(pgettext_lazy("case-handling points", "points"), max_digits=7, decimal_places=2)
    description = models.CharField(_("description"), max_length=300)
    occurred_on = models.DateField(_("date"))
    # The record this entry comes from, e.g. ("certification.courtattendance", "12"); empty for a
    # manual entry, which then carries its reason in ``description`` and who entered it.
    source_type = models.CharField(_("source type"), max_length=60, blank=True)
    source_id = models.CharField(_("source"), max_length=40, blank=True)
    created_by = recorded_by(_("entered by"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("point entry")
        verbose_name_plural = _("point entries")
        ordering = ["officer", "-occurred_on", "-pk"]
        indexes = [models.Index(fields=["officer", "year"], name="point_officer_year")]
        constraints = [
            models.UniqueConstraint(
                fields=["officer", "category", "source_type", "source_id"],
                condition=~models.Q(source_type=""),
                name="one_point_entry_per_source",
            )
        ]

    def __str__(self) -> str:
        return f"{self.officer} {self.year} {self.category} {self.points}"


class IndicatorTarget(models.Model):
    """Yearly case-handling targets for officers from ``min_age`` (seed item 16: 50 and over)."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    min_age = models.PositiveSmallIntegerField(_("from age"), default=50)
    cases_required = models.PositiveIntegerField(_("cases handled required"), default=10)
    incidents_required = models.PositiveIntegerField(_("incidents responded to required"), default=30)

    class Meta:
        verbose_name = _("case-handling indicator target")
        verbose_name_plural = _("case-handling indicator targets")
        ordering = ["-year"]

    def __str__(self) -> str:
        return str(self.year)


class CaseHandlingIndicator(models.Model):
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("officer"), on_delete=models.PROTECT, related_name="indicators"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    cases_handled = models.PositiveIntegerField(_("cases handled"), default=0)
    incidents_responded = models.PositiveIntegerField(_("incidents responded to"), default=0)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    updated_by = recorded_by(_("updated by"))

    class Meta:
        verbose_name = _("case-handling indicator")
        verbose_name_plural = _("case-handling indicators")
        ordering = ["-year", "officer"]
        constraints = [models.UniqueConstraint(fields=["officer", "year"], name="unique_indicator_year")]

    def __str__(self) -> str:
        return f"{self.officer} {self.year}"


class ReminderTalk(models.Model):
    """提醒谈话 with a middle leader who failed the annual concentrated test or scored low."""

    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("middle leader"),
        on_delete=models.PROTECT,
        related_name="reminder_talks",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    attempt = models.ForeignKey(
        "exams.Attempt",
        verbose_name=_("exam attempt"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reason = models.CharField(_("reason"), max_length=300)
    reason_message = stored_text_field(_("reason (stored text)"))
    talk_date = models.DateField(_("date of the talk"), null=True, blank=True)
    talked_by = recorded_by(_("talk by"))
    summary = models.TextField(_("summary"), blank=True)
    follow_up = models.TextField(_("follow-up"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("reminder talk")
        verbose_name_plural = _("reminder talks")
        ordering = ["-year", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["attempt"], condition=models.Q(attempt__isnull=False), name="one_talk_per_attempt"
            )
        ]

    def __str__(self) -> str:
        return f"{self.officer} {self.year}"

    @property
    def display_reason(self) -> str:
        """The reason in the reader's language (a generated sentence), else as typed."""
        return render(self.reason_message, self.reason)


class OrganisationalFlag(models.Model):
    """A second failure after a reminder talk: flagged for organisational measures (组织处理)."""

    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("middle leader"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    talk = models.ForeignKey(
        ReminderTalk, verbose_name=_("earlier reminder talk"), on_delete=models.PROTECT, related_name="+"
    )
    attempt = models.ForeignKey(
        "exams.Attempt",
        verbose_name=_("exam attempt"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reason = models.CharField(_("reason"), max_length=300)
    reason_message = stored_text_field(_("reason (stored text)"))
    resolution = models.TextField(_("measures taken"), blank=True)
    resolved_by = recorded_by(_("resolved by"))
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    created_at = models.DateTimeField(_("raised at"), default=timezone.now)

    class Meta:
        verbose_name = _("organisational-measures flag")
        verbose_name_plural = _("organisational-measures flags")
        ordering = ["resolved_at", "-created_at"]

    def __str__(self) -> str:
        return f"{self.officer} {self.year}"

    @property
    def display_reason(self) -> str:
        """The reason in the reader's language (a generated sentence), else as typed."""
        return render(self.reason_message, self.reason)
