"""The question bank (题库).

A ``Question`` is the bank's catalogue entry: type, status, difficulty, tier, audiences and
knowledge points — what trainers filter and blueprints draw on, kept on one table so a draw is one
indexed query per rule. Its content (stem, options, key, explanation …) lives in immutable
``QuestionVersion`` rows. Once a version has been drawn into any paper (``in_use``), editing the
question creates a new version; papers and attempts keep the version they drew.

Answer keys (``QuestionVersion.answer``), by type:

    single        "B"                               one option key
    multiple      ["A", "C"]                        sorted option keys
    true_false    true | false
    fill_blank    [["轻伤", "轻伤二级"], ["24"]]     per blank, the accepted alternatives
    short_answer  null                              graded by a person (reference_answer, rubric)

Options are ``[{"key": "A", "text": "<p>…</p>"}, …]`` (keys A–H).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from courses.models.choices import Audience, Tier
from courses.models.fields import ChoiceSetField
from portal.models.fields import recorded_by

OPTION_KEYS = "ABCDEFGH"


class QuestionType(models.TextChoices):
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")
    TRUE_FALSE = "true_false", _("True / false")
    FILL_BLANK = "fill_blank", _("Fill in the blanks")
    SHORT_ANSWER = "short_answer", _("Short answer / case analysis")

    @classmethod
    def auto_graded(cls) -> set[str]:
        return {cls.SINGLE, cls.MULTIPLE, cls.TRUE_FALSE, cls.FILL_BLANK}


class QuestionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("Active")
    RETIRED = "retired", _("Retired")


class MultipleChoiceScoring(models.TextChoices):
    """Chosen per paper rule (blueprint), not per question."""

    ALL_OR_NOTHING = "all_or_nothing", _("All or nothing")
    PARTIAL = "partial", _("Partial credit when no wrong option is chosen")


class Question(models.Model):
    type = models.CharField(_("type"), max_length=20, choices=QuestionType.choices)
    status = models.CharField(_("status"), max_length=20, choices=QuestionStatus.choices, default=QuestionStatus.DRAFT)
    difficulty = models.PositiveSmallIntegerField(
        _("difficulty"), default=3, help_text=_("1 (easiest) to 5 (hardest).")
    )
    tier = models.CharField(_("tier"), max_length=20, choices=Tier.choices, default=Tier.BASIC)
    audiences = ChoiceSetField(_("audiences"), choice_class=Audience, blank=True)
    knowledge_points = models.ManyToManyField(
        "courses.KnowledgePoint",
        verbose_name=_("knowledge points"),
        through="QuestionKnowledgePoint",
        related_name="questions",
        blank=True,
    )
    current_version = models.ForeignKey(
        "QuestionVersion",
        verbose_name=_("current version"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # Whitespace-, width- and punctuation-normalised stem text of the current version: finds
    # near-duplicates on import and serves the bank's full-text filter (substring match works for
    # Chinese, see docs/SEARCH.md).
    normalized_stem = models.TextField(_("normalised stem"), blank=True, db_index=False)
    times_drawn = models.PositiveIntegerField(_("times drawn"), default=0)
    # The question's identity across installations: exports carry it (xlsx 标识, Moodle idnumber,
    # GIFT [id:…]) so that a file imported into another installation creates the question once and
    # updates it on later imports, and never mistakes it for whatever has the same number there.
    uid = models.UUIDField(_("identifier"), default=uuid.uuid4, unique=True, editable=False)
    author = recorded_by(_("author"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    # Indexed: papers drawn ahead of an exam are checked against the newest change of the bank.
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["status", "type", "tier", "difficulty"], name="question_draw_idx"),
        ]

    def __str__(self) -> str:
        stem = self.normalized_stem[:40]
        return f"#{self.pk} {self.get_type_display()} {stem}"


class QuestionKnowledgePoint(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="knowledge_point_links")
    knowledge_point = models.ForeignKey(
        "courses.KnowledgePoint", on_delete=models.PROTECT, related_name="question_links"
    )

    class Meta:
        verbose_name = _("question knowledge point")
        verbose_name_plural = _("question knowledge points")
        constraints = [
            models.UniqueConstraint(fields=["question", "knowledge_point"], name="unique_question_knowledge_point")
        ]
        # Paper draws ask "which questions sit under these points": answered from this index alone.
        indexes = [models.Index(fields=["knowledge_point", "question"], name="question_kp_draw_idx")]

    def __str__(self) -> str:
        return f"{self.question_id} → {self.knowledge_point_id}"


class QuestionVersion(models.Model):
    """Immutable once ``in_use``: the content a paper drew."""

    question = models.ForeignKey(
        Question, verbose_name=_("question"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"))
    stem = models.TextField(_("stem"), help_text=_("Rich text (HTML); may contain images."))
    options = models.JSONField(_("options"), default=list, blank=True)
    answer = models.JSONField(_("answer key"), null=True, blank=True)
    explanation = models.TextField(_("explanation"), blank=True)
    legal_basis = models.TextField(_("legal basis"), blank=True)
    reference_answer = models.TextField(_("reference answer"), blank=True)
    rubric = models.TextField(_("grading rubric"), blank=True)
    in_use = models.BooleanField(
        _("in use"), default=False, help_text=_("Drawn into a paper: editing creates a new version.")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("question version")
        verbose_name_plural = _("question versions")
        ordering = ["question", "-number"]
        constraints = [models.UniqueConstraint(fields=["question", "number"], name="unique_question_version")]

    def __str__(self) -> str:
        return f"#{self.question_id} v{self.number}"
