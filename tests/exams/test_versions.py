"""Versions under edit, status changes that never delete, bulk re-tagging, content validation."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from exams.models import Question, QuestionKnowledgePoint, QuestionStatus, QuestionType, QuestionVersion
from exams.services import (
    QuestionContent,
    question_mark_drawn,
    question_retag,
    question_set_status,
    question_update,
    question_validate,
)
from portal.models import AuditEntry
from tests.exams.conftest import question_content


@pytest.fixture(autouse=True)
def english():
    """Messages are compared in English (the default language is Chinese)."""
    with translation.override("en"):
        yield


def edited(question: Question, **changes) -> QuestionContent:
    question.refresh_from_db()
    content = QuestionContent.from_question(question)
    for name, value in changes.items():
        setattr(content, name, value)
    return content


# --- versions -------------------------------------------------------------------------------------


def test_editing_an_unused_question_corrects_the_version_in_place(make_question, trainer):
    question = make_question(QuestionType.SINGLE)
    question_update(question=question, content=edited(question, stem="<p>更正后的题干</p>"), actor=trainer)
    question.refresh_from_db()
    assert question.versions.count() == 1
    assert question.current_version.number == 1
    assert question.current_version.stem == "<p>更正后的题干</p>"
    assert question.normalized_stem == "更正后的题干"


def test_editing_after_a_draw_creates_version_two_and_leaves_version_one_unchanged(make_question, trainer):
    question = make_question(QuestionType.SINGLE)
    v1 = question.current_version
    original_stem = v1.stem
    question_mark_drawn(version_ids=[v1.pk])

    question_update(question=question, content=edited(question, stem="<p>修改后的题干</p>", answer="B"), actor=trainer)

    question.refresh_from_db()
    v1.refresh_from_db()
    assert question.current_version.number == 2
    assert question.current_version.stem == "<p>修改后的题干</p>"
    assert question.current_version.answer == "B"
    assert question.current_version.in_use is False
    assert question.current_version.created_by == trainer
    assert (v1.stem, v1.answer, v1.in_use) == (original_stem, "A", True)
    assert list(question.versions.order_by("number").values_list("number", flat=True)) == [1, 2]


def test_a_version_two_not_yet_drawn_is_corrected_in_place(make_question, trainer):
    question = make_question(QuestionType.TRUE_FALSE)
    question_mark_drawn(version_ids=[question.current_version_id])
    question_update(question=question, content=edited(question, answer=False), actor=trainer)
    question_update(question=question, content=edited(question, explanation="补充解析"), actor=trainer)
    question.refresh_from_db()
    assert question.versions.count() == 2
    assert question.current_version.explanation == "补充解析"
    assert question.current_version.answer is False


def test_changing_only_tags_of_a_drawn_question_makes_no_new_version(make_question, trainer, knowledge_tree):
    question = make_question(QuestionType.MULTIPLE)
    question_mark_drawn(version_ids=[question.current_version_id])
    content = edited(question, difficulty=5, tier="advanced", knowledge_point_ids=[knowledge_tree["证据固定"].pk])
    question_update(question=question, content=content, actor=trainer)
    question.refresh_from_db()
    assert question.versions.count() == 1
    assert (question.difficulty, question.tier) == (5, "advanced")
    assert list(question.knowledge_points.values_list("name", flat=True)) == ["证据固定"]


def test_saving_unchanged_rich_text_makes_no_new_version(make_question, trainer):
    """Stems are cleaned on save; cleaning again must not look like a change."""
    question = make_question(QuestionType.SINGLE, stem="<p>题干<script>alert(1)</script> <b>加粗</b></p>")
    question_mark_drawn(version_ids=[question.current_version_id])
    question_update(question=question, content=edited(question), actor=trainer)
    question.refresh_from_db()
    assert question.versions.count() == 1
    assert question.current_version.stem == "<p>题干 <b>加粗</b></p>"


def test_the_type_of_a_drawn_question_cannot_change(make_question, trainer):
    question = make_question(QuestionType.SINGLE)
    question_mark_drawn(version_ids=[question.current_version_id])
    content = edited(question, type=QuestionType.MULTIPLE, answer=["A", "B"])
    with pytest.raises(ValidationError) as error:
        question_update(question=question, content=content, actor=trainer)
    assert "type" in error.value.message_dict
    question.refresh_from_db()
    assert question.type == QuestionType.SINGLE


def test_a_retired_question_cannot_be_edited(make_question, trainer):
    question = make_question(QuestionType.SINGLE)
    question_set_status(questions=[question], status=QuestionStatus.RETIRED, actor=trainer)
    with pytest.raises(ValidationError):
        question_update(question=question, content=edited(question, stem="<p>新题干</p>"), actor=trainer)


def test_marking_drawn_counts_each_question_once_per_paper(make_question):
    first, second = make_question(), make_question()
    question_mark_drawn(version_ids=[first.current_version_id, second.current_version_id])
    question_mark_drawn(version_ids=[first.current_version_id])
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.times_drawn, second.times_drawn) == (2, 1)


def test_edits_are_audited_with_the_new_version_number(make_question, trainer):
    question = make_question()
    question_mark_drawn(version_ids=[question.current_version_id])
    question_update(question=question, content=edited(question, stem="<p>审计</p>"), actor=trainer)
    entry = AuditEntry.objects.filter(action="exams.question.updated").latest("pk")
    assert entry.actor == trainer
    assert entry.data["new_version"] == 2


# --- status ---------------------------------------------------------------------------------------


def test_retiring_never_deletes_the_question_or_its_versions(make_question, trainer):
    question = make_question()
    question_mark_drawn(version_ids=[question.current_version_id])
    question_update(question=question, content=edited(question, stem="<p>第二版</p>"), actor=trainer)
    changed = question_set_status(questions=[question.pk], status=QuestionStatus.RETIRED, actor=trainer)
    assert changed == 1
    question.refresh_from_db()
    assert question.status == QuestionStatus.RETIRED
    assert QuestionVersion.objects.filter(question=question).count() == 2


def test_setting_the_same_status_again_changes_nothing(make_question, trainer):
    question = make_question(status=QuestionStatus.ACTIVE)
    assert question_set_status(questions=[question], status=QuestionStatus.ACTIVE, actor=trainer) == 0


def test_an_unknown_status_is_refused(make_question, trainer):
    question = make_question()
    with pytest.raises(ValidationError):
        question_set_status(questions=[question], status="deleted", actor=trainer)


# --- bulk re-tag ----------------------------------------------------------------------------------


def test_bulk_retag_adds_and_removes_knowledge_points(make_question, trainer, knowledge_tree):
    scene, injury = knowledge_tree["现场处置"], knowledge_tree["伤情鉴定"]
    tagged = make_question(knowledge_point_ids=[scene.pk])
    untagged = make_question()
    count = question_retag(
        questions=[tagged.pk, untagged.pk],
        add_knowledge_point_ids=[injury.pk],
        remove_knowledge_point_ids=[scene.pk],
        actor=trainer,
    )
    assert count == 2
    for question in (tagged, untagged):
        assert list(question.knowledge_points.values_list("name", flat=True)) == ["伤情鉴定"]


def test_bulk_retag_does_not_duplicate_existing_tags(make_question, trainer, knowledge_tree):
    scene = knowledge_tree["现场处置"]
    question = make_question(knowledge_point_ids=[scene.pk])
    question_retag(questions=[question.pk], add_knowledge_point_ids=[scene.pk], actor=trainer)
    assert QuestionKnowledgePoint.objects.filter(question=question).count() == 1


def test_bulk_retag_sets_difficulty_and_tier_without_new_versions(make_question, trainer):
    questions = [make_question(), make_question(QuestionType.FILL_BLANK)]
    for question in questions:
        question_mark_drawn(version_ids=[question.current_version_id])
    question_retag(questions=[q.pk for q in questions], difficulty=4, tier="intermediate", actor=trainer)
    for question in questions:
        question.refresh_from_db()
        assert (question.difficulty, question.tier, question.versions.count()) == (4, "intermediate", 1)


def test_bulk_retag_ignores_unknown_questions_and_knowledge_points(make_question, trainer, knowledge_tree):
    question = make_question()
    count = question_retag(questions=[question.pk, 999_999], add_knowledge_point_ids=[888_888], actor=trainer)
    assert count == 1
    assert not QuestionKnowledgePoint.objects.filter(question=question).exists()


def test_bulk_retag_refuses_an_impossible_difficulty(make_question, trainer):
    question = make_question()
    with pytest.raises(ValidationError) as error:
        question_retag(questions=[question.pk], difficulty=9, actor=trainer)
    assert "difficulty" in error.value.message_dict


# --- validation per type --------------------------------------------------------------------------


def errors_of(question_type, **overrides) -> dict[str, list[str]]:
    return question_validate(question_content(question_type, **overrides))


def test_valid_content_of_every_type_has_no_errors():
    for question_type in QuestionType.values:
        assert errors_of(question_type) == {}, question_type


def test_empty_stem_is_reported_on_the_stem():
    assert errors_of(QuestionType.SINGLE, stem="<p> </p>")["stem"] == ["The stem is empty."]


def test_a_stem_with_only_an_image_is_not_empty():
    assert "stem" not in errors_of(QuestionType.SINGLE, stem='<p><img src="/media/scene.png" alt=""></p>')


def test_choice_questions_need_two_options_and_no_empty_one():
    assert (
        "A choice question needs at least two options."
        in errors_of(QuestionType.SINGLE, options=[{"text": "唯一选项"}])["options"]
    )
    assert errors_of(QuestionType.SINGLE, options=[{"text": "甲"}, {"text": " "}, {"text": "丙"}])["options"] == [
        "Option B is empty."
    ]
    nine = [{"text": f"选项{i}"} for i in range(9)]
    assert "At most eight options (A–H)." in errors_of(QuestionType.SINGLE, options=nine)["options"]


def test_single_choice_needs_exactly_one_key_among_the_options():
    assert errors_of(QuestionType.SINGLE, answer="E")["answer"] == ["The answer must be one of the options (ABC)."]
    assert errors_of(QuestionType.SINGLE, answer=["A", "B"])["answer"] == [
        "A single-choice question has exactly one correct option."
    ]
    assert errors_of(QuestionType.SINGLE, answer=None)["answer"]


def test_multiple_choice_needs_at_least_two_keys():
    assert errors_of(QuestionType.MULTIPLE, answer=["A"])["answer"] == [
        "A multiple-choice question has at least two correct options."
    ]


def test_multiple_choice_keys_are_normalised_from_a_string():
    content = question_content(QuestionType.MULTIPLE, answer="c、a")
    assert question_validate(content) == {}
    assert content.answer == ["A", "C"]


def test_true_false_needs_a_boolean():
    assert errors_of(QuestionType.TRUE_FALSE, answer="对")["answer"] == [
        "The answer of a true/false question is true or false."
    ]


def test_fill_blank_needs_an_accepted_answer_for_every_blank():
    assert errors_of(QuestionType.FILL_BLANK, answer=[])["answer"] == ["Give the accepted answers of every blank."]
    stem = "<p>____内通知家属，____内讯问。</p>"
    assert errors_of(QuestionType.FILL_BLANK, stem=stem, answer=[["24小时"], [" "]])["answer"] == [
        "Blank 2 has no accepted answer."
    ]


def test_fill_blank_count_must_match_the_blanks_marked_in_the_stem():
    messages = errors_of(
        QuestionType.FILL_BLANK, stem="<p>拘留后（ ）内送看守所，（ ）内通知家属。</p>", answer=[["24小时"]]
    )
    assert messages["answer"] == [
        "The stem marks 2 blanks but answers are given for 1; give one line of accepted answers per blank."
    ]


def test_difficulty_tier_and_audiences_are_checked():
    errors = errors_of(QuestionType.TRUE_FALSE, difficulty=0, tier="expert", audiences=["all", "cadets"])
    assert errors["difficulty"] == ["Difficulty is from 1 to 5."]
    assert errors["tier"] == ["Unknown tier."]
    assert errors["audiences"] == ["Unknown audience: cadets."]


def test_short_answer_keeps_reference_answer_and_drops_any_key():
    content = question_content(QuestionType.SHORT_ANSWER, answer="ignored")
    assert question_validate(content) == {}
    assert content.answer is None
    assert content.reference_answer


def test_stem_and_options_are_sanitised_on_validation():
    content = question_content(
        QuestionType.SINGLE,
        stem='<p onclick="x()">题干<img src="http://evil.example/x.png" alt="图"></p>',
        options=[{"text": "<b>甲</b><script>x()</script>"}, {"text": "乙"}],
    )
    assert question_validate(content) == {}
    assert content.stem == "<p>题干图</p>"
    assert content.options[0]["text"] == "<b>甲</b>"
