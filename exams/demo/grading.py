"""Demo grading for `manage.py seed_demo`, after the demo exams (``exams.demo.delivery``).

The demo trainer has graded about half of the case-analysis answers of last month's exam
(北山派出所法律知识月考（上月）), with comments, through the grading service — so the grading
queue still has work in it, some papers are fully graded and their results released (the exam
releases results after grading), and their officers have the notifications. Scores follow how
complete each answer is, so the score distribution looks like real marking.

Idempotent: once any answer of the exam is graded by a person, nothing more is graded.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from exams.demo.delivery import PAST_TITLE
from exams.models import Answer, Exam, QuestionType
from exams.selectors.grading import waiting_answers
from exams.services.grading import GRADE_STEP, answer_grade

if TYPE_CHECKING:
    from portal.demo import DemoContext

LABEL = _("short answers graded")

# (answers longer than this many characters, share of the points, comment): the first that fits.
MARKS = [
    (80, Decimal("0.9"), "要点齐全，受案、取证、鉴定、处理环节表述规范。"),
    (40, Decimal("0.7"), "现场处置和取证要点基本完整，未提及受案回执和伤情鉴定委托。"),
    (25, Decimal("0.5"), "法律依据正确，但处置流程不完整，缺少取证和鉴定环节。"),
    (13, Decimal("0.4"), "列出了主要环节，但过于简略，未展开说明。"),
    (0, Decimal("0.3"), "只答出调解，未说明受案登记、取证等必要程序。"),
]


def _mark(response: str, points: Decimal) -> tuple[Decimal, str]:
    """The demo grader's mark for an answer: by its length, roughly how complete it is; in half points."""
    length = len(response or "")
    share, comment = next((share, comment) for longer, share, comment in MARKS if length > longer or longer == 0)
    score = (points * share / GRADE_STEP).quantize(Decimal("1"), rounding=ROUND_HALF_UP) * GRADE_STEP
    return score, comment


def build(ctx: DemoContext) -> None:
    grader = ctx.accounts.get("trainer")
    exam = Exam.objects.filter(title=PAST_TITLE).first()
    if grader is None or exam is None:
        return  # the demo branch or the demo exams are not there
    graded_before = Answer.objects.filter(
        attempt__exam=exam, paper_item__question_type=QuestionType.SHORT_ANSWER, graded_by__isnull=False
    ).exists()
    if graded_before:
        return
    waiting = list(
        waiting_answers().filter(attempt__exam=exam).select_related("paper_item").order_by("attempt_id", "pk")
    )
    for answer in waiting[: math.ceil(len(waiting) / 2)]:
        score, comment = _mark(answer.response, answer.paper_item.points)
        answer_grade(answer=answer, score=score, comment=comment, grader=grader)
        ctx.created(LABEL)
