"""Helpers for the grading, release and key-correction tests: officers who sit an exam for real."""

from __future__ import annotations

import datetime

from django.utils import timezone

from exams.models import Answer, Attempt, PaperItem, QuestionType
from exams.services import answer_save, attempt_start, attempt_submit
from tests.exams.delivery_support import correct_response
from tests.factories import UserFactory

NOW = timezone.now().replace(microsecond=0)
ESSAY = "一、受案登记并开具回执；二、开启执法记录仪固定证据；三、及时委托伤情鉴定。"


def items(attempt: Attempt) -> list[PaperItem]:
    return list(attempt.paper.items.select_related("question_version").order_by("position"))


def sit(
    exam,
    officer,
    *,
    now: datetime.datetime = NOW,
    objective: bool = True,
    essay: str = ESSAY,
    responses: dict | None = None,
    submitted_by="self",
) -> Attempt:
    """``officer`` starts the exam, answers (objective questions right unless ``objective`` is
    False; ``responses`` maps an item's question version id to a response of its own) and submits
    five minutes later — themselves, or through the deadline sweep's path when ``submitted_by`` is None."""
    attempt = attempt_start(exam=exam, officer=officer, now=now)
    for seq, item in enumerate(items(attempt), start=1):
        if responses and item.question_version_id in responses:
            response = responses[item.question_version_id]
        elif item.question_type == QuestionType.SHORT_ANSWER:
            response = essay
        elif objective:
            response = correct_response(item)
        else:
            continue
        answer_save(attempt=attempt, item_id=item.pk, response=response, client_seq=seq, now=now)
    actor = officer if submitted_by == "self" else submitted_by
    return attempt_submit(attempt=attempt, actor=actor, now=now + datetime.timedelta(minutes=5))


def essay_answer(attempt: Attempt) -> Answer:
    return Answer.objects.select_related("paper_item").get(
        attempt=attempt, paper_item__question_type=QuestionType.SHORT_ANSWER
    )


def new_officer(unit, **fields):
    return UserFactory(unit=unit, **fields)
