"""Helpers for the qualification, ladder, certificate and verification tests: the seeded types, a
qualification exam linked to its qualification, and sitting it (passing or failing)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.utils import timezone

from certification.models import QualificationExam, QualificationSource, QualificationType
from certification.services.qualifications import qualification_grant
from courses.models.choices import Tier
from exams.models import Attempt, ExamKind
from exams.services.delivery import answer_save, attempt_start, attempt_submit
from tests.exams.delivery_support import correct_response, objective_blueprint, published_exam


def qualification_type(code: str) -> QualificationType:
    return QualificationType.objects.get(code=code)


def qualification_exam(*officers, code: str = "basic", tier: str = Tier.BASIC, blueprint=None, **fields):
    """A published qualification exam of ``tier`` (officers on its roster) granting ``code``."""
    exam = published_exam(
        blueprint or objective_blueprint(),
        *officers,
        kind=ExamKind.QUALIFICATION,
        tier=tier,
        title=fields.pop("title", f"{tier} qualification test"),
        **fields,
    )
    if code:
        QualificationExam.objects.create(exam=exam, qualification_type=qualification_type(code))
    return exam


def sit(exam, officer, *, correct: bool = True, now: datetime.datetime | None = None) -> Attempt:
    """Start, answer every item (all right, or all left blank) and submit: a graded attempt."""
    attempt = attempt_start(exam=exam, officer=officer, now=now)
    if correct:
        for seq, item in enumerate(attempt.paper.items.select_related("question_version"), start=1):
            answer_save(attempt=attempt, item_id=item.pk, response=correct_response(item), client_seq=seq, now=now)
    attempt = attempt_submit(attempt=attempt, actor=officer, now=now)
    assert attempt.passed is correct, (attempt.state, attempt.score)
    return attempt


def grant(officer, code: str, *, actor=None, source: str = QualificationSource.EXAM, **kwargs):
    """A qualification granted directly (as if an exam had been passed), bypassing the exam."""
    return qualification_grant(
        officer=officer, qualification_type=qualification_type(code), source=source, actor=actor, **kwargs
    )


def days_ago(days: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days)


def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client
