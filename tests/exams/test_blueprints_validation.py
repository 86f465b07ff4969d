"""Saving blueprints: refused with the shortfall named when the bank cannot meet a rule; structure
replaced on edit; drawn papers keep their snapshot; status changes re-check the bank."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from exams.models import Blueprint, BlueprintRule, BlueprintStatus, QuestionStatus, QuestionType
from exams.selectors.papers import rule_available_count
from exams.services import (
    blueprint_copy,
    blueprint_create,
    blueprint_set_status,
    blueprint_update,
    blueprint_validate,
    paper_draw,
    question_set_status,
)
from exams.services.blueprints import BlueprintSpec, FixedSpec, SectionSpec
from portal.models import AuditEntry
from tests.exams.papers_support import knowledge_tree, make_bank, make_question, one_section_spec, rule

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def test_a_blueprint_whose_rule_the_bank_cannot_meet_is_refused_with_the_shortfall_named(trainer):
    make_bank(7, QuestionType.TRUE_FALSE)
    spec = one_section_spec(rule(QuestionType.TRUE_FALSE, count=3))
    spec.sections.append(SectionSpec(title="判断题", rules=[rule(QuestionType.TRUE_FALSE, count=10)]))

    with pytest.raises(ValidationError) as error:
        blueprint_create(spec=spec, actor=trainer)

    assert error.value.messages == ["Section 2, rule 1: needs 10 questions, only 7 match."]
    assert not Blueprint.objects.exists()


def test_the_shortfall_message_names_both_numbers_in_chinese_too():
    make_bank(2)
    with translation.override("zh-hans"):
        problems = blueprint_validate(one_section_spec(rule(count=5)))

    assert len(problems) == 1 and "5" in problems[0] and "2" in problems[0]
    assert "needs" not in problems[0]


def test_rules_that_only_fail_together_are_refused_too():
    make_bank(3, difficulty=2)
    make_bank(3, difficulty=4)
    # Each rule alone can be met (6 and 3 candidates), not both: they share the three hard ones.
    spec = one_section_spec(rule(count=4, difficulty_min=2, difficulty_max=4), rule(count=3, difficulty_min=4))

    problems = blueprint_validate(spec)

    assert problems == [
        "Section 1, rule 2: needs 3 questions, but other rules draw on the same questions and only 2 are left for it."
    ]


def test_draft_and_retired_questions_do_not_count_as_available():
    points = knowledge_tree()
    make_bank(2, points=[points["现场处置"]])
    make_bank(2, points=[points["现场处置"]], status=QuestionStatus.DRAFT)
    retired = make_bank(2, points=[points["执法记录"]])
    question_set_status(questions=retired, status=QuestionStatus.RETIRED, actor=None)

    assert rule_available_count(question_type=QuestionType.SINGLE, knowledge_point=points["接处警"]) == 2
    assert rule_available_count(question_type=QuestionType.SINGLE, knowledge_point=points["执法记录"]) == 0


def test_form_level_mistakes_are_all_reported():
    question = make_question()
    spec = BlueprintSpec(
        title=" ",
        max_overlap_percent=120,
        sections=[
            SectionSpec(
                title="",
                rules=[rule(count=0, points="0", difficulty_min=4, difficulty_max=2)],
                fixed=[FixedSpec(question_id=question.pk, points="1"), FixedSpec(question_id=question.pk, points="1")],
            )
        ],
    )

    problems = blueprint_validate(spec)

    assert "Give the blueprint a title." in problems
    assert "The overlap cap is a percentage from 0 to 100." in problems
    assert "Section 1: give it a title." in problems
    assert "Section 1, rule 1: draw at least one question." in problems
    assert "Section 1, rule 1: points must be above zero." in problems
    assert "Section 1, rule 1: difficulty goes from 1 to 5, lowest first." in problems
    assert f"Question #{question.pk} is fixed more than once." in problems


def test_a_retired_fixed_question_is_refused():
    question = make_question()
    question_set_status(questions=[question], status=QuestionStatus.RETIRED, actor=None)

    problems = blueprint_validate(one_section_spec(fixed=[FixedSpec(question_id=question.pk, points="2")]))

    assert problems == [f"Section 1: fixed question #{question.pk} is not active."]


def test_fixed_questions_above_the_overlap_cap_are_refused():
    questions = make_bank(4)
    make_bank(6, start=10)
    spec = one_section_spec(
        rule(count=6), fixed=[FixedSpec(question_id=q.pk, points="1") for q in questions], max_overlap_percent=30
    )

    problems = blueprint_validate(spec)

    assert problems == [
        "The 4 fixed questions are in every paper, more than the overlap cap allows (3 of 10 questions)."
    ]


def test_an_archived_blueprint_may_be_saved_even_when_the_bank_falls_short():
    spec = one_section_spec(rule(count=50), status=BlueprintStatus.ARCHIVED)

    assert blueprint_validate(spec) == []


def test_creating_writes_sections_rules_and_an_audit_entry(trainer):
    points = knowledge_tree()
    make_bank(5, points=[points["现场处置"]])
    spec = one_section_spec(rule(count=3, knowledge_point_id=points["接处警"].pk, points="2.5"))

    blueprint = blueprint_create(spec=spec, actor=trainer)

    rule_row = BlueprintRule.objects.get(section__blueprint=blueprint)
    assert (rule_row.count, str(rule_row.points), rule_row.knowledge_point_id) == (3, "2.50", points["接处警"].pk)
    assert blueprint.author == trainer
    assert AuditEntry.objects.filter(action="exams.blueprint.created", target_id=str(blueprint.pk)).exists()


def test_editing_replaces_the_structure_and_papers_keep_their_snapshot(trainer):
    make_bank(10)
    make_bank(5, QuestionType.TRUE_FALSE)
    blueprint = blueprint_create(spec=one_section_spec(rule(count=4)), actor=trainer)
    paper = paper_draw(blueprint=blueprint, seed=1)

    spec = BlueprintSpec.from_blueprint(blueprint)
    spec.sections[0].rules[0].count = 2
    spec.sections.append(SectionSpec(title="判断题", rules=[rule(QuestionType.TRUE_FALSE, count=5, points="1")]))
    blueprint_update(blueprint=blueprint, spec=spec, actor=trainer)

    rules = BlueprintRule.objects.filter(section__blueprint=blueprint).order_by("section__position")
    assert [r.count for r in rules] == [2, 5]
    paper.refresh_from_db()
    assert [s["title"] for s in paper.sections] == ["单选题"]
    assert paper.sections[0]["rules"][0]["count"] == 4


def test_activating_rechecks_the_bank(trainer):
    questions = make_bank(5)
    blueprint = blueprint_create(spec=one_section_spec(rule(count=5)), actor=trainer)
    question_set_status(questions=questions[:1], status=QuestionStatus.RETIRED, actor=trainer)

    with pytest.raises(ValidationError) as error:
        blueprint_set_status(blueprint=blueprint, status=BlueprintStatus.ACTIVE, actor=trainer)

    assert error.value.messages == ["Section 1, rule 1: needs 5 questions, only 4 match."]
    blueprint_set_status(blueprint=blueprint, status=BlueprintStatus.ARCHIVED, actor=trainer)
    blueprint.refresh_from_db()
    assert blueprint.status == BlueprintStatus.ARCHIVED


def test_a_copy_is_a_draft_with_the_same_rules(trainer):
    make_bank(5)
    blueprint = blueprint_create(spec=one_section_spec(rule(count=5), status=BlueprintStatus.ACTIVE), actor=trainer)

    copy = blueprint_copy(blueprint=blueprint, actor=trainer)

    assert copy.status == BlueprintStatus.DRAFT and copy.title.endswith("(copy)")
    assert BlueprintSpec.from_blueprint(copy).sections == BlueprintSpec.from_blueprint(blueprint).sections
