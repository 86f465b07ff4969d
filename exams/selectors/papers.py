"""Reads for blueprints and papers: the draw plan, rule availability, listings.

A ``DrawPlan`` is a blueprint frozen into plain values, with every "same as the blueprint" already
resolved. The draw works on a plan, never on the models, so the same code draws from a live
blueprint and re-derives a stored paper from its ``snapshot``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from functools import lru_cache

from django.db import connection, connections
from django.db.models import Count, F, Prefetch, Q, QuerySet

from courses.models import KnowledgePoint
from courses.models.choices import Audience
from courses.models.fields import ChoiceSetField
from exams.models import (
    ANY,
    Blueprint,
    BlueprintFixedQuestion,
    BlueprintRule,
    BlueprintSection,
    MultipleChoiceScoring,
    Paper,
    PaperItem,
    Question,
    QuestionKnowledgePoint,
    QuestionStatus,
    QuestionType,
)


@dataclass(frozen=True)
class RulePlan:
    section_index: int
    rule_index: int
    question_type: str
    count: int
    points: str  # Decimal as text: plans are stored as JSON
    knowledge_point_id: int | None = None
    # The point and every point below it, resolved when the plan is made: the candidate query then
    # filters on indexed ids instead of a path prefix.
    knowledge_point_ids: tuple[int, ...] = ()
    difficulty_min: int = 1
    difficulty_max: int = 5
    tier: str | None = None  # None: any tier
    audience: str | None = None  # None: any audience
    multiple_scoring: str = ""

    @property
    def key(self) -> tuple[int, int]:
        return (self.section_index, self.rule_index)


@dataclass(frozen=True)
class FixedPlan:
    section_index: int
    position: int
    question_id: int
    points: str
    multiple_scoring: str = ""


@dataclass(frozen=True)
class SectionPlan:
    index: int
    title: str
    instructions: str = ""
    rules: tuple[RulePlan, ...] = ()
    fixed: tuple[FixedPlan, ...] = ()


@dataclass(frozen=True)
class DrawPlan:
    blueprint_id: int | None
    title: str
    tier: str
    audience: str
    shuffle_questions: bool
    shuffle_options: bool
    prefer_least_used: bool
    max_overlap_percent: int | None
    sections: tuple[SectionPlan, ...] = field(default_factory=tuple)

    @property
    def rules(self) -> list[RulePlan]:
        return [rule for section in self.sections for rule in section.rules]

    @property
    def fixed(self) -> list[FixedPlan]:
        return [item for section in self.sections for item in section.fixed]

    @property
    def question_count(self) -> int:
        return sum(rule.count for rule in self.rules) + len(self.fixed)

    @property
    def total_points(self) -> Decimal:
        return sum((Decimal(r.points) * r.count for r in self.rules), Decimal(0)) + sum(
            (Decimal(f.points) for f in self.fixed), Decimal(0)
        )

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> DrawPlan:
        sections = tuple(
            SectionPlan(
                index=s["index"],
                title=s["title"],
                instructions=s.get("instructions", ""),
                rules=tuple(
                    RulePlan(**{**r, "knowledge_point_ids": tuple(r.get("knowledge_point_ids", ()))})
                    for r in s.get("rules", [])
                ),
                fixed=tuple(FixedPlan(**f) for f in s.get("fixed", [])),
            )
            for s in data.get("sections", [])
        )
        return cls(**{**{k: v for k, v in data.items() if k != "sections"}, "sections": sections})


def resolve_tier(rule_tier: str, blueprint_tier: str) -> str | None:
    if rule_tier == ANY:
        return None
    return rule_tier or blueprint_tier or None


def resolve_audience(rule_audience: str, blueprint_audience: str) -> str | None:
    if rule_audience == ANY:
        return None
    return rule_audience or blueprint_audience or None


def resolve_scoring(own: str, blueprint_default: str, question_type: str) -> str:
    if question_type != QuestionType.MULTIPLE:
        return ""
    return own or blueprint_default or MultipleChoiceScoring.ALL_OR_NOTHING


def blueprint_with_structure(pk: int) -> Blueprint:
    """The blueprint with sections, rules (and their knowledge points) and fixed questions: four queries."""
    return Blueprint.objects.prefetch_related(
        Prefetch(
            "sections",
            queryset=BlueprintSection.objects.order_by("position").prefetch_related(
                Prefetch(
                    "rules", queryset=BlueprintRule.objects.select_related("knowledge_point").order_by("position")
                ),
                Prefetch(
                    "fixed_questions",
                    queryset=BlueprintFixedQuestion.objects.select_related("question__current_version").order_by(
                        "position"
                    ),
                ),
            ),
        )
    ).get(pk=pk)


def subtree_ids(paths: Iterable[str]) -> dict[str, tuple[int, ...]]:
    """``{path: (ids of the point and its descendants)}`` for several points: one query."""
    paths = sorted({p for p in paths if p})
    if not paths:
        return {}
    condition = Q()
    for path in paths:
        condition |= Q(path__startswith=path)
    found = KnowledgePoint.objects.filter(condition).order_by("path").values_list("path", "pk")
    result: dict[str, list[int]] = {path: [] for path in paths}
    for point_path, pk in found:
        for path in paths:
            if point_path.startswith(path):
                result[path].append(pk)
    return {path: tuple(sorted(ids)) for path, ids in result.items()}


def _points(value) -> str:
    return str(Decimal(str(value)).quantize(Decimal("0.01")))


def make_plan(*, blueprint_id, settings: dict, sections: list[dict]) -> DrawPlan:
    """Build a plan from plain values. ``settings``: the blueprint's fields; ``sections``: dicts with
    title, instructions, ``rules`` (dicts of BlueprintRule fields plus ``knowledge_point_path``) and
    ``fixed`` (dicts with question_id, points, multiple_scoring, question_type). Resolves every
    "same as the blueprint" and the knowledge-point subtrees (one query)."""
    subtrees = subtree_ids(r["knowledge_point_path"] for s in sections for r in s["rules"])
    planned = []
    for index, section in enumerate(sections):
        rules = tuple(
            RulePlan(
                section_index=index,
                rule_index=rule_index,
                question_type=rule["question_type"],
                count=int(rule["count"]),
                points=_points(rule["points"]),
                knowledge_point_id=rule["knowledge_point_id"] or None,
                knowledge_point_ids=subtrees.get(rule["knowledge_point_path"], ()),
                difficulty_min=int(rule["difficulty_min"]),
                difficulty_max=int(rule["difficulty_max"]),
                tier=resolve_tier(rule["tier"], settings["tier"]),
                audience=resolve_audience(rule["audience"], settings["audience"]),
                multiple_scoring=resolve_scoring(
                    rule["multiple_scoring"], settings["multiple_scoring"], rule["question_type"]
                ),
            )
            for rule_index, rule in enumerate(section["rules"])
        )
        fixed = tuple(
            FixedPlan(
                section_index=index,
                position=position,
                question_id=item["question_id"],
                points=_points(item["points"]),
                multiple_scoring=resolve_scoring(
                    item["multiple_scoring"], settings["multiple_scoring"], item["question_type"]
                ),
            )
            for position, item in enumerate(section["fixed"])
        )
        planned.append(
            SectionPlan(
                index=index, title=section["title"], instructions=section["instructions"], rules=rules, fixed=fixed
            )
        )
    return DrawPlan(
        blueprint_id=blueprint_id,
        title=settings["title"],
        tier=settings["tier"],
        audience=settings["audience"],
        shuffle_questions=settings["shuffle_questions"],
        shuffle_options=settings["shuffle_options"],
        prefer_least_used=settings["prefer_least_used"],
        max_overlap_percent=settings["max_overlap_percent"],
        sections=tuple(planned),
    )


PLAN_SETTINGS = (
    "title",
    "tier",
    "audience",
    "shuffle_questions",
    "shuffle_options",
    "prefer_least_used",
    "max_overlap_percent",
    "multiple_scoring",
)
RULE_FIELDS = (
    "section_id",
    "question_type",
    "count",
    "points",
    "knowledge_point_id",
    "difficulty_min",
    "difficulty_max",
    "tier",
    "audience",
    "multiple_scoring",
)


def blueprint_plan(blueprint: Blueprint) -> DrawPlan:
    """Freeze a blueprint into a plan: three light queries (sections, rules, fixed questions) and one
    for knowledge-point subtrees when a rule names a point."""
    sections = {
        pk: {"title": title, "instructions": instructions, "rules": [], "fixed": []}
        for pk, title, instructions in BlueprintSection.objects.filter(blueprint=blueprint)
        .order_by("position")
        .values_list("pk", "title", "instructions")
    }
    rules = (
        BlueprintRule.objects.filter(section__blueprint=blueprint)
        .order_by("section__position", "position")
        .values(*RULE_FIELDS, knowledge_point_path=F("knowledge_point__path"))
    )
    for rule in rules:
        rule["knowledge_point_path"] = rule["knowledge_point_path"] or ""
        sections[rule["section_id"]]["rules"].append(rule)
    fixed = (
        BlueprintFixedQuestion.objects.filter(section__blueprint=blueprint)
        .order_by("section__position", "position")
        .values("section_id", "question_id", "points", "multiple_scoring", question_type=F("question__type"))
    )
    for item in fixed:
        sections[item["section_id"]]["fixed"].append(item)
    return make_plan(
        blueprint_id=blueprint.pk,
        settings={name: getattr(blueprint, name) for name in PLAN_SETTINGS},
        sections=list(sections.values()),
    )


# --- Candidates ------------------------------------------------------------------------------


def audience_filter(audience: str) -> Q:
    """Questions suitable for ``audience``: tagged with it, tagged 全警, or not restricted at all."""
    return (
        Q(audiences__contains=ChoiceSetField.contains_lookup(audience))
        | Q(audiences__contains=ChoiceSetField.contains_lookup(Audience.ALL))
        | Q(audiences="")
    )


def rule_candidates_queryset(
    *,
    question_type: str,
    knowledge_point_ids: Iterable[int] = (),
    difficulty_min: int = 1,
    difficulty_max: int = 5,
    tier: str | None = None,
    audience: str | None = None,
) -> QuerySet[Question]:
    """Active questions a rule may draw (``knowledge_point_ids``: a whole subtree). Unordered.

    Without an audience the filter is answered from the index on (status, type, tier, difficulty)
    alone; knowledge points add an ``IN (subquery)`` on the links' knowledge-point index. An
    active question always has a current version (``question_create`` sets it).
    """
    questions = Question.objects.filter(
        status=QuestionStatus.ACTIVE,
        type=question_type,
        difficulty__gte=difficulty_min,
        difficulty__lte=difficulty_max,
    )
    if tier:
        questions = questions.filter(tier=tier)
    if audience:
        questions = questions.filter(audience_filter(audience))
    point_ids = list(knowledge_point_ids)
    if point_ids:
        tagged = QuestionKnowledgePoint.objects.filter(knowledge_point_id__in=point_ids)
        questions = questions.filter(pk__in=tagged.values("question_id"))
    return questions.order_by()


def rule_plan_candidates(rule: RulePlan) -> QuerySet[Question]:
    return rule_candidates_queryset(
        question_type=rule.question_type,
        knowledge_point_ids=rule.knowledge_point_ids,
        difficulty_min=rule.difficulty_min,
        difficulty_max=rule.difficulty_max,
        tier=rule.tier,
        audience=rule.audience,
    )


# One row per rule: the candidates' ids (and usage counts) aggregated into text by the database.
# Reading thousands of one-number rows through the driver costs about a microsecond each; one
# string parsed by ``int`` costs a fraction of that.
_AGGREGATE = {"sqlite": "group_concat({column})", "postgresql": "string_agg({column}::text, ',')"}


@lru_cache(maxsize=1024)
def _candidate_sql(rule: RulePlan, with_usage: bool, alias: str) -> tuple[str, tuple, bool]:
    """(sql, params, aggregated) of a rule's candidate query, compiled once per process."""
    columns = ("id", "times_drawn") if with_usage else ("id",)
    sql, params = rule_plan_candidates(rule).values_list(*columns).query.sql_with_params()
    vendor = connections[alias].vendor
    if vendor not in _AGGREGATE:
        return sql, tuple(params), False
    aggregates = [_AGGREGATE[vendor].format(column=column) for column in columns]
    return f"SELECT {', '.join(aggregates)} FROM ({sql}) AS candidates", tuple(params), True


def _numbers(text: str | None) -> list[int]:
    return list(map(int, text.split(","))) if text else []


@dataclass(frozen=True)
class Candidates:
    """A rule's candidate question ids in ascending order and, when asked for, their usage counts."""

    ids: list[int]
    usage: list[int] | None = None

    def __len__(self) -> int:
        return len(self.ids)


def rule_candidates(rule: RulePlan, *, with_usage: bool) -> Candidates:
    """The ACTIVE questions a rule may draw, sorted by id: one query.

    The draw's hot path: the SQL of a rule is compiled once per process, and on SQLite and
    PostgreSQL the database hands the candidates back as one aggregated row.
    """
    sql, params, aggregated = _candidate_sql(rule, with_usage, connection.alias)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        if aggregated:
            row = cursor.fetchone() or (None, None)
            columns = [_numbers(text) for text in row]
        else:
            fetched = cursor.fetchall()
            columns = [[r[i] for r in fetched] for i in range(2 if with_usage else 1)]
    if not with_usage:
        ids = columns[0]
        ids.sort()
        return Candidates(ids=ids)
    pairs = sorted(zip(columns[0], columns[1], strict=True))
    return Candidates(ids=[p[0] for p in pairs], usage=[p[1] for p in pairs])


def rule_available_count(
    *,
    question_type: str,
    knowledge_point: KnowledgePoint | int | None = None,
    difficulty_min: int = 1,
    difficulty_max: int = 5,
    tier: str | None = None,
    audience: str | None = None,
    exclude_question_ids: Iterable[int] = (),
) -> int:
    """How many active questions a rule with these (resolved) filters could draw: one COUNT query,
    plus two for the knowledge point's subtree when one is given."""
    point_ids: tuple[int, ...] = ()
    if knowledge_point is not None:
        pk = knowledge_point.pk if isinstance(knowledge_point, KnowledgePoint) else int(knowledge_point)
        subtree = KnowledgePoint.objects.filter(pk=pk).values_list("path", flat=True).first()
        if subtree is None:
            return 0
        point_ids = tuple(KnowledgePoint.objects.filter(path__startswith=subtree).values_list("pk", flat=True))
    questions = rule_candidates_queryset(
        question_type=question_type,
        knowledge_point_ids=point_ids,
        difficulty_min=difficulty_min,
        difficulty_max=difficulty_max,
        tier=tier,
        audience=audience,
    )
    exclude = list(exclude_question_ids)
    if exclude:
        questions = questions.exclude(pk__in=exclude)
    return questions.count()


def rule_availability(plan: DrawPlan) -> dict[tuple[int, int], int]:
    """Available questions per rule of a plan, ``{(section_index, rule_index): n}``; one query per rule.
    Fixed questions of the plan are not counted: a paper never holds a question twice."""
    fixed = [f.question_id for f in plan.fixed]
    return {
        rule.key: (rule_plan_candidates(rule).exclude(pk__in=fixed) if fixed else rule_plan_candidates(rule)).count()
        for rule in plan.rules
    }


# --- Listings --------------------------------------------------------------------------------


def blueprints_for_listing(*, status: str = "") -> QuerySet[Blueprint]:
    blueprints = Blueprint.objects.select_related("author").annotate(
        paper_count=Count("papers", distinct=True),
        section_count=Count("sections", distinct=True),
    )
    if status:
        blueprints = blueprints.filter(status=status)
    return blueprints.order_by("-updated_at", "-id")


def papers_of_blueprint(blueprint: Blueprint, *, limit: int = 20) -> list[Paper]:
    return list(blueprint.papers.select_related("created_by").order_by("-created_at", "-id")[:limit])


def papers_in_context(*, blueprint: Blueprint | int, context: str) -> QuerySet[Paper]:
    """Earlier papers of the same blueprint and context: what the overlap cap compares with."""
    blueprint_id = blueprint.pk if isinstance(blueprint, Blueprint) else blueprint
    return Paper.objects.filter(blueprint_id=blueprint_id, context=context)


def paper_items_with_content(paper: Paper) -> list[PaperItem]:
    """The paper's items in order, each with its question version: one query."""
    return list(paper.items.select_related("question_version").order_by("position"))
