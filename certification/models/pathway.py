"""The "123" new-officer pathway (seed item 6) and mentor binding (师徒结对).

A ``Pathway`` follows one new officer from enrolment: phase 1 shadows the legal / pre-trial
department (1 month), phase 2 shadows a bound mentor (2 months) and ends with the lead-officer
qualification test, phase 3 binds the new officer's case quality to the mentor (3 months); lengths
come from ``CertificationPolicy``. Planned end dates are computed from the start and moved by
extensions (a failed lead-officer test waits, then retakes). Every move is a
``PathwayTransition`` row. ``ShadowingLogEntry`` rows are signed off by a legal-department
supervisor (phase 1) or the bound mentor (phase 2).
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.models.fields import recorded_by
from portal.texts import render, stored_text_field


class PathwayPhase(models.TextChoices):
    PHASE1 = "phase1", _("Phase 1: legal department shadowing")
    PHASE2 = "phase2", _("Phase 2: mentor shadowing and lead-officer test")
    PHASE3 = "phase3", _("Phase 3: joint case quality")
    COMPLETED = "completed", _("Completed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Pathway(models.Model):
    officer = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("new officer"), on_delete=models.PROTECT, related_name="pathway"
    )
    phase = models.CharField(_("phase"), max_length=20, choices=PathwayPhase.choices, default=PathwayPhase.PHASE1)
    start_date = models.DateField(_("start date"))
    phase_started_on = models.DateField(_("current phase started on"))
    # Planned ends, computed from the start and the policy's lengths, moved by extensions.
    phase1_due = models.DateField(_("phase 1 due"))
    phase2_due = models.DateField(_("phase 2 due"))
    phase3_due = models.DateField(_("phase 3 due"))
    extension_days = models.PositiveIntegerField(_("extension (days)"), default=0)
    # The lead-officer test may be retaken from this day after a failure.
    retake_from = models.DateField(_("retake allowed from"), null=True, blank=True)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    overdue_notified_on = models.DateField(_("overdue notice sent on"), null=True, blank=True)
    enrolled_by = recorded_by(_("enrolled by"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("new-officer pathway")
        verbose_name_plural = _("new-officer pathways")
        ordering = ["start_date", "pk"]
        indexes = [models.Index(fields=["phase"], name="pathway_phase")]

    def __str__(self) -> str:
        return f"{self.officer} · {self.get_phase_display()}"

    @property
    def current_due(self):
        return {
            PathwayPhase.PHASE1: self.phase1_due,
            PathwayPhase.PHASE2: self.phase2_due,
            PathwayPhase.PHASE3: self.phase3_due,
        }.get(self.phase)

    def is_overdue(self, today) -> bool:
        due = self.current_due
        return due is not None and today > due


class PathwayTransition(models.Model):
    """Append-only history of a pathway: enrolment, phase changes, extensions, withdrawal."""

    pathway = models.ForeignKey(
        Pathway, verbose_name=_("pathway"), on_delete=models.CASCADE, related_name="transitions"
    )
    from_phase = models.CharField(_("from"), max_length=20, choices=PathwayPhase.choices, blank=True)
    to_phase = models.CharField(_("to"), max_length=20, choices=PathwayPhase.choices)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    reason_message = stored_text_field(_("reason (stored text)"))
    extension_days = models.PositiveIntegerField(_("extension (days)"), default=0)
    actor = recorded_by(_("by"))
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("pathway transition")
        verbose_name_plural = _("pathway transitions")
        ordering = ["pathway", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.pathway_id}: {self.from_phase} → {self.to_phase}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise ValueError("Pathway transitions are append-only.")
        super().save(*args, **kwargs)

    @property
    def display_reason(self) -> str:
        """The reason in the reader's language (a generated sentence), else as typed."""
        return render(self.reason_message, self.reason)


class WorkType(models.TextChoices):
    CASE_REVIEW = "case_review", _("Case review")
    CASE_HANDLING = "case_handling", _("Case handling")
    INCIDENT = "incident", _("Incident response")
    INTERROGATION = "interrogation", _("Questioning and interrogation")
    EVIDENCE = "evidence", _("Evidence collection")
    CASE_FILE = "case_file", _("Electronic case file")
    COURT = "court", _("Court hearing")
    OTHER = "other", _("Other")


class LogStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Awaiting signature")
    SIGNED = "signed", _("Signed")
    RETURNED = "returned", _("Returned")


class ShadowingLogEntry(models.Model):
    pathway = models.ForeignKey(
        Pathway, verbose_name=_("pathway"), on_delete=models.CASCADE, related_name="log_entries"
    )
    phase = models.CharField(
        _("phase"),
        max_length=20,
        choices=[(PathwayPhase.PHASE1, PathwayPhase.PHASE1.label), (PathwayPhase.PHASE2, PathwayPhase.PHASE2.label)],
    )
    date = models.DateField(_("date"))
    work_type = models.CharField(_("work type"), max_length=20, choices=WorkType.choices)
    description = models.TextField(_("what was done"))
    hours = models.DecimalField(
        _("hours"), max_digits=4, decimal_places=1, validators=[MinValueValidator(0.5), MaxValueValidator(24)]
    )
    status = models.CharField(_("status"), max_length=20, choices=LogStatus.choices, default=LogStatus.SUBMITTED)
    signer = recorded_by(_("signed by"))
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)
    signer_comment = models.CharField(_("comment"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("shadowing log entry")
        verbose_name_plural = _("shadowing log entries")
        ordering = ["pathway", "-date", "-pk"]

    def __str__(self) -> str:
        return f"{self.pathway_id} {self.date}"


class MentorBinding(models.Model):
    """师徒结对: a mentor bound to a new officer. Active while ``ended_on`` is empty."""

    mentee = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("new officer"), on_delete=models.PROTECT, related_name="mentors"
    )
    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("mentor"), on_delete=models.PROTECT, related_name="mentees"
    )
    pathway = models.ForeignKey(
        Pathway, verbose_name=_("pathway"), on_delete=models.PROTECT, null=True, blank=True, related_name="bindings"
    )
    started_on = models.DateField(_("bound on"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    reason = models.CharField(_("reason for binding"), max_length=300, blank=True)
    end_reason = models.CharField(_("reason for ending"), max_length=300, blank=True)
    end_reason_message = stored_text_field(_("reason for ending (stored text)"))
    bound_by = recorded_by(_("bound by"))
    ended_by = recorded_by(_("ended by"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("mentor binding")
        verbose_name_plural = _("mentor bindings")
        ordering = ["-started_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["mentee"], condition=Q(ended_on__isnull=True), name="one_active_mentor_per_mentee"
            ),
            models.CheckConstraint(condition=~Q(mentee=models.F("mentor")), name="mentor_is_not_mentee"),
        ]

    def __str__(self) -> str:
        return f"{self.mentor} → {self.mentee}"

    @property
    def is_active(self) -> bool:
        return self.ended_on is None

    @property
    def display_end_reason(self) -> str:
        """The end_reason in the reader's language (a generated sentence), else as typed."""
        return render(self.end_reason_message, self.end_reason)
