"""The lease every background job row carries (an export, a certificate batch), so that a job whose
worker died is seen and settled instead of staying "running" for ever.

``portal.services.jobs`` reads and writes these fields; the job's own service calls it. The row's
``status`` field (the model's own TextChoices, values ``queued`` / ``running`` / ``done`` /
``failed``) is the state machine; these fields say who holds it and whether that holder is alive.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class JobLease(models.Model):
    # How many times a worker has taken this job in the current round (a retry starts a new round).
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # The holder of the current attempt: "host:pid:nonce", new at every claim. Every write the
    # worker makes is conditional on it, so a worker presumed dead cannot overwrite its successor.
    worker = models.CharField(_("worker"), max_length=100, blank=True)
    queued_at = models.DateTimeField(_("queued at"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True)
    # Why it failed: a key of ``portal.services.jobs.FAILURES`` (the sentence is rendered when read).
    failure = models.CharField(_("failure"), max_length=40, blank=True)

    class Meta:
        abstract = True
