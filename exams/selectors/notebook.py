"""The officer's wrong-answer notebook (错题本): the questions they last got wrong, read from their
released attempts.

A question is in the notebook when the officer's LATEST released answer to it is wrong: an
objective answer graded incorrect (partial credit on a multiple choice counts as wrong), a short
answer scored below full points, or a question left unanswered. Answering it right later — in a
formal exam or a practice paper made from the notebook — takes it out.

Only exams whose review rule shows the correct answers feed the notebook: an exam released as
"score only" does not tell officers which questions they missed, and the notebook must not either.
Explanations and legal basis are shown when that exam's review rule shows explanations.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch

from courses.models import KnowledgePoint
from courses.selectors.knowledge import knowledge_point_full_names, lessons_for_knowledge_point
from exams.models import Answer, Attempt, AttemptState, PaperItem, QuestionKnowledgePoint, QuestionType, ReviewRule
from exams.rendering import QuestionView, question_view

REVEALING_RULES = (ReviewRule.CORRECT_ANSWERS, ReviewRule.EXPLANATIONS)


@dataclass
class KnowledgeLink:
    point: KnowledgePoint
    full_name: str
    lessons: list = field(default_factory=list)  # live LessonPage rows


@dataclass
class NotebookEntry:
    question_id: int
    question_type: str
    item: PaperItem  # the paper item of the latest wrong answer, with its question version
    response: object  # in the question's original option keys; None when left unanswered
    score: Decimal | None
    exam_title: str
    wrong_at: datetime.datetime
    times_wrong: int
    show_explanation: bool
    knowledge: list[KnowledgeLink] = field(default_factory=list)
    key: QuestionView | None = None  # the question with its key, in the order the officer saw it

    @property
    def version(self):
        return self.item.question_version

    @property
    def answered(self) -> bool:
        return self.response not in (None, "", [])

    @property
    def auto_graded(self) -> bool:
        return self.question_type in QuestionType.auto_graded()


@dataclass(frozen=True)
class _Outcome:
    question_id: int
    item_id: int
    attempt_id: int
    when: datetime.datetime
    wrong: bool
    response: object
    score: Decimal | None
    exam_title: str
    review_rule: str


def _is_wrong(question_type: str, points: Decimal, answer: dict | None) -> bool | None:
    """True wrong, False right, None not graded (left out)."""
    if answer is None:
        return True  # left unanswered: no score
    if question_type == QuestionType.SHORT_ANSWER:
        return None if answer["score"] is None else answer["score"] < points
    return None if answer["correct"] is None else not answer["correct"]


def _outcomes(officer) -> list[_Outcome]:
    """Every graded answer (and unanswered item) of the officer's released, revealing attempts:
    three queries."""
    attempts = {
        row["id"]: row
        for row in Attempt.objects.filter(
            officer=officer, state=AttemptState.RELEASED, exam__review_rule__in=REVEALING_RULES
        ).values("id", "paper_id", "started_at", "submitted_at", "released_at", "exam__title", "exam__review_rule")
    }
    if not attempts:
        return []
    by_paper: dict[int, list[int]] = {}
    for attempt in attempts.values():
        by_paper.setdefault(attempt["paper_id"], []).append(attempt["id"])
    items = PaperItem.objects.filter(paper_id__in=list(by_paper)).values(
        "id", "paper_id", "question_id", "question_type", "points"
    )
    answers = {
        (row["attempt_id"], row["paper_item_id"]): row
        for row in Answer.objects.filter(attempt_id__in=list(attempts)).values(
            "attempt_id", "paper_item_id", "response", "score", "correct"
        )
    }
    outcomes = []
    for item in items:
        for attempt_id in by_paper[item["paper_id"]]:
            attempt = attempts[attempt_id]
            answer = answers.get((attempt_id, item["id"]))
            wrong = _is_wrong(item["question_type"], item["points"], answer)
            if wrong is None:
                continue
            outcomes.append(
                _Outcome(
                    question_id=item["question_id"],
                    item_id=item["id"],
                    attempt_id=attempt_id,
                    when=attempt["submitted_at"] or attempt["released_at"] or attempt["started_at"],
                    wrong=wrong,
                    response=answer["response"] if answer else None,
                    score=answer["score"] if answer else None,
                    exam_title=attempt["exam__title"],
                    review_rule=attempt["exam__review_rule"],
                )
            )
    return outcomes


def _latest_wrong(officer) -> dict[int, tuple[_Outcome, int]]:
    """``{question id: (latest outcome, times wrong)}`` for questions whose latest outcome is wrong."""
    history: dict[int, list[_Outcome]] = {}
    for outcome in _outcomes(officer):
        history.setdefault(outcome.question_id, []).append(outcome)
    found = {}
    for question_id, outcomes in history.items():
        outcomes.sort(key=lambda o: (o.when, o.attempt_id))
        if outcomes[-1].wrong:
            found[question_id] = (outcomes[-1], sum(1 for o in outcomes if o.wrong))
    return found


@dataclass
class Notebook:
    entries: list[NotebookEntry]
    total: int  # entries before the filters
    knowledge_points: list[tuple[int, str]]  # filter choices: points tagged on any entry
    question_types: list[tuple[str, str]]  # filter choices: types of the entries


def notebook_question_ids(officer, *, knowledge_point: KnowledgePoint | None = None) -> list[int]:
    """Ids of the notebook's questions, most recently wrong first — what a practice paper draws on."""
    latest = _latest_wrong(officer)
    ids = sorted(latest, key=lambda pk: (latest[pk][0].when, latest[pk][0].attempt_id), reverse=True)
    if knowledge_point is not None:
        tagged = set(
            QuestionKnowledgePoint.objects.filter(
                question_id__in=ids, knowledge_point__path__startswith=knowledge_point.path
            ).values_list("question_id", flat=True)
        )
        ids = [pk for pk in ids if pk in tagged]
    return ids


def notebook_for(
    officer, *, knowledge_point: KnowledgePoint | None = None, question_type: str = "", with_lessons: bool = True
) -> Notebook:
    """The officer's notebook, most recently wrong first, filtered by knowledge point (with the
    points below it) and question type."""
    latest = _latest_wrong(officer)
    if not latest:
        return Notebook(entries=[], total=0, knowledge_points=[], question_types=[])
    items = {
        item.pk: item
        for item in PaperItem.objects.filter(pk__in=[o.item_id for o, _n in latest.values()])
        .select_related("question_version", "question")
        .prefetch_related(Prefetch("question__knowledge_points", queryset=KnowledgePoint.objects.order_by("path")))
    }
    entries = []
    for outcome, times_wrong in latest.values():
        item = items[outcome.item_id]
        entries.append(
            NotebookEntry(
                question_id=outcome.question_id,
                question_type=item.question_type,
                item=item,
                response=outcome.response,
                score=outcome.score,
                exam_title=outcome.exam_title,
                wrong_at=outcome.when,
                times_wrong=times_wrong,
                show_explanation=outcome.review_rule == ReviewRule.EXPLANATIONS,
            )
        )
    entries.sort(key=lambda e: (e.wrong_at, e.item.pk), reverse=True)

    points = {p.pk: p for e in entries for p in e.item.question.knowledge_points.all()}
    names = knowledge_point_full_names(points.values())
    choices_points = sorted(((pk, names[pk]) for pk in points), key=lambda pair: points[pair[0]].path)
    present_types = {e.question_type for e in entries}
    choices_types = [(value, label) for value, label in QuestionType.choices if value in present_types]
    total = len(entries)

    if knowledge_point is not None:
        entries = [
            e
            for e in entries
            if any(p.path.startswith(knowledge_point.path) for p in e.item.question.knowledge_points.all())
        ]
    if question_type:
        entries = [e for e in entries if e.question_type == question_type]

    lessons: dict[int, list] = {}
    for entry in entries:
        for point in entry.item.question.knowledge_points.all():
            if with_lessons and point.pk not in lessons:
                lessons[point.pk] = list(lessons_for_knowledge_point(point)[:5])
            entry.knowledge.append(
                KnowledgeLink(point=point, full_name=names[point.pk], lessons=lessons.get(point.pk, []))
            )
        entry.key = question_view(
            entry.version,
            question_type=entry.question_type,
            name=f"key{entry.item.pk}",
            permutation=entry.item.option_order,
            response=entry.response,
            readonly=True,
            show_key=True,
        )
    return Notebook(entries=entries, total=total, knowledge_points=choices_points, question_types=choices_types)
