"""Demo question bank for `manage.py seed_demo`: the questions of ``exams.demo.question_data``.

Idempotent: a demo question whose normalised stem is already in the bank (from an earlier run,
or typed or imported by a trainer) is skipped, so edits made by trainers survive a re-run.
Fast: every question is validated with ``question_validate`` (the same rules as the editor), then
written by ``questions_bulk_create`` (bulk inserts of questions, versions and knowledge-point
links), a handful of queries whatever the number of questions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from courses.demo.knowledge import ensure_knowledge_points
from exams.demo.question_data import DemoQuestion, all_questions
from exams.models import Question
from exams.services import QuestionContent, question_validate, questions_bulk_create
from exams.text import normalize_stem
from portal.demo import SEED_ACTOR
from portal.services import audit_log

if TYPE_CHECKING:
    from portal.demo import DemoContext

LABEL = _("questions")


class DemoDataError(Exception):
    """A demo question breaks the bank's rules: a bug in question_data, reported with its stem."""


def _content(question: DemoQuestion, points: dict) -> QuestionContent:
    content = QuestionContent(
        type=question.type,
        stem=question.stem,
        options=[{"text": text} for text in question.options],
        answer=question.answer,
        explanation=question.explanation,
        legal_basis=question.legal_basis,
        reference_answer=question.reference_answer,
        rubric=question.rubric,
        difficulty=question.difficulty,
        tier=question.tier,
        audiences=list(question.audiences),
        knowledge_point_ids=[points[path].pk for path in question.points],
    )
    errors = question_validate(content)
    if errors:
        raise DemoDataError(f"{question.stem[:40]}…: {errors}")
    return content


def build(ctx: DemoContext) -> None:
    author = ctx.accounts.get("trainer")
    with transaction.atomic():
        points = ensure_knowledge_points(on_created=lambda kind: ctx.created(_("knowledge points")))
        existing = set(Question.objects.values_list("normalized_stem", flat=True))
        pending: list[tuple[DemoQuestion, QuestionContent]] = []
        for question in all_questions():
            content = _content(question, points)
            stem = normalize_stem(content.stem)
            if stem in existing:
                continue
            existing.add(stem)
            pending.append((question, content))
        if not pending:
            return

        ids = questions_bulk_create(
            items=[(content, demo.status) for demo, content in pending], actor=author, audit=False, validated=True
        )
        audit_log(
            actor=SEED_ACTOR,
            action="exams.question.seeded",
            data={"count": len(ids)},
        )
        ctx.created(LABEL, len(ids))
