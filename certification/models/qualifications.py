"""Qualifications (执法资格 and others), their records and certificates.

A ``QualificationType`` says how it is obtained — an exam (``QualificationExam`` names which exams
grant it), completing the 123 pathway, reviewed evidence, or a manual grant — whether a leader
must approve, its validity, and for the law-enforcement ladder (基本级 → 中级 → 高级) which type
must be held first (``requires``).

A ``Qualification`` is one officer's record of one type. Its status moves through
``QualificationStatus``; every move is a ``QualificationEvent`` (who, when, from, to, why), never
edited. Recertification renews the same record and issues a new ``Certificate``; earlier
certificates are kept, marked superseded, so an old printout still verifies as "replaced".
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from courses.models.choices import Tier
from portal.models.fields import recorded_by
from portal.models.jobs import JobLease
from portal.texts import render, stored_text_field


class ObtainedBy(models.TextChoices):
    EXAM = "exam", _("Passing an exam")
    PATHWAY = "pathway", _("Completing the new-officer pathway")
    EVIDENCE = "evidence", _("Evidence reviewed by the legal brigade")
    MANUAL = "manual", _("Granted by a leader")


class QualificationType(models.Model):
    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    obtained_by = models.CharField(_("obtained by"), max_length=20, choices=ObtainedBy.choices)
    # The law-enforcement ladder: the tier this type stands for, and the type that must be held
    # (valid) before its exam may be sat.
    tier = models.CharField(_("tier"), max_length=20, choices=Tier.choices, blank=True)
    requires = models.ForeignKey(
        "self",
        verbose_name=_("requires a valid"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="required_by",
    )
    requires_approval = models.BooleanField(
        _("a leader must approve"),
        default=False,
        help_text=_("Passing the exam or completing the pathway proposes the qualification; a leader grants it."),
    )
    validity_months = models.PositiveSmallIntegerField(
        _("valid for (months)"), null=True, blank=True, help_text=_("Empty: valid without end.")
    )
    certificate_prefix = models.CharField(_("certificate number prefix"), max_length=10, default="ZF")
    active = models.BooleanField(_("in use"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("qualification type")
        verbose_name_plural = _("qualification types")
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.name


class QualificationExam(models.Model):
    """Passing this exam grants (or proposes) this qualification — certification's side of the
    link, so exams knows nothing of qualifications."""

    exam = models.OneToOneField(
        "exams.Exam", verbose_name=_("exam"), on_delete=models.CASCADE, related_name="qualification_link"
    )
    qualification_type = models.ForeignKey(
        QualificationType, verbose_name=_("qualification"), on_delete=models.PROTECT, related_name="exam_links"
    )

    class Meta:
        verbose_name = _("qualification exam")
        verbose_name_plural = _("qualification exams")

    def __str__(self) -> str:
        return f"{self.exam} → {self.qualification_type}"


class QualificationStatus(models.TextChoices):
    PROPOSED = "proposed", _("Awaiting approval")
    VALID = "valid", _("Valid")
    SUSPENDED = "suspended", _("Suspended")
    REVOKED = "revoked", _("Revoked")
    EXPIRED = "expired", pgettext_lazy("no longer valid", "Expired")
    REJECTED = "rejected", _("Not approved")


class QualificationSource(models.TextChoices):
    EXAM = "exam", _("Exam")
    PATHWAY = "pathway", _("New-officer pathway")
    EVIDENCE = "evidence", _("Evidence")
    MANUAL = "manual", _("Manual grant")


class Qualification(models.Model):
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("officer"), on_delete=models.PROTECT, related_name="qualifications"
    )
    qualification_type = models.ForeignKey(
        QualificationType, verbose_name=_("qualification"), on_delete=models.PROTECT, related_name="records"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=QualificationStatus.choices, default=QualificationStatus.VALID
    )
    granted_on = models.DateField(_("granted on"), null=True, blank=True)
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=20, choices=QualificationSource.choices)
    source_attempt = models.ForeignKey(
        "exams.Attempt",
        verbose_name=_("exam attempt"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    source_pathway = models.ForeignKey(
        "certification.Pathway",
        verbose_name=_("pathway"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    evidence = models.FileField(_("evidence file"), upload_to="certification/evidence/%Y/", blank=True)
    evidence_note = models.CharField(_("evidence"), max_length=300, blank=True)
    approved_by = recorded_by(_("approved by"))
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    # Which expiry reminders (days ahead) went out for the current expiry date.
    reminders_sent = models.JSONField(_("reminders sent"), default=list, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("qualification record")
        verbose_name_plural = _("qualification records")
        ordering = ["officer", "qualification_type__order"]
        constraints = [
            # One record per officer and type: recertification renews it.
            models.UniqueConstraint(fields=["officer", "qualification_type"], name="unique_officer_qualification"),
        ]
        indexes = [models.Index(fields=["status", "expires_on"], name="qualification_status_expiry")]

    def __str__(self) -> str:
        return f"{self.officer} · {self.qualification_type}"

    def is_valid_on(self, day) -> bool:
        return (
            self.status == QualificationStatus.VALID
            and (self.granted_on is None or self.granted_on <= day)
            and (self.expires_on is None or day <= self.expires_on)
        )


class QualificationEvent(models.Model):
    """Append-only history of a qualification record."""

    qualification = models.ForeignKey(
        Qualification, verbose_name=_("qualification"), on_delete=models.CASCADE, related_name="events"
    )
    action = models.CharField(_("action"), max_length=30)
    from_status = models.CharField(_("from"), max_length=20, choices=QualificationStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=20, choices=QualificationStatus.choices)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    reason_message = stored_text_field(_("reason (stored text)"))
    actor = recorded_by(_("by"))
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("qualification event")
        verbose_name_plural = _("qualification events")
        ordering = ["qualification", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.qualification_id}: {self.action}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise ValueError("Qualification events are append-only.")
        super().save(*args, **kwargs)

    @property
    def display_reason(self) -> str:
        """The reason in the reader's language (a generated sentence), else as typed."""
        return render(self.reason_message, self.reason)


class Certificate(models.Model):
    """A printed proof of a qualification; ``/verify/<number>`` answers for it publicly."""

    qualification = models.ForeignKey(
        Qualification, verbose_name=_("qualification"), on_delete=models.PROTECT, related_name="certificates"
    )
    number = models.CharField(_("certificate number"), max_length=40, unique=True)
    issued_on = models.DateField(_("issued on"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    superseded_at = models.DateTimeField(_("replaced at"), null=True, blank=True)
    issued_by = recorded_by(_("issued by"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["-issued_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["qualification"], condition=Q(superseded_at__isnull=True), name="one_current_certificate"
            )
        ]

    def __str__(self) -> str:
        return self.number


class BatchStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class CertificateBatch(JobLease):
    """Certificates for every passer of an exam, issued by a background task with visible progress."""

    exam = models.ForeignKey("exams.Exam", verbose_name=_("exam"), on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=20, choices=BatchStatus.choices, default=BatchStatus.QUEUED)
    total = models.PositiveIntegerField(_("total"), default=0, validators=[MinValueValidator(0)])
    done = models.PositiveIntegerField(_("done"), default=0)
    error = models.TextField(_("error"), blank=True)
    archive = models.FileField(_("archive"), upload_to="certification/batches/%Y/", blank=True)
    requested_by = recorded_by(_("requested by"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("certificate batch")
        verbose_name_plural = _("certificate batches")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.exam_id} ({self.done}/{self.total})"
