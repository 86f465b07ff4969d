"""Helpers for the paper-sitting tests: a fixed-paper exam and answers typed as printed."""

from __future__ import annotations

import datetime
import io

from django.utils import timezone
from openpyxl import Workbook

from exams.models import QuestionType
from exams.services.papers import paper_draw
from tests.exams.delivery_support import objective_blueprint, published_exam


def fixed_paper_exam(*officers, short_answer: bool = False, **fields):
    """A published exam everyone sits on one paper drawn (options shuffled) from the objective
    blueprint; opened two hours ago so a paper sitting can be entered now."""
    blueprint = objective_blueprint(short_answer=short_answer)
    paper = paper_draw(blueprint=blueprint, seed=20261207)
    now = timezone.now()
    fields = {"opens_at": now - datetime.timedelta(hours=2), **fields}
    return published_exam(None, *officers, fixed_paper=paper, **fields)


def printed_entry(item, *, right: bool) -> str:
    """What the trainer types for ``item`` when the officer wrote the right (or a wrong) answer."""
    answer = item.question_version.answer
    if item.question_type == QuestionType.SINGLE:
        key = item.display_key(answer)
        return key if right else next(label for label in "ABCD" if label != key)
    if item.question_type == QuestionType.MULTIPLE:
        keys = sorted(item.display_key(key) for key in answer)
        return ",".join(keys) if right else keys[0]
    if item.question_type == QuestionType.TRUE_FALSE:
        return ("对" if answer else "错") if right else ("错" if answer else "对")
    if item.question_type == QuestionType.FILL_BLANK:
        return "|".join(alternatives[0] for alternatives in answer) if right else "不知道"
    return str(item.points) if right else "0"


def workbook(rows: list[list]) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
