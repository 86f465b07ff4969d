"""Reads for grading (阅卷): the queue, one exam's answers question by question, the next answer.

Blind grading: ``exam.blind_grading`` hides who wrote an answer. The grading pages then know an
answer only by ``anonymous_code`` — a short keyed hash of the attempt id, the same on every page of
one attempt, from which the officer cannot be worked out without the server's secret key. These
reads never put the officer on a row of a blind exam (``AnswerRow.officer_name`` stays empty).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.crypto import salted_hmac

from exams.models import Answer, Attempt, AttemptState, Exam, QuestionType, QuestionVersion
from people.models import TRAINING_STAFF
from people.selectors import has_role

CODE_LENGTH = 6
# States in which an attempt's short answers may be (re)graded.
GRADABLE_STATES = (AttemptState.SUBMITTED, AttemptState.GRADED, AttemptState.RELEASED)


def anonymous_code(attempt_id: int) -> str:
    """The grading pages' name for an attempt ("3F9A1C"): stable, and meaningless without the key."""
    return salted_hmac("exams.grading.anonymous", str(attempt_id)).hexdigest()[:CODE_LENGTH].upper()


def waiting_answers() -> QuerySet[Answer]:
    """Short answers with text of submitted attempts that nobody has scored yet."""
    return Answer.objects.filter(
        attempt__state=AttemptState.SUBMITTED,
        score__isnull=True,
        paper_item__question_type=QuestionType.SHORT_ANSWER,
    )


@dataclass(frozen=True)
class QueueRow:
    exam: Exam
    waiting: int  # short answers waiting
    papers: int  # attempts with at least one of them


def grading_queue_rows() -> list[QueueRow]:
    """Exams with short answers waiting, the exam closing first at the top."""
    counts = (
        waiting_answers()
        .values("attempt__exam_id")
        .annotate(waiting=Count("id"), papers=Count("attempt_id", distinct=True))
    )
    by_exam = {row["attempt__exam_id"]: row for row in counts}
    exams = Exam.objects.filter(pk__in=by_exam).order_by("closes_at", "pk")
    return [QueueRow(exam, by_exam[exam.pk]["waiting"], by_exam[exam.pk]["papers"]) for exam in exams]


def exams_with_held_results() -> list[tuple[Exam, int]]:
    """Exams whose graded results are not released yet (``after_close`` before the window closed),
    with the number of attempts held: the queue page offers to release them."""
    counts = dict(
        Attempt.objects.filter(state=AttemptState.GRADED)
        .values("exam_id")
        .annotate(n=Count("id"))
        .values_list("exam_id", "n")
    )
    return [(exam, counts[exam.pk]) for exam in Exam.objects.filter(pk__in=counts).order_by("closes_at", "pk")]


def grading_exam_get(pk: int) -> Exam:
    return get_object_or_404(Exam, pk=pk)


@dataclass(frozen=True)
class AnswerRow:
    answer: Answer
    code: str
    officer_name: str  # empty on a blind exam

    @property
    def is_waiting(self) -> bool:
        return self.answer.score is None


@dataclass
class QuestionGroup:
    version: QuestionVersion
    points: object
    waiting: list[AnswerRow] = field(default_factory=list)
    graded: list[AnswerRow] = field(default_factory=list)


def _row(answer: Answer, exam: Exam) -> AnswerRow:
    name = "" if exam.blind_grading else answer.attempt.officer.name
    return AnswerRow(answer=answer, code=anonymous_code(answer.attempt_id), officer_name=name)


def exam_grading_groups(exam: Exam) -> list[QuestionGroup]:
    """The exam's short answers question by question (one group per question version): those waiting,
    then those graded by a person (open for regrading). Blank answers, scored 0 at submission,
    are left out: there is nothing to grade."""
    answers = (
        Answer.objects.filter(
            attempt__exam=exam,
            attempt__state__in=GRADABLE_STATES,
            paper_item__question_type=QuestionType.SHORT_ANSWER,
        )
        .filter(Q(score__isnull=True) | Q(graded_by__isnull=False))
        .select_related("paper_item__question_version", "attempt__officer", "graded_by")
        .order_by("paper_item__question_version_id", "attempt_id")
    )
    groups: dict[int, QuestionGroup] = {}
    for answer in answers:
        item = answer.paper_item
        group = groups.setdefault(item.question_version_id, QuestionGroup(item.question_version, item.points))
        (group.waiting if answer.score is None else group.graded).append(_row(answer, exam))
    return list(groups.values())


def get_answer_for_grader(user, pk: int) -> Answer:
    """A short answer of a submitted (or graded) attempt, for training staff; 404 otherwise."""
    if not has_role(user, *TRAINING_STAFF):
        raise Http404
    return get_object_or_404(
        Answer.objects.select_related("attempt__exam", "attempt__officer", "paper_item__question_version", "graded_by"),
        pk=pk,
        paper_item__question_type=QuestionType.SHORT_ANSWER,
        attempt__state__in=GRADABLE_STATES,
    )


def answer_row(answer: Answer) -> AnswerRow:
    return _row(answer, answer.attempt.exam)


def next_waiting_answer(exam: Exam, *, after: Answer | None = None) -> Answer | None:
    """The waiting answer to grade next: the same question's next paper first, then the next
    questions, then from the start of the exam's list (answers skipped earlier)."""
    waiting = waiting_answers().filter(attempt__exam=exam).order_by("paper_item__question_version_id", "attempt_id")
    if after is None:
        return waiting.first()
    waiting = waiting.exclude(pk=after.pk)
    version_id = after.paper_item.question_version_id
    later = waiting.filter(
        Q(paper_item__question_version_id__gt=version_id)
        | Q(paper_item__question_version_id=version_id, attempt_id__gt=after.attempt_id)
    ).first()
    return later or waiting.first()


def waiting_count(exam: Exam) -> int:
    return waiting_answers().filter(attempt__exam=exam).count()


def held_count(exam: Exam) -> int:
    """Graded attempts of the exam whose results are not released yet."""
    return Attempt.objects.filter(exam=exam, state=AttemptState.GRADED).count()
