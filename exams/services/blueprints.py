"""Writes to paper blueprints (组卷方案): create, edit, status changes, copies.

A blueprint is saved whole from a ``BlueprintSpec`` (settings, sections, rules, fixed questions),
the shape the edit page and the demo produce. Saving checks the spec against today's bank and is
refused, with the shortfall named, when a rule cannot be met ("Section 2, rule 1: needs 10
questions, only 7 match"). Archived blueprints are not checked: they are never drawn.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from courses.models import KnowledgePoint
from courses.models.choices import Audience, Tier
from exams.models import (
    ANY,
    INHERIT,
    Blueprint,
    BlueprintFixedQuestion,
    BlueprintRule,
    BlueprintSection,
    BlueprintStatus,
    MultipleChoiceScoring,
    Question,
    QuestionType,
)
from exams.selectors.papers import PLAN_SETTINGS, DrawPlan, blueprint_with_structure, make_plan
from exams.services.papers import plan_shortfalls
from portal.services import audit_log

ERRORS = {
    "title_empty": _("Give the blueprint a title."),
    "tier_unknown": _("Unknown tier."),
    "audience_unknown": _("Unknown audience."),
    "scoring_unknown": _("Unknown multiple-choice scoring."),
    "overlap_range": _("The overlap cap is a percentage from 0 to 100."),
    "no_sections": _("Add at least one section."),
    "no_questions": _("The blueprint draws no questions: add a rule or a fixed question."),
    "section_title": _("Section %(section)s: give it a title."),
    "section_empty": _("Section %(section)s has no rules and no fixed questions."),
    "rule_type": _("Section %(section)s, rule %(rule)s: choose a question type."),
    "rule_count": _("Section %(section)s, rule %(rule)s: draw at least one question."),
    "rule_points": _("Section %(section)s, rule %(rule)s: points must be above zero."),
    "rule_difficulty": _("Section %(section)s, rule %(rule)s: difficulty goes from 1 to 5, lowest first."),
    "rule_tier": _("Section %(section)s, rule %(rule)s: unknown tier."),
    "rule_audience": _("Section %(section)s, rule %(rule)s: unknown audience."),
    "rule_knowledge_point": _("Section %(section)s, rule %(rule)s: the knowledge point does not exist."),
    "fixed_missing": _("Section %(section)s: fixed question #%(question)s does not exist."),
    "fixed_points": _("Section %(section)s: fixed question #%(question)s needs points above zero."),
    "fixed_duplicate": _("Question #%(question)s is fixed more than once."),
    "fixed_over_cap": _(
        "The %(fixed)s fixed questions are in every paper, more than the overlap cap allows "
        "(%(allowed)s of %(total)s questions)."
    ),
}


@dataclass
class RuleSpec:
    question_type: str
    count: int
    points: Decimal | str | int
    knowledge_point_id: int | None = None
    difficulty_min: int = 1
    difficulty_max: int = 5
    tier: str = INHERIT
    audience: str = INHERIT
    multiple_scoring: str = ""


@dataclass
class FixedSpec:
    question_id: int
    points: Decimal | str | int
    multiple_scoring: str = ""


@dataclass
class SectionSpec:
    title: str
    instructions: str = ""
    rules: list[RuleSpec] = field(default_factory=list)
    fixed: list[FixedSpec] = field(default_factory=list)


@dataclass
class BlueprintSpec:
    title: str
    tier: str = Tier.BASIC
    audience: str = ""
    description: str = ""
    shuffle_questions: bool = True
    shuffle_options: bool = True
    prefer_least_used: bool = False
    max_overlap_percent: int | None = None
    multiple_scoring: str = MultipleChoiceScoring.ALL_OR_NOTHING
    status: str = BlueprintStatus.DRAFT
    sections: list[SectionSpec] = field(default_factory=list)

    SETTINGS = (
        "title",
        "tier",
        "audience",
        "description",
        "shuffle_questions",
        "shuffle_options",
        "prefer_least_used",
        "max_overlap_percent",
        "multiple_scoring",
        "status",
    )

    @classmethod
    def from_blueprint(cls, blueprint: Blueprint) -> BlueprintSpec:
        blueprint = blueprint_with_structure(blueprint.pk)
        return cls(
            **{name: getattr(blueprint, name) for name in cls.SETTINGS},
            sections=[
                SectionSpec(
                    title=section.title,
                    instructions=section.instructions,
                    rules=[
                        RuleSpec(
                            question_type=r.question_type,
                            count=r.count,
                            points=r.points,
                            knowledge_point_id=r.knowledge_point_id,
                            difficulty_min=r.difficulty_min,
                            difficulty_max=r.difficulty_max,
                            tier=r.tier,
                            audience=r.audience,
                            multiple_scoring=r.multiple_scoring,
                        )
                        for r in section.rules.all()
                    ],
                    fixed=[
                        FixedSpec(question_id=f.question_id, points=f.points, multiple_scoring=f.multiple_scoring)
                        for f in section.fixed_questions.all()
                    ],
                )
                for section in blueprint.sections.all()
            ],
        )

    @property
    def question_count(self) -> int:
        return sum(r.count for s in self.sections for r in s.rules) + sum(len(s.fixed) for s in self.sections)


def _decimal(value) -> Decimal | None:
    try:
        return Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        return None


def _check_structure(spec: BlueprintSpec) -> list[str]:
    problems: list[str] = []

    def add(code: str, **params) -> None:
        problems.append(str(ERRORS[code]) % params if params else str(ERRORS[code]))

    if not (spec.title or "").strip():
        add("title_empty")
    if spec.tier not in Tier.values:
        add("tier_unknown")
    if spec.audience and spec.audience not in Audience.values:
        add("audience_unknown")
    if spec.multiple_scoring not in MultipleChoiceScoring.values:
        add("scoring_unknown")
    if spec.max_overlap_percent is not None and not (0 <= int(spec.max_overlap_percent) <= 100):
        add("overlap_range")
    if not spec.sections:
        add("no_sections")
    elif spec.question_count == 0:
        add("no_questions")

    point_ids = {r.knowledge_point_id for s in spec.sections for r in s.rules if r.knowledge_point_id}
    known_points = set(KnowledgePoint.objects.filter(pk__in=point_ids).values_list("pk", flat=True))
    fixed_ids = [f.question_id for s in spec.sections for f in s.fixed]
    known_questions = set(Question.objects.filter(pk__in=fixed_ids).values_list("pk", flat=True))
    seen: set[int] = set()
    for s_number, section in enumerate(spec.sections, start=1):
        if not (section.title or "").strip():
            add("section_title", section=s_number)
        if not section.rules and not section.fixed:
            add("section_empty", section=s_number)
        for r_number, rule in enumerate(section.rules, start=1):
            where = {"section": s_number, "rule": r_number}
            points = _decimal(rule.points)
            if rule.question_type not in QuestionType.values:
                add("rule_type", **where)
            if not rule.count or int(rule.count) < 1:
                add("rule_count", **where)
            if points is None or points <= 0:
                add("rule_points", **where)
            if not (1 <= int(rule.difficulty_min) <= int(rule.difficulty_max) <= 5):
                add("rule_difficulty", **where)
            if rule.tier not in (INHERIT, ANY, *Tier.values):
                add("rule_tier", **where)
            if rule.audience not in (INHERIT, ANY, *Audience.values):
                add("rule_audience", **where)
            if rule.multiple_scoring and rule.multiple_scoring not in MultipleChoiceScoring.values:
                add("scoring_unknown")
            if rule.knowledge_point_id and rule.knowledge_point_id not in known_points:
                add("rule_knowledge_point", **where)
        for item in section.fixed:
            where = {"section": s_number, "question": item.question_id}
            if item.question_id not in known_questions:
                add("fixed_missing", **where)
            points = _decimal(item.points)
            if points is None or points <= 0:
                add("fixed_points", **where)
            if item.question_id in seen:
                add("fixed_duplicate", question=item.question_id)
            seen.add(item.question_id)

    if spec.max_overlap_percent is not None and fixed_ids and spec.question_count:
        allowed = math.floor(int(spec.max_overlap_percent) * spec.question_count / 100)
        if len(fixed_ids) > allowed:
            add("fixed_over_cap", fixed=len(fixed_ids), allowed=allowed, total=spec.question_count)
    return problems


def spec_plan(spec: BlueprintSpec) -> DrawPlan:
    """The draw plan a spec would save as (queries: knowledge-point paths and subtrees, fixed
    questions' types)."""
    point_ids = {r.knowledge_point_id for s in spec.sections for r in s.rules if r.knowledge_point_id}
    paths = dict(KnowledgePoint.objects.filter(pk__in=point_ids).values_list("pk", "path")) if point_ids else {}
    fixed_ids = [f.question_id for s in spec.sections for f in s.fixed]
    types = dict(Question.objects.filter(pk__in=fixed_ids).values_list("pk", "type")) if fixed_ids else {}
    sections = [
        {
            "title": section.title,
            "instructions": section.instructions,
            "rules": [
                {**asdict(rule), "knowledge_point_path": paths.get(rule.knowledge_point_id, "")}
                for rule in section.rules
            ],
            "fixed": [{**asdict(item), "question_type": types.get(item.question_id, "")} for item in section.fixed],
        }
        for section in spec.sections
    ]
    return make_plan(
        blueprint_id=None, settings={name: getattr(spec, name) for name in PLAN_SETTINGS}, sections=sections
    )


def blueprint_validate(spec: BlueprintSpec) -> list[str]:
    """Messages explaining why ``spec`` cannot be saved; empty when it can.

    Beyond the form checks, every rule must be met by today's ACTIVE questions, all at once: two
    rules drawing on the same questions cannot both count them (an exact matching check).
    """
    problems = _check_structure(spec)
    if problems or spec.status == BlueprintStatus.ARCHIVED:
        return problems
    return plan_shortfalls(spec_plan(spec))


def _write_structure(blueprint: Blueprint, spec: BlueprintSpec) -> None:
    blueprint.sections.all().delete()  # rules and fixed questions go with their sections
    sections = BlueprintSection.objects.bulk_create(
        [
            BlueprintSection(blueprint=blueprint, position=index, title=s.title.strip(), instructions=s.instructions)
            for index, s in enumerate(spec.sections)
        ]
    )
    rules, fixed = [], []
    for section, section_spec in zip(sections, spec.sections, strict=True):
        rules += [
            BlueprintRule(
                section=section,
                position=index,
                question_type=r.question_type,
                count=int(r.count),
                points=_decimal(r.points),
                knowledge_point_id=r.knowledge_point_id or None,
                difficulty_min=int(r.difficulty_min),
                difficulty_max=int(r.difficulty_max),
                tier=r.tier,
                audience=r.audience,
                multiple_scoring=r.multiple_scoring,
            )
            for index, r in enumerate(section_spec.rules)
        ]
        fixed += [
            BlueprintFixedQuestion(
                section=section,
                position=index,
                question_id=f.question_id,
                points=_decimal(f.points),
                multiple_scoring=f.multiple_scoring,
            )
            for index, f in enumerate(section_spec.fixed)
        ]
    BlueprintRule.objects.bulk_create(rules)
    BlueprintFixedQuestion.objects.bulk_create(fixed)


def _raise_if_invalid(spec: BlueprintSpec) -> None:
    problems = blueprint_validate(spec)
    if problems:
        raise ValidationError(problems)


def blueprint_create(*, spec: BlueprintSpec, actor) -> Blueprint:
    _raise_if_invalid(spec)
    with transaction.atomic():
        blueprint = Blueprint.objects.create(
            **{name: getattr(spec, name) for name in BlueprintSpec.SETTINGS if name != "title"},
            title=spec.title.strip(),
            author=actor if getattr(actor, "is_authenticated", False) else None,
        )
        _write_structure(blueprint, spec)
        audit_log(
            actor=actor,
            action="exams.blueprint.created",
            target=blueprint,
            data={"tier": blueprint.tier, "questions": spec.question_count},
        )
    return blueprint


def blueprint_update(*, blueprint: Blueprint, spec: BlueprintSpec, actor) -> Blueprint:
    """Replace the blueprint's settings and structure. Papers drawn before keep their snapshot."""
    _raise_if_invalid(spec)
    with transaction.atomic():
        blueprint = Blueprint.objects.select_for_update().get(pk=blueprint.pk)
        for name in BlueprintSpec.SETTINGS:
            setattr(blueprint, name, getattr(spec, name))
        blueprint.title = spec.title.strip()
        blueprint.updated_at = timezone.now()
        blueprint.save(update_fields=[*BlueprintSpec.SETTINGS, "updated_at"])
        _write_structure(blueprint, spec)
        audit_log(
            actor=actor,
            action="exams.blueprint.updated",
            target=blueprint,
            data={"status": blueprint.status, "questions": spec.question_count},
        )
    return blueprint


def blueprint_set_status(*, blueprint: Blueprint, status: str, actor) -> Blueprint:
    """Activate, return to draft or archive. Activating re-checks the rules against today's bank."""
    if status not in BlueprintStatus.values:
        raise ValidationError(str(_("Unknown status.")))
    if status != BlueprintStatus.ARCHIVED:
        spec = BlueprintSpec.from_blueprint(blueprint)
        spec.status = status
        _raise_if_invalid(spec)
    with transaction.atomic():
        blueprint = Blueprint.objects.select_for_update().get(pk=blueprint.pk)
        previous = blueprint.status
        if previous == status:
            return blueprint
        blueprint.status = status
        blueprint.updated_at = timezone.now()
        blueprint.save(update_fields=["status", "updated_at"])
        audit_log(
            actor=actor,
            action="exams.blueprint.status_changed",
            target=blueprint,
            data={"from": previous, "to": status},
        )
    return blueprint


def blueprint_copy(*, blueprint: Blueprint, actor) -> Blueprint:
    """A draft copy to edit, e.g. next year's paper from this year's."""
    spec = BlueprintSpec.from_blueprint(blueprint)
    spec.title = str(_("%(title)s (copy)") % {"title": spec.title})[:200]
    spec.status = BlueprintStatus.DRAFT
    return blueprint_create(spec=spec, actor=actor)
