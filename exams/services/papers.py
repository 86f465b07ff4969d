"""Drawing papers from blueprints (抽题组卷).

``paper_draw(blueprint=…, seed=…)`` stores a ``Paper`` and its ``PaperItem`` rows and marks the
drawn versions in use (``question_mark_drawn``); it writes nothing else. ``paper_preview`` runs the
same computation and writes nothing.

What "the same seed gives the same paper" guarantees
----------------------------------------------------
A draw is a pure function of its inputs:

1. the plan — the blueprint's sections, rules, fixed questions and options (``DrawPlan``);
2. the seed;
3. per rule, the candidate questions: the ids of the ACTIVE questions matching the rule, with their
   current version ids and, only when the blueprint prefers least-used questions, their
   ``times_drawn``;
4. with an overlap cap, the questions of the earlier papers it is compared with.

Candidates come in a canonical order — (tier, difficulty, id), the order of the index the query
walks, stated in the SQL — so the database's plan does not matter, and every random choice comes
from ``random.Random`` seeded with text derived from the seed (Python seeds such generators through
SHA-512: the same on every machine and every run). Equal inputs therefore give an equal paper —
same versions, order, option orders and points. ``Paper.inputs_digest`` is a SHA-256 of inputs 1–4
(the candidate lists exactly as the database returned them), so whether a re-draw would reproduce a
paper can be checked without storing the candidate lists.

Speed: the candidate lists of all rules come back in one query, as one fixed-width text per rule
(``exams.selectors.papers.rules_candidates``); a uniform draw reads ``len`` and the ids at the ranks
its permutation visits, so it parses ~count ids per rule, not the whole list (docs/PERFORMANCE.md).

What changes a re-draw: questions activated, retired, re-tagged or edited into a new version after
the draw, and — for blueprints that prefer least-used questions — every later draw, since drawing
raises ``times_drawn``. That is why the stored paper, not a re-draw, is the record for an appeal:
``paper_rederive(paper)`` recomputes it from the paper's own snapshot and seed, and
``paper_rederivation_matches(paper)`` says whether the bank still yields it.

How questions are chosen
------------------------
Rules are filled in blueprint order. Each rule walks a uniformly random permutation of its
candidates (a weighted one towards low ``times_drawn`` when least-used questions are preferred)
and takes every question not already on the paper and not over the overlap cap. A uniform rule on
knowledge points walks the permutation of its base candidates (every filter but the points) and
keeps those carrying its points — a uniform permutation of its candidates — asking about the
points in batches (``_TaggedOrder``). A question can suit two rules; when a rule runs short
because earlier rules took the questions it needs, an augmenting path moves an earlier rule onto
another of its candidates (bipartite matching). So a draw fails only when the
rules really cannot all be met at once — the same test the blueprint editor runs on save.

The overlap cap (``max_overlap_percent``): a new paper shares at most ⌊cap × n⌋ of its n questions
with each earlier paper it is compared with. The walk skips questions that would break the cap;
if a rule then runs short, the draw is retried with the next attempt number (a different,
still seed-derived permutation), at most ``MAX_ATTEMPTS`` times. The attempt used is stored.
"""

from __future__ import annotations

import hashlib
import heapq
import itertools
import json
import math
import secrets
from array import array
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from decimal import Decimal
from random import Random

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from exams.models import (
    Blueprint,
    BlueprintStatus,
    Paper,
    PaperItem,
    Question,
    QuestionStatus,
    QuestionType,
)
from exams.selectors.papers import (
    Candidates,
    DrawPlan,
    RulePlan,
    blueprint_plan,
    chosen_versions_with_options,
    knowledge_point_members,
    rules_candidates,
)
from exams.services.questions import question_mark_drawn

MAX_ATTEMPTS = 8
CHOICE_TYPES = (QuestionType.SINGLE, QuestionType.MULTIPLE)

ERRORS = {
    "rule_shortfall": _("Section %(section)s, rule %(rule)s: needs %(needed)s questions, only %(available)s match."),
    "rule_shared_shortfall": _(
        "Section %(section)s, rule %(rule)s: needs %(needed)s questions, but other rules draw on the same "
        "questions and only %(available)s are left for it."
    ),
    "fixed_missing": _("Section %(section)s: fixed question #%(question)s does not exist."),
    "fixed_inactive": _("Section %(section)s: fixed question #%(question)s is not active."),
    "overlap_cap": _(
        "The papers of this exam may share at most %(percent)s%% of their questions, and the bank cannot "
        "provide another paper within that cap. Add questions or raise the cap."
    ),
    "archived": _("This blueprint is archived and cannot be drawn."),
    "no_version": _("Question #%(question)s has no content and cannot be drawn."),
    "empty": _("The blueprint draws no questions."),
}


class PaperDrawError(Exception):
    """A paper cannot be drawn; ``messages`` say why, in the user's language."""

    def __init__(self, messages: list[str]):
        self.messages = [str(m) for m in messages]
        super().__init__("; ".join(self.messages))


def new_seed() -> int:
    """A fresh seed, short enough to read out and type into the preview form."""
    return secrets.randbelow(10**9)


# --- Results ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class DrawnItem:
    section_index: int
    section_title: str
    position: int
    question_id: int
    version_id: int
    question_type: str
    option_order: tuple[str, ...]
    points: Decimal
    multiple_scoring: str
    rule_index: int | None

    def signature(self) -> tuple:
        return (
            self.position,
            self.section_index,
            self.question_id,
            self.version_id,
            tuple(self.option_order),
            Decimal(self.points),
            self.multiple_scoring,
        )


@dataclass(frozen=True)
class DrawResult:
    plan: DrawPlan
    seed: int
    items: tuple[DrawnItem, ...]
    digest: str
    attempt: int
    overlap_with: tuple[int, ...] = ()

    @property
    def total_points(self) -> Decimal:
        return sum((item.points for item in self.items), Decimal(0))

    @property
    def question_ids(self) -> list[int]:
        return [item.question_id for item in self.items]

    def signature(self) -> list[tuple]:
        return [item.signature() for item in self.items]


def paper_signature(paper: Paper) -> list[tuple]:
    """The stored paper in the shape of ``DrawResult.signature()``."""
    return [
        (
            item.position,
            item.section_index,
            item.question_id,
            item.question_version_id,
            tuple(item.option_order),
            Decimal(item.points),
            item.multiple_scoring,
        )
        for item in paper.items.order_by("position")
    ]


# --- Inputs ----------------------------------------------------------------------------------


@dataclass
class _Inputs:
    """What a draw reads. ``pools``: per rule, its candidates — or, for a rule on knowledge points in
    a uniform draw, its BASE candidates (every filter but the points; ``points`` names the rule's
    points), whose membership is then asked only for the base questions the walk reaches
    (``members``). ``exact``: full candidate lists, read only when a rule runs short."""

    plan: DrawPlan
    pools: dict[tuple[int, int], Candidates]
    fixed: dict[int, tuple[int | None, str, str]]  # question id → (current version id, status, type)
    earlier: dict[int, set[int]]  # earlier paper id → question ids
    points: dict[tuple[int, int], tuple[int, ...]] = field(default_factory=dict)
    members: dict[tuple[int, int], dict[int, bool]] = field(default_factory=dict)
    exact: dict[tuple[int, int], Candidates] = field(default_factory=dict)

    def lookup(self, wanted: dict[tuple[int, int], list[int]]) -> None:
        """Learn which of these base questions carry the rule's points: one query for all rules."""
        requests = {}
        for key, ids in wanted.items():
            known = self.members.setdefault(key, {})
            unknown = [pk for pk in ids if pk not in known]
            if unknown:
                requests[key] = (self.points[key], unknown)
        if not requests:
            return
        found = knowledge_point_members(requests)
        for key, (_points, ids) in requests.items():
            tagged, known = found[key], self.members[key]
            for pk in ids:
                known[pk] = pk in tagged

    def is_member(self, key: tuple[int, int], question_id: int) -> bool:
        return self.members[key][question_id]

    def candidate_ids(self, key: tuple[int, int]) -> list[int]:
        """Every candidate of a rule (one query for a rule on knowledge points, then cached)."""
        if key not in self.points:
            return self.pools[key].ids
        if key not in self.exact:
            rule = next(r for r in self.plan.rules if r.key == key)
            self.exact[key] = rules_candidates([rule], with_usage=False)[key]
        return self.exact[key].ids


def _gather(plan: DrawPlan, earlier_paper_ids: list[int], *, exact: bool = False) -> _Inputs:
    """One query for every rule's candidates (usage counts only when they matter), one for the fixed
    questions, one for the earlier papers' questions. A uniform draw reads the rules on knowledge
    points without that filter (``exact=False``); the walk then asks about the points of the few
    questions it reaches (``_Inputs.lookup``, one more query)."""
    points = {}
    rules = plan.rules
    if not exact and not plan.prefer_least_used:
        points = {rule.key: rule.knowledge_point_ids for rule in rules if rule.knowledge_point_ids}
        rules = [replace(rule, knowledge_point_ids=()) if rule.knowledge_point_ids else rule for rule in rules]
    pools = rules_candidates(rules, with_usage=plan.prefer_least_used)
    fixed_ids = [f.question_id for f in plan.fixed]
    fixed = {}
    if fixed_ids:
        fixed = {
            pk: (version_id, status, qtype)
            for pk, version_id, status, qtype in Question.objects.filter(pk__in=fixed_ids).values_list(
                "id", "current_version_id", "status", "type"
            )
        }
    earlier: dict[int, set[int]] = {pk: set() for pk in earlier_paper_ids}
    if earlier_paper_ids:
        for paper_id, question_id in PaperItem.objects.filter(paper_id__in=earlier_paper_ids).values_list(
            "paper_id", "question_id"
        ):
            earlier[paper_id].add(question_id)
    return _Inputs(plan=plan, pools=pools, fixed=fixed, earlier=earlier, points=points)


def _digest(plan: DrawPlan, seed: int, inputs: _Inputs) -> str:
    """Everything the draw read: the plan, the seed, per rule the candidate text as returned (and, for
    a rule on knowledge points, the answers about the base questions reached), the fixed questions
    and the earlier papers' questions."""
    digest = hashlib.sha256()
    digest.update(json.dumps(plan.as_dict(), sort_keys=True, ensure_ascii=False).encode())
    digest.update(f"|seed={seed}".encode())
    for rule in plan.rules:
        digest.update(b"|rule")
        digest.update(inputs.pools[rule.key].raw.encode())
        if rule.key in inputs.members:
            digest.update(b"|members")
            digest.update(json.dumps(sorted(inputs.members[rule.key].items())).encode())
        if rule.key in inputs.exact:
            digest.update(b"|exact")
            digest.update(inputs.exact[rule.key].raw.encode())
    digest.update(b"|fixed")
    digest.update(json.dumps(sorted(inputs.fixed.items())).encode())
    for paper_id in sorted(inputs.earlier):
        digest.update(f"|paper={paper_id}".encode())
        digest.update(array("q", sorted(inputs.earlier[paper_id])).tobytes())
    return digest.hexdigest()


# --- Selection -------------------------------------------------------------------------------


def _uniform_order(pool: Candidates, rng: Random) -> Iterator[int]:
    """A random permutation, generated lazily (Fisher–Yates over ranks, the swaps kept in a dict):
    a rule needing 10 of 5,000 costs ~10 random numbers and looks at ~10 ids."""
    n = len(pool)
    swapped: dict[int, int] = {}
    for i in range(n):
        j = i + int(rng.random() * (n - i))
        rank = swapped.get(j, j)
        swapped[j] = swapped.get(i, i)
        yield pool[rank]


class _TaggedOrder:
    """The uniform permutation of a rule's base candidates, keeping only those carrying the rule's
    knowledge points: a uniform permutation of the rule's candidates. Membership is asked in
    batches (the first for all rules at once, see ``_Selection.run``); a batch reaching past the
    first costs one more query."""

    def __init__(self, base: Iterator[int], key: tuple[int, int], inputs: _Inputs, batch: int):
        self.base, self.key, self.inputs, self.batch = base, key, inputs, batch
        self.pending: deque[int] = deque()

    def pull(self) -> list[int]:
        ids = list(itertools.islice(self.base, self.batch))
        self.batch = min(self.batch * 2, 8192)
        self.pending.extend(ids)
        return ids

    def __iter__(self) -> _TaggedOrder:
        return self

    def __next__(self) -> int:
        while True:
            if not self.pending:
                pulled = self.pull()
                if not pulled:
                    raise StopIteration
                self.inputs.lookup({self.key: pulled})
            question_id = self.pending.popleft()
            if self.inputs.is_member(self.key, question_id):
                return question_id


def first_batch(count: int) -> int:
    """Base questions asked about at first for a rule needing ``count``: enough when at least about
    one base question in eight carries the rule's points."""
    return 64 + 16 * count


def _least_used_order(pool: Candidates, rng: Random, need: int) -> Iterator[int]:
    """A weighted random permutation (Efraimidis–Spirakis): weight 1 / (1 + extra draws), where extra
    draws are ``times_drawn`` above the least-drawn candidate's; key u^(1/w) = u^(1 + extra), highest
    first. Only the head is sorted unless the walk goes past it (``nlargest`` equals the sorted head)."""
    if not pool.ids:
        return
    least = min(pool.usage)
    keyed = [(rng.random() ** (1 + used - least), pk) for pk, used in zip(pool.ids, pool.usage, strict=True)]
    head = heapq.nlargest(2 * need + 16, keyed)
    yield from (pk for _key, pk in head)
    if len(head) < len(keyed):
        yield from (pk for _key, pk in sorted(keyed, reverse=True)[len(head) :])


class _Shortfall(Exception):
    def __init__(self, rule: RulePlan, available: int, shared: bool):
        self.rule, self.available, self.shared = rule, available, shared


class _Selection:
    """Fills the rules of one attempt. ``taken`` holds every question on the paper so far."""

    def __init__(self, plan: DrawPlan, seed: int, inputs: _Inputs, attempt: int, cap: int | None):
        self.plan, self.seed, self.attempt, self.cap = plan, seed, attempt, cap
        self.inputs, self.pools = inputs, inputs.pools
        self.fixed_ids = {f.question_id for f in plan.fixed}
        self.taken: set[int] = set(self.fixed_ids)
        self.chosen: dict[tuple[int, int], dict[int, int]] = {}  # rule key → {question id: pick number}
        self.pool_sets: dict[tuple[int, int], set[int]] = {}  # built only when rules compete
        self.orders: dict[tuple[int, int], Iterator[int]] = {}
        self.picks = 0
        # Overlap bookkeeping: question → earlier papers holding it; shared count per earlier paper.
        self.holders: dict[int, list[int]] = {}
        self.shared: dict[int, int] = {}
        if cap is not None:
            for paper_id, question_ids in inputs.earlier.items():
                self.shared[paper_id] = 0
                for question_id in question_ids:
                    self.holders.setdefault(question_id, []).append(paper_id)
            for question_id in inputs.fixed:
                for paper_id in self.holders.get(question_id, ()):
                    self.shared[paper_id] += 1

    def _pool_set(self, key: tuple[int, int]) -> set[int]:
        if key not in self.pool_sets:
            self.pool_sets[key] = set(self.inputs.candidate_ids(key))
        return self.pool_sets[key]

    def _acceptable(self, question_id: int) -> bool:
        if self.cap is None:
            return True
        return all(self.shared[p] < self.cap for p in self.holders.get(question_id, ()))

    def _add(self, key: tuple[int, int], question_id: int) -> None:
        self.taken.add(question_id)
        self.picks += 1
        self.chosen[key][question_id] = self.picks
        if self.cap is not None:
            for paper_id in self.holders.get(question_id, ()):
                self.shared[paper_id] += 1

    def _next_free(self, key: tuple[int, int]) -> int | None:
        """The next candidate of the rule's permutation that may still join the paper. Skipped
        candidates never qualify later: ``taken`` and the shared counts only grow."""
        for question_id in self.orders[key]:
            if question_id not in self.taken and self._acceptable(question_id):
                return question_id
        return None

    def _augment(self, key: tuple[int, int]) -> bool:
        """Give rule ``key`` one more question by shifting earlier rules along an augmenting path."""
        previous: dict[tuple[int, int], tuple[tuple[int, int], int] | None] = {key: None}
        queue = deque([key])
        while queue:
            current = queue.popleft()
            if current != key:
                free = self._next_free(current)
                if free is not None:
                    self._add(current, free)
                    while previous[current] is not None:
                        parent, question_id = previous[current]
                        picked = self.chosen[current].pop(question_id)
                        self.chosen[parent][question_id] = picked
                        current = parent
                    return True
            wanted = self._pool_set(current)
            for other, held in self.chosen.items():
                if other in previous or other == current:
                    continue
                shared = [q for q in held if q in wanted]
                if shared:
                    previous[other] = (current, min(shared))
                    queue.append(other)
        return False

    def _start_orders(self) -> None:
        """Every rule's permutation (each has its own generator, so creating them up front changes
        nothing), and one query asking about the first batch of every rule on knowledge points."""
        first: dict[tuple[int, int], list[int]] = {}
        for rule in self.plan.rules:
            key = rule.key
            rng = Random(f"{self.seed}:select:{rule.section_index}:{rule.rule_index}:{self.attempt}")
            if self.plan.prefer_least_used:
                self.orders[key] = _least_used_order(self.pools[key], rng, rule.count)
            elif key in self.inputs.points:
                order = _TaggedOrder(_uniform_order(self.pools[key], rng), key, self.inputs, first_batch(rule.count))
                first[key] = order.pull()
                self.orders[key] = order
            else:
                self.orders[key] = _uniform_order(self.pools[key], rng)
        if first:
            self.inputs.lookup(first)

    def run(self) -> dict[tuple[int, int], list[int]]:
        self._start_orders()
        for rule in self.plan.rules:
            key = rule.key
            self.chosen[key] = {}
            while len(self.chosen[key]) < rule.count:
                question_id = self._next_free(key)
                if question_id is not None:
                    self._add(key, question_id)
                elif not self._augment(key):
                    available = len(self._pool_set(key) - self.fixed_ids)
                    if available < rule.count:
                        raise _Shortfall(rule, available, shared=False)
                    raise _Shortfall(rule, len(self.chosen[key]), shared=True)
        return {key: sorted(chosen, key=chosen.get) for key, chosen in self.chosen.items()}


def _shortfall_message(error: _Shortfall) -> str:
    code = "rule_shared_shortfall" if error.shared else "rule_shortfall"
    return str(ERRORS[code]) % {
        "section": error.rule.section_index + 1,
        "rule": error.rule.rule_index + 1,
        "needed": error.rule.count,
        "available": error.available,
    }


def _check_fixed(plan: DrawPlan, inputs: _Inputs) -> list[str]:
    problems = []
    for item in plan.fixed:
        found = inputs.fixed.get(item.question_id)
        params = {"section": item.section_index + 1, "question": item.question_id}
        if found is None or found[0] is None:
            problems.append(str(ERRORS["fixed_missing"]) % params)
        elif found[1] != QuestionStatus.ACTIVE:
            problems.append(str(ERRORS["fixed_inactive"]) % params)
    return problems


def plan_shortfalls(plan: DrawPlan, inputs: _Inputs | None = None) -> list[str]:
    """Why the plan cannot be drawn from today's bank, ignoring any overlap cap; empty if it can.

    Exact: the selection is a bipartite matching, so it fails only when no assignment exists.
    Reports every rule short on its own, or else the first rule the shared questions leave short.
    """
    inputs = inputs or _gather(plan, [], exact=True)
    problems = _check_fixed(plan, inputs)
    fixed_ids = set(inputs.fixed)
    for rule in plan.rules:
        available = sum(1 for pk in inputs.candidate_ids(rule.key) if pk not in fixed_ids)
        if available < rule.count:
            problems.append(_shortfall_message(_Shortfall(rule, available, shared=False)))
    if problems:
        return problems
    try:
        _Selection(plan, 0, inputs, 0, None).run()
    except _Shortfall as error:
        return [_shortfall_message(error)]
    return []


def _chosen_versions(
    plan: DrawPlan, seed: int, types: dict[int, str]
) -> tuple[dict[int, int], dict[int, tuple[str, ...]]]:
    """Current version and display order of option keys of every chosen question: one query.
    The option generator is keyed on the question, so its order does not depend on the others."""
    versions, orders = {}, {}
    for question_id, version_id, options in chosen_versions_with_options(list(types)):
        versions[question_id] = version_id
        if types[question_id] in CHOICE_TYPES:
            keys = [option["key"] for option in options or []]
            if plan.shuffle_options:
                Random(f"{seed}:options:{question_id}").shuffle(keys)
            orders[question_id] = tuple(keys)
    missing = sorted(q for q in types if versions.get(q) is None)
    if missing:
        raise PaperDrawError([str(ERRORS["no_version"]) % {"question": q} for q in missing])
    return versions, orders


def _compute(plan: DrawPlan, seed: int, earlier_paper_ids: Iterable[int] = ()) -> DrawResult:
    if plan.question_count == 0:
        raise PaperDrawError([ERRORS["empty"]])
    cap = None
    earlier_ids = sorted(set(earlier_paper_ids)) if plan.max_overlap_percent is not None else []
    if earlier_ids:
        cap = math.floor(plan.max_overlap_percent * plan.question_count / 100)
    inputs = _gather(plan, earlier_ids)
    problems = _check_fixed(plan, inputs)
    if problems:
        raise PaperDrawError(problems)

    picked = None
    for attempt in range(MAX_ATTEMPTS if cap is not None else 1):
        try:
            picked = _Selection(plan, seed, inputs, attempt, cap).run()
            break
        except _Shortfall as error:
            if cap is None:
                raise PaperDrawError([_shortfall_message(error)]) from None
    if picked is None:
        problems = plan_shortfalls(plan, inputs)
        raise PaperDrawError(problems or [str(ERRORS["overlap_cap"]) % {"percent": plan.max_overlap_percent}])

    types = {question_id: qtype for question_id, (_version, _status, qtype) in inputs.fixed.items()}
    for rule in plan.rules:
        for question_id in picked[rule.key]:
            types[question_id] = rule.question_type
    versions, option_orders = _chosen_versions(plan, seed, types)

    items: list[DrawnItem] = []
    for section in plan.sections:
        entries: list[tuple[int, Decimal, str, int | None]] = [
            (f.question_id, Decimal(f.points), f.multiple_scoring, None) for f in section.fixed
        ]
        for rule in section.rules:
            ordered = picked[rule.key] if plan.shuffle_questions else sorted(picked[rule.key])
            entries += [(q, Decimal(rule.points), rule.multiple_scoring, rule.rule_index) for q in ordered]
        if plan.shuffle_questions:
            Random(f"{seed}:order:{section.index}").shuffle(entries)
        for question_id, points, scoring, rule_index in entries:
            qtype = types[question_id]
            items.append(
                DrawnItem(
                    section_index=section.index,
                    section_title=section.title,
                    position=len(items) + 1,
                    question_id=question_id,
                    version_id=versions[question_id],
                    question_type=qtype,
                    option_order=option_orders.get(question_id, ()),
                    points=points,
                    multiple_scoring=scoring if qtype == QuestionType.MULTIPLE else "",
                    rule_index=rule_index,
                )
            )
    return DrawResult(
        plan=plan,
        seed=seed,
        items=tuple(items),
        digest=_digest(plan, seed, inputs),
        attempt=attempt,
        overlap_with=tuple(earlier_ids),
    )


def _earlier_ids(exclude_overlap_with) -> list[int]:
    if not exclude_overlap_with:
        return []
    return [p if isinstance(p, int) else p.pk for p in exclude_overlap_with]


# --- Public API --------------------------------------------------------------------------------


def paper_preview(
    *,
    seed: int,
    blueprint: Blueprint | None = None,
    plan: DrawPlan | None = None,
    exclude_overlap_with: Iterable[Paper | int] | None = None,
) -> DrawResult:
    """The paper ``paper_draw`` would store for this seed now, without writing anything."""
    plan = plan or blueprint_plan(blueprint)
    return _compute(plan, int(seed), _earlier_ids(exclude_overlap_with))


def paper_draw(
    *,
    blueprint: Blueprint,
    seed: int | None = None,
    exclude_overlap_with: Iterable[Paper | int] | None = None,
    context: str = "",
    actor=None,
    plan: DrawPlan | None = None,
) -> Paper:
    """Draw and store a paper. ``exclude_overlap_with``: earlier papers of the same exam, which the
    new paper may share at most the blueprint's ``max_overlap_percent`` of its questions with.
    ``plan`` lets a caller drawing many papers freeze the blueprint once."""
    if blueprint.status == BlueprintStatus.ARCHIVED:
        raise PaperDrawError([ERRORS["archived"]])
    seed = new_seed() if seed is None else int(seed)
    earlier = _earlier_ids(exclude_overlap_with)
    with transaction.atomic():
        if earlier and blueprint.max_overlap_percent is not None:
            # Two draws for one exam at once must not both miss each other's paper.
            Blueprint.objects.select_for_update().filter(pk=blueprint.pk).values_list("pk").first()
        result = _compute(plan or blueprint_plan(blueprint), seed, earlier)
        return paper_store(result, blueprint=blueprint, context=context, actor=actor)


def paper_store(result: DrawResult, *, blueprint: Blueprint, context: str = "", actor=None) -> Paper:
    """Store a computed draw (``paper_preview``'s result) as a paper and mark its versions drawn.

    Split from the draw so a caller can compute outside its write transaction and keep the write
    short (on SQLite a write transaction holds the database's single write lock). Inside a caller's
    transaction it adds no savepoint: a failure here rolls the whole caller back anyway."""
    with transaction.atomic(savepoint=False):
        paper = Paper.objects.create(
            blueprint=blueprint,
            seed=result.seed,
            context=context,
            snapshot={**result.plan.as_dict(), "overlap_with": list(result.overlap_with)},
            inputs_digest=result.digest,
            attempt=result.attempt,
            question_count=len(result.items),
            total_points=result.total_points,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        PaperItem.objects.bulk_create(
            [
                PaperItem(
                    paper=paper,
                    section_index=item.section_index,
                    section_title=item.section_title,
                    position=item.position,
                    question_id=item.question_id,
                    question_version_id=item.version_id,
                    question_type=item.question_type,
                    option_order=list(item.option_order),
                    points=item.points,
                    multiple_scoring=item.multiple_scoring,
                    rule_index=item.rule_index,
                )
                for item in result.items
            ]
        )
        question_mark_drawn(version_ids=[item.version_id for item in result.items])
    return paper


def paper_rederive(paper: Paper) -> DrawResult:
    """Recompute a stored paper from its own snapshot and seed against today's bank."""
    snapshot = {k: v for k, v in paper.snapshot.items() if k != "overlap_with"}
    return _compute(DrawPlan.from_dict(snapshot), paper.seed, paper.snapshot.get("overlap_with", []))


def paper_rederivation_matches(paper: Paper) -> bool | None:
    """True when today's bank re-derives exactly this paper; False when it has changed since;
    None when it cannot tell (least-used preference: every draw changes the usage counts)."""
    if paper.snapshot.get("prefer_least_used"):
        return None
    try:
        result = paper_rederive(paper)
    except PaperDrawError:
        return False
    return result.digest == paper.inputs_digest and result.signature() == paper_signature(paper)
