"""Reads for the officer's exam pages: my exams, the start page, the paper being taken and the review.

Nothing here grades or changes an attempt (``exams.services.delivery`` does); these functions only
gather what the pages show. The paper page never receives answer keys: ``paper_for_taking`` carries
question versions for the renderer, which leaves the key out unless asked, and the review
(``attempt_review``) is built only for released attempts, as far as the exam's review rule allows.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.core.cache import caches
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from courses.models import KnowledgePoint
from courses.selectors.knowledge import knowledge_point_full_names, lessons_for_knowledge_point
from exams.models import (
    Answer,
    Attempt,
    AttemptCounting,
    AttemptState,
    Exam,
    ExamAbsence,
    ExamAccommodation,
    ExamExemption,
    ExamInvitation,
    ExamStatus,
    PaperItem,
    QuestionType,
    ReviewRule,
)
from exams.rendering import question_view, rich_text
from exams.selectors.eligibility import exams_open_to, is_examinee
from exams.selectors.exam_day import OfficerTerms, accommodations_by_officer, officer_terms, terms_for
from exams.selectors.papers import blueprint_plan
from people.selectors.audience import audience_includes

# Attempts that used up one of the allowed sittings.
USED_STATES = (
    AttemptState.IN_PROGRESS,
    AttemptState.SUBMITTED,
    AttemptState.GRADED,
    AttemptState.RELEASED,
    AttemptState.EXPIRED,
)
URGENT_WITHIN = datetime.timedelta(days=1)


def whole_points(value: Decimal) -> int | Decimal:
    """10.00 → 10, 2.50 → 2.5: how points read on the paper."""
    return int(value) if value == int(value) else value.normalize()


def remaining_seconds(attempt: Attempt, now: datetime.datetime | None = None) -> int:
    """Whole seconds until the attempt's deadline (0 once it has passed); while the invigilator
    has stopped the clock, the time that was left when it stopped."""
    if attempt.deadline is None:
        return 0
    now = attempt.paused_at or now or timezone.now()
    return max(0, int((attempt.deadline - now).total_seconds()))


def get_exam_for_examinee(user, pk: int) -> Exam:
    """A published (or closed) exam the user is an examinee of or has sat; 404 otherwise, so the
    start page never reveals exams meant for others."""
    exam = get_object_or_404(
        Exam.objects.select_related("blueprint", "fixed_paper"),
        pk=pk,
        status__in=[ExamStatus.PUBLISHED, ExamStatus.CLOSED],
    )
    if is_examinee(exam, user) or Attempt.objects.filter(exam=exam, officer=user).exists():
        return exam
    raise Http404


# --- my exams ---------------------------------------------------------------------------------


@dataclass
class ExamRow:
    """One exam on "my exams": its window, the officer's attempts and what they may do now."""

    exam: Exam
    attempts: list[Attempt]
    now: datetime.datetime
    terms: OfficerTerms | None = None  # the officer's own window and attempts; the exam's when None
    absent: bool = False  # marked absent by the invigilator (the start page says so before trying)

    def __post_init__(self):
        if self.terms is None:
            self.terms = officer_terms(self.exam, None)

    @property
    def accommodation(self) -> ExamAccommodation | None:
        return self.terms.accommodation

    @property
    def in_progress(self) -> Attempt | None:
        return next((a for a in self.attempts if a.state == AttemptState.IN_PROGRESS), None)

    @property
    def used(self) -> int:
        return sum(1 for a in self.attempts if a.state in USED_STATES)

    @property
    def window_open(self) -> bool:
        return self.exam.status == ExamStatus.PUBLISHED and self.terms.opens_at <= self.now < self.terms.closes_at

    @property
    def upcoming(self) -> bool:
        return self.exam.status == ExamStatus.PUBLISHED and self.now < self.terms.opens_at

    @property
    def can_start(self) -> bool:
        return self.window_open and (self.in_progress is not None or self.used < self.terms.attempts_allowed)

    @property
    def window_left(self) -> datetime.timedelta:
        return max(self.terms.closes_at - self.now, datetime.timedelta(0))

    @property
    def window_left_parts(self) -> tuple[int, int, int]:
        """(days, hours, minutes) until the window closes, minutes rounded up."""
        minutes = int(-(-self.window_left.total_seconds() // 60))
        return minutes // 1440, minutes % 1440 // 60, minutes % 60

    @property
    def urgent(self) -> bool:
        return self.window_open and self.window_left <= URGENT_WITHIN

    @property
    def finished_attempts(self) -> list[Attempt]:
        return [a for a in self.attempts if a.state not in (AttemptState.NOT_STARTED, AttemptState.IN_PROGRESS)]

    @property
    def counted(self) -> Attempt | None:
        """The released attempt that counts (highest score or last, per the exam), else the latest
        finished one (whose result is still to come)."""
        released = [a for a in self.attempts if a.state == AttemptState.RELEASED and a.score is not None]
        if released:
            if self.exam.counts == AttemptCounting.LAST:
                return max(released, key=lambda a: a.number)
            return max(released, key=lambda a: (a.score, -a.number))
        finished = self.finished_attempts
        return max(finished, key=lambda a: a.number) if finished else None


@dataclass(frozen=True)
class ExemptedRow:
    """An exam the officer is excused from (免考): shown with the reason, never startable."""

    exam: Exam
    exemption: ExamExemption


@dataclass
class MyExams:
    open: list[ExamRow] = field(default_factory=list)
    upcoming: list[ExamRow] = field(default_factory=list)
    finished: list[ExamRow] = field(default_factory=list)
    exempted: list[ExemptedRow] = field(default_factory=list)


def exempted_rows_for_officer(officer, *, skip: set[int] = frozenset()) -> list[ExemptedRow]:
    """The published or closed exams the officer is an examinee of but exempted from, latest window
    first (``exams_open_to`` leaves them out: they cannot be sat). Exams in ``skip`` (already listed
    because the officer sat them before the exemption) are left out."""
    exemptions = {
        row.exam_id: row
        for row in ExamExemption.objects.filter(
            officer=officer,
            exam__status__in=[ExamStatus.PUBLISHED, ExamStatus.CLOSED],
            exam__practice_for__isnull=True,
        ).exclude(exam_id__in=skip)
    }
    if not exemptions:
        return []
    invited = set(
        ExamInvitation.objects.filter(officer=officer, exam_id__in=exemptions).values_list("exam_id", flat=True)
    )
    exams = Exam.objects.filter(pk__in=exemptions).prefetch_related(
        "audience_units_subtree", "audience_units_only", "audience_officers"
    )
    rows = [
        ExemptedRow(exam=exam, exemption=exemptions[exam.pk])
        for exam in exams
        if exam.pk in invited or audience_includes(exam, officer)
    ]
    return sorted(rows, key=lambda row: (row.exam.closes_at, row.exam.pk), reverse=True)


def exemption_for(exam: Exam, officer) -> ExamExemption | None:
    """The officer's exemption from the exam, if any (the start page says why they cannot start)."""
    return ExamExemption.objects.filter(exam=exam, officer=officer).first()


def exam_rows_for_officer(officer, *, now: datetime.datetime | None = None) -> list[ExamRow]:
    """Every exam the officer may sit or has sat, with their attempts (two queries besides the
    eligibility check)."""
    now = now or timezone.now()
    exams = {exam.pk: exam for exam in exams_open_to(officer)}
    attempts: dict[int, list[Attempt]] = defaultdict(list)
    for attempt in Attempt.objects.filter(officer=officer).select_related("exam").order_by("number"):
        attempts[attempt.exam_id].append(attempt)
        exams.setdefault(attempt.exam_id, attempt.exam)
    accommodations = accommodations_by_officer(officer)
    return [
        ExamRow(
            exam=exam,
            attempts=attempts.get(exam.pk, []),
            now=now,
            terms=officer_terms(exam, accommodations.get(exam.pk)),
        )
        for exam in exams.values()
        if exam.status != ExamStatus.DRAFT
    ]


def exam_row(exam: Exam, officer, *, now: datetime.datetime | None = None) -> ExamRow:
    """One exam's row for the officer (the start page)."""
    attempts = list(Attempt.objects.filter(exam=exam, officer=officer).order_by("number"))
    return ExamRow(
        exam=exam,
        attempts=attempts,
        now=now or timezone.now(),
        terms=terms_for(exam, officer),
        absent=ExamAbsence.objects.filter(exam=exam, officer=officer).exists(),
    )


def my_exams(officer, *, now: datetime.datetime | None = None) -> MyExams:
    """The officer's exams grouped: open now (soonest closing first), upcoming (soonest opening
    first), finished (latest window first) and exempted (latest window first)."""
    grouped = MyExams()
    rows = exam_rows_for_officer(officer, now=now)
    grouped.exempted = exempted_rows_for_officer(officer, skip={row.exam.pk for row in rows})
    for row in rows:
        if row.can_start:
            grouped.open.append(row)
        elif row.upcoming:
            grouped.upcoming.append(row)
        else:
            grouped.finished.append(row)
    grouped.open.sort(key=lambda row: (row.terms.closes_at, row.exam.pk))
    grouped.upcoming.sort(key=lambda row: (row.terms.opens_at, row.exam.pk))
    grouped.finished.sort(key=lambda row: (row.terms.closes_at, row.exam.pk), reverse=True)
    return grouped


# --- the start page -----------------------------------------------------------------------------


@dataclass(frozen=True)
class PaperSize:
    questions: int
    points: Decimal


def exam_paper_size(exam: Exam) -> PaperSize | None:
    """How many questions and points every paper of the exam has: from the fixed paper, or from
    the blueprint's rules and fixed questions. None when the blueprint cannot be read."""
    if exam.fixed_paper_id is not None:
        return PaperSize(exam.fixed_paper.question_count, exam.fixed_paper.total_points)
    if exam.blueprint_id is None:
        return None
    plan = blueprint_plan(exam.blueprint)
    questions, points = 0, Decimal("0")
    for section in plan.sections:
        for rule in section.rules:
            questions += rule.count
            points += Decimal(rule.points) * rule.count
        for fixed in section.fixed:
            questions += 1
            points += Decimal(fixed.points)
    return PaperSize(questions, points)


# --- the paper being taken ----------------------------------------------------------------------


@dataclass
class TakingItem:
    item: PaperItem
    response: object  # as stored: the question's original option keys
    labels: dict[str, str]  # original option key → the label the examinee sees
    stored_seq: int = 0  # the stored save's number (a millisecond timestamp from the saving page)

    @property
    def answered(self) -> bool:
        return _has_answer(self.response)

    @property
    def field_name(self) -> str:
        return f"q{self.item.pk}"

    @property
    def labels_json(self) -> str:
        return json.dumps(self.labels)

    @property
    def points(self) -> int | Decimal:
        return whole_points(self.item.points)


@dataclass
class TakingSection:
    index: int
    title: str
    items: list[TakingItem]


def _has_answer(response) -> bool:
    if response is None:
        return False
    if isinstance(response, str):
        return bool(response.strip())
    if isinstance(response, list):
        return any(_has_answer(value) for value in response)
    return True


def paper_for_taking(attempt: Attempt) -> list[TakingSection]:
    """The attempt's paper in order, grouped by section, with the responses saved so far."""
    stored = {
        item_id: (response, seq)
        for item_id, response, seq in Answer.objects.filter(attempt=attempt).values_list(
            "paper_item_id", "response", "client_seq"
        )
    }
    return _paper_sections(attempt.paper_id, stored)


def _paper_sections(paper_id: int, stored: dict) -> list[TakingSection]:
    items = list(PaperItem.objects.filter(paper_id=paper_id).select_related("question_version").order_by("position"))
    sections: dict[int, TakingSection] = {}
    for item in items:
        section = sections.setdefault(
            item.section_index, TakingSection(index=item.section_index, title=item.section_title, items=[])
        )
        section.items.append(
            TakingItem(
                item=item,
                response=stored.get(item.pk, (None, 0))[0],
                labels={key: item.display_key(key) for key in item.option_order or []},
                stored_seq=stored.get(item.pk, (None, 0))[1],
            )
        )
    return list(sections.values())


# A paper's question map and questions, rendered ahead (the worker, for papers drawn ahead) into the
# "pages" cache, so opening a fresh paper during the start burst renders no question. Only a paper
# without answers looks like this; one with answers is always rendered live. The key names the
# templates' and the renderer's sources, so a changed markup is never served from an old entry.
PAPER_PART_TEMPLATES = ("exams/take/_paper_map.html", "exams/take/_paper_sections.html")


@functools.cache
def _markup_version() -> str:
    from django.template.loader import get_template

    from exams import rendering

    digest = hashlib.sha256(Path(rendering.__file__).read_bytes())
    for name in (*PAPER_PART_TEMPLATES, "exams/includes/question.html"):
        digest.update(get_template(name).template.source.encode())
    return digest.hexdigest()[:16]


def paper_parts_key(paper_id: int, language: str) -> str:
    return f"exams:paper-parts:{paper_id}:{language}:{_markup_version()}"


def paper_parts_render(paper_id: int) -> dict[str, str]:
    """The question map and the questions of a paper nobody has answered, in the active language."""
    from django.template.loader import render_to_string

    context = {"sections": _paper_sections(paper_id, {})}
    names = dict(zip(("map", "sections"), PAPER_PART_TEMPLATES, strict=True))
    return {part: render_to_string(name, context) for part, name in names.items()}


def paper_parts_ahead(attempt: Attempt) -> dict[str, SafeString] | None:
    """The attempt's paper as rendered ahead, when it has no answer yet and it was; else None."""
    parts = caches["pages"].get(paper_parts_key(attempt.paper_id, get_language()))
    if not parts or Answer.objects.filter(attempt=attempt).exists():
        return None
    return {part: mark_safe(html) for part, html in parts.items()}  # noqa: S308 - rendered by our templates


# --- the result and review ----------------------------------------------------------------------


@dataclass
class KnowledgeRow:
    name: str
    earned: Decimal
    possible: Decimal
    lessons: list = field(default_factory=list)  # live lessons, shown when points were lost

    @property
    def percent(self) -> int:
        return int(self.earned * 100 / self.possible) if self.possible else 0


@dataclass
class ReviewItem:
    item: PaperItem
    answer: Answer | None
    key_text: str  # the correct answer as the examinee saw the options ("A、C", "正确", "24 / 48")
    lessons: list  # live lessons on the question's knowledge points, for a wrong answer

    @property
    def earned(self) -> Decimal:
        return (self.answer.score if self.answer and self.answer.score is not None else Decimal("0")).quantize(
            Decimal("0.01")
        )

    @property
    def wrong(self) -> bool:
        return self.earned < self.item.points

    @property
    def response(self):
        return self.answer.response if self.answer else None

    @property
    def field_name(self) -> str:
        return f"r{self.item.pk}"

    @property
    def reference_answer(self):
        version = self.item.question_version
        return rich_text(version.reference_answer) if version.reference_answer else ""


@dataclass
class Review:
    attempt: Attempt
    knowledge: list[KnowledgeRow]
    items: list[ReviewItem]  # empty when the exam shows the score only
    show_explanations: bool


def _key_text(item: PaperItem) -> str:
    view = question_view(
        item.question_version,
        question_type=item.question_type,
        permutation=item.option_order,
        show_key=True,
    )
    if item.question_type == QuestionType.FILL_BLANK:
        return "；".join(" / ".join(blank.accepted or []) for blank in view.blanks)
    if item.question_type == QuestionType.SHORT_ANSWER:
        return ""
    return view.key_label


def attempt_review(attempt: Attempt) -> Review:
    """What a released attempt's result page shows: points per knowledge point (with lessons where
    points were lost) and, unless the exam shows the score only, every question with the answer
    given, the key and — for a wrong answer — the lessons to read."""
    items = list(
        PaperItem.objects.filter(paper_id=attempt.paper_id)
        .select_related("question_version")
        .prefetch_related(Prefetch("question__knowledge_points", queryset=KnowledgePoint.objects.order_by("path")))
        .order_by("position")
    )
    answers = {answer.paper_item_id: answer for answer in Answer.objects.filter(attempt=attempt)}
    points = {p.pk: p for item in items for p in item.question.knowledge_points.all()}
    names = knowledge_point_full_names(points.values())
    lessons_cache: dict[int, list] = {}

    def lessons_for(point_ids) -> list:
        found: dict[int, object] = {}
        for pk in point_ids:
            if pk not in lessons_cache:
                lessons_cache[pk] = list(lessons_for_knowledge_point(pk))
            for lesson in lessons_cache[pk]:
                found.setdefault(lesson.pk, lesson)
        return list(found.values())

    rows: dict[int | None, KnowledgeRow] = {}
    review_items = []
    for item in items:
        answer = answers.get(item.pk)
        point_ids = [p.pk for p in item.question.knowledge_points.all()]
        review_item = ReviewItem(item=item, answer=answer, key_text="", lessons=[])
        for pk in point_ids or [None]:
            row = rows.get(pk)
            if row is None:
                row = rows[pk] = KnowledgeRow(name=names.get(pk, ""), earned=Decimal("0"), possible=Decimal("0"))
            row.earned += review_item.earned
            row.possible += item.points
        if review_item.wrong:
            review_item.lessons = lessons_for(point_ids)
        review_items.append(review_item)
    for pk, row in rows.items():
        if pk is not None and row.earned < row.possible:
            row.lessons = lessons_for([pk])
    ordered = sorted(rows, key=lambda pk: (pk is None, points[pk].path if pk is not None else ""))
    knowledge = [rows[pk] for pk in ordered]

    exam = attempt.exam
    if exam.review_rule == ReviewRule.SCORE_ONLY:
        review_items = []
    else:
        for review_item in review_items:
            review_item.key_text = _key_text(review_item.item)
    return Review(
        attempt=attempt,
        knowledge=knowledge,
        items=review_items,
        show_explanations=exam.review_rule == ReviewRule.EXPLANATIONS,
    )
