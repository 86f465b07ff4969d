"""Scoring of each question type (exams.scoring.score_response): pure, no database."""

from __future__ import annotations

from decimal import Decimal

import pytest

from exams.models import MultipleChoiceScoring, QuestionType
from exams.scoring import score_response

PARTIAL = MultipleChoiceScoring.PARTIAL
ALL_OR_NOTHING = MultipleChoiceScoring.ALL_OR_NOTHING


def score(question_type, answer, response, points=2, **kwargs):
    return score_response(question_type=question_type, answer=answer, response=response, points=points, **kwargs)


def test_single_choice_scores_the_key_only():
    assert score(QuestionType.SINGLE, "B", "B").points == Decimal("2.00")
    assert score(QuestionType.SINGLE, "B", "b").correct is True
    wrong = score(QuestionType.SINGLE, "B", "C")
    assert (wrong.points, wrong.correct) == (Decimal("0.00"), False)


def test_unanswered_question_scores_zero_for_every_type():
    for question_type, answer in [
        (QuestionType.SINGLE, "A"),
        (QuestionType.MULTIPLE, ["A", "B"]),
        (QuestionType.TRUE_FALSE, True),
        (QuestionType.FILL_BLANK, [["24"]]),
        (QuestionType.SHORT_ANSWER, None),
    ]:
        for empty in (None, "", [], "   "):
            result = score(question_type, answer, empty)
            assert result.points == Decimal("0.00"), (question_type, empty)
            assert result.needs_grading is False


def test_true_false_accepts_booleans_and_posted_values():
    assert score(QuestionType.TRUE_FALSE, True, True).correct is True
    assert score(QuestionType.TRUE_FALSE, False, "false").points == Decimal("2.00")
    assert score(QuestionType.TRUE_FALSE, True, "false").points == Decimal("0.00")
    # Answering "false" to a false statement is right; it is not an empty response.
    assert score(QuestionType.TRUE_FALSE, False, False).correct is True
    assert score(QuestionType.TRUE_FALSE, True, "maybe").correct is False


def test_multiple_choice_all_or_nothing_gives_nothing_for_a_missing_option():
    assert score(QuestionType.MULTIPLE, ["A", "C", "D"], ["D", "A", "C"], points=3).points == Decimal("3.00")
    assert score(QuestionType.MULTIPLE, ["A", "C", "D"], ["A", "C"], points=3).points == Decimal("0.00")


def test_multiple_choice_partial_credit_is_proportional_when_no_wrong_option_is_chosen():
    result = score(QuestionType.MULTIPLE, ["A", "C", "D"], ["A", "C"], points=3, multiple_scoring=PARTIAL)
    assert result.points == Decimal("2.00")
    assert result.correct is False
    one_of_three = score(QuestionType.MULTIPLE, ["A", "C", "D"], ["C"], points=2, multiple_scoring=PARTIAL)
    assert one_of_three.points == Decimal("0.67")


def test_multiple_choice_partial_credit_is_zero_with_a_wrong_option():
    result = score(QuestionType.MULTIPLE, ["A", "C", "D"], ["A", "C", "B"], points=3, multiple_scoring=PARTIAL)
    assert result.points == Decimal("0.00")


def test_multiple_choice_full_marks_are_the_same_under_both_schemes():
    for scheme in (PARTIAL, ALL_OR_NOTHING):
        assert score(QuestionType.MULTIPLE, ["B", "D"], ["B", "D"], multiple_scoring=scheme).correct is True


def test_multiple_choice_reads_a_string_of_keys():
    assert score(QuestionType.MULTIPLE, ["A", "C"], "AC").correct is True
    assert score(QuestionType.MULTIPLE, ["A", "C"], "A,C").correct is True


@pytest.mark.parametrize(
    "response",
    ["２４小时", " 24小时 ", "\u300024小时\u3000", "24小时", "\t２４小时\n"],
)
def test_fill_blank_ignores_full_width_and_surrounding_spaces(response):
    assert score(QuestionType.FILL_BLANK, [["２４小时"]], [response]).correct is True


def test_fill_blank_full_width_key_matches_half_width_response():
    # The key written in full width by a trainer, the examinee typing half width (and vice versa).
    assert score(QuestionType.FILL_BLANK, [["２４小时"]], [" 24小时 "]).points == Decimal("2.00")
    assert score(QuestionType.FILL_BLANK, [["24小时"]], ["２４小时"]).points == Decimal("2.00")
    assert score(QuestionType.FILL_BLANK, [["PGIS"]], ["ｐｇｉｓ"]).correct is True


def test_fill_blank_accepts_any_alternative_of_each_blank_and_shares_the_points():
    answer = [["轻伤", "轻伤二级"], ["24小时", "二十四小时"]]
    assert score(QuestionType.FILL_BLANK, answer, ["轻伤二级", "二十四小时"], points=4).points == Decimal("4.00")
    half = score(QuestionType.FILL_BLANK, answer, ["轻伤", "12小时"], points=4)
    assert (half.points, half.correct) == (Decimal("2.00"), False)


def test_fill_blank_missing_or_empty_blanks_score_nothing():
    answer = [["轻伤"], ["24"]]
    assert score(QuestionType.FILL_BLANK, answer, ["轻伤"], points=4).points == Decimal("2.00")
    assert score(QuestionType.FILL_BLANK, answer, ["", "24"], points=4).points == Decimal("2.00")


def test_fill_blank_with_one_blank_accepts_a_bare_string():
    assert score(QuestionType.FILL_BLANK, [["二十四小时", "24小时"]], "24小时").correct is True


def test_fill_blank_does_not_match_a_different_answer_with_the_same_characters():
    assert score(QuestionType.FILL_BLANK, [["24小时"]], ["2 4小时"]).correct is False
    assert score(QuestionType.FILL_BLANK, [["轻伤"]], ["重伤"]).correct is False


def test_short_answer_waits_for_a_person():
    result = score(QuestionType.SHORT_ANSWER, None, "构成故意伤害罪，应当立案侦查。", points=10)
    assert result.points is None
    assert result.needs_grading is True


def test_points_are_rounded_to_cents():
    result = score(QuestionType.FILL_BLANK, [["a"], ["b"], ["c"]], ["a", "x", "x"], points=1)
    assert result.points == Decimal("0.33")
