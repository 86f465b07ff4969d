"""How long the trainer's question-bank browser takes with a large bank, and how many queries it runs.

Builds a fresh SQLite database in a temporary directory, loads the demo bank (319 questions) and
copies it until the bank holds ``--questions`` questions (each copy tagged like its original,
stems made distinct), then requests the browser page ``--requests`` times per filter through
Django's test client as a trainer (the whole middleware and template stack, no network) and prints
p50 / p95 per filter and the queries per request.

Usage: python bench/bank_search.py [--questions 50000] [--requests 30]
"""

from __future__ import annotations

import argparse
import logging
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "site")]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

FILTERS = {
    "no filter": {},
    "text 伤害 (Chinese substring)": {"q": "伤害"},
    "two text terms": {"q": "拘留 家属"},
    "knowledge subtree 案件办理 + type": {"knowledge_point": "案件办理", "type": "single"},
    "difficulty 2–4 + tier + audience": {
        "difficulty_min": "2",
        "difficulty_max": "4",
        "tier": "basic",
        "audience": "auxiliary",
    },
    "status draft (page of a small set)": {"status": "draft"},
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=50_000)
    parser.add_argument("--requests", type=int, default=30)
    args = parser.parse_args()

    import django

    django.setup()
    logging.getLogger("django-q").setLevel(logging.WARNING)
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    database = Path(settings.DATABASES["default"]["NAME"])
    database.unlink(missing_ok=True)
    try:
        began = time.perf_counter()
        call_command("migrate", verbosity=0)
        print(f"migrated a fresh SQLite database in {time.perf_counter() - began:.1f} s")

        from courses.models import KnowledgePoint
        from exams.demo import questions as demo_questions
        from exams.models import Question, QuestionKnowledgePoint, QuestionVersion
        from people.models import Role
        from portal.demo import DemoContext
        from tests.factories import UserFactory

        trainer = UserFactory(police_number="bench-trainer", roles=[Role.TRAINER])
        began = time.perf_counter()
        demo_questions.build(DemoContext(accounts={"trainer": trainer}))
        originals = list(Question.objects.select_related("current_version").prefetch_related("knowledge_point_links"))
        copies = max(0, args.questions - len(originals))
        batch = 5_000
        made = 0
        while made < copies:
            chunk = [originals[(made + i) % len(originals)] for i in range(min(batch, copies - made))]
            new = Question.objects.bulk_create(
                [
                    Question(
                        type=q.type,
                        status=q.status,
                        difficulty=q.difficulty,
                        tier=q.tier,
                        audiences=q.audiences,
                        normalized_stem=f"{q.normalized_stem}第{made + i}题",
                        author=trainer,
                    )
                    for i, q in enumerate(chunk)
                ]
            )
            versions = QuestionVersion.objects.bulk_create(
                [
                    QuestionVersion(
                        question=n,
                        number=1,
                        stem=f"{q.current_version.stem}（第{made + i}题）",
                        options=q.current_version.options,
                        answer=q.current_version.answer,
                        explanation=q.current_version.explanation,
                        legal_basis=q.current_version.legal_basis,
                    )
                    for i, (n, q) in enumerate(zip(new, chunk, strict=True))
                ]
            )
            for n, v in zip(new, versions, strict=True):
                n.current_version = v
            Question.objects.bulk_update(new, ["current_version"], batch_size=1000)
            QuestionKnowledgePoint.objects.bulk_create(
                [
                    QuestionKnowledgePoint(question=n, knowledge_point_id=link.knowledge_point_id)
                    for n, q in zip(new, chunk, strict=True)
                    for link in q.knowledge_point_links.all()
                ]
            )
            made += len(chunk)
        total = Question.objects.count()
        print(f"built a bank of {total} questions in {time.perf_counter() - began:.1f} s")

        point = KnowledgePoint.objects.get(name="案件办理", depth=1)
        client = Client()
        client.force_login(trainer)
        url = "/exams/bank/"
        for label, params in FILTERS.items():
            params = {**params}
            if params.get("knowledge_point") == "案件办理":
                params["knowledge_point"] = str(point.pk)
            assert client.get(url, params).status_code == 200  # warm up
            executed = []

            def count(execute, sql, params_, many, context, executed=executed):
                executed.append(sql)
                return execute(sql, params_, many, context)

            with connection.execute_wrapper(count):
                client.get(url, params)
            timings = []
            for _ in range(args.requests):
                began = time.perf_counter()
                response = client.get(url, params)
                timings.append((time.perf_counter() - began) * 1000)
                assert response.status_code == 200
            cuts = statistics.quantiles(timings, n=20)
            print(
                f"{label:40} p50 {statistics.median(timings):6.1f} ms  p95 {cuts[18]:6.1f} ms  {len(executed)} queries"
            )
        print(f"python {platform.python_version()}, {platform.machine()}, {os.cpu_count()} CPUs, SQLite")
    finally:
        connection.close()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{database}{suffix}").unlink(missing_ok=True)


if __name__ == "__main__":
    main()
