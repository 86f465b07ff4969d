"""Build personnel workbooks in memory for import tests."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook

HEADERS = [
    "警号*",
    "姓名*",
    "单位*",
    "人员类别*",
    "职务",
    "中层领导",
    "法制员",
    "法制大队民警",
    "新警",
    "出生日期",
    "参加公安工作日期",
    "状态",
    "手机号",
]


def xlsx_bytes(rows: Sequence[Sequence[Any]], headers: Sequence[str] | None = None) -> bytes:
    """A workbook whose first sheet has ``headers`` (the template's by default) and then ``rows``."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(HEADERS if headers is None else headers))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def officer_row(police_number: Any, name: str, unit: str, category: str = "民警", **overrides: Any) -> list[Any]:
    """One row in template column order; keyword overrides by header (without '*')."""
    values = {
        "警号": police_number,
        "姓名": name,
        "单位": unit,
        "人员类别": category,
        "职务": "",
        "中层领导": "否",
        "法制员": "否",
        "法制大队民警": "否",
        "新警": "否",
        "出生日期": "1990-01-01",
        "参加公安工作日期": "2015-07-01",
        "状态": "在职",
        "手机号": "",
    }
    values.update(overrides)
    return [values[header.rstrip("*")] for header in HEADERS]
