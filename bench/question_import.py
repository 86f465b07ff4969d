"""How long importing a 10,000-question workbook takes (issue 4 target: ≤ 30 s).

Builds an .xlsx in the import template's layout — every type, knowledge-point paths, audiences,
explanations and legal bases, no 编号 (all new) — in a throwaway database (SQLite in the temp folder
by default; PostgreSQL when DATABASE_URL is set — a ``test_…`` database is created and dropped), then
times, through ``questions_import`` exactly as ``manage.py import_questions`` runs it:

- reading only: parsing the workbook;
- dry run: parsing and checking every question (knowledge points, validation, duplicates);
- import: the same plus writing (bulk inserts in one transaction);
- round trip: exporting the bank to xlsx and importing that file again (nothing changes).

Usage: python bench/question_import.py [--questions 10000]
"""

from __future__ import annotations

import argparse
import io
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "site")]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from openpyxl import Workbook  # noqa: E402

from courses.models import KnowledgePoint  # noqa: E402
from exams.models import Question, QuestionVersion  # noqa: E402
from exams.services import questions_import  # noqa: E402
from exams.transfer.export import questions_export, questions_for_export  # noqa: E402
from exams.transfer.xlsx import HEADERS, parse_xlsx  # noqa: E402

TREE = {
    "接处警": ["接警登记", "出警处置", "警情反馈"],
    "案件办理": ["受案立案", "调查取证", "伤情鉴定", "结案归档"],
    "执法监督": ["电子组卷", "案件过程管控"],
    "信息化应用": ["警综平台", "执法办案系统"],
}
PATHS = [f"{root}/{child}" for root, children in TREE.items() for child in children]
TYPES = ["单选"] * 35 + ["多选"] * 20 + ["判断"] * 20 + ["填空"] * 15 + ["简答"] * 10
TIERS = ["基本级"] * 5 + ["中级"] * 3 + ["高级"] * 2
AUDIENCES = ["全警", "新警", "辅警", "中层领导", "法制员"]


def build_knowledge_points() -> None:
    for root_name, children in TREE.items():
        root = KnowledgePoint.add_root(name=root_name)
        for name in children:
            KnowledgePoint.objects.get(pk=root.pk).add_child(name=name)


def row(n: int, rng: random.Random) -> dict:
    kind = rng.choice(TYPES)
    values = {
        "题型": kind,
        "题干": f"第{n}题：民警在{rng.choice(PATHS).split('/')[-1]}环节中，依照规定应当如何处理第{n}种情形？",
        "解析": f"依照规定，第{n}种情形应当依法处理，并做好记录。",
        "知识点": "；".join(rng.sample(PATHS, rng.choice([1, 1, 2]))),
        "难度": rng.randint(1, 5),
        "级别": rng.choice(TIERS),
        "适用对象": "；".join(rng.sample(AUDIENCES, rng.randint(1, 2))),
        "法律依据": "《中华人民共和国治安管理处罚法》第八十三条",
    }
    if kind in ("单选", "多选"):
        for key in "ABCD":
            values[f"选项{key}"] = f"第{n}题的选项{key}：依法{rng.choice(['受理', '登记', '处置', '移交'])}"
        values["答案"] = rng.choice("ABCD") if kind == "单选" else "".join(sorted(rng.sample("ABCD", 2)))
    elif kind == "判断":
        values["答案"] = rng.choice(["对", "错"])
    elif kind == "填空":
        values["题干"] = f"第{n}题：拘留后，应当在____小时以内通知被拘留人的家属。"
        values["答案"] = "24|二十四"
    else:
        values["参考答案"] = "登记受案、开具回执、固定伤情、及时委托鉴定。"
        values["评分要点"] = "每个要点2.5分。"
    return values


def workbook(count: int) -> bytes:
    rng = random.Random(4)
    book = Workbook(write_only=True)
    sheet = book.create_sheet("题目")
    sheet.append(HEADERS)
    for n in range(1, count + 1):
        values = row(n, rng)
        sheet.append([values.get(header) for header in HEADERS])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def timed(label: str, function):
    began = time.perf_counter()
    value = function()
    elapsed = time.perf_counter() - began
    print(f"{label:<34} {elapsed:7.2f} s")
    return value, elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=10_000)
    args = parser.parse_args()

    creation = connection.creation
    old_name = creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        print(f"database: {connection.vendor}, questions: {args.questions:,}")
        build_knowledge_points()
        content, _ = timed("build the workbook", lambda: workbook(args.questions))
        print(f"{'workbook size':<34} {len(content) / 1024 / 1024:7.2f} MB")
        timed("read only (parse)", lambda: parse_xlsx(content))
        dry, _ = timed(
            "dry run (parse + check)",
            lambda: questions_import(file=content, filename="bench.xlsx", actor="bench", dry_run=True),
        )
        assert not dry.errors, dry.errors[:5]
        result, elapsed = timed(
            "import (parse + check + write)",
            lambda: questions_import(file=content, filename="bench.xlsx", actor="bench"),
        )
        assert result.created == args.questions and Question.objects.count() == args.questions
        assert QuestionVersion.objects.count() == args.questions
        exported, _ = timed(
            "export to xlsx", lambda: questions_export(questions=questions_for_export(), export_format="xlsx")
        )
        again, _ = timed(
            "re-import the export (no change)",
            lambda: questions_import(file=exported, filename="export.xlsx", actor="bench"),
        )
        assert (again.created, again.updated, again.unchanged) == (0, 0, args.questions), again.counts()
        verdict = "OK" if elapsed <= 30 else "TOO SLOW"
        print(f"target ≤ 30 s for the import: {verdict} ({elapsed:.1f} s)")
    finally:
        creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
