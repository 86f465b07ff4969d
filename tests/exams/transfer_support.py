"""Helpers for the import / export tests: workbooks in memory, the hand-written sample files, and
a snapshot of the bank to prove that nothing was written."""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook

from courses.models import KnowledgePoint
from exams.models import Question, QuestionKnowledgePoint, QuestionVersion
from exams.transfer.xlsx import HEADERS
from portal.models import AuditEntry

FIXTURES = Path(__file__).parent / "fixtures"


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def question_row(**values: Any) -> dict[str, Any]:
    """A row as {header: value}; unspecified columns empty."""
    return dict(values)


def xlsx_bytes(rows: Sequence[dict[str, Any]], headers: Sequence[str] | None = None) -> bytes:
    headers = list(HEADERS if headers is None else headers)
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for row in rows:
        sheet.append([row.get(header) for header in headers])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def read_xlsx(content: bytes, sheet: int = 0) -> list[list[Any]]:
    workbook = load_workbook(io.BytesIO(content), read_only=True)
    rows = [list(row) for row in workbook.worksheets[sheet].iter_rows(values_only=True)]
    workbook.close()
    return rows


def sheet_names(content: bytes) -> list[str]:
    workbook = load_workbook(io.BytesIO(content), read_only=True)
    names = workbook.sheetnames
    workbook.close()
    return names


def bank_snapshot() -> tuple[int, ...]:
    """Counts of every table an import writes to."""
    from wagtail.images import get_image_model

    return (
        Question.objects.count(),
        QuestionVersion.objects.count(),
        QuestionKnowledgePoint.objects.count(),
        KnowledgePoint.objects.count(),
        get_image_model().objects.count(),
        AuditEntry.objects.filter(action__startswith="exams.question").count(),
    )
