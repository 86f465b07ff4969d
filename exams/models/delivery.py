"""Exam delivery (考试): the exam arrangement, its attempts, their transitions and answers.

An ``Exam`` (考试安排) draws one ``Paper`` per ``Attempt`` from its blueprint when the attempt
starts. An attempt moves through ``AttemptState``; every move leaves an ``AttemptTransition`` row
(who, when, from, to, why), never edited. ``Answer`` holds the latest response per paper item with
the client's sequence number, so an older save arriving late cannot overwrite a newer one (see
``exams.services.delivery``).

Responses are stored in the question's ORIGINAL option keys (the page translates the labels it
showed through ``PaperItem.original_key``), so grading and item analysis need no permutation.

Who may sit an exam: the officers its audience rule covers (``AudienceRule``, as for course
assignments) plus the officers on its roster (``ExamInvitation``: named by a trainer, drawn by a
sampling plan, or the owner of a personal practice paper), minus the officers exempted
(``ExamExemption``, with a reason); tiered exams also ask the tier-eligibility callable
(``exams.eligibility``). ``exams.selectors.eligibility`` decides it in one place.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from courses.models.choices import Tier
from people.models.audience import AudienceRule
from portal.models.fields import recorded_by


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


class ExamLayout(models.TextChoices):
    ONE_QUESTION = "one_question", _("One question at a time")
    SECTION = "section", _("A whole section at a time")


class Exam(AudienceRule):
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=ExamKind.choices, default=ExamKind.FORMAL)
    tier = models.CharField(_("tier"), max_length=20, choices=Tier.choices, default=Tier.BASIC)
    description = models.TextField(
        _("rules and instructions"), blank=True, help_text=_("Shown to examinees on the start page.")
    )
    # Exactly one of the two: every attempt draws its own paper from the blueprint, or every
    # attempt sits the same hand-picked paper.
    blueprint = models.ForeignKey(
        "exams.Blueprint",
        verbose_name=_("paper blueprint"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="exams",
    )
    fixed_paper = models.ForeignKey(
        "exams.Paper",
        verbose_name=_("fixed paper"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="fixed_for_exams",
        help_text=_("Every examinee sits this same paper instead of a paper drawn from the blueprint."),
    )
    layout = models.CharField(
        _("questions shown"), max_length=20, choices=ExamLayout.choices, default=ExamLayout.ONE_QUESTION
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
    blind_grading = models.BooleanField(
        _("blind grading"), default=True, help_text=_("Graders do not see the examinee's name.")
    )
    # Exam-day rules (``exams.services.exam_day``); on by default for formal and qualification
    # exams (``exams.services.exams.ExamSpec``).
    track_focus = models.BooleanField(
        _("record focus loss"),
        default=False,
        help_text=_("The paper reports leaving the window, switching tabs and leaving full screen."),
    )
    focus_warn_after = models.PositiveSmallIntegerField(
        _("warn after (focus losses)"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    focus_submit_after = models.PositiveSmallIntegerField(
        _("hand in after (focus losses)"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    room_password = models.CharField(
        _("exam-room password"),
        max_length=40,
        blank=True,
        help_text=_("Examinees type it to start; the invigilator reveals it in the room."),
    )
    allowed_networks = models.TextField(
        _("allowed networks"),
        blank=True,
        help_text=_("One network per line, such as 10.12.0.0/16; empty allows every network."),
    )
    single_device = models.BooleanField(
        _("one device at a time"),
        default=False,
        help_text=_("A second device takes over the paper only after the examinee confirms it."),
    )
    prevent_copy = models.BooleanField(
        _("question text cannot be selected or copied"),
        default=False,
        help_text=_("A deterrent in the browser, not a security control."),
    )
    status = models.CharField(_("status"), max_length=20, choices=ExamStatus.choices, default=ExamStatus.DRAFT)
    # Set on the personal practice exams officers make from their wrong-answer notebook; hidden
    # from the trainers' exam lists.
    practice_for = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("personal practice of"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    # When each notification went out, so a schedule running twice never sends it twice.
    assigned_notified_at = models.DateTimeField(_("examinees notified at"), null=True, blank=True)
    opening_notified_at = models.DateTimeField(_("opening notified at"), null=True, blank=True)
    results_released_at = models.DateTimeField(_("results released at"), null=True, blank=True)
    author = recorded_by(_("author"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    # The creating form's one-time key: a double-clicked "save" finds the exam it already made.
    submission_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    class Meta:
        verbose_name = _("exam")
        verbose_name_plural = _("exams")
        ordering = ["-opens_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(closes_at__gt=models.F("opens_at")), name="exam_window"),
            models.CheckConstraint(
                condition=Q(blueprint__isnull=False, fixed_paper__isnull=True)
                | Q(blueprint__isnull=True, fixed_paper__isnull=False),
                name="exam_blueprint_or_fixed_paper",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class InvitationSource(models.TextChoices):
    NAMED = "named", _("Named by a trainer")
    SAMPLED = "sampled", _("Drawn by a sampling plan")
    PRACTICE = "practice", _("Personal practice")


class ExamInvitation(models.Model):
    """The exam's roster: officers who may sit it besides those its audience rule covers."""

    exam = models.ForeignKey(Exam, verbose_name=_("exam"), on_delete=models.CASCADE, related_name="invitations")
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("officer"), on_delete=models.CASCADE, related_name="exam_invitations"
    )
    source = models.CharField(
        _("source"), max_length=20, choices=InvitationSource.choices, default=InvitationSource.NAMED
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("exam invitation")
        verbose_name_plural = _("exam invitations")
        constraints = [models.UniqueConstraint(fields=["exam", "officer"], name="unique_exam_invitation")]

    def __str__(self) -> str:
        return f"{self.exam_id}/{self.officer_id}"


class ExemptionReason(models.TextChoices):
    LEAVE = "leave", _("On leave")
    SECONDMENT = "secondment", _("Seconded")
    INJURY = "injury", _("Injury or illness")
    OTHER = "other", _("Other")


class ExamExemption(models.Model):
    """An officer excused from an exam (免考), with the reason; they are left out of its examinees."""

    exam = models.ForeignKey(Exam, verbose_name=_("exam"), on_delete=models.CASCADE, related_name="exemptions")
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("officer"), on_delete=models.CASCADE, related_name="exam_exemptions"
    )
    reason = models.CharField(_("reason"), max_length=20, choices=ExemptionReason.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = recorded_by(_("recorded by"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("exam exemption")
        verbose_name_plural = _("exam exemptions")
        ordering = ["exam", "officer"]
        constraints = [models.UniqueConstraint(fields=["exam", "officer"], name="unique_exam_exemption")]

    def __str__(self) -> str:
        return f"{self.exam_id}/{self.officer_id}: {self.reason}"


class AttemptState(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    SUBMITTED = "submitted", _("Submitted")
    GRADED = "graded", _("Graded")
    RELEASED = "released", _("Released")
    EXPIRED = "expired", _("Expired")


class AttemptMode(models.TextChoices):
    ONLINE = "online", _("Online")
    PAPER = "paper", pgettext_lazy("exam sat on paper", "On paper")


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
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)
    score = models.DecimalField(_("score"), max_digits=8, decimal_places=2, null=True, blank=True)
    passed = models.BooleanField(_("passed"), null=True, blank=True)
    mode = models.CharField(_("sat"), max_length=10, choices=AttemptMode.choices, default=AttemptMode.ONLINE)
    # Exam day (``exams.services.exam_day``). The deadline above stays the one the rules read; these
    # keep what it was made of, so a later accommodation can recompute it.
    time_added_seconds = models.IntegerField(_("time added (seconds)"), default=0)
    paused_at = models.DateTimeField(_("clock stopped at"), null=True, blank=True)
    paused_seconds = models.PositiveIntegerField(_("clock stopped (seconds)"), default=0)
    device = models.CharField(_("device"), max_length=64, blank=True)
    device_changes = models.PositiveIntegerField(_("device changes"), default=0)
    focus_losses = models.PositiveIntegerField(_("focus losses"), default=0)
    last_seen_at = models.DateTimeField(_("last contact"), null=True, blank=True)

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
        indexes = [
            models.Index(fields=["state", "deadline"], name="attempt_state_deadline"),
            # An officer's attempts in exam order, covering what the HR pass rates read
            # (certification.selectors.dashboards.exam_pass_rates): an index-only scan at province
            # scale, 1.26 s → 0.29 s at 100,000 officers (docs/PERFORMANCE.md). PostgreSQL only
            # carries the INCLUDE columns; elsewhere it is an (officer, exam) index.
            models.Index(
                fields=["officer", "exam"], include=["state", "passed", "number"], name="attempt_officer_exam"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.exam_id}/{self.officer_id}#{self.number}"


class AttemptTransition(models.Model):
    """Append-only history of an attempt's state."""

    attempt = models.ForeignKey(
        Attempt, verbose_name=_("attempt"), on_delete=models.CASCADE, related_name="transitions"
    )
    from_state = models.CharField(_("from"), max_length=20, choices=AttemptState.choices)
    to_state = models.CharField(_("to"), max_length=20, choices=AttemptState.choices)
    actor = recorded_by(_("by"))
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
    # Filled by a person for the answers they grade (short answers); empty for automatic grading.
    comment = models.TextField(_("grader's comment"), blank=True)
    graded_by = recorded_by(_("graded by"))
    graded_at = models.DateTimeField(_("graded at"), null=True, blank=True)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        ordering = ["attempt", "paper_item"]
        constraints = [models.UniqueConstraint(fields=["attempt", "paper_item"], name="unique_answer_per_item")]

    def __str__(self) -> str:
        return f"{self.attempt_id}/{self.paper_item_id}"


class KeyCorrection(models.Model):
    """A corrected answer key of a question version already drawn into papers. The version's key is
    changed in place (the one permitted edit of an in-use version) and every affected attempt is
    regraded; this row keeps what the key was, who changed it, why, and how many attempts changed."""

    question_version = models.ForeignKey(
        "exams.QuestionVersion",
        verbose_name=_("question version"),
        on_delete=models.PROTECT,
        related_name="key_corrections",
    )
    previous_answer = models.JSONField(_("previous key"), null=True, blank=True)
    new_answer = models.JSONField(_("corrected key"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=200)
    corrected_by = recorded_by(_("corrected by"))
    corrected_at = models.DateTimeField(_("corrected at"), default=timezone.now)
    attempts_regraded = models.PositiveIntegerField(_("attempts regraded"), default=0)

    class Meta:
        verbose_name = _("key correction")
        verbose_name_plural = _("key corrections")
        ordering = ["-corrected_at", "-id"]

    def __str__(self) -> str:
        return f"{self.question_version_id} @ {self.corrected_at:%Y-%m-%d}"
