"""Demo paper blueprints for `manage.py seed_demo`: one per tier (基本级 / 中级 / 高级).

Each draws on the demo bank (``exams.demo.questions`` runs first). The rules are sized from what
the bank holds when the builder runs — never more than is available — so a blueprint is never
unmeetable, even on a smaller bank. Idempotent: a blueprint whose title exists is left as it is, so
a trainer's edits survive a re-run.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from courses.models import KnowledgePoint
from courses.models.choices import Tier
from exams.models import Blueprint, BlueprintStatus, MultipleChoiceScoring, QuestionType
from exams.selectors.papers import rule_available_count
from exams.services.blueprints import BlueprintSpec, RuleSpec, SectionSpec, blueprint_create
from portal.demo import SEED_ACTOR

if TYPE_CHECKING:
    from portal.demo import DemoContext

LABEL = _("paper blueprints")

# (type, section title, points each, questions wanted per tier)
SECTIONS = [
    (QuestionType.SINGLE, "单选题", "1", {Tier.BASIC: 20, Tier.INTERMEDIATE: 15, Tier.ADVANCED: 10}),
    (QuestionType.MULTIPLE, "多选题", "2", {Tier.BASIC: 10, Tier.INTERMEDIATE: 10, Tier.ADVANCED: 10}),
    (QuestionType.TRUE_FALSE, "判断题", "1", {Tier.BASIC: 10, Tier.INTERMEDIATE: 10, Tier.ADVANCED: 5}),
    (QuestionType.FILL_BLANK, "填空题", "2", {Tier.BASIC: 5, Tier.INTERMEDIATE: 5, Tier.ADVANCED: 5}),
    (QuestionType.SHORT_ANSWER, "案例分析题", "10", {Tier.BASIC: 1, Tier.INTERMEDIATE: 2, Tier.ADVANCED: 3}),
]

BLUEPRINTS = {
    Tier.BASIC: {
        "title": "基本级执法资格考试（示范组卷方案）",
        "description": "面向全警的基本级执法资格考试。接处警部分单独抽题，同一场考试两名考生的试题重合不超过一半。",
        "max_overlap_percent": 50,
    },
    Tier.INTERMEDIATE: {
        "title": "中级执法资格考试（示范组卷方案）",
        "description": "中级执法资格考试，优先抽取使用次数少的题目。",
        "prefer_least_used": True,
    },
    Tier.ADVANCED: {
        "title": "高级执法资格考试（示范组卷方案）",
        "description": "高级执法资格考试，多选题少选得部分分，侧重案例分析。",
        "multiple_scoring": MultipleChoiceScoring.PARTIAL,
    },
}

# The basic paper draws part of its single-choice questions from this subtree, to show such a rule.
FOCUS_POINT = "接处警"
FOCUS_COUNT = 5


def _instructions(count: int, points: str) -> str:
    return f"本部分共{count}题，每题{points}分。"


def _section(question_type: str, title: str, points: str, wanted: int, tier: str) -> SectionSpec | None:
    available = rule_available_count(question_type=question_type, tier=tier)
    count = min(wanted, available)
    if count == 0:
        return None
    rules = []
    focus = KnowledgePoint.get_root_nodes().filter(name=FOCUS_POINT).first()
    if tier == Tier.BASIC and question_type == QuestionType.SINGLE and focus is not None:
        focused = min(
            FOCUS_COUNT, count, rule_available_count(question_type=question_type, tier=tier, knowledge_point=focus)
        )
        if focused:
            rules.append(
                RuleSpec(question_type=question_type, count=focused, points=points, knowledge_point_id=focus.pk)
            )
            count -= focused
    if count:
        rules.append(RuleSpec(question_type=question_type, count=count, points=points))
    total = sum(r.count for r in rules)
    return SectionSpec(title=title, instructions=_instructions(total, points), rules=rules)


def build(ctx: DemoContext) -> None:
    actor = ctx.accounts.get("trainer") or SEED_ACTOR
    for tier, settings in BLUEPRINTS.items():
        if Blueprint.objects.filter(title=settings["title"]).exists():
            continue
        sections = [
            section
            for question_type, title, points, wanted in SECTIONS
            if (section := _section(question_type, title, points, wanted[tier], tier)) is not None
        ]
        if not sections:
            continue  # no active question of this tier yet: nothing to draw from
        spec = BlueprintSpec(tier=tier, status=BlueprintStatus.ACTIVE, sections=sections, **settings)
        blueprint_create(spec=spec, actor=actor)
        ctx.created(LABEL)
