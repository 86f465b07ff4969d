"""CPU per exam request, in-process: what one start, one paper, one autosave, one status poll and
one submit cost the server, without the network or the other requests of a load run.

Builds the same data as ``bench/exam_load.py`` (its bank, blueprint, officers and exam) in a
throwaway SQLite database with ``config.settings.production`` (``DATABASE_URL`` is ignored: the
branch server's database), then drives ``--examinees`` officers through Django's test client (the whole middleware
and template stack; the connection is kept between requests as the branch server keeps it, and a
real server's costs outside Django are not seen: ``bench/exam_serial.py`` measures those): the
rules page, the start, the paper, ``--saves`` autosaves, status polls
and the submit. For each kind of request it prints the CPU time of this process (``process_time``:
what the request costs, whatever else the machine does), the wall time and the number of SQL
queries. ``--profile KIND`` prints a cProfile of that kind of request instead.

These figures are the per-request costs docs/PERFORMANCE.md derives the capacity table from.

Usage: python bench/exam_cpu.py [--examinees 40] [--questions 30] [--saves 60] [--profile start]
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import random
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent)]

import exam_load  # noqa: E402  (the load bench's data builders)

KINDS = ("rules page", "start", "paper", "autosave", "status poll", "focus event", "submit")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--examinees", type=int, default=40)
    parser.add_argument("--questions", type=int, default=30)
    parser.add_argument("--bank", type=int, default=500)
    parser.add_argument("--saves", type=int, default=60, help="autosaves (and status polls) in all")
    parser.add_argument("--profile", choices=KINDS, help="print a cProfile of this kind of request")
    parser.add_argument("--sql", choices=KINDS, help="print the SQL of the last request of this kind")
    parser.add_argument("--profile-all", action="store_true", help="with --profile: every module, by own time")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="fazhi-exam-cpu-"))
    env = exam_load.production_environment(folder, 8000)  # SQLite in ``folder``, as a branch server
    env["SECURE_SSL_REDIRECT"] = "0"
    exam_load.django_setup(env)
    exam_load.prepare_database()
    exam_pk = exam_load.build_exam(examinees=args.examinees, questions=args.questions, bank_per_type=args.bank, seed=1)
    print("papers drawn ahead:", exam_load.draw_ahead(exam_pk))

    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from people.models import User

    urls = exam_load.url_patterns(exam_pk)
    cpu: dict[str, list[float]] = defaultdict(list)
    wall: dict[str, list[float]] = defaultdict(list)
    queries: dict[str, list[int]] = defaultdict(list)
    last_sql: dict[str, list[str]] = {}
    profiler = cProfile.Profile() if args.profile else None

    def timed(kind: str, call, *call_args, **call_kwargs):
        with CaptureQueriesContext(connection) as captured:
            began_cpu, began = time.process_time(), time.perf_counter()
            if profiler and kind == args.profile:
                profiler.enable()
            response = call(*call_args, **call_kwargs)
            if profiler and kind == args.profile:
                profiler.disable()
            cpu[kind].append(time.process_time() - began_cpu)
            wall[kind].append(time.perf_counter() - began)
        queries[kind].append(len(captured))
        last_sql[kind] = [query["sql"] for query in captured.captured_queries]
        reset_queries()
        return response

    officers = list(User.objects.filter(police_number__startswith="9").order_by("pk")[: args.examinees])
    rng = random.Random(2)
    clients = []
    for officer in officers:
        client = Client(HTTP_X_FORWARDED_PROTO="https", SERVER_NAME="127.0.0.1")
        client.force_login(officer)
        response = client.get(urls["start"])  # the CSRF cookie, as the browser has it
        token = client.cookies["csrftoken"].value
        clients.append((client, token))

    attempts = []
    for client, token in clients:
        timed("rules page", client.get, urls["start"])
        response = timed("start", client.post, urls["start"], {"csrfmiddlewaretoken": token})
        assert response.status_code == 302, response.status_code
        take = response["Location"]
        response = timed("paper", client.get, take)
        assert response.status_code == 200, response.status_code
        attempt = int(take.rstrip("/").rsplit("/", 1)[1])
        attempts.append((client, token, attempt, exam_load.read_items(attempt)))

    per = max(1, args.saves // len(attempts))
    for round_ in range(per):
        for client, token, attempt, items in attempts:
            item = items[round_ % len(items)]
            body = json.dumps({"item": item.pk, "response": exam_load.response_for(item, rng), "seq": round_ + 1})
            save = urls["save"].format(attempt=attempt)
            response = timed(
                "autosave", client.post, save, body, content_type="application/json", HTTP_X_CSRFTOKEN=token
            )
            assert response.status_code == 200, response.content
            status = urls["take"].format(attempt=attempt) + "status/"
            timed("status poll", client.get, status)
    for client, token, attempt, _paper in attempts[:10]:
        event = urls["event"].format(attempt=attempt)
        body = json.dumps({"kind": "tab_hidden"})
        timed("focus event", client.post, event, body, content_type="application/json", HTTP_X_CSRFTOKEN=token)
    for client, token, attempt, _paper in attempts:
        submit = urls["submit"].format(attempt=attempt)
        response = timed("submit", client.post, submit, {"csrfmiddlewaretoken": token})
        assert response.status_code == 302, response.status_code

    print(f"{args.examinees} examinees, {args.questions} questions a paper, {connection.vendor}")
    print(f"{'request':<14} {'n':>5} {'CPU p50':>9} {'CPU mean':>9} {'wall p50':>9} {'wall p95':>9} {'queries':>8}")
    for kind in KINDS:
        if not cpu[kind]:
            continue
        walls = sorted(wall[kind])
        print(
            f"{kind:<14} {len(cpu[kind]):>5} {statistics.median(cpu[kind]) * 1000:>7.1f}ms "
            f"{statistics.mean(cpu[kind]) * 1000:>7.1f}ms {statistics.median(walls) * 1000:>7.1f}ms "
            f"{walls[int(0.95 * (len(walls) - 1))] * 1000:>7.1f}ms {statistics.median(queries[kind]):>8.0f}"
        )
    if args.sql:
        print("\n".join(last_sql[args.sql]))
    if profiler:
        if args.profile_all:
            pstats.Stats(profiler).sort_stats("tottime").print_stats(40)
        else:
            ours = r"work/main/(site|exams|courses|certification)/"
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(ours, 45)
    return 0


if __name__ == "__main__":
    sys.exit(main())
