"""The demo question bank built by seed_demo (exams.demo.questions)."""

from __future__ import annotations

import time

import pytest

from courses.demo.knowledge import TREE
from courses.models.choices import Audience, Tier
from exams.demo import questions as demo_questions
from exams.models import Question, QuestionStatus, QuestionType
from exams.scoring import score_response
from exams.services import QuestionContent, question_update, question_validate
from portal.demo import DemoContext


@pytest.fixture
def ctx(trainer) -> DemoContext:
    return DemoContext(accounts={"trainer": trainer})


def test_demo_bank_has_at_least_300_questions_of_every_type_tier_and_audience(ctx):
    started = time.perf_counter()
    demo_questions.build(ctx)
    elapsed = time.perf_counter() - started

    questions = Question.objects.select_related("current_version")
    assert questions.count() >= 300
    assert set(questions.values_list("type", flat=True)) == set(QuestionType.values)
    assert set(questions.values_list("tier", flat=True)) == set(Tier.values)
    audiences = {code for question in questions for code in question.audiences}
    assert audiences == set(Audience.values)
    assert ctx.created_counts[str(demo_questions.LABEL)] == questions.count()
    assert elapsed < 15, f"building the demo bank took {elapsed:.1f} s"


def test_every_demo_question_has_an_explanation_a_legal_basis_and_a_demo_knowledge_point(ctx):
    demo_questions.build(ctx)
    demo_paths = {path.rsplit("/", 1)[-1] for path in TREE}
    for question in Question.objects.select_related("current_version").prefetch_related("knowledge_points"):
        version = question.current_version
        assert version.explanation.strip(), question
        assert version.legal_basis.strip(), question
        names = [point.name for point in question.knowledge_points.all()]
        assert names and set(names) <= demo_paths, question
        assert question.author is not None


def test_demo_questions_are_valid_and_distinct(ctx):
    demo_questions.build(ctx)
    stems = list(Question.objects.values_list("normalized_stem", flat=True))
    assert len(stems) == len(set(stems))
    for question in Question.objects.select_related("current_version").prefetch_related("knowledge_point_links"):
        content = QuestionContent.from_question(question)
        assert question_validate(content) == {}, question


def test_demo_bank_shows_drafts_and_retired_questions_too(ctx):
    demo_questions.build(ctx)
    statuses = set(Question.objects.values_list("status", flat=True))
    assert statuses == {QuestionStatus.ACTIVE, QuestionStatus.DRAFT, QuestionStatus.RETIRED}


def test_running_the_demo_twice_creates_nothing_new_and_keeps_trainer_edits(ctx, trainer):
    demo_questions.build(ctx)
    count = Question.objects.count()
    edited = Question.objects.filter(type=QuestionType.SINGLE, status=QuestionStatus.ACTIVE).first()
    content = QuestionContent.from_question(edited)
    content.explanation = "教官补充的解析。"
    question_update(question=edited, content=content, actor=trainer)

    again = DemoContext(accounts={"trainer": trainer})
    demo_questions.build(again)
    assert Question.objects.count() == count
    assert not again.created_counts
    edited.refresh_from_db()
    assert edited.current_version.explanation == "教官补充的解析。"


def test_fill_blank_demo_questions_accept_full_width_answers(ctx):
    demo_questions.build(ctx)
    question = Question.objects.get(normalized_stem__contains="至迟不得超过", type=QuestionType.FILL_BLANK)
    score = score_response(
        question_type=question.type, answer=question.current_version.answer, response=["２４"], points=1
    )
    assert score.correct is True
