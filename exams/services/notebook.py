"""Personal practice papers (错题练习) made from an officer's wrong-answer notebook.

A practice is an ordinary exam, so the officer sits it with the same delivery engine and its
released answers feed the notebook back: a question answered right drops out. It is private to
the officer: the exam and its blueprint carry ``practice_for`` (hidden from trainers' lists), the
roster holds only the officer (``InvitationSource.PRACTICE``).

Short answers cannot be graded automatically, so they are left out of practice papers; retired
questions too, since a blueprint may only fix active questions.

Double submission: the creation locks the officer's user row (as ``attempt_start`` does) and
first looks for an open, unstarted practice of the same questions, which it returns instead of
making a second one — a double click, or coming back to the notebook and asking again, lands on
the same paper.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from courses.models import KnowledgePoint
from courses.models.choices import Tier
from exams.models import (
    AttemptCounting,
    Blueprint,
    BlueprintFixedQuestion,
    BlueprintStatus,
    Exam,
    ExamInvitation,
    ExamKind,
    ExamStatus,
    InvitationSource,
    Question,
    QuestionStatus,
    QuestionType,
    ReleaseRule,
    ReviewRule,
)
from exams.selectors.notebook import notebook_question_ids
from exams.services.blueprints import BlueprintSpec, FixedSpec, SectionSpec, blueprint_create
from people.models import User
from portal.services import audit_log

PRACTICE_LIMIT = 20
PRACTICE_POINTS = Decimal("10")  # per question
PASS_SHARE = Decimal("0.6")
PRACTICE_DAYS = 30
PRACTICE_ATTEMPTS = 99
PRACTICE_TYPES = (QuestionType.SINGLE, QuestionType.MULTIPLE, QuestionType.TRUE_FALSE, QuestionType.FILL_BLANK)


class NotebookError(Exception):
    """The practice cannot be made; the message says why, for the officer."""


def _practice_questions(officer, knowledge_point: KnowledgePoint | None, limit: int) -> list[tuple[int, str]]:
    """``[(question id, type)]``: the notebook's auto-graded, active questions, most recently wrong first."""
    ids = notebook_question_ids(officer, knowledge_point=knowledge_point)
    usable = dict(
        Question.objects.filter(pk__in=ids, status=QuestionStatus.ACTIVE, type__in=PRACTICE_TYPES).values_list(
            "pk", "type"
        )
    )
    return [(pk, usable[pk]) for pk in ids if pk in usable][:limit]


def _open_practice_with(officer, question_ids: set[int], now: datetime.datetime) -> Exam | None:
    """The officer's open practice of exactly these questions that nobody has started, if any."""
    candidates = list(
        Exam.objects.filter(
            practice_for=officer, status=ExamStatus.PUBLISHED, closes_at__gt=now, attempts__isnull=True
        ).values_list("pk", "blueprint_id")
    )
    if not candidates:
        return None
    fixed: dict[int, set[int]] = {}
    for blueprint_id, question_id in BlueprintFixedQuestion.objects.filter(
        section__blueprint_id__in=[blueprint_id for _pk, blueprint_id in candidates]
    ).values_list("section__blueprint_id", "question_id"):
        fixed.setdefault(blueprint_id, set()).add(question_id)
    for pk, blueprint_id in candidates:
        if fixed.get(blueprint_id) == question_ids:
            return Exam.objects.get(pk=pk)
    return None


def practice_from_notebook(
    *,
    officer,
    knowledge_point: KnowledgePoint | None = None,
    limit: int = PRACTICE_LIMIT,
    now: datetime.datetime | None = None,
) -> tuple[Exam, bool]:
    """``(exam, created)``: a personal practice of up to ``limit`` notebook questions (all, or those
    under ``knowledge_point``), most recently wrong first, one section per question type; or the
    open unstarted practice of the same questions, which is reused. ``NotebookError`` when there
    is nothing to practise."""
    now = now or timezone.now()
    chosen = _practice_questions(officer, knowledge_point, limit)
    if not chosen:
        raise NotebookError(_("There is no question to practise: the notebook has no wrong objective question here."))
    with transaction.atomic():
        # Serialises this officer's concurrent requests (a double click): the second one waits
        # here, then finds the first one's practice below.
        User.objects.select_for_update().filter(pk=officer.pk).values_list("pk").get()
        existing = _open_practice_with(officer, {pk for pk, _type in chosen}, now)
        if existing is not None:
            return existing, False
        sections = []
        for question_type in PRACTICE_TYPES:
            ids = [pk for pk, kind in chosen if kind == question_type]
            if ids:
                sections.append(
                    SectionSpec(
                        title=str(QuestionType(question_type).label),
                        fixed=[FixedSpec(question_id=pk, points=PRACTICE_POINTS) for pk in ids],
                    )
                )
        title = _("Wrong-answer practice %(date)s") % {"date": timezone.localtime(now).strftime("%Y-%m-%d %H:%M")}
        if knowledge_point is not None:
            title = f"{title} · {knowledge_point.name}"
        spec = BlueprintSpec(
            title=title[:200],
            tier=Tier.BASIC,
            shuffle_questions=False,
            shuffle_options=True,
            status=BlueprintStatus.ACTIVE,
            sections=sections,
        )
        blueprint = blueprint_create(spec=spec, actor=officer)
        Blueprint.objects.filter(pk=blueprint.pk).update(practice_for=officer)
        total = PRACTICE_POINTS * len(chosen)
        exam = Exam.objects.create(
            title=title[:200],
            kind=ExamKind.PRACTICE,
            tier=Tier.BASIC,
            description=_("A personal practice of questions from your wrong-answer notebook."),
            blueprint=blueprint,
            opens_at=now,
            closes_at=now + datetime.timedelta(days=PRACTICE_DAYS),
            duration_minutes=max(10, 2 * len(chosen)),
            attempts_allowed=PRACTICE_ATTEMPTS,
            counts=AttemptCounting.LAST,
            pass_mark=(total * PASS_SHARE).quantize(Decimal("0.01")),
            release_rule=ReleaseRule.ON_SUBMIT,
            review_rule=ReviewRule.EXPLANATIONS,
            blind_grading=False,
            status=ExamStatus.PUBLISHED,
            practice_for=officer,
            author=officer,
            created_at=now,
        )
        ExamInvitation.objects.create(exam=exam, officer=officer, source=InvitationSource.PRACTICE, created_at=now)
        audit_log(
            actor=officer,
            action="exams.practice.created",
            target=exam,
            data={
                "questions": [pk for pk, _type in chosen],
                "knowledge_point": knowledge_point.pk if knowledge_point else None,
            },
        )
    return exam, True
