"""Province on PostgreSQL (issue 15, item 6): the HR pages, the officer file, the HR exports and
the invigilation board, measured on a database that holds ``generate_scale_data`` at province size.

Unlike ``bench/hr_scale.py`` (which builds a 10,000-officer set in a throwaway database each run),
this reads a database built once, because the province takes a minute or more to generate:

    createdb -h 127.0.0.1 -U postgres province_scale
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/province_scale
    python manage.py migrate
    nice -n 10 python manage.py generate_scale_data --officers 100000 --records 1000000 -v2
    nice -n 10 python bench/province_scale.py [--renders 20] [--no-exports] [--only board,file,…]

What it adds to that database on its first run (kept, so later runs compare like with like): an HR
user and an invigilator (``BENCH-HR``, ``BENCH-INV``) at the province, and one open exam (title
``省级考务看板基准考试``) whose examinees are one district bureau (its audience, by unit subtree)
plus a roster of officers drawn across the province — about 1,000 — with attempts started through
``exams.services.delivery.attempt_start`` on a fixed paper, answers written as rows, a share of the
attempts handed in.

Each page is rendered with the test Client once (cold), then ``--renders`` times: p50 / p95 of
the warm renders and the SQL queries of the last. The dashboards are measured counting every
render and with their figures kept (``CERTIFICATION_DASHBOARD_CACHE_SECONDS``, 120 s in production;
the first load counts). Each export runs in a fresh Python process, as a worker would: the
registered definition's ``build`` and ``xlsx_bytes``, with its time, rows and peak RSS (VmHWM).
"""

from __future__ import annotations

import argparse
import datetime
import importlib.util
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "site")]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import Group  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from people.models import Role, Unit, User  # noqa: E402

BOARD_EXAM_TITLE = "省级考务看板基准考试"
HR_NUMBER = "BENCH-HR"
INVIGILATOR_NUMBER = "BENCH-INV"
TARGET_MS = 300


def proc_mb(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) > 1 else values[0]


RESULTS: list[dict] = []


def measure(client: Client, label: str, url: str, renders: int, *, before=None) -> dict:
    """Cold render, then ``renders`` warm ones; ``before`` runs ahead of every render (untimed)."""
    if before:
        before()
    began = time.perf_counter()
    response = client.get(url)
    cold = (time.perf_counter() - began) * 1000
    warm, queries = [], 0
    for _ in range(renders):
        if before:
            before()
        connection.queries_log.clear()
        with CaptureQueriesContext(connection) as captured:
            began = time.perf_counter()
            response = client.get(url)
            warm.append((time.perf_counter() - began) * 1000)
        queries = len(captured)
    result = {
        "label": label,
        "status": response.status_code,
        "bytes": len(response.content),
        "cold": cold,
        "p50": statistics.median(warm),
        "p95": p95(warm),
        "queries": queries,
    }
    RESULTS.append(result)
    flag = "  OVER" if result["p95"] > TARGET_MS else ""
    print(
        f"{label}: HTTP {result['status']}, {result['bytes'] / 1024:.0f} KB, first {cold:.0f} ms, "
        f"p50 {result['p50']:.0f} / p95 {result['p95']:.0f} ms, {queries} queries{flag}",
        flush=True,
    )
    return result


# --- set-up -------------------------------------------------------------------------------------


def staff_user(number: str, role: str) -> User:
    user = User.objects.filter(police_number=number).first()
    if user is None:
        user = User.objects.create_user(number, name="基准" + role, unit=Unit.objects.get(code="SCALE-DATA"))
        user.groups.add(Group.objects.get_or_create(name=role)[0])
    return user


def board_exam(rng: random.Random):
    """The open exam of about 1,000 examinees (built on the first run)."""
    from courses.models.choices import Tier
    from exams.models import Answer, Attempt, AttemptState, Exam, ExamInvitation, ExamStatus, PaperItem, QuestionType
    from exams.selectors.eligibility import exam_examinees
    from exams.services.blueprints import BlueprintSpec, RuleSpec, SectionSpec, blueprint_create
    from exams.services.delivery import DeliveryError, attempt_start
    from exams.services.papers import paper_draw

    exam = Exam.objects.filter(title=BOARD_EXAM_TITLE).first()
    if exam is not None:
        return exam
    began = time.perf_counter()
    spec = importlib.util.spec_from_file_location("exam_load", ROOT / "bench" / "exam_load.py")
    exam_load = importlib.util.module_from_spec(spec)
    sys.modules["exam_load"] = exam_load  # its dataclasses look their module up
    spec.loader.exec_module(exam_load)
    exam_load.build_bank(40, rng)
    blueprint = blueprint_create(
        spec=BlueprintSpec(
            title="省级考务看板基准蓝图",
            status="active",
            sections=[
                SectionSpec(title="单选题", rules=[RuleSpec(QuestionType.SINGLE, 25, "2")]),
                SectionSpec(title="多选题", rules=[RuleSpec(QuestionType.MULTIPLE, 10, "4")]),
                SectionSpec(title="判断题", rules=[RuleSpec(QuestionType.TRUE_FALSE, 15, "2")]),
            ],
        ),
        actor=None,
    )
    paper = paper_draw(blueprint=blueprint, seed=15, context="bench:province")
    now = timezone.now()
    exam = Exam.objects.create(
        title=BOARD_EXAM_TITLE,
        tier=Tier.BASIC,
        fixed_paper=paper,
        opens_at=now - datetime.timedelta(days=1),
        closes_at=now + datetime.timedelta(days=30),
        duration_minutes=60 * 24 * 30,  # attempts stay in progress between bench runs
        status=ExamStatus.PUBLISHED,
        track_focus=True,
    )
    district = Unit.objects.filter(path__startswith=Unit.objects.get(code="SCALE-DATA").path, depth=3).order_by("path")[
        0
    ]
    exam.audience_units_subtree.add(district)
    elsewhere = list(
        User.objects.filter(police_number__startswith="S")
        .exclude(unit__path__startswith=district.path)
        .values_list("pk", flat=True)[:50_000]
    )
    ExamInvitation.objects.bulk_create(
        [ExamInvitation(exam=exam, officer_id=pk) for pk in rng.sample(elsewhere, 1000 - 830)]
    )
    examinees = list(exam_examinees(exam))
    rng.shuffle(examinees)
    items = list(PaperItem.objects.filter(paper=paper).values_list("pk", flat=True))
    started, refused = [], 0
    for officer in examinees[: int(len(examinees) * 0.9)]:
        try:
            started.append(attempt_start(exam=exam, officer=officer, now=now - datetime.timedelta(minutes=40)))
        except DeliveryError:
            refused += 1
    answers = []
    for attempt in started:
        for pk in rng.sample(items, rng.randint(0, len(items))):
            answers.append(
                Answer(
                    attempt=attempt,
                    paper_item_id=pk,
                    response="A",
                    client_seq=1,
                    saved_at=now - datetime.timedelta(seconds=rng.randint(0, 2400)),
                )
            )
    Answer.objects.bulk_create(answers, batch_size=5000)
    handed_in = [attempt.pk for attempt in started[: len(started) // 4]]
    Attempt.objects.filter(pk__in=handed_in).update(state=AttemptState.SUBMITTED, submitted_at=now)
    print(
        f"board exam built in {time.perf_counter() - began:.0f} s: {len(examinees)} examinees, "
        f"{len(started)} attempts started through attempt_start ({refused} refused), "
        f"{len(answers):,} answers, {len(handed_in)} handed in"
    )
    return exam


# --- exports ------------------------------------------------------------------------------------


def export_child(kind: str, filters_json: str) -> None:
    """One export, as the worker runs it: build, then the xlsx; prints one JSON line."""
    from portal.exports import xlsx_bytes
    from portal.services.exports import export_definition

    rss_before = proc_mb("VmRSS")
    user = User.objects.get(police_number=HR_NUMBER)
    filters = json.loads(filters_json)
    began = time.perf_counter()
    connection.force_debug_cursor = True
    result = export_definition(kind).build(user, filters, lambda done: None)
    built = time.perf_counter() - began
    queries = len(connection.queries)
    content = xlsx_bytes(result.sheets)
    rows = sum(len(frame) for frame in result.sheets.values())
    print(
        json.dumps(
            {
                "rows": rows,
                "mb": len(content) / 1e6,
                "build": built,
                "seconds": time.perf_counter() - began,
                "queries": queries,
                "rss_setup": rss_before,
                "peak": proc_mb("VmHWM"),
            }
        )
    )


def run_export(label: str, kind: str, filters: dict) -> None:
    child = subprocess.run(
        [sys.executable, __file__, "--export", kind, json.dumps(filters)],
        capture_output=True,
        text=True,
        check=False,
    )
    if child.returncode:
        print(f"{label}: FAILED\n{child.stderr[-2000:]}")
        return
    figures = json.loads(child.stdout.strip().splitlines()[-1])
    print(
        f"{label}: {figures['rows']:,} rows, {figures['mb']:.1f} MB in {figures['seconds']:.1f} s "
        f"(rows read {figures['build']:.1f} s, {figures['queries']} queries), peak RSS {figures['peak']:.0f} MB "
        f"(after django.setup() {figures['rss_setup']:.0f} MB)",
        flush=True,
    )


# --- main ---------------------------------------------------------------------------------------

SECTIONS = ("dashboards", "lists", "file", "board", "exports")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--renders", type=int, default=20)
    parser.add_argument("--only", default=",".join(SECTIONS), help="comma-separated: " + ", ".join(SECTIONS))
    parser.add_argument("--no-exports", action="store_true")
    parser.add_argument("--export", nargs=2, help=argparse.SUPPRESS)  # the child process of an export
    args = parser.parse_args()
    if args.export:
        export_child(*args.export)
        return
    if connection.vendor != "postgresql" or not Unit.objects.filter(code="SCALE-DATA").exists():
        sys.exit("Set DATABASE_URL to a PostgreSQL database that holds generate_scale_data (see the docstring).")
    only = set(args.only.split(",")) - ({"exports"} if args.no_exports else set())
    officers = User.objects.filter(police_number__startswith="S").count()
    print(
        f"PostgreSQL {connection.pg_version // 10000}; {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; "
        f"{officers:,} generated officers; load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores",
        flush=True,
    )
    rng = random.Random(15)
    hr = staff_user(HR_NUMBER, Role.HR)
    client = Client()
    client.force_login(hr)
    renders = args.renders

    if "dashboards" in only:
        for label, name in (
            ("qualification dashboard", "certification:dashboard_qualifications"),
            ("overview dashboard", "certification:dashboard_overview"),
        ):
            for mode, seconds in (("every render counted", 0), ("figures kept", 120)):
                cache.clear()
                with override_settings(CERTIFICATION_DASHBOARD_CACHE_SECONDS=seconds):
                    measure(client, f"{label}, {mode}", reverse(name), renders)
        drill = reverse("certification:dashboard_officers")
        measure(
            client, "drill-down: holders of 基本级, province", f"{drill}?cell=holders&row=total&type=basic", renders
        )
        measure(
            client, "drill-down: missing 中级, province", f"{drill}?cell=missing&row=total&type=intermediate", renders
        )
        measure(
            client, "drill-down: expiring in 30 days", f"{drill}?cell=expiring&row=total&type=basic&days=30", renders
        )
        measure(client, "unit reports", reverse("certification:unit_reports"), renders)

    if "lists" in only:
        officers_url = reverse("people:officer_list")
        district = Unit.objects.filter(depth=3, path__startswith=Unit.objects.get(code="SCALE-DATA").path).first()
        measure(client, "officer list, first page", officers_url, renders)
        measure(client, "officer list, page 1000", f"{officers_url}?page=1000", renders)
        measure(client, "officer list, search by name (王芳)", f"{officers_url}?q=王芳", renders)
        measure(client, "officer list, search by number (S05123)", f"{officers_url}?q=S05123", renders)
        measure(client, "officer list, one district", f"{officers_url}?unit={district.pk}", renders)
        qualifications = reverse("certification:qualification_list")
        measure(client, "qualification list, first page", qualifications, renders)
        measure(client, "qualification list, search (王芳)", f"{qualifications}?q=王芳", renders)
        measure(client, "qualification list, expiring in 30 days", f"{qualifications}?expiring=30", renders)

    if "file" in only:
        from certification.models import Qualification
        from exams.models import Attempt

        # The officer with the most qualification records, then among those the most attempts.
        most = Qualification.objects.values("officer_id").annotate(n=Count("pk")).order_by("-n").first()["n"]
        holders = Qualification.objects.values("officer_id").annotate(n=Count("pk")).filter(n=most)
        busiest = (
            Attempt.objects.filter(officer_id__in=holders.values("officer_id")[:2000])
            .values("officer_id")
            .annotate(n=Count("pk"))
            .order_by("-n")
            .first()
        )
        busiest = {"pk": busiest["officer_id"], "n": most + busiest["n"]}
        page = reverse("certification:officer_file", args=[busiest["pk"]])
        measure(client, f"officer file page ({busiest['n']} qualification records + attempts)", page, renders)
        pdf = reverse("certification:officer_file_pdf", args=[busiest["pk"]])
        measure(client, "officer file PDF", pdf, max(5, renders // 4))

    if "board" in only:
        invigilator = staff_user(INVIGILATOR_NUMBER, Role.TRAINER)
        exam = board_exam(rng)
        board = Client()
        board.force_login(invigilator)
        json_url = reverse("exams:exam_board_json", args=[exam.pk])
        with override_settings(EXAMS_BOARD_EXAMINEES_CACHE_SECONDS=15):
            measure(board, "board.json, examinee list kept (every poll within 15 s)", json_url, renders)
            measure(
                board, "board.json, examinee list read (first poll after 15 s)", json_url, renders, before=cache.clear
            )
            measure(board, "board page", reverse("exams:exam_board", args=[exam.pk]), renders, before=cache.clear)

    if "exports" in only:
        from certification.models import QualificationType

        basic = QualificationType.objects.get(code="basic")
        run_export("export: officers (personnel template), province", "people.officers", {})
        run_export("export: qualification records, province", "certification.qualifications", {})
        run_export(
            "export: qualification records of 基本级, valid", "certification.qualifications",
            {"type": str(basic.pk), "status": "valid"},
        )  # fmt: skip
        run_export("export: coverage table", "certification.dashboard_qualifications", {})
        run_export("export: overview", "certification.dashboard_overview", {})
        run_export(
            "export: officers behind holders of 基本级", "certification.dashboard_officers",
            {"cell": "holders", "row": "total", "type": "basic"},
        )  # fmt: skip
        run_export("export: pathway board", "certification.pathways", {})

    over = [result["label"] for result in RESULTS if result["p95"] > TARGET_MS]
    print(f"pages over {TARGET_MS} ms p95: {', '.join(over) if over else 'none'}")
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
