"""学习讨论 (seed item 7): scheduled study sessions with an invited audience, attendance and minutes."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from people.models.audience import AudienceRule

# Officers may sign themselves in from this long before the start until the end.
SELF_SIGN_IN_OPENS_BEFORE = datetime.timedelta(minutes=15)


class DiscussionStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    CANCELLED = "cancelled", _("Cancelled")


class StudyDiscussion(AudienceRule):
    """A study discussion: topic, time, place, the lessons it discusses and who is invited."""

    topic = models.CharField(_("topic"), max_length=200)
    description = models.TextField(_("agenda"), blank=True, max_length=2000)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    place = models.CharField(_("place"), max_length=200)
    lessons = models.ManyToManyField(
        "courses.LessonPage", verbose_name=_("lessons discussed"), blank=True, related_name="discussions"
    )
    host = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("host"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=DiscussionStatus.choices, default=DiscussionStatus.SCHEDULED
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("scheduled by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("scheduled at"), default=timezone.now)
    minutes_text = models.TextField(_("minutes"), blank=True)
    minutes_file = models.FileField(_("minutes document"), upload_to="courses/discussions/%Y/%m/", blank=True)
    minutes_updated_at = models.DateTimeField(_("minutes updated at"), null=True, blank=True)
    minutes_updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("minutes updated by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    submission_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    class Meta:
        verbose_name = _("study discussion")
        verbose_name_plural = _("study discussions")
        ordering = ["-starts_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="courses_discussion_ends"
            )
        ]

    def __str__(self) -> str:
        return self.topic

    @property
    def self_sign_in_opens_at(self) -> datetime.datetime:
        return self.starts_at - SELF_SIGN_IN_OPENS_BEFORE

    def self_sign_in_open(self, now: datetime.datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.status == DiscussionStatus.SCHEDULED and self.self_sign_in_opens_at <= now <= self.ends_at

    @property
    def is_cancelled(self) -> bool:
        return self.status == DiscussionStatus.CANCELLED

    @property
    def has_minutes(self) -> bool:
        return bool(self.minutes_text or self.minutes_file)


class SignInMethod(models.TextChoices):
    SELF = "self", _("Signed in themselves")
    HOST = "host", _("Signed in by the host")


class DiscussionAttendance(models.Model):
    """An officer attended a discussion: who, when, and who signed them in. The officer's file
    (HR records) reads these rows."""

    discussion = models.ForeignKey(
        StudyDiscussion, verbose_name=_("discussion"), on_delete=models.CASCADE, related_name="attendance"
    )
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("officer"),
        on_delete=models.CASCADE,
        related_name="discussion_attendance",
    )
    signed_in_at = models.DateTimeField(_("signed in at"), default=timezone.now)
    signed_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("signed in by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    method = models.CharField(_("how"), max_length=10, choices=SignInMethod.choices)

    class Meta:
        verbose_name = _("discussion attendance")
        verbose_name_plural = _("discussion attendance")
        ordering = ["signed_in_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["discussion", "officer"], name="courses_attendance_once_per_discussion")
        ]

    def __str__(self) -> str:
        return f"{self.discussion_id} · {self.officer_id}"
