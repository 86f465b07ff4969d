"""How long drawing a 100-question stratified paper takes, and how many SQL queries it makes,
for a 5,000- and a 50,000-question bank.

Builds the bank with bulk inserts in a throwaway database (SQLite in the temp folder by default;
PostgreSQL when DATABASE_URL is set — a ``test_…`` database is created and dropped), then draws
with one blueprint of ten rules over five sections (types × difficulty bands × knowledge-point
subtrees). Two timings per bank size:

- selection: ``paper_preview`` — freezes the blueprint (2 queries), reads every rule's candidates
  (1 query), asks which of the questions it reaches carry a rule's knowledge points (1 query),
  chooses, reads the chosen versions' options (1 query) and permutes; writes nothing. This is the
  pure draw.
- draw + write: ``paper_draw`` — the same, plus storing the paper and its 100 items and marking the
  versions drawn, in one transaction.

Usage: python bench/paper_draw.py [--sizes 5000 50000] [--draws 60]
Target (issue 4): median ≤ 20 ms and the same query count for both sizes.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "site")]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from courses.models import KnowledgePoint  # noqa: E402
from courses.models.choices import Audience, Tier  # noqa: E402
from exams.models import Question, QuestionKnowledgePoint, QuestionStatus, QuestionType, QuestionVersion  # noqa: E402
from exams.services.blueprints import BlueprintSpec, RuleSpec, SectionSpec, blueprint_create  # noqa: E402
from exams.services.papers import paper_draw, paper_preview  # noqa: E402

TREE = {
    "接处警": ["接警登记", "现场控制", "执法记录", "警情反馈"],
    "案件办理": ["受案立案", "现场勘查", "证据固定", "询问讯问", "伤情鉴定", "结案归档"],
    "执法监督": ["电子组卷", "案件过程管控"],
    "信息化应用": ["警综平台", "执法办案系统"],
}
TYPES = [
    (QuestionType.SINGLE, 35),
    (QuestionType.MULTIPLE, 20),
    (QuestionType.TRUE_FALSE, 20),
    (QuestionType.FILL_BLANK, 15),
    (QuestionType.SHORT_ANSWER, 10),
]
TIERS = [(Tier.BASIC, 50), (Tier.INTERMEDIATE, 30), (Tier.ADVANCED, 20)]
OPTIONS = [{"key": k, "text": f"<p>选项{k}</p>"} for k in "ABCD"]


def build_knowledge_points() -> dict[str, KnowledgePoint]:
    points = {}
    for root_name, children in TREE.items():
        root = KnowledgePoint.add_root(name=root_name)
        points[root_name] = root
        for name in children:
            points[name] = KnowledgePoint.objects.get(pk=root.pk).add_child(name=name)
    return points


def _content(question_type: str, n: int) -> dict:
    if question_type == QuestionType.SINGLE:
        return {"options": OPTIONS, "answer": "B"}
    if question_type == QuestionType.MULTIPLE:
        return {"options": OPTIONS, "answer": ["A", "C"]}
    if question_type == QuestionType.TRUE_FALSE:
        return {"answer": bool(n % 2)}
    if question_type == QuestionType.FILL_BLANK:
        return {"answer": [["二十四", "24"]]}
    return {"reference_answer": "参考答案", "rubric": "评分要点"}


def grow_bank(count: int, points: dict[str, KnowledgePoint], rng: random.Random) -> None:
    """Add ``count`` active questions with one version and one leaf knowledge point each."""
    leaves = [p for name, p in points.items() if name not in TREE]
    types = [t for t, _w in TYPES]
    type_weights = [w for _t, w in TYPES]
    tiers = [t for t, _w in TIERS]
    tier_weights = [w for _t, w in TIERS]
    start = Question.objects.count()
    batch = 5000
    for offset in range(0, count, batch):
        size = min(batch, count - offset)
        questions = [
            Question(
                type=rng.choices(types, type_weights)[0],
                status=QuestionStatus.ACTIVE,
                difficulty=rng.randint(1, 5),
                tier=rng.choices(tiers, tier_weights)[0],
                audiences=rng.sample(Audience.values, rng.randint(0, 2)),
                normalized_stem=f"题干{start + offset + i}",
                times_drawn=rng.randint(0, 20),
            )
            for i in range(size)
        ]
        questions = Question.objects.bulk_create(questions)
        QuestionVersion.objects.bulk_create(
            [
                QuestionVersion(
                    question_id=q.pk,
                    number=1,
                    stem=f"<p>第{start + offset + i}题：依照法律规定，民警应当如何处置？</p>",
                    explanation="解析",
                    legal_basis="法律依据",
                    **_content(q.type, i),
                )
                for i, q in enumerate(questions)
            ]
        )
        QuestionKnowledgePoint.objects.bulk_create(
            [QuestionKnowledgePoint(question_id=q.pk, knowledge_point_id=rng.choice(leaves).pk) for q in questions]
        )
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE exams_question SET current_version_id = "
            "(SELECT v.id FROM exams_questionversion v WHERE v.question_id = exams_question.id) "
            "WHERE current_version_id IS NULL"
        )


def stratified_blueprint(points: dict[str, KnowledgePoint], *, prefer_least_used: bool):
    """100 questions, 基本级: ten rules across five sections."""
    single, multiple, tf = QuestionType.SINGLE, QuestionType.MULTIPLE, QuestionType.TRUE_FALSE
    spec = BlueprintSpec(
        title=f"基本级执法资格测试（性能基准{'，优先少用题' if prefer_least_used else ''}）",
        tier=Tier.BASIC,
        prefer_least_used=prefer_least_used,
        status="active",
        sections=[
            SectionSpec(
                title="单选题",
                rules=[
                    RuleSpec(single, 10, "1", knowledge_point_id=points["接处警"].pk, difficulty_max=2),
                    RuleSpec(single, 10, "1", knowledge_point_id=points["案件办理"].pk, difficulty_max=3),
                    RuleSpec(single, 10, "1", difficulty_min=3),
                    RuleSpec(single, 10, "1"),
                ],
            ),
            SectionSpec(
                title="多选题",
                rules=[RuleSpec(multiple, 12, "2", difficulty_max=3), RuleSpec(multiple, 8, "2", difficulty_min=4)],
            ),
            SectionSpec(
                title="判断题",
                rules=[RuleSpec(tf, 10, "1", knowledge_point_id=points["执法监督"].pk), RuleSpec(tf, 10, "1")],
            ),
            SectionSpec(title="填空题", rules=[RuleSpec(QuestionType.FILL_BLANK, 15, "1")]),
            SectionSpec(title="案例分析", rules=[RuleSpec(QuestionType.SHORT_ANSWER, 5, "4")]),
        ],
    )
    return blueprint_create(spec=spec, actor=None)


def measure(blueprint, draws: int) -> dict:
    seeds = range(1, draws + 1)
    paper_preview(blueprint=blueprint, seed=0)  # warm caches
    selection, selection_cpu = [], []
    for seed in seeds:
        began, began_cpu = time.perf_counter(), time.process_time()
        paper_preview(blueprint=blueprint, seed=seed)
        selection.append((time.perf_counter() - began) * 1000)
        selection_cpu.append((time.process_time() - began_cpu) * 1000)
    with CaptureQueriesContext(connection) as select_queries:
        paper_preview(blueprint=blueprint, seed=0)
    written = []
    for seed in seeds:
        began = time.perf_counter()
        paper_draw(blueprint=blueprint, seed=seed)
        written.append((time.perf_counter() - began) * 1000)
    with CaptureQueriesContext(connection) as draw_queries:
        paper_draw(blueprint=blueprint, seed=0)
    return {
        "selection": selection,
        "selection_cpu": selection_cpu,
        "written": written,
        "selection_queries": len(select_queries),
        "draw_queries": len(draw_queries),
    }


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[5000, 50000])
    parser.add_argument("--draws", type=int, default=60)
    args = parser.parse_args()

    creation = connection.creation
    old_name = creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        rng = random.Random(2026)
        points = build_knowledge_points()
        print(f"database: {connection.vendor}")
        print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
        print(
            "bank      preference   selection median / p95   draw+write median / p95   "
            "selection CPU median   queries (select / draw)"
        )
        for size in sorted(args.sizes):
            began = time.perf_counter()
            grow_bank(size - Question.objects.count(), points, rng)
            built = time.perf_counter() - began
            for prefer in (False, True):
                blueprint = stratified_blueprint(points, prefer_least_used=prefer)
                result = measure(blueprint, args.draws)
                sel, wri = result["selection"], result["written"]
                print(
                    f"{size:>6,}  {'least-used' if prefer else 'uniform':<11}"
                    f"  {statistics.median(sel):8.1f} ms / {p95(sel):6.1f} ms"
                    f"     {statistics.median(wri):8.1f} ms / {p95(wri):6.1f} ms"
                    f"     {statistics.median(result['selection_cpu']):8.1f} ms"
                    f"      {result['selection_queries']:>3} / {result['draw_queries']:>3}"
                )
            print(f"        (bank grown to {size:,} in {built:.1f} s)")
    finally:
        creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
