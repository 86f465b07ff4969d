"""How long a lesson page takes to render in a course of 1,000 lessons with 1,000 officers.

Builds a fresh SQLite database in a temporary directory (running the migrations takes a while),
fills one course with ``--lessons`` live lessons and one unit with ``--officers`` officers, all
assigned the course and each with progress on the lesson measured, then requests that lesson
``--requests`` times as a signed-in officer through Django's test client (the whole middleware
and template stack, no network) and prints the p50 / p95 / max render time and the queries per
request.

Usage: python bench/lesson_render.py [--lessons 1000] [--officers 1000] [--requests 200]
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lessons", type=int, default=1000)
    parser.add_argument("--officers", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()

    import django

    django.setup()
    logging.getLogger("django-q").setLevel(logging.WARNING)  # tasks run inline under test settings
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    database = Path(settings.DATABASES["default"]["NAME"])
    database.unlink(missing_ok=True)
    try:
        began = time.perf_counter()
        call_command("migrate", verbosity=0)
        print(f"migrated a fresh SQLite database in {time.perf_counter() - began:.1f} s")

        from courses.models import CourseIndexPage, CoursePage, LessonPage, LessonProgress
        from courses.services import assignment_create
        from people.models import Unit
        from people.models.audience import AudienceSpec
        from tests.courses.bulk import bulk_lessons, bulk_officers

        began = time.perf_counter()
        index = CourseIndexPage.objects.get()
        course = index.add_child(
            instance=CoursePage(title="接处警规范", slug="incident-response", summary="基准测试课程", audiences=["all"])
        )
        course.save_revision().publish()
        lesson_ids = bulk_lessons(course, args.lessons)
        unit = Unit.add_root(name="基准分局")
        officers = bulk_officers(unit, args.officers)
        lesson = LessonPage.objects.get(pk=lesson_ids[len(lesson_ids) // 2])
        now = timezone.now()
        LessonProgress.objects.bulk_create(
            [LessonProgress(officer=o, lesson=lesson, first_opened_at=now, opened_at=now) for o in officers[1:]]
        )
        assignment_create(
            actor=None,
            course=CoursePage.objects.get(pk=course.pk),
            due_date=timezone.localdate(),
            audience=AudienceSpec(units_with_subtree=(unit,)),
        )
        print(
            f"built {args.lessons} lessons and {args.officers} officers in {time.perf_counter() - began:.1f} s; "
            f"measuring {lesson.url}"
        )

        client = Client()
        client.force_login(officers[0])
        assert client.get(lesson.url).status_code == 200  # warm up: first opening, caches
        executed = []

        def count(execute, sql, params, many, context):
            executed.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            client.get(lesson.url)
        timings = []
        for _ in range(args.requests):
            began = time.perf_counter()
            response = client.get(lesson.url)
            timings.append((time.perf_counter() - began) * 1000)
            assert response.status_code == 200
        cuts = statistics.quantiles(timings, n=100)
        print(
            f"{args.requests} requests: p50 {statistics.median(timings):.1f} ms, p95 {cuts[94]:.1f} ms, "
            f"max {max(timings):.1f} ms, {len(executed)} queries per request"
        )
        print(f"python {platform.python_version()}, {platform.machine()}, {os.cpu_count()} CPUs, SQLite")
    finally:
        connection.close()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{database}{suffix}").unlink(missing_ok=True)


if __name__ == "__main__":
    main()
