"""学习任务: a course assigned to an audience with a due date, and the reminders sent for it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from people.models.audience import AudienceRule


class AssignmentStatus(models.TextChoices):
    ACTIVE = "active", pgettext_lazy("study assignment", "Active")
    CLOSED = "closed", _("Closed")


class StudyAssignment(AudienceRule):
    """A course every officer in the audience must learn by ``due_date`` (end of that day).

    The audience is evaluated live (``people.selectors.officers_matching``): officers who are
    seconded or leave drop out, newcomers come in. What officers learned stays in their
    ``LessonCompletion`` history either way.
    """

    course = models.ForeignKey(
        "courses.CoursePage",
        verbose_name=_("course"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="assignments",
    )
    course_title = models.CharField(_("course title"), max_length=255, help_text=_("Kept if the course is deleted."))
    due_date = models.DateField(_("due date"))
    note = models.TextField(_("note to officers"), blank=True, max_length=1000)
    status = models.CharField(
        _("status"), max_length=20, choices=AssignmentStatus.choices, default=AssignmentStatus.ACTIVE
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("assigned by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("assigned at"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("closed by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # A double-submitted form carries the same key: the second submission finds the first.
    submission_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    class Meta:
        verbose_name = _("study assignment")
        verbose_name_plural = _("study assignments")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "due_date"])]

    def __str__(self) -> str:
        return f"{self.course_title}（{self.due_date:%Y-%m-%d}）"

    @property
    def is_active(self) -> bool:
        return self.status == AssignmentStatus.ACTIVE


class ReminderKind(models.TextChoices):
    BEFORE_DUE = "before_due", _("Due soon")
    DUE_TODAY = "due_today", _("Due today")


class AssignmentReminder(models.Model):
    """A reminder sent to one officer for one assignment: at most one of each kind, ever."""

    assignment = models.ForeignKey(
        StudyAssignment, verbose_name=_("assignment"), on_delete=models.CASCADE, related_name="reminders"
    )
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("officer"), on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ReminderKind.choices)
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)

    class Meta:
        verbose_name = _("assignment reminder")
        verbose_name_plural = _("assignment reminders")
        constraints = [
            models.UniqueConstraint(fields=["assignment", "officer", "kind"], name="courses_reminder_once_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.assignment_id} · {self.officer_id} · {self.kind}"
