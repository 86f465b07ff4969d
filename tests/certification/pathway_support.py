"""Helpers for the pathway, mentor and case-quality tests: new officers, eligible mentors, a
pathway moved to a phase, and a graded lead-officer test attempt."""

from __future__ import annotations

import datetime

from django.utils import timezone

from certification.models import (
    Pathway,
    PathwayPhase,
    PathwayTransition,
    Qualification,
    QualificationExam,
    QualificationSource,
    QualificationStatus,
    QualificationType,
    WorkType,
)
from certification.services.mentors import mentor_bind
from certification.services.pathway import (
    pathway_advance_to_phase2,
    pathway_enrol,
    pathway_log_add,
    pathway_log_sign,
    pathway_on_attempt_result,
)
from exams.models import Attempt, AttemptState
from exams.services.delivery import attempt_start, attempt_submit
from tests.exams.delivery_support import objective_blueprint, published_exam
from tests.factories import UserFactory


def today() -> datetime.date:
    return timezone.localdate()


def lead_type() -> QualificationType:
    return QualificationType.objects.get(code="lead_officer")


def give_lead_qualification(officer, *, granted_on: datetime.date | None = None, **fields) -> Qualification:
    values = {
        "status": QualificationStatus.VALID,
        "granted_on": granted_on or today() - datetime.timedelta(days=400),
        "source": QualificationSource.MANUAL,
        **fields,
    }
    return Qualification.objects.create(officer=officer, qualification_type=lead_type(), **values)


def new_officer(unit, **fields):
    values = {"is_new_officer": True, "service_start_date": today() - datetime.timedelta(days=60), **fields}
    return UserFactory(unit=unit, **values)


def eligible_mentor(unit, **fields):
    """An officer with 10 years' service and a valid 主办民警资格."""
    values = {"service_start_date": today().replace(year=today().year - 10), **fields}
    mentor = UserFactory(unit=unit, **values)
    give_lead_qualification(mentor)
    return mentor


def enrolled(officer, *, start_date: datetime.date | None = None, actor=None) -> Pathway:
    return pathway_enrol(officer=officer, start_date=start_date or today() - datetime.timedelta(days=40), actor=actor)


def signed_log(pathway: Pathway, signer, *, day: datetime.date | None = None):
    entry = pathway_log_add(
        pathway=pathway,
        date=day or pathway.phase_started_on,
        work_type=WorkType.CASE_REVIEW,
        description="跟班审核治安案件卷宗",
        hours="8",
        actor=pathway.officer,
    )
    return pathway_log_sign(entry=entry, actor=signer)


def in_phase2(officer, *, supervisor, mentor, start_date: datetime.date | None = None) -> Pathway:
    """Enrol, sign a phase-1 log, bind ``mentor`` and move to phase 2 (all by ``supervisor``)."""
    pathway = enrolled(officer, start_date=start_date, actor=supervisor)
    signed_log(pathway, supervisor)
    mentor_bind(mentee=officer, mentor=mentor, reason="同所师傅", actor=supervisor)
    return pathway_advance_to_phase2(pathway=pathway, actor=supervisor)


def lead_exam(*officers):
    exam = published_exam(objective_blueprint(), *officers, title="主办民警资格测试")
    QualificationExam.objects.create(exam=exam, qualification_type=lead_type())
    return exam


def graded_attempt(exam, officer, *, passed: bool) -> Attempt:
    """An attempt submitted through the delivery engine, then marked graded with the result (as
    grading would) — the hooks are called by the test."""
    attempt = attempt_start(exam=exam, officer=officer)
    attempt = attempt_submit(attempt=attempt, actor=officer)
    Attempt.objects.filter(pk=attempt.pk).update(
        state=AttemptState.GRADED, passed=passed, score=90 if passed else 40, graded_at=timezone.now()
    )
    attempt.refresh_from_db()
    return attempt


def in_phase3(officer, *, supervisor, mentor) -> Pathway:
    pathway = in_phase2(officer, supervisor=supervisor, mentor=mentor)
    pathway_on_attempt_result(attempt=graded_attempt(lead_exam(officer), officer, passed=True))
    pathway.refresh_from_db()
    assert pathway.phase == PathwayPhase.PHASE3
    return pathway


def backdate_phase3(pathway: Pathway, *, started: datetime.date) -> None:
    """Move the start of phase 3 (its transition) to ``started`` — history written days ago."""
    moment = timezone.make_aware(datetime.datetime.combine(started, datetime.time(9)))
    PathwayTransition.objects.filter(pathway=pathway, to_phase=PathwayPhase.PHASE3).update(at=moment)
    Pathway.objects.filter(pk=pathway.pk).update(phase_started_on=started)
