"""Exam delivery (考试): the exam arrangement, its attempts, their transitions and answers.

An ``Exam`` (考试安排) draws one ``Paper`` per ``Attempt`` from its blueprint when the attempt
starts. An attempt moves through ``AttemptState``; every move leaves an ``AttemptTransition`` row
(who, when, from, to, why), never edited. ``Answer`` holds the latest response per paper item with
the client's sequence number, so an older save arriving late cannot overwrite a newer one (see
``exams.services.delivery``).

Responses are stored in the question's ORIGINAL option keys (the page translates the labels it
showed through ``PaperItem.original_key``), so grading and item analysis need no permutation.

Until audiences and sampling exist, an officer may take an exam only with an ``ExamInvitation``.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from courses.models.choices import Tier


class ExamKind(models.TextChoices):
    PRACTICE = "practice", _("Practice")
    FORMAL = "formal", _("Formal exam")
    RANDOM = "random", _("Random ability test")
    QUALIFICATION = "qualification", _("Qualification test")


class ExamStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    CLOSED = "closed", _("Closed")


class AttemptCounting(models.TextChoices):
    HIGHEST = "highest", _("Highest score")
    LAST = "last", _("Last attempt")


class ReleaseRule(models.TextChoices):
    ON_SUBMIT = "on_submit", _("On submission")
    AFTER_CLOSE = "after_close", _("After the exam window closes")
    AFTER_GRADING = "after_grading", _("After grading")


class ReviewRule(models.TextChoices):
    SCORE_ONLY = "score_only", _("Score only")
    CORRECT_ANSWERS = "correct_answers", _("Score and correct answers")
    EXPLANATIONS = "explanations", _("Correct answers with explanations")


class Exam(models.Model):
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=ExamKind.choices, default=ExamKind.FORMAL)
    tier = models.CharField(_("tier"), max_length=20, choices=Tier.choices, default=Tier.BASIC)
    blueprint = models.ForeignKey(
        "exams.Blueprint", verbose_name=_("paper blueprint"), on_delete=models.PROTECT, related_name="exams"
    )
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("closes at"))
    duration_minutes = models.PositiveIntegerField(_("duration (minutes)"), validators=[MinValueValidator(1)])
    attempts_allowed = models.PositiveSmallIntegerField(
        _("attempts allowed"), default=1, validators=[MinValueValidator(1)]
    )
    counts = models.CharField(
        _("attempt that counts"), max_length=20, choices=AttemptCounting.choices, default=AttemptCounting.HIGHEST
    )
    pass_mark = models.DecimalField(_("pass mark"), max_digits=8, decimal_places=2, default=Decimal("60"))
    grace_seconds = models.PositiveIntegerField(
        _("grace period (seconds)"),
        default=30,
        help_text=_("Answers arriving this long after the deadline are still accepted (network delays)."),
    )
    release_rule = models.CharField(
        _("results released"), max_length=20, choices=ReleaseRule.choices, default=ReleaseRule.AFTER_GRADING
    )
    review_rule = models.CharField(
        _("review shows"), max_length=20, choices=ReviewRule.choices, default=ReviewRule.EXPLANATIONS
    )
    status = models.CharField(_("status"), max_length=20, choices=ExamStatus.choices, default=ExamStatus.DRAFT)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("exam")
        verbose_name_plural = _("exams")
        ordering = ["-opens_at", "-id"]
        constraints = [models.CheckConstraint(condition=Q(closes_at__gt=models.F("opens_at")), name="exam_window")]

    def __str__(self) -> str:
        return self.title


class ExamInvitation(models.Model):
    """Who may take an exam, until audiences and sampled lists replace it."""

    exam = models.ForeignKey(Exam, verbose_name=_("exam"), on_delete=models.CASCADE, related_name="invitations")
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("officer"), on_delete=models.CASCADE, related_name="exam_invitations"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("exam invitation")
        verbose_name_plural = _("exam invitations")
        constraints = [models.UniqueConstraint(fields=["exam", "officer"], name="unique_exam_invitation")]

    def __str__(self) -> str:
        return f"{self.exam_id}/{self.officer_id}"


class AttemptState(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    SUBMITTED = "submitted", _("Submitted")
    GRADED = "graded", _("Graded")
    RELEASED = "released", _("Released")
    EXPIRED = "expired", _("Expired")


class Attempt(models.Model):
    """One sitting of an exam (答卷) by one officer."""

    exam = models.ForeignKey(Exam, verbose_name=_("exam"), on_delete=models.PROTECT, related_name="attempts")
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("officer"), on_delete=models.PROTECT, related_name="exam_attempts"
    )
    number = models.PositiveSmallIntegerField(_("attempt number"), default=1)
    state = models.CharField(_("state"), max_length=20, choices=AttemptState.choices, default=AttemptState.NOT_STARTED)
    # Drawn when the attempt starts; the paper keeps the seed, so the draw can be re-derived.
    paper = models.ForeignKey(
        "exams.Paper",
        verbose_name=_("paper"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="attempts",
    )
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    deadline = models.DateTimeField(_("deadline"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    graded_at = models.DateTimeField(_("graded at"), null=True, blank=True)
    score = models.DecimalField(_("score"), max_digits=8, decimal_places=2, null=True, blank=True)
    passed = models.BooleanField(_("passed"), null=True, blank=True)

    class Meta:
        verbose_name = _("exam attempt")
        verbose_name_plural = _("exam attempts")
        ordering = ["exam", "officer", "number"]
        constraints = [
            models.UniqueConstraint(fields=["exam", "officer", "number"], name="unique_attempt_number"),
            # Backstop for concurrent starts: at most one attempt in progress per officer and exam.
            models.UniqueConstraint(
                fields=["exam", "officer"],
                condition=Q(state="in_progress"),
                name="unique_attempt_in_progress",
            ),
        ]
        indexes = [models.Index(fields=["state", "deadline"], name="attempt_state_deadline")]

    def __str__(self) -> str:
        return f"{self.exam_id}/{self.officer_id}#{self.number}"


class AttemptTransition(models.Model):
    """Append-only history of an attempt's state."""

    attempt = models.ForeignKey(
        Attempt, verbose_name=_("attempt"), on_delete=models.CASCADE, related_name="transitions"
    )
    from_state = models.CharField(_("from"), max_length=20, choices=AttemptState.choices)
    to_state = models.CharField(_("to"), max_length=20, choices=AttemptState.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_label = models.CharField(_("by (label)"), max_length=200, blank=True)
    at = models.DateTimeField(_("at"), default=timezone.now)
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("attempt transition")
        verbose_name_plural = _("attempt transitions")
        ordering = ["attempt", "at", "id"]

    def __str__(self) -> str:
        return f"{self.attempt_id}: {self.from_state} → {self.to_state}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise ValueError("Attempt transitions are append-only.")
        super().save(*args, **kwargs)


class Answer(models.Model):
    attempt = models.ForeignKey(Attempt, verbose_name=_("attempt"), on_delete=models.CASCADE, related_name="answers")
    paper_item = models.ForeignKey(
        "exams.PaperItem", verbose_name=_("question"), on_delete=models.PROTECT, related_name="answers"
    )
    response = models.JSONField(_("response"), null=True, blank=True)
    # The browser numbers its saves; a save with a number not above the stored one is ignored.
    client_seq = models.BigIntegerField(_("client sequence"), default=0)
    saved_at = models.DateTimeField(_("saved at"), default=timezone.now)
    score = models.DecimalField(_("score"), max_digits=6, decimal_places=2, null=True, blank=True)
    correct = models.BooleanField(_("correct"), null=True, blank=True)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        ordering = ["attempt", "paper_item"]
        constraints = [models.UniqueConstraint(fields=["attempt", "paper_item"], name="unique_answer_per_item")]

    def __str__(self) -> str:
        return f"{self.attempt_id}/{self.paper_item_id}"
