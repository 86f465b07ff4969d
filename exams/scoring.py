"""Scoring of one response against one question version. Pure functions, no database."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from exams.models import MultipleChoiceScoring, QuestionType
from exams.text import normalize_answer

CENT = Decimal("0.01")


@dataclass(frozen=True)
class Score:
    points: Decimal | None  # None: waits for a person (short answer)
    correct: bool | None

    @property
    def needs_grading(self) -> bool:
        return self.points is None


def _quantize(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def score_response(
    *,
    question_type: str,
    answer,
    response,
    points: Decimal | int | str,
    multiple_scoring: str = MultipleChoiceScoring.ALL_OR_NOTHING,
) -> Score:
    """Points earned by ``response`` for a question worth ``points``.

    ``response`` shapes mirror the answer keys (see exams.models.questions): "B"; ["A", "C"];
    True/False; ["blank 1", "blank 2"]; free text. An empty response scores zero.
    Multiple choice with partial credit: no wrong option chosen → points × chosen / correct.
    Fill in the blanks: each blank is worth an equal share.
    """
    full = Decimal(str(points))
    zero = Decimal("0.00")
    if question_type == QuestionType.SHORT_ANSWER:
        return Score(points=None, correct=None)
    if response in (None, "", []):
        return Score(points=zero, correct=False)

    if question_type == QuestionType.SINGLE:
        correct = str(response) == str(answer)
        return Score(points=_quantize(full) if correct else zero, correct=correct)

    if question_type == QuestionType.TRUE_FALSE:
        correct = bool(response) is bool(answer) if isinstance(response, bool) else False
        return Score(points=_quantize(full) if correct else zero, correct=correct)

    if question_type == QuestionType.MULTIPLE:
        chosen = {str(key) for key in response}
        expected = {str(key) for key in answer or []}
        if chosen == expected:
            return Score(points=_quantize(full), correct=True)
        if multiple_scoring == MultipleChoiceScoring.PARTIAL and chosen and chosen < expected:
            return Score(points=_quantize(full * len(chosen) / len(expected)), correct=False)
        return Score(points=zero, correct=False)

    if question_type == QuestionType.FILL_BLANK:
        blanks = answer or []
        given = list(response) + [""] * (len(blanks) - len(response))
        right = sum(
            1
            for accepted, value in zip(blanks, given, strict=False)
            if normalize_answer(value) in {normalize_answer(alternative) for alternative in accepted}
        )
        if not blanks:
            return Score(points=zero, correct=False)
        return Score(points=_quantize(full * right / len(blanks)), correct=right == len(blanks))

    raise ValueError(f"Unknown question type: {question_type!r}")
