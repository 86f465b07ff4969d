"""Helpers for the exam delivery tests: a blueprint of every question type and a published exam."""

from __future__ import annotations

import datetime

from django.utils import timezone

from exams.models import Exam, ExamInvitation, ExamStatus, QuestionType
from exams.services import blueprint_create
from tests.exams.papers_support import make_bank, one_section_spec, rule

OBJECTIVE_RULES = (
    (QuestionType.SINGLE, 3, "10"),
    (QuestionType.MULTIPLE, 2, "10"),
    (QuestionType.TRUE_FALSE, 2, "10"),
    (QuestionType.FILL_BLANK, 1, "30"),
)  # 100 points in all


def objective_blueprint(*, short_answer: bool = False):
    """A blueprint drawing every objective type (100 points), options shuffled; plus one short answer."""
    rules = []
    for number, (question_type, count, points) in enumerate(OBJECTIVE_RULES):
        make_bank(count + 2, question_type, start=number * 10 + 1)
        rules.append(rule(question_type, count=count, points=points))
    if short_answer:
        make_bank(1, QuestionType.SHORT_ANSWER, start=90)
        rules.append(rule(QuestionType.SHORT_ANSWER, count=1, points="20"))
    return blueprint_create(spec=one_section_spec(*rules, shuffle_options=True), actor=None)


def published_exam(blueprint, *officers, now: datetime.datetime | None = None, **fields) -> Exam:
    """An exam open from an hour before ``now`` to three hours after, 60 minutes, one attempt."""
    now = now or timezone.now()
    values = {
        "title": "2026年度执法资格测试",
        "blueprint": blueprint,
        "opens_at": now - datetime.timedelta(hours=1),
        "closes_at": now + datetime.timedelta(hours=3),
        "duration_minutes": 60,
        "status": ExamStatus.PUBLISHED,
        **fields,
    }
    exam = Exam.objects.create(**values)
    ExamInvitation.objects.bulk_create([ExamInvitation(exam=exam, officer=officer) for officer in officers])
    return exam


def correct_response(item):
    """The right response to a paper item, in the question's original option keys."""
    answer = item.question_version.answer
    if item.question_type == QuestionType.FILL_BLANK:
        return [alternatives[0] for alternatives in answer]
    return answer
