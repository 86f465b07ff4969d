"""Exam day (考务): per-officer accommodations, what happened to each attempt, absences, room
messages and re-opening after a technical incident. The rules live in ``exams.services.exam_day``.

- ``ExamAccommodation`` (考试特殊安排): one per officer and exam — extra time in minutes or percent,
  a different window, extra attempts, with the reason. Read by the deadline, the start checks, the
  eligibility pages and the sweep through ``exams.selectors.exam_day``.
- ``AttemptEvent``: append-only record of what happened to an attempt during the sitting (focus
  losses, device takeovers, time added, the clock stopped and restarted, forced hand-in, re-opening).
  The counts the board shows are kept on ``Attempt`` (``focus_losses``, ``device_changes``) so the
  board reads one row per examinee.
- ``ExamAbsence`` (缺考): an officer marked absent by the invigilator.
- ``ExamRoomMessage``: a message to every examinee of the exam, shown on their paper.
- ``AttemptReopenRequest``: an invigilator asks to re-open a submitted attempt; a legal leader
  approves (the attempt re-opens) or refuses.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.models.fields import recorded_by


class ExamAccommodation(models.Model):
    exam = models.ForeignKey(
        "exams.Exam", verbose_name=_("exam"), on_delete=models.CASCADE, related_name="accommodations"
    )
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("officer"),
        on_delete=models.CASCADE,
        related_name="exam_accommodations",
    )
    extra_minutes = models.PositiveIntegerField(_("extra time (minutes)"), default=0)
    extra_percent = models.PositiveSmallIntegerField(
        _("extra time (percent)"), default=0, validators=[MaxValueValidator(300)]
    )
    opens_at = models.DateTimeField(_("opens at (own window)"), null=True, blank=True)
    closes_at = models.DateTimeField(_("closes at (own window)"), null=True, blank=True)
    extra_attempts = models.PositiveSmallIntegerField(_("extra attempts"), default=0)
    reason = models.CharField(_("reason"), max_length=200)
    granted_by = recorded_by(_("granted by"))
    granted_at = models.DateTimeField(_("granted at"), default=timezone.now)

    class Meta:
        verbose_name = _("exam accommodation")
        verbose_name_plural = _("exam accommodations")
        ordering = ["exam", "officer"]
        constraints = [
            models.UniqueConstraint(fields=["exam", "officer"], name="unique_exam_accommodation"),
            models.CheckConstraint(
                condition=Q(opens_at__isnull=True) | Q(closes_at__isnull=True) | Q(closes_at__gt=models.F("opens_at")),
                name="accommodation_window",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.exam_id}/{self.officer_id}"

    @property
    def extra_time(self) -> bool:
        return bool(self.extra_minutes or self.extra_percent)


class AttemptEventKind(models.TextChoices):
    FOCUS_LOST = "focus_lost", _("Left the exam window")
    TAB_HIDDEN = "tab_hidden", _("Switched tab")
    FULLSCREEN_EXIT = "fullscreen_exit", _("Left full screen")
    WARNED = "warned", _("Warned about leaving the paper")
    DEVICE_TAKEOVER = "device_takeover", _("Taken over by another device")
    TIME_ADDED = "time_added", _("Time added")
    PAUSED = "paused", _("Clock stopped")
    RESUMED = "resumed", _("Clock restarted")
    ACCOMMODATION = "accommodation", _("Accommodation applied")
    FORCE_SUBMITTED = "force_submitted", _("Handed in by the invigilator")
    AUTO_SUBMITTED = "auto_submitted", _("Handed in after too many focus losses")
    REOPENED = "reopened", _("Re-opened after a technical incident")


# The events the examinee's page reports, each counted as one focus loss.
FOCUS_EVENTS = (AttemptEventKind.FOCUS_LOST, AttemptEventKind.TAB_HIDDEN, AttemptEventKind.FULLSCREEN_EXIT)


class AttemptEvent(models.Model):
    """Append-only: one thing that happened to an attempt during the sitting."""

    attempt = models.ForeignKey(
        "exams.Attempt", verbose_name=_("attempt"), on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(_("event"), max_length=20, choices=AttemptEventKind.choices)
    at = models.DateTimeField(_("at"), default=timezone.now)
    actor = recorded_by(_("by"))
    # Seconds for time added and the clock stopped; the device for takeovers; the reason typed by
    # an invigilator. Values, never display text.
    data = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("attempt event")
        verbose_name_plural = _("attempt events")
        ordering = ["attempt", "at", "id"]
        indexes = [models.Index(fields=["attempt", "at"], name="attempt_event_at")]

    def __str__(self) -> str:
        return f"{self.attempt_id}: {self.kind}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise ValueError("Attempt events are append-only.")
        super().save(*args, **kwargs)


class ExamAbsence(models.Model):
    exam = models.ForeignKey("exams.Exam", verbose_name=_("exam"), on_delete=models.CASCADE, related_name="absences")
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("officer"), on_delete=models.CASCADE, related_name="exam_absences"
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    marked_by = recorded_by(_("marked by"))
    marked_at = models.DateTimeField(_("marked at"), default=timezone.now)

    class Meta:
        verbose_name = _("exam absence")
        verbose_name_plural = _("exam absences")
        ordering = ["exam", "officer"]
        constraints = [models.UniqueConstraint(fields=["exam", "officer"], name="unique_exam_absence")]

    def __str__(self) -> str:
        return f"{self.exam_id}/{self.officer_id}"


class ExamRoomMessage(models.Model):
    exam = models.ForeignKey(
        "exams.Exam", verbose_name=_("exam"), on_delete=models.CASCADE, related_name="room_messages"
    )
    text = models.CharField(_("message"), max_length=500)
    sent_by = recorded_by(_("sent by"))
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)

    class Meta:
        verbose_name = _("exam-room message")
        verbose_name_plural = _("exam-room messages")
        ordering = ["exam", "sent_at", "id"]

    def __str__(self) -> str:
        return f"{self.exam_id}: {self.text[:30]}"


class ReopenStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for approval")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")


class AttemptReopenRequest(models.Model):
    attempt = models.ForeignKey(
        "exams.Attempt", verbose_name=_("attempt"), on_delete=models.CASCADE, related_name="reopen_requests"
    )
    reason = models.CharField(_("reason"), max_length=200)
    minutes = models.PositiveIntegerField(_("minutes given"), validators=[MinValueValidator(1), MaxValueValidator(600)])
    status = models.CharField(_("status"), max_length=10, choices=ReopenStatus.choices, default=ReopenStatus.PENDING)
    requested_by = recorded_by(_("requested by"))
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    decided_by = recorded_by(_("decided by"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("re-opening request")
        verbose_name_plural = _("re-opening requests")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["attempt"], condition=Q(status="pending"), name="one_pending_reopen_per_attempt"
            )
        ]

    def __str__(self) -> str:
        return f"{self.attempt_id}: {self.status}"
