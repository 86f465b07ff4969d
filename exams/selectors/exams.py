"""Reads for the trainers' exam pages (考试安排): the list, one exam, and its examinees' states.

Trainers (``people.models.TRAINING_STAFF``) manage every exam of the branch, so the access helper
only hides what is not an arrangement at all: officers' personal practice papers.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404

from exams.models import (
    Attempt,
    AttemptCounting,
    AttemptState,
    Blueprint,
    BlueprintStatus,
    Exam,
    ExamExemption,
    ExamInvitation,
    Paper,
)
from exams.selectors.eligibility import exam_examinees
from people.models import User

# The states an examinee row can show, in the order the page counts them.
EXEMPTED = "exempted"
ROW_STATES = [
    AttemptState.NOT_STARTED,
    AttemptState.IN_PROGRESS,
    AttemptState.SUBMITTED,
    AttemptState.GRADED,
    AttemptState.RELEASED,
    EXEMPTED,
]


def exams_for_management(*, status: str = "", kind: str = "") -> QuerySet[Exam]:
    """Exam arrangements, newest window first, with their attempt counts; never personal practice."""
    exams = Exam.objects.filter(practice_for__isnull=True).select_related("blueprint", "fixed_paper")
    if status:
        exams = exams.filter(status=status)
    if kind:
        exams = exams.filter(kind=kind)
    return exams.annotate(
        started_count=Count("attempts__officer", filter=~Q(attempts__state=AttemptState.NOT_STARTED), distinct=True),
    ).order_by("-opens_at", "-id")


def get_exam_for_staff(pk: int) -> Exam:
    """The exam arrangement ``pk`` for a trainer's page; 404 for a personal practice paper or no exam."""
    return get_object_or_404(
        Exam.objects.select_related("blueprint", "fixed_paper", "author").prefetch_related(
            "audience_units_subtree", "audience_units_only", "audience_officers"
        ),
        pk=pk,
        practice_for__isnull=True,
    )


def blueprints_for_exams() -> QuerySet[Blueprint]:
    """Blueprints an exam may draw from: active, and not an officer's personal practice."""
    return Blueprint.objects.filter(status=BlueprintStatus.ACTIVE, practice_for__isnull=True).order_by("title")


def papers_for_exams() -> QuerySet[Paper]:
    """Papers drawn for printing, which an exam may hand to every examinee as its fixed paper —
    not the papers drawn for one attempt of an exam, nor practice papers."""
    return (
        Paper.objects.filter(blueprint__practice_for__isnull=True)
        .exclude(context__startswith="exam:")
        .select_related("blueprint")
        .order_by("-created_at", "-id")
    )


@dataclass
class ExamineeRow:
    officer: User
    state: str  # one of ROW_STATES, or "expired"
    attempts: int = 0
    score: Decimal | None = None
    passed: bool | None = None
    attempt: Attempt | None = None  # the attempt the row reports on
    exemption: ExamExemption | None = None
    source: str = ""  # roster source when the officer is on the roster


def _reported_attempt(attempts: list[Attempt], counts: str) -> Attempt:
    """The attempt an examinee's row shows: one in progress, else the one that counts."""
    for attempt in attempts:
        if attempt.state == AttemptState.IN_PROGRESS:
            return attempt
    scored = [a for a in attempts if a.score is not None]
    if scored and counts == AttemptCounting.HIGHEST:
        return max(scored, key=lambda a: (a.score, -a.number))
    return max(attempts, key=lambda a: a.number)


def exam_examinee_rows(exam: Exam) -> list[ExamineeRow]:
    """Every officer the exam concerns — its examinees, the exempted, and anyone who sat it but is
    no longer an examinee — with their state, ordered by police number."""
    examinees = {officer.pk: officer for officer in exam_examinees(exam).select_related("unit")}
    exemptions = {
        exemption.officer_id: exemption
        for exemption in ExamExemption.objects.filter(exam=exam).select_related("officer", "officer__unit")
    }
    attempts: dict[int, list[Attempt]] = {}
    for attempt in Attempt.objects.filter(exam=exam).select_related("officer", "officer__unit"):
        attempts.setdefault(attempt.officer_id, []).append(attempt)
    sources = dict(ExamInvitation.objects.filter(exam=exam).values_list("officer_id", "source"))

    officers = dict(examinees)
    for officer_id, exemption in exemptions.items():
        officers.setdefault(officer_id, exemption.officer)
    for officer_id, rows in attempts.items():
        officers.setdefault(officer_id, rows[0].officer)

    result = []
    for officer in sorted(officers.values(), key=lambda o: o.police_number):
        row = ExamineeRow(officer=officer, state=AttemptState.NOT_STARTED, source=sources.get(officer.pk, ""))
        own = [a for a in attempts.get(officer.pk, []) if a.state != AttemptState.NOT_STARTED]
        if own:
            shown = _reported_attempt(own, exam.counts)
            row.attempts, row.attempt, row.state = len(own), shown, shown.state
            row.score, row.passed = shown.score, shown.passed
        if officer.pk in exemptions:
            row.exemption = exemptions[officer.pk]
            if not own:
                row.state = EXEMPTED
        result.append(row)
    return result


def examinee_state_counts(rows: list[ExamineeRow]) -> Counter[str]:
    return Counter(row.state for row in rows)
