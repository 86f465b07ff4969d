"""Reading progress: when an officer opened a lesson, when they marked it learned, and re-reads.

``LessonProgress`` is the current state, one row per officer and lesson; ``LessonCompletion`` is
the append-only history (every time a lesson was learned, how long it had been open), which
survives re-read requests, unpublished lessons and officers leaving.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class LessonProgress(models.Model):
    """学习进度 of one officer in one lesson.

    ``opened_at`` is when the current reading began: the first opening, or the first one after a
    re-read request. The lesson may be marked learned ``min_read_seconds`` after it. A re-read
    request clears ``completed_at`` and sets ``needs_reread`` (the completion stays in history).
    """

    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("officer"), on_delete=models.CASCADE, related_name="lesson_progress"
    )
    lesson = models.ForeignKey(
        "courses.LessonPage", verbose_name=_("lesson"), on_delete=models.CASCADE, related_name="progress"
    )
    first_opened_at = models.DateTimeField(_("first opened at"), default=timezone.now)
    opened_at = models.DateTimeField(_("reading started at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("learned at"), null=True, blank=True)
    read_seconds = models.PositiveIntegerField(_("reading time (seconds)"), null=True, blank=True)
    needs_reread = models.BooleanField(_("re-read required"), default=False)

    class Meta:
        verbose_name = _("lesson progress")
        verbose_name_plural = _("lesson progress")
        constraints = [models.UniqueConstraint(fields=["officer", "lesson"], name="courses_progress_once_per_lesson")]
        indexes = [models.Index(fields=["lesson", "completed_at"])]

    def __str__(self) -> str:
        return f"{self.officer_id} · {self.lesson_id}"

    @property
    def is_learned(self) -> bool:
        return self.completed_at is not None


class LessonCompletion(models.Model):
    """One time an officer learned a lesson: when, and how long it had been open. Append-only."""

    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("officer"),
        on_delete=models.CASCADE,
        related_name="lesson_completions",
    )
    lesson = models.ForeignKey(
        "courses.LessonPage",
        verbose_name=_("lesson"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="completions",
    )
    lesson_title = models.CharField(_("lesson title"), max_length=255, help_text=_("Kept if the lesson is deleted."))
    course_title = models.CharField(_("course title"), max_length=255, blank=True)
    opened_at = models.DateTimeField(_("reading started at"))
    completed_at = models.DateTimeField(_("learned at"), default=timezone.now)
    read_seconds = models.PositiveIntegerField(_("reading time (seconds)"))

    class Meta:
        verbose_name = _("lesson completion")
        verbose_name_plural = _("lesson completions")
        ordering = ["-completed_at", "-id"]
        indexes = [models.Index(fields=["officer", "completed_at"])]

    def __str__(self) -> str:
        return f"{self.officer_id} · {self.lesson_title}"


class LessonRereadRequest(models.Model):
    """A trainer's "re-read required" flag on a lesson after a major edit. Append-only.

    Completions before ``requested_at`` stop counting; officers see the lesson as to re-read.
    """

    lesson = models.ForeignKey(
        "courses.LessonPage", verbose_name=_("lesson"), on_delete=models.CASCADE, related_name="reread_requests"
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    reason = models.CharField(_("what changed"), max_length=300)
    officers_affected = models.PositiveIntegerField(_("officers asked to re-read"), default=0)

    class Meta:
        verbose_name = _("re-read request")
        verbose_name_plural = _("re-read requests")
        ordering = ["-requested_at", "-id"]
        get_latest_by = "requested_at"

    def __str__(self) -> str:
        return self.reason
