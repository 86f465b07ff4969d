"""The legal reserve talent pool (法制后备人才库, seed item 9).

Officers with a valid 法律职业资格 (司法考试) or 高级执法资格 are suggested by rule; the legal
brigade nominates, a leader approves. A ``ReserveMember`` row is one membership with a start and an
end; it ends, with a reason, when its basis lapses or the officer leaves. ``PoolActivity`` rows are
the pool's study research and case discussions (调研, 案件研讨), with ``PoolAttendance``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.models.fields import recorded_by
from portal.texts import render, stored_text_field


class MemberStatus(models.TextChoices):
    NOMINATED = "nominated", _("Nominated, awaiting approval")
    ACTIVE = "active", _("Member")
    REJECTED = "rejected", _("Not approved")
    ENDED = "ended", _("Membership ended")


class ReserveMember(models.Model):
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("officer"),
        on_delete=models.PROTECT,
        related_name="reserve_memberships",
    )
    status = models.CharField(_("status"), max_length=20, choices=MemberStatus.choices, default=MemberStatus.NOMINATED)
    # The qualification the membership rests on; when it lapses the membership ends.
    basis = models.ForeignKey(
        "certification.Qualification",
        verbose_name=_("basis"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    nomination_reason = models.CharField(_("reason for nomination"), max_length=300, blank=True)
    nominated_by = recorded_by(_("nominated by"))
    nominated_at = models.DateTimeField(_("nominated at"), default=timezone.now)
    decided_by = recorded_by(_("decided by"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.CharField(_("decision note"), max_length=300, blank=True)
    started_on = models.DateField(_("member from"), null=True, blank=True)
    ended_on = models.DateField(_("member until"), null=True, blank=True)
    end_reason = models.CharField(_("reason for ending"), max_length=300, blank=True)
    end_reason_message = stored_text_field(_("reason for ending (stored text)"))

    class Meta:
        verbose_name = _("reserve pool member")
        verbose_name_plural = _("reserve pool members")
        ordering = ["-started_on", "-nominated_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["officer"],
                condition=Q(status__in=["nominated", "active"]),
                name="one_open_reserve_membership",
            )
        ]

    def __str__(self) -> str:
        return f"{self.officer} ({self.status})"

    @property
    def display_end_reason(self) -> str:
        """The end reason in the reader's language (a generated sentence), else as typed."""
        return render(self.end_reason_message, self.end_reason)


class ActivityKind(models.TextChoices):
    RESEARCH = "research", _("Study research")
    CASE_DISCUSSION = "case_discussion", _("Case discussion")
    TRAINING = "training", _("Training")
    OTHER = "other", _("Other")


class PoolActivity(models.Model):
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=ActivityKind.choices)
    date = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    organiser = recorded_by(_("organiser"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("pool activity")
        verbose_name_plural = _("pool activities")
        ordering = ["-date", "-pk"]

    def __str__(self) -> str:
        return self.title


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", _("Present")
    EXCUSED = "excused", _("Excused")
    ABSENT = "absent", _("Absent")


class PoolAttendance(models.Model):
    activity = models.ForeignKey(
        PoolActivity, verbose_name=_("activity"), on_delete=models.CASCADE, related_name="attendance"
    )
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("officer"), on_delete=models.PROTECT, related_name="pool_attendance"
    )
    status = models.CharField(_("attendance"), max_length=20, choices=AttendanceStatus.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("pool attendance")
        verbose_name_plural = _("pool attendance")
        ordering = ["activity", "officer"]
        constraints = [models.UniqueConstraint(fields=["activity", "officer"], name="unique_pool_attendance")]

    def __str__(self) -> str:
        return f"{self.activity_id}/{self.officer_id}: {self.status}"
