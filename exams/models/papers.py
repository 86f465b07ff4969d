"""Paper blueprints (组卷方案) and the papers drawn from them (试卷).

A ``Blueprint`` is ordered ``BlueprintSection`` rows (单选题, 多选题 …); each section draws its
questions through ordered ``BlueprintRule`` rows ("N questions of type T under knowledge point K,
difficulty a–b, tier t, audience x, p points each") and may hold hand-picked
``BlueprintFixedQuestion`` rows that every paper contains. A blueprint made only of fixed questions
is a fixed paper.

A ``Paper`` is one draw: the blueprint, the seed and, per ``PaperItem``, the question version,
its position, its option order and its points. ``snapshot`` keeps the blueprint as it was at the
draw, so a later edit of the blueprint does not change what a paper means, and a paper can be
re-derived from its own record (see ``exams.services.papers``).
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from courses.models.choices import Audience, Tier
from exams.models.questions import OPTION_KEYS, MultipleChoiceScoring, QuestionType
from portal.models.fields import recorded_by

# Rule tier / audience: "" takes the blueprint's value; ANY means no filter on that attribute.
INHERIT = ""
ANY = "any"


class BlueprintStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("Active")
    ARCHIVED = "archived", _("Archived")


def rule_tier_choices() -> list[tuple[str, str]]:
    return [(INHERIT, _("Same as the blueprint")), (ANY, _("Any tier")), *Tier.choices]


def rule_audience_choices() -> list[tuple[str, str]]:
    return [(INHERIT, _("Same as the blueprint")), (ANY, _("Any audience")), *Audience.choices]


class Blueprint(models.Model):
    title = models.CharField(_("title"), max_length=200)
    tier = models.CharField(_("tier"), max_length=20, choices=Tier.choices, default=Tier.BASIC)
    audience = models.CharField(
        _("audience"),
        max_length=20,
        choices=Audience.choices,
        blank=True,
        help_text=_("Who the paper is for. Rules that do not name an audience draw questions suitable for it."),
    )
    description = models.TextField(_("description"), blank=True)
    shuffle_questions = models.BooleanField(_("shuffle questions within sections"), default=True)
    shuffle_options = models.BooleanField(_("shuffle options"), default=True)
    prefer_least_used = models.BooleanField(
        _("prefer least-used questions"),
        default=False,
        help_text=_("Questions drawn less often so far are more likely to be chosen."),
    )
    max_overlap_percent = models.PositiveSmallIntegerField(
        _("maximum overlap (%)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(100)],
        help_text=_(
            "At most this share of a paper's questions may also be in any other paper of the same exam. Empty: no cap."
        ),
    )
    multiple_scoring = models.CharField(
        _("multiple-choice scoring"),
        max_length=20,
        choices=MultipleChoiceScoring.choices,
        default=MultipleChoiceScoring.ALL_OR_NOTHING,
        help_text=_("Used by rules that do not choose their own."),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=BlueprintStatus.choices, default=BlueprintStatus.DRAFT
    )
    author = recorded_by(_("author"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    # Set on the personal practice papers an officer makes from their wrong-answer notebook: such a
    # blueprint belongs to that officer's practice and is hidden from the trainers' blueprint lists.
    practice_for = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("personal practice of"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("paper blueprint")
        verbose_name_plural = _("paper blueprints")
        ordering = ["-updated_at", "-id"]

    def __str__(self) -> str:
        return self.title


class BlueprintSection(models.Model):
    blueprint = models.ForeignKey(
        Blueprint, verbose_name=_("blueprint"), on_delete=models.CASCADE, related_name="sections"
    )
    position = models.PositiveSmallIntegerField(_("order"))
    title = models.CharField(_("title"), max_length=100)
    instructions = models.TextField(_("instructions"), blank=True)

    class Meta:
        verbose_name = _("blueprint section")
        verbose_name_plural = _("blueprint sections")
        ordering = ["blueprint", "position"]
        constraints = [
            models.UniqueConstraint(fields=["blueprint", "position"], name="unique_blueprint_section_position")
        ]

    def __str__(self) -> str:
        return f"{self.blueprint_id}/{self.position} {self.title}"


class BlueprintRule(models.Model):
    section = models.ForeignKey(
        BlueprintSection, verbose_name=_("section"), on_delete=models.CASCADE, related_name="rules"
    )
    position = models.PositiveSmallIntegerField(_("order"))
    question_type = models.CharField(_("question type"), max_length=20, choices=QuestionType.choices)
    count = models.PositiveSmallIntegerField(_("number of questions"), validators=[MinValueValidator(1)])
    points = models.DecimalField(_("points each"), max_digits=6, decimal_places=2)
    knowledge_point = models.ForeignKey(
        "courses.KnowledgePoint",
        verbose_name=_("knowledge point (with everything below it)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    difficulty_min = models.PositiveSmallIntegerField(
        _("lowest difficulty"), default=1, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    difficulty_max = models.PositiveSmallIntegerField(
        _("highest difficulty"), default=5, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    tier = models.CharField(_("tier"), max_length=20, choices=rule_tier_choices(), blank=True, default=INHERIT)
    audience = models.CharField(
        _("audience"), max_length=20, choices=rule_audience_choices(), blank=True, default=INHERIT
    )
    multiple_scoring = models.CharField(
        _("multiple-choice scoring"),
        max_length=20,
        choices=MultipleChoiceScoring.choices,
        blank=True,
        help_text=_("Empty: the blueprint's choice."),
    )

    class Meta:
        verbose_name = _("blueprint rule")
        verbose_name_plural = _("blueprint rules")
        ordering = ["section", "position"]
        constraints = [models.UniqueConstraint(fields=["section", "position"], name="unique_blueprint_rule_position")]

    def __str__(self) -> str:
        return f"{self.section_id}/{self.position} {self.question_type} ×{self.count}"


class BlueprintFixedQuestion(models.Model):
    """A question every paper of the blueprint contains (必考题), at the section's start."""

    section = models.ForeignKey(
        BlueprintSection, verbose_name=_("section"), on_delete=models.CASCADE, related_name="fixed_questions"
    )
    position = models.PositiveSmallIntegerField(_("order"))
    question = models.ForeignKey(
        "exams.Question", verbose_name=_("question"), on_delete=models.PROTECT, related_name="+"
    )
    points = models.DecimalField(_("points"), max_digits=6, decimal_places=2)
    multiple_scoring = models.CharField(
        _("multiple-choice scoring"),
        max_length=20,
        choices=MultipleChoiceScoring.choices,
        blank=True,
        help_text=_("Empty: the blueprint's choice."),
    )

    class Meta:
        verbose_name = _("fixed question")
        verbose_name_plural = _("fixed questions")
        ordering = ["section", "position"]
        constraints = [models.UniqueConstraint(fields=["section", "position"], name="unique_blueprint_fixed_position")]

    def __str__(self) -> str:
        return f"{self.section_id}/{self.position} #{self.question_id}"


class Paper(models.Model):
    """One drawn paper (试卷). Immutable once stored."""

    blueprint = models.ForeignKey(
        Blueprint, verbose_name=_("blueprint"), on_delete=models.PROTECT, related_name="papers"
    )
    seed = models.BigIntegerField(_("seed"))
    # Which exam (or print batch) the paper belongs to, e.g. "exam:12" or a trainer's batch label:
    # the overlap cap compares papers of one context. Exam delivery may replace it with a foreign key.
    context = models.CharField(_("context"), max_length=100, blank=True, db_index=True)
    snapshot = models.JSONField(_("blueprint at the draw"), default=dict)
    inputs_digest = models.CharField(
        _("inputs digest"),
        max_length=64,
        blank=True,
        help_text=_("SHA-256 of everything the draw read: equal digests mean a re-draw gives this paper."),
    )
    attempt = models.PositiveSmallIntegerField(_("draw attempt"), default=0)
    question_count = models.PositiveIntegerField(_("questions"), default=0)
    total_points = models.DecimalField(_("total points"), max_digits=8, decimal_places=2, default=0)
    created_by = recorded_by(_("drawn by"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("paper")
        verbose_name_plural = _("papers")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.snapshot.get('title', self.blueprint_id)} #{self.pk}"

    @property
    def title(self) -> str:
        return self.snapshot.get("title", "")

    @property
    def sections(self) -> list[dict]:
        return self.snapshot.get("sections", [])


class PaperItem(models.Model):
    paper = models.ForeignKey(Paper, verbose_name=_("paper"), on_delete=models.CASCADE, related_name="items")
    section_index = models.PositiveSmallIntegerField(_("section"))
    section_title = models.CharField(_("section title"), max_length=100)
    # The question number printed on the paper and the answer sheet, 1 … n across sections.
    position = models.PositiveIntegerField(_("number"))
    question = models.ForeignKey(
        "exams.Question", verbose_name=_("question"), on_delete=models.PROTECT, related_name="paper_items"
    )
    question_version = models.ForeignKey(
        "exams.QuestionVersion", verbose_name=_("question version"), on_delete=models.PROTECT, related_name="+"
    )
    # Kept here because a question's type may be edited after the draw.
    question_type = models.CharField(_("question type"), max_length=20, choices=QuestionType.choices)
    # Original option keys in display order: ["C", "A", "D", "B"] shows option C as "A".
    option_order = models.JSONField(_("option order"), default=list, blank=True)
    points = models.DecimalField(_("points"), max_digits=6, decimal_places=2)
    multiple_scoring = models.CharField(
        _("multiple-choice scoring"), max_length=20, choices=MultipleChoiceScoring.choices, blank=True
    )
    rule_index = models.PositiveSmallIntegerField(
        _("rule"), null=True, blank=True, help_text=_("Empty for a fixed question.")
    )

    class Meta:
        verbose_name = _("paper item")
        verbose_name_plural = _("paper items")
        ordering = ["paper", "position"]
        constraints = [models.UniqueConstraint(fields=["paper", "position"], name="unique_paper_item_position")]

    def __str__(self) -> str:
        return f"{self.paper_id}/{self.position} #{self.question_id}"

    def display_key(self, original_key: str) -> str:
        """The label an examinee sees for an original option key ("C" → "A" when C is shown first)."""
        return display_key(self.option_order, original_key)

    def original_key(self, shown_key: str) -> str:
        """The original option key behind a label the examinee chose."""
        return original_key(self.option_order, shown_key)


def display_key(option_order: list[str], original: str) -> str:
    if original in option_order:
        return OPTION_KEYS[option_order.index(original)]
    return original


def original_key(option_order: list[str], shown: str) -> str:
    index = OPTION_KEYS.find(shown)
    if 0 <= index < len(option_order):
        return option_order[index]
    return shown
