"""Drawing papers: reproducible per seed, stratified by rules, fixed questions, option permutations,
least-used preference, overlap caps, and a query count independent of the bank's size."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from courses.models.choices import Audience, Tier
from exams.models import MultipleChoiceScoring, Paper, PaperItem, Question, QuestionStatus, QuestionType
from exams.services import (
    PaperDrawError,
    blueprint_create,
    blueprint_set_status,
    paper_draw,
    paper_preview,
    paper_rederivation_matches,
    question_set_status,
)
from exams.services.blueprints import FixedSpec, SectionSpec
from exams.services.papers import paper_signature
from portal.models import AuditEntry
from tests.exams.papers_support import knowledge_tree, make_bank, make_question, one_section_spec, rule

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def _blueprint(*rules, **settings):
    return blueprint_create(spec=one_section_spec(*rules, **settings), actor=None)


def test_the_same_seed_gives_the_same_paper_and_the_preview_is_what_gets_stored():
    make_bank(30)
    blueprint = _blueprint(rule(count=10))

    preview = paper_preview(blueprint=blueprint, seed=4242)
    paper = paper_draw(blueprint=blueprint, seed=4242)
    again = paper_draw(blueprint=blueprint, seed=4242)

    assert paper_signature(paper) == preview.signature()
    assert paper_signature(again) == paper_signature(paper)
    assert paper.inputs_digest == preview.digest == again.inputs_digest
    assert paper.question_count == 10 and paper.total_points == Decimal("20")


def test_different_seeds_give_different_papers():
    make_bank(40)
    blueprint = _blueprint(rule(count=10))

    drawn = {tuple(paper_preview(blueprint=blueprint, seed=seed).question_ids) for seed in range(5)}

    assert len(drawn) == 5


def test_only_active_questions_of_the_rule_are_drawn():
    points = knowledge_tree()
    wanted = make_bank(6, points=[points["现场处置"]], difficulty=2)
    make_bank(5, points=[points["现场处置"]], difficulty=2, status=QuestionStatus.DRAFT)
    retired = make_bank(5, points=[points["执法记录"]], difficulty=2)
    question_set_status(questions=retired, status=QuestionStatus.RETIRED, actor=None)
    make_bank(5, points=[points["案件办理"]], difficulty=2)  # another subtree
    make_bank(5, points=[points["现场处置"]], difficulty=5)  # too hard
    make_bank(5, points=[points["现场处置"]], difficulty=2, tier=Tier.ADVANCED)  # another tier
    make_bank(5, QuestionType.TRUE_FALSE, points=[points["现场处置"]], difficulty=2)  # another type
    blueprint = _blueprint(
        rule(count=6, knowledge_point_id=points["接处警"].pk, difficulty_min=1, difficulty_max=3),
    )

    for seed in range(3):
        assert set(paper_preview(blueprint=blueprint, seed=seed).question_ids) == {q.pk for q in wanted}


def test_audience_rules_draw_questions_for_that_audience_or_for_everyone():
    for_auxiliaries = make_bank(2, audiences=[Audience.AUXILIARY])
    for_everyone = make_bank(2, audiences=[Audience.ALL])
    untagged = make_bank(2)
    make_bank(4, audiences=[Audience.MIDDLE_LEADER])
    blueprint = _blueprint(rule(count=6), audience=Audience.AUXILIARY)

    drawn = set(paper_preview(blueprint=blueprint, seed=1).question_ids)

    assert drawn == {q.pk for q in for_auxiliaries + for_everyone + untagged}


def test_fixed_questions_are_in_every_paper_at_the_start_of_their_section():
    make_bank(20)
    mandatory = make_question(QuestionType.SINGLE, number=99, stem="<p>必考题：人民警察的宗旨是什么？</p>")
    spec = one_section_spec(rule(count=5), fixed=[FixedSpec(question_id=mandatory.pk, points="5")])
    spec.shuffle_questions = False
    blueprint = blueprint_create(spec=spec, actor=None)

    for seed in range(5):
        result = paper_preview(blueprint=blueprint, seed=seed)
        assert result.items[0].question_id == mandatory.pk
        assert result.items[0].points == Decimal("5")
        assert mandatory.pk not in result.question_ids[1:]
        assert result.total_points == Decimal("15")


def test_a_fixed_paper_is_the_same_for_every_seed_apart_from_order():
    questions = make_bank(4, QuestionType.TRUE_FALSE)
    spec = one_section_spec(
        fixed=[FixedSpec(question_id=q.pk, points="1") for q in questions], title="判断题", shuffle_questions=False
    )
    blueprint = blueprint_create(spec=spec, actor=None)

    papers = [paper_preview(blueprint=blueprint, seed=seed).question_ids for seed in range(3)]

    assert papers == [[q.pk for q in questions]] * 3


def test_option_order_is_permuted_per_paper_and_stable_for_its_seed():
    make_bank(12)
    blueprint = _blueprint(rule(count=12))

    first = paper_draw(blueprint=blueprint, seed=7)
    orders = [item.option_order for item in first.items.order_by("position")]
    again = paper_preview(blueprint=blueprint, seed=7)

    assert all(sorted(order) == ["A", "B", "C", "D"] for order in orders)
    assert any(order != ["A", "B", "C", "D"] for order in orders)
    assert [list(item.option_order) for item in again.items] == orders
    item = first.items.order_by("position").first()
    assert item.display_key(item.option_order[0]) == "A"
    assert item.original_key("A") == item.option_order[0]


def test_option_order_is_kept_when_shuffling_options_is_off():
    make_bank(5)
    blueprint = _blueprint(rule(count=5), shuffle_options=False)

    result = paper_preview(blueprint=blueprint, seed=3)

    assert {tuple(item.option_order) for item in result.items} == {("A", "B", "C", "D")}


def test_multiple_choice_scoring_is_chosen_per_rule():
    make_bank(6, QuestionType.MULTIPLE)
    spec = one_section_spec(
        rule(QuestionType.MULTIPLE, count=3, multiple_scoring=MultipleChoiceScoring.PARTIAL),
        rule(QuestionType.MULTIPLE, count=3),
        title="多选题",
        multiple_scoring=MultipleChoiceScoring.ALL_OR_NOTHING,
        shuffle_questions=False,
    )
    blueprint = blueprint_create(spec=spec, actor=None)

    paper = paper_draw(blueprint=blueprint, seed=5)

    assert [item.multiple_scoring for item in paper.items.order_by("position")] == (
        [MultipleChoiceScoring.PARTIAL] * 3 + [MultipleChoiceScoring.ALL_OR_NOTHING] * 3
    )


def test_rules_competing_for_the_same_questions_are_all_met():
    easy = make_bank(3, difficulty=2)
    hard = make_bank(3, difficulty=4)
    # Rule 1 may take any of the six; rule 2 needs all three hard ones.
    blueprint = _blueprint(rule(count=3, difficulty_min=2, difficulty_max=4), rule(count=3, difficulty_min=4))

    for seed in range(15):
        items = paper_preview(blueprint=blueprint, seed=seed).items
        assert {i.question_id for i in items if i.rule_index == 0} == {q.pk for q in easy}
        assert {i.question_id for i in items if i.rule_index == 1} == {q.pk for q in hard}


def test_least_used_questions_are_preferred():
    worn = make_bank(20)
    fresh = make_bank(20, start=100)
    Question.objects.filter(pk__in=[q.pk for q in worn]).update(times_drawn=50)
    preferring = _blueprint(rule(count=10), prefer_least_used=True)
    indifferent = _blueprint(rule(count=10))
    fresh_ids = {q.pk for q in fresh}

    def fresh_share(blueprint) -> float:
        drawn = [q for seed in range(20) for q in paper_preview(blueprint=blueprint, seed=seed).question_ids]
        return sum(q in fresh_ids for q in drawn) / len(drawn)

    assert fresh_share(preferring) > 0.9
    assert 0.3 < fresh_share(indifferent) < 0.7


def test_drawing_stores_the_paper_and_marks_versions_drawn_and_writes_nothing_else():
    questions = make_bank(8)
    blueprint = _blueprint(rule(count=8))
    audit_before = AuditEntry.objects.count()

    paper = paper_draw(blueprint=blueprint, seed=11, context="exam:1")

    assert Paper.objects.count() == 1 and PaperItem.objects.filter(paper=paper).count() == 8
    for question in Question.objects.filter(pk__in=[q.pk for q in questions]).select_related("current_version"):
        assert question.times_drawn == 1
        assert question.current_version.in_use
    assert AuditEntry.objects.count() == audit_before
    assert paper.context == "exam:1" and paper.snapshot["title"] == blueprint.title


def test_papers_of_one_exam_keep_to_the_overlap_cap():
    make_bank(40)
    blueprint = _blueprint(rule(count=10), max_overlap_percent=30)
    papers: list[Paper] = []

    for seed in range(12):
        papers.append(paper_draw(blueprint=blueprint, seed=seed, context="exam:7", exclude_overlap_with=papers))

    sets = [set(p.items.values_list("question_id", flat=True)) for p in papers]
    assert all(len(s) == 10 for s in sets)
    assert max(len(a & b) for i, a in enumerate(sets) for b in sets[:i]) <= 3


def test_the_overlap_cap_is_deterministic_per_seed():
    make_bank(25)
    blueprint = _blueprint(rule(count=10), max_overlap_percent=20)
    earlier = [paper_draw(blueprint=blueprint, seed=s, context="x") for s in (1, 2)]

    first = paper_preview(blueprint=blueprint, seed=3, exclude_overlap_with=earlier)
    second = paper_preview(blueprint=blueprint, seed=3, exclude_overlap_with=earlier)

    assert first.signature() == second.signature()


def test_an_overlap_cap_the_bank_cannot_meet_is_refused_clearly():
    make_bank(12)
    blueprint = _blueprint(rule(count=10), max_overlap_percent=10)
    first = paper_draw(blueprint=blueprint, seed=1)

    with pytest.raises(PaperDrawError) as error:
        paper_draw(blueprint=blueprint, seed=2, exclude_overlap_with=[first])

    assert "at most 10%" in error.value.messages[0]
    assert Paper.objects.count() == 1


def test_a_draw_that_the_bank_no_longer_meets_names_the_shortfall():
    questions = make_bank(6)
    blueprint = _blueprint(rule(count=5))
    question_set_status(questions=questions[:3], status=QuestionStatus.RETIRED, actor=None)

    with pytest.raises(PaperDrawError) as error:
        paper_draw(blueprint=blueprint, seed=1)

    assert error.value.messages == ["Section 1, rule 1: needs 5 questions, only 3 match."]


def test_an_archived_blueprint_is_not_drawn():
    make_bank(5)
    blueprint = _blueprint(rule(count=5))
    blueprint_set_status(blueprint=blueprint, status="archived", actor=None)
    blueprint.refresh_from_db()

    with pytest.raises(PaperDrawError):
        paper_draw(blueprint=blueprint, seed=1)


def test_a_stored_paper_is_rederived_until_the_bank_changes():
    questions = make_bank(15)
    blueprint = _blueprint(rule(count=5))
    paper = paper_draw(blueprint=blueprint, seed=99)
    assert paper_rederivation_matches(paper) is True

    unused = next(q for q in questions if not paper.items.filter(question=q).exists())
    question_set_status(questions=[unused], status=QuestionStatus.RETIRED, actor=None)

    assert paper_rederivation_matches(paper) is False


def test_a_paper_preferring_least_used_questions_cannot_be_rederived_after_the_fact():
    make_bank(15)
    paper = paper_draw(blueprint=_blueprint(rule(count=5), prefer_least_used=True), seed=1)

    assert paper_rederivation_matches(paper) is None


def test_sections_are_numbered_across_the_paper():
    make_bank(5)
    make_bank(5, QuestionType.TRUE_FALSE)
    spec = one_section_spec(rule(count=3))
    spec.sections.append(SectionSpec(title="判断题", rules=[rule(QuestionType.TRUE_FALSE, count=4, points="1")]))
    paper = paper_draw(blueprint=blueprint_create(spec=spec, actor=None), seed=2)

    items = list(paper.items.order_by("position"))
    assert [i.position for i in items] == list(range(1, 8))
    assert [i.section_title for i in items] == ["单选题"] * 3 + ["判断题"] * 4
    assert [i.option_order == [] for i in items] == [False] * 3 + [True] * 4


def _grow_bank(per_stratum: int) -> None:
    for question_type in (QuestionType.SINGLE, QuestionType.TRUE_FALSE):
        make_bank(per_stratum, question_type, difficulty=2)
        make_bank(per_stratum, question_type, difficulty=4)


def _queries_of_a_draw(blueprint, seed: int) -> int:
    blueprint = type(blueprint).objects.get(pk=blueprint.pk)
    with CaptureQueriesContext(connection) as queries:
        paper_draw(blueprint=blueprint, seed=seed)
    return len(queries)


def test_the_query_count_of_a_draw_does_not_grow_with_the_bank():
    _grow_bank(10)
    spec = one_section_spec(
        rule(count=4, difficulty_max=3),
        rule(count=4, difficulty_min=4),
        rule(QuestionType.TRUE_FALSE, count=4, points="1"),
    )
    blueprint = blueprint_create(spec=spec, actor=None)
    small = _queries_of_a_draw(blueprint, seed=1)

    _grow_bank(100)
    larger = _queries_of_a_draw(blueprint, seed=2)

    assert Question.objects.count() == 440
    assert small == larger
    assert small <= 16


def _draw_counts(blueprint, seeds, rule_index: int | None = None) -> dict[int, int]:
    counts: dict[int, int] = {}
    for seed in seeds:
        for item in paper_preview(blueprint=blueprint, seed=seed).items:
            if rule_index is None or item.rule_index == rule_index:
                counts[item.question_id] = counts.get(item.question_id, 0) + 1
    return counts


def test_every_candidate_of_a_rule_is_equally_likely():
    questions = make_bank(6)
    blueprint = _blueprint(rule(count=1))

    counts = _draw_counts(blueprint, range(600))

    assert set(counts) == {q.pk for q in questions}
    assert all(60 <= n <= 140 for n in counts.values()), counts  # 100 expected each


def test_a_knowledge_point_rule_draws_its_few_tagged_questions_uniformly():
    points = knowledge_tree()
    tagged = make_bank(4, points=[points["现场处置"]]) + make_bank(2, points=[points["执法记录"]], start=50)
    make_bank(24, points=[points["案件办理"]], start=100)  # same type, another subtree: never drawn
    blueprint = _blueprint(rule(count=2, knowledge_point_id=points["接处警"].pk))

    counts = _draw_counts(blueprint, range(300))

    assert set(counts) == {q.pk for q in tagged}
    assert all(60 <= n <= 140 for n in counts.values()), counts  # 100 expected each


def test_the_paper_does_not_depend_on_how_many_questions_the_draw_asks_about_at_once(monkeypatch):
    points = knowledge_tree()
    make_bank(5, points=[points["现场处置"]])
    make_bank(20, points=[points["案件办理"]], start=100)
    blueprint = _blueprint(rule(count=4, knowledge_point_id=points["现场处置"].pk), rule(count=6))
    usual = [paper_preview(blueprint=blueprint, seed=seed) for seed in range(5)]

    monkeypatch.setattr("exams.services.papers.first_batch", lambda count: 1)
    one_at_a_time = [paper_preview(blueprint=blueprint, seed=seed) for seed in range(5)]

    assert [r.signature() for r in one_at_a_time] == [r.signature() for r in usual]


def test_a_knowledge_point_rule_competing_with_an_open_rule_is_met():
    points = knowledge_tree()
    tagged = make_bank(3, points=[points["现场处置"]], difficulty=2)
    untagged = make_bank(3, points=[points["案件办理"]], difficulty=2, start=10)
    # Rule 1 may take any of the six; rule 2 needs the three tagged ones.
    blueprint = _blueprint(rule(count=3), rule(count=3, knowledge_point_id=points["接处警"].pk))

    for seed in range(10):
        items = paper_preview(blueprint=blueprint, seed=seed).items
        assert {i.question_id for i in items if i.rule_index == 0} == {q.pk for q in untagged}
        assert {i.question_id for i in items if i.rule_index == 1} == {q.pk for q in tagged}


def test_a_knowledge_point_rule_short_of_questions_names_the_shortfall():
    points = knowledge_tree()
    tagged = make_bank(5, points=[points["执法记录"]])
    make_bank(10, points=[points["案件办理"]], start=10)
    blueprint = _blueprint(rule(count=5, knowledge_point_id=points["接处警"].pk))
    question_set_status(questions=tagged[:2], status=QuestionStatus.RETIRED, actor=None)

    with pytest.raises(PaperDrawError) as error:
        paper_preview(blueprint=blueprint, seed=1)

    assert error.value.messages == ["Section 1, rule 1: needs 5 questions, only 3 match."]


def test_retagging_a_question_the_draw_looked_at_stops_the_rederivation():
    points = knowledge_tree()
    make_bank(6, points=[points["现场处置"]])
    blueprint = _blueprint(rule(count=3, knowledge_point_id=points["接处警"].pk))
    paper = paper_draw(blueprint=blueprint, seed=8)
    assert paper_rederivation_matches(paper) is True

    drawn = paper.items.order_by("position").first().question
    drawn.knowledge_point_links.update(knowledge_point=points["案件办理"])

    assert paper_rederivation_matches(paper) is False


def test_the_query_count_with_knowledge_point_rules_does_not_grow_with_the_bank():
    points = knowledge_tree()

    def grow(per_point: int, start: int) -> None:
        for name in ("现场处置", "执法记录", "案件办理"):
            make_bank(per_point, points=[points[name]], difficulty=2, start=start)

    grow(6, 1)
    spec = one_section_spec(
        rule(count=3, knowledge_point_id=points["接处警"].pk),
        rule(count=3, knowledge_point_id=points["案件办理"].pk),
        rule(count=3),
    )
    blueprint = blueprint_create(spec=spec, actor=None)
    small = _queries_of_a_draw(blueprint, seed=1)

    grow(60, 100)
    larger = _queries_of_a_draw(blueprint, seed=2)

    assert small == larger
