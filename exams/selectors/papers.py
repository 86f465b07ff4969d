"""Reads for blueprints and papers: the draw plan, rule availability, listings.

A ``DrawPlan`` is a blueprint frozen into plain values, with every "same as the blueprint" already
resolved. The draw works on a plan, never on the models, so the same code draws from a live
blueprint and re-derives a stored paper from its ``snapshot``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from functools import lru_cache

from django.db import connection, connections
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Value

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
    QuestionVersion,
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


def make_plan(
    *, blueprint_id, settings: dict, sections: list[dict], subtrees: dict[str, tuple[int, ...]] | None = None
) -> DrawPlan:
    """Build a plan from plain values. ``settings``: the blueprint's fields; ``sections``: dicts with
    title, instructions, ``rules`` (dicts of BlueprintRule fields plus ``knowledge_point_path``) and
    ``fixed`` (dicts with question_id, points, multiple_scoring, question_type). Resolves every
    "same as the blueprint" and the knowledge-point subtrees (one query)."""
    if subtrees is None:
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


def _plan_sql(vendor: str) -> tuple[str, str]:
    """Sections with their rules (and each rule's knowledge-point subtree), and the fixed questions:
    plain SQL, since the ORM's cost for these small queries was a third of a draw."""
    ids = "string_agg(sub.id::text, ',')" if vendor == "postgresql" else "group_concat(sub.id)"
    sections = (
        "SELECT s.id, s.title, s.instructions, r.question_type, r.count, r.points, r.knowledge_point_id, "
        "r.difficulty_min, r.difficulty_max, r.tier, r.audience, r.multiple_scoring, kp.path, "
        f"(SELECT {ids} FROM courses_knowledgepoint sub WHERE sub.path LIKE kp.path || '%%') "
        "FROM exams_blueprintsection s "
        "LEFT OUTER JOIN exams_blueprintrule r ON r.section_id = s.id "
        "LEFT OUTER JOIN courses_knowledgepoint kp ON kp.id = r.knowledge_point_id "
        "WHERE s.blueprint_id = %s ORDER BY s.position, r.position"
    )
    fixed = (
        "SELECT f.section_id, f.question_id, f.points, f.multiple_scoring, q.type "
        "FROM exams_blueprintfixedquestion f "
        "JOIN exams_blueprintsection s ON s.id = f.section_id "
        "LEFT OUTER JOIN exams_question q ON q.id = f.question_id "
        "WHERE s.blueprint_id = %s ORDER BY s.position, f.position"
    )
    return sections, fixed


def blueprint_plan(blueprint: Blueprint) -> DrawPlan:
    """Freeze a blueprint into a plan: two queries (sections with rules and knowledge-point
    subtrees; fixed questions)."""
    sections_sql, fixed_sql = _plan_sql(connection.vendor)
    sections: dict[int, dict] = {}
    subtrees: dict[str, tuple[int, ...]] = {}
    with connection.cursor() as cursor:
        cursor.execute(sections_sql, [blueprint.pk])
        for section_id, title, instructions, question_type, *rule, path, subtree in cursor.fetchall():
            section = sections.setdefault(
                section_id, {"title": title, "instructions": instructions, "rules": [], "fixed": []}
            )
            if question_type is None:
                continue
            count, points, point_id, low, high, tier, audience, scoring = rule
            section["rules"].append(
                {
                    "question_type": question_type,
                    "count": count,
                    "points": points,
                    "knowledge_point_id": point_id,
                    "difficulty_min": low,
                    "difficulty_max": high,
                    "tier": tier,
                    "audience": audience,
                    "multiple_scoring": scoring,
                    "knowledge_point_path": path or "",
                }
            )
            if path:
                subtrees[path] = tuple(sorted(int(pk) for pk in str(subtree or "").split(",") if pk))
        cursor.execute(fixed_sql, [blueprint.pk])
        for section_id, question_id, points, scoring, question_type in cursor.fetchall():
            sections[section_id]["fixed"].append(
                {
                    "question_id": question_id,
                    "points": points,
                    "multiple_scoring": scoring,
                    "question_type": question_type,
                }
            )
    return make_plan(
        blueprint_id=blueprint.pk,
        settings={name: getattr(blueprint, name) for name in PLAN_SETTINGS},
        sections=list(sections.values()),
        subtrees=subtrees,
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
    alone. Knowledge points add an ``EXISTS`` that looks up each such question's own links (one
    seek on the links' unique (question, point) index): cheaper than collecting every link of a
    large subtree first. ``+ 0`` keeps SQLite from turning a multi-point ``IN`` into one seek per
    point. An active question always has a current version (``question_create`` sets it).
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
    point_ids = sorted(set(knowledge_point_ids))
    if len(point_ids) == 1:
        links = QuestionKnowledgePoint.objects.filter(question_id=OuterRef("pk"), knowledge_point_id=point_ids[0])
        questions = questions.filter(Exists(links))
    elif point_ids:
        links = (
            QuestionKnowledgePoint.objects.filter(question_id=OuterRef("pk"))
            .alias(point=F("knowledge_point_id") + Value(0))
            .filter(point__in=point_ids)
        )
        questions = questions.filter(Exists(links))
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


# Candidates come back in one query for all rules, one text column per rule, in the canonical order
# (tier, difficulty, id) — the order of the index ``question_draw_idx``, so the database does not
# sort. Each id is written as ``id + ID_OFFSET``: ten digits, so the id at rank r is
# ``int(text[10r:10r+10]) - ID_OFFSET`` and a draw parses only the ids it looks at, not all of them.
ID_OFFSET = 10**9
ID_WIDTH = 10
ID_LIMIT = 9 * 10**9  # ids from here on would need an eleventh digit
CANONICAL_ORDER = ("tier", "difficulty", "id")
_NO_LIMIT = 2**62  # a LIMIT keeps SQLite from dropping the ORDER BY of the subquery


class Candidates:
    """A rule's candidate questions in the canonical order (tier, difficulty, id).

    ``len(pool)`` and ``pool[rank]`` cost O(1) without parsing the list; ``pool.ids`` parses it all
    (cached), for the rare paths that need every candidate. ``usage`` (``times_drawn`` per
    candidate, same order) is read only when the blueprint prefers least-used questions.
    ``raw`` is exactly what the database returned: what the draw's digest hashes.
    """

    __slots__ = ("raw", "_text", "_ids", "usage")

    def __init__(self, *, text: str | None = None, ids: list[int] | None = None, usage: list[int] | None = None):
        if ids is not None:
            self._ids = list(ids)
            self._text = None
            self.raw = ",".join(map(str, self._ids if usage is None else [*self._ids, *usage]))
        else:
            self._text = text or ""
            self._ids = None
            self.raw = self._text
        self.usage = usage

    def __len__(self) -> int:
        if self._ids is not None:
            return len(self._ids)
        return len(self._text) // ID_WIDTH

    def __getitem__(self, rank: int) -> int:
        if self._ids is not None:
            return self._ids[rank]
        start = rank * ID_WIDTH
        return int(self._text[start : start + ID_WIDTH]) - ID_OFFSET

    @property
    def ids(self) -> list[int]:
        if self._ids is None:
            text = self._text
            self._ids = [int(text[i : i + ID_WIDTH]) - ID_OFFSET for i in range(0, len(text), ID_WIDTH)]
        return self._ids


def _id_text_sql(vendor: str, inner: str) -> str:
    if vendor == "postgresql":
        return (
            f"SELECT string_agg((id + {ID_OFFSET})::text, '' ORDER BY tier, difficulty, id) "
            f"FROM ({inner}) AS candidates"
        )
    return f"SELECT group_concat(id + {ID_OFFSET}, '') FROM ({inner}) AS candidates"


def _comma_text_sql(vendor: str, inner: str, column: str) -> str:
    if vendor == "postgresql":
        return f"SELECT string_agg({column}, ',' ORDER BY tier, difficulty, id) FROM ({inner}) AS candidates"
    return f"SELECT group_concat({column}, ',') FROM ({inner}) AS candidates"


def _segments(rule: RulePlan) -> list[tuple]:
    """The index ranges a rule's candidates are read from, in the canonical order: with a fixed tier
    one per difficulty, so rules of the same type, tier and audience share them (a rule for
    difficulty 3–5 reuses three of the five ranges an any-difficulty rule reads); without a tier,
    the rule's whole range."""
    common = (rule.question_type, tuple(sorted(rule.knowledge_point_ids)), rule.tier, rule.audience)
    if rule.tier:
        return [(*common, d, d) for d in range(rule.difficulty_min, rule.difficulty_max + 1)]
    return [(*common, rule.difficulty_min, rule.difficulty_max)]


@lru_cache(maxsize=256)
def _candidates_sql(rules: tuple[RulePlan, ...], with_usage: bool, alias: str):
    """One statement returning every index range the rules read as one text column (and the
    largest question id, to check the ten-digit encoding), and per rule the columns that make up
    its candidates; compiled once per process and plan. None on other databases than SQLite and
    PostgreSQL."""
    vendor = connections[alias].vendor
    if vendor not in ("sqlite", "postgresql"):
        return None
    columns, params, seen, layout = [], [], {}, []
    for rule in rules:
        parts = []
        for segment in _segments(rule):
            if segment not in seen:
                question_type, point_ids, tier, audience, low, high = segment
                queryset = rule_candidates_queryset(
                    question_type=question_type,
                    knowledge_point_ids=point_ids,
                    difficulty_min=low,
                    difficulty_max=high,
                    tier=tier,
                    audience=audience,
                ).order_by(*CANONICAL_ORDER)
                fields = ("id", "times_drawn", *CANONICAL_ORDER[:2]) if with_usage else ("id", *CANONICAL_ORDER[:2])
                inner, inner_params = queryset.values_list(*fields)[:_NO_LIMIT].query.sql_with_params()
                seen[segment] = len(columns)
                if with_usage:  # "id,times_drawn,id,times_drawn,…": one pass over the rows
                    pair = (
                        "id::text || ',' || times_drawn::text" if vendor == "postgresql" else "id || ',' || times_drawn"
                    )
                    columns.append(f"({_comma_text_sql(vendor, inner, pair)})")
                    params.extend(inner_params)
                else:
                    columns.append(f"({_id_text_sql(vendor, inner)})")
                    params.extend(inner_params)
            parts.append(seen[segment])
        layout.append(tuple(parts))
    table = connections[alias].ops.quote_name(Question._meta.db_table)
    columns.append(f"(SELECT max(id) FROM {table})")
    return "SELECT " + ", ".join(columns), tuple(params), tuple(layout)


def _numbers(texts: Iterable[str | None]) -> list[int]:
    return [int(n) for text in texts if text for n in text.split(",")]


def _candidates_one_by_one(rules: Sequence[RulePlan], with_usage: bool) -> dict[tuple[int, int], Candidates]:
    """Portable fallback: one query per rule, every row read."""
    pools = {}
    for rule in rules:
        queryset = rule_plan_candidates(rule).order_by(*CANONICAL_ORDER)
        if with_usage:
            rows = list(queryset.values_list("id", "times_drawn"))
            pools[rule.key] = Candidates(ids=[r[0] for r in rows], usage=[r[1] for r in rows])
        else:
            pools[rule.key] = Candidates(ids=list(queryset.values_list("id", flat=True)))
    return pools


def rules_candidates(rules: Sequence[RulePlan], *, with_usage: bool) -> dict[tuple[int, int], Candidates]:
    """The ACTIVE questions each rule may draw, in the canonical order: ONE query for all rules.

    The draw's hot path. The database scans each rule's index range and hands the ids back as one
    fixed-width text per rule; nothing is parsed until the draw looks at a rank. With usage counts
    (least-used preference) every candidate's ``times_drawn`` is read and parsed: slower.
    """
    rules = tuple(rules)
    if not rules:
        return {}
    compiled = _candidates_sql(rules, with_usage, connection.alias)
    if compiled is None:
        return _candidates_one_by_one(rules, with_usage)
    sql, params, layout = compiled
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    columns, largest_id = row[:-1], row[-1] or 0
    if with_usage:
        pools = {}
        for rule, parts in zip(rules, layout, strict=True):
            numbers = _numbers(columns[i] for i in parts)
            pools[rule.key] = Candidates(ids=numbers[0::2], usage=numbers[1::2])
        return pools
    texts = ["".join(columns[i] for i in parts if columns[i]) for parts in layout]
    if largest_id >= ID_LIMIT:
        return _candidates_one_by_one(rules, with_usage)
    return {rule.key: Candidates(text=text) for rule, text in zip(rules, texts, strict=True)}


def rule_candidates(rule: RulePlan, *, with_usage: bool) -> Candidates:
    """One rule's candidates (see ``rules_candidates``)."""
    return rules_candidates([rule], with_usage=with_usage)[rule.key]


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
    # Officers' personal practice papers (wrong-answer notebook) are theirs, not the trainers'.
    blueprints = blueprints.filter(practice_for__isnull=True)
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


def knowledge_point_members(requests: dict[tuple[int, int], tuple[Sequence[int], Sequence[int]]]) -> dict:
    """``{rule key: (knowledge point ids, question ids)}`` → ``{rule key: {question ids tagged with
    one of the points}}``: ONE query for all rules, one index seek per question asked about.
    Plain SQL: building it through the ORM cost more than running it."""
    keys = list(requests)
    found: dict[tuple[int, int], set[int]] = {key: set() for key in keys}
    table = connection.ops.quote_name(QuestionKnowledgePoint._meta.db_table)
    parts, params = [], []
    for index, key in enumerate(keys):
        point_ids, question_ids = requests[key]
        if not question_ids or not point_ids:
            continue
        questions = ", ".join(["%s"] * len(question_ids))
        if len(point_ids) == 1:
            points = "knowledge_point_id = %s"
        else:
            points = f"knowledge_point_id + 0 IN ({', '.join(['%s'] * len(point_ids))})"
        parts.append(f"SELECT {int(index)}, question_id FROM {table} WHERE question_id IN ({questions}) AND {points}")
        params += [int(pk) for pk in question_ids]
        params += [int(pk) for pk in point_ids]
    if not parts:
        return found
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        for index, question_id in cursor.fetchall():
            found[keys[index]].add(question_id)
    return found


def chosen_versions_with_options(question_ids: Sequence[int]) -> list[tuple[int, int | None, list | None]]:
    """``(question id, current version id, that version's options)`` per question: one query, plain
    SQL (the ORM's cost for a 100-id ``IN`` and per-row JSON fields was most of this step's time)."""
    if not question_ids:
        return []
    question = connection.ops.quote_name(Question._meta.db_table)
    version = connection.ops.quote_name(QuestionVersion._meta.db_table)
    sql = (
        f"SELECT q.id, q.current_version_id, v.options FROM {question} q "
        f"LEFT OUTER JOIN {version} v ON v.id = q.current_version_id "
        f"WHERE q.id IN ({', '.join(['%s'] * len(question_ids))})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [int(pk) for pk in question_ids])
        rows = cursor.fetchall()
    return [
        (pk, version_id, json.loads(options) if isinstance(options, str) else options)
        for pk, version_id, options in rows
    ]
