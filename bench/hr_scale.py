"""HR at province scale (issue 8): an xlsx export of 100,000 records, the qualification dashboard
with 10,000 officers, and the officer file PDF.

Builds the data set with ``manage.py generate_scale_data`` (10,000 officers, 100,000 records: half
qualification records, half released exam attempts) in a throwaway database (SQLite in the temp
folder by default; PostgreSQL when DATABASE_URL is set — a ``test_…`` database is created and
dropped), then measures:

(a) export: a DataFrame of all qualification and exam records (one row each: police number, name,
    unit path, kind, title, status, date, expiry or score) read with ``.values()`` and written by
    ``portal.exports.xlsx_bytes``, in a fresh Python process on the same database — as a worker
    would run it — so its peak RSS is the export's, not the data generator's. Then once more in
    this process under ``tracemalloc`` for the peak of Python allocations.
(b) dashboards: ``certification:dashboard_qualifications`` and ``certification:dashboard_overview``
    (pathway funnel, exam pass rates by the counting rule, study completion, middle leaders,
    evaluation ranking) rendered with the test Client as an HR user, once cold and 30 times warm:
    p50 / p95 of the warm renders and the SQL query count — once counting every render, once with
    the figures kept for 120 s (``CERTIFICATION_DASHBOARD_CACHE_SECONDS``, the production default).
(c) officer file PDF: ``certification:officer_file_pdf`` for the officer with the most records,
    once cold and 5 times warm.

Usage: python bench/hr_scale.py [--officers 10000] [--records 100000] [--renders 30]
Targets: export ≤ 20 s and ≤ 500 MB; dashboard p95 ≤ 100 ms after the first load, bounded queries.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "site")]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import Group  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count, F  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import NoReverseMatch, reverse  # noqa: E402

from certification.models import Qualification  # noqa: E402
from exams.models import Attempt  # noqa: E402
from people.models import Role, Unit, User  # noqa: E402
from people.selectors import unit_full_paths  # noqa: E402
from portal.exports import xlsx_bytes  # noqa: E402


def maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def records_frame():
    """Every qualification record and exam attempt as one sheet, built as an export would be."""
    import pandas as pd

    paths = unit_full_paths()
    qualifications = Qualification.objects.values(
        "status",
        "granted_on",
        "expires_on",
        police_number=F("officer__police_number"),
        name=F("officer__name"),
        unit_id=F("officer__unit_id"),
        title=F("qualification_type__name"),
    )
    attempts = Attempt.objects.values(
        "score",
        "state",
        police_number=F("officer__police_number"),
        name=F("officer__name"),
        unit_id=F("officer__unit_id"),
        title=F("exam__title"),
        submitted=F("submitted_at__date"),
    )
    rows = [
        (
            "资格",
            q["police_number"],
            q["name"],
            paths.get(q["unit_id"], ""),
            q["title"],
            q["status"],
            q["granted_on"],
            q["expires_on"],
            None,
        )
        for q in qualifications.iterator(chunk_size=5000)
    ]
    rows += [
        ("考试", a["police_number"], a["name"], paths.get(a["unit_id"], ""), a["title"], a["state"],
         a["submitted"], None, float(a["score"]) if a["score"] is not None else None)
        for a in attempts.iterator(chunk_size=5000)
    ]  # fmt: skip
    columns = ["类别", "警号", "姓名", "单位", "名称", "状态", "日期", "有效期至", "成绩"]
    return pd.DataFrame(rows, columns=columns)


def proc_mb(field: str) -> float:
    """VmRSS (now) or VmHWM (peak) of this process from /proc, in MB. Unlike getrusage's maxrss,
    VmHWM starts afresh at exec, so a child does not inherit its parent's peak."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return maxrss_mb()


def export_child(database: str) -> None:
    connection.settings_dict["NAME"] = database
    rss_before = proc_mb("VmRSS")
    began = time.perf_counter()
    frame = records_frame()
    built = time.perf_counter() - began
    rss_frame = proc_mb("VmRSS")
    content = xlsx_bytes({"记录": frame})
    seconds = time.perf_counter() - began
    print(
        f"(a) xlsx export in a fresh process: {len(frame):,} rows, {len(content) / 1e6:.1f} MB file in "
        f"{seconds:.1f} s (DataFrame {built:.1f} s, xlsx {seconds - built:.1f} s); peak RSS "
        f"{proc_mb('VmHWM'):.0f} MB (after django.setup() {rss_before:.0f} MB, with the DataFrame "
        f"{rss_frame:.0f} MB)"
    )


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


def timed_gets(client: Client, url: str, renders: int) -> tuple[float, list[float], int, int]:
    """(cold ms, warm ms list, queries of the last warm render, status)."""
    began = time.perf_counter()
    response = client.get(url)
    cold = (time.perf_counter() - began) * 1000
    warm = []
    queries = 0
    for _ in range(renders):
        connection.queries_log.clear()  # a full log (9,000 entries) would make the count 0
        with CaptureQueriesContext(connection) as captured:
            began = time.perf_counter()
            response = client.get(url)
            warm.append((time.perf_counter() - began) * 1000)
        queries = len(captured)
    return cold, warm, queries, response.status_code


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--officers", type=int, default=10_000)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--renders", type=int, default=30)
    parser.add_argument("--export-in", help=argparse.SUPPRESS)  # the child process of (a)
    args = parser.parse_args()
    if args.export_in:
        export_child(args.export_in)
        return

    creation = connection.creation
    old_name = creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        print(f"database: {connection.vendor}; {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
        print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
        began = time.perf_counter()
        call_command("generate_scale_data", officers=args.officers, records=args.records, seed=1)
        print(f"data set built in {time.perf_counter() - began:.1f} s")

        # (a) export
        child = subprocess.run(
            [sys.executable, __file__, "--export-in", connection.settings_dict["NAME"]],
            capture_output=True,
            text=True,
            check=True,
        )
        print(child.stdout.strip())
        tracemalloc.start()
        xlsx_bytes({"记录": records_frame()})
        _, traced_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(f"    traced Python peak of the same export in this process: {traced_peak / 1e6:.0f} MB")

        hr = User.objects.create_user("BENCH-HR", name="政治处", unit=Unit.objects.get(code="SCALE-DATA"))
        hr.groups.add(Group.objects.get_or_create(name=Role.HR)[0])
        client = Client()
        client.force_login(hr)

        # (b) the two dashboards: every render counted, then with the kept figures (the
        # production default of CERTIFICATION_DASHBOARD_CACHE_SECONDS) — the first load counts
        for label, name in (
            ("(b) dashboard_qualifications", "certification:dashboard_qualifications"),
            ("(b') dashboard_overview", "certification:dashboard_overview"),
        ):
            for mode, seconds in (("every render counted", 0), ("figures kept 120 s", 120)):
                cache.clear()
                with override_settings(CERTIFICATION_DASHBOARD_CACHE_SECONDS=seconds):
                    cold, warm, queries, status = timed_gets(client, reverse(name), args.renders)
                print(
                    f"{label} with {args.officers:,} officers, {mode}: HTTP {status}, first load {cold:.0f} ms, "
                    f"then {args.renders} renders p50 {statistics.median(warm):.0f} ms / p95 {p95(warm):.0f} ms, "
                    f"{queries} queries"
                )

        # (c) officer file PDF
        try:
            busiest = (
                User.objects.filter(police_number__startswith="S")
                .annotate(n=Count("qualifications", distinct=True) + Count("exam_attempts", distinct=True))
                .order_by("-n")
                .first()
            )
            url = reverse("certification:officer_file_pdf", args=[busiest.pk])
        except NoReverseMatch:
            print("(c) officer file PDF: certification:officer_file_pdf does not exist yet")
        else:
            cold, warm, queries, status = timed_gets(client, url, 5)
            print(
                f"(c) officer file PDF ({busiest.n} qualification + exam records): HTTP {status}, "
                f"first {cold:.0f} ms, then 5 renders p50 {statistics.median(warm):.0f} ms / "
                f"max {max(warm):.0f} ms, {queries} queries"
            )
        print(f"load average after: {os.getloadavg()[0]:.2f}")
    finally:
        creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
