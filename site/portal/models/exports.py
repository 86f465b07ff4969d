"""Export jobs: large list exports built in the background (django-q2) with visible progress and
a download link that expires. Small exports are answered directly (``portal.exports``); every
export of personal data is audited either way, with its filters and row count."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .jobs import JobLease


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")
    EXPIRED = "expired", pgettext_lazy("no longer valid", "Expired")


class ExportJob(JobLease):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.CASCADE, related_name="export_jobs"
    )
    # The registered export (``PORTAL_EXPORTS`` setting key), e.g. "certification.qualifications".
    kind = models.CharField(_("export"), max_length=100)
    title = models.CharField(_("title"), max_length=200)
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    # The requester's language: the worker builds the headers and the notice in it.
    language = models.CharField(_("language"), max_length=20, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=ExportStatus.choices, default=ExportStatus.QUEUED)
    total = models.PositiveIntegerField(_("rows expected"), default=0)
    done = models.PositiveIntegerField(_("rows written"), default=0)
    row_count = models.PositiveIntegerField(_("rows"), null=True, blank=True)
    file = models.FileField(_("file"), upload_to="exports/%Y/%m/", blank=True)
    filename = models.CharField(_("file name"), max_length=200, blank=True)
    # The technical cause of a failure, for the logs and the admin; the page shows ``failure``.
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("requested at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("link expires at"), null=True, blank=True)

    class Meta:
        verbose_name = _("export job")
        verbose_name_plural = _("export jobs")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "expires_at"], name="export_status_expiry")]

    def __str__(self) -> str:
        return f"{self.title} ({self.status})"
