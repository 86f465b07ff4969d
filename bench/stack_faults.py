"""Faults during an exam on the city stack (issue 15, item 4): kill -9 an app server, restart
Redis, restart PostgreSQL, one at a time, while examinees keep saving answers.

The stack is bench/stack_load.py's (nginx in front of two gunicorn app servers, a qcluster), with
three differences that let the faults be injected without touching anybody else's services:
PostgreSQL is a cluster of the bench's own (``initdb``/``pg_ctl`` on 127.0.0.1:``--pg-port``),
Redis a redis-server the stack starts itself (``--redis-url``, on a port where nothing answers), and
the load is steadier and smaller: ``--examinees`` (200) each change one answer every ``--every``
(5) seconds, in paper order and round again, until the last fault is over.

Each examinee saves as the paper's script does (exams/static/exams/take.js): a changed answer is
*dirty* until a save of it is acknowledged (HTTP 200 with ``saved: true`` and the seq sent); a save
that fails in any way (a refused or cut connection, a 5xx from nginx or Django, a 409, a timeout)
leaves it dirty and the examinee retries every dirty answer after a back-off of
min(30 s, 2^failures s), each retry with a new, higher seq, as take.js does. Once the faults are over
the examinees stop changing answers and retry until nothing is dirty, then hand in.

The faults, each in a window of ``--window`` seconds after ``--steady`` seconds without any:

- **kill -9 one app server** (its gunicorn master; the workers follow): requests on its connections
  fail, nginx marks it down and sends the rest to the other; it is started again at the window's
  middle and nginx uses it again after ``fail_timeout``.
- **restart Redis** (stop and start the stack's redis-server, empty, as without persistence): the
  worker must reconnect (a task queued after the restart must run: the seconds until it ran are
  the figure), and a dashboard's figures, kept in the Redis cache, must be counted again on the
  first view after the restart and served from the new cache on the next.
- **restart PostgreSQL** (``pg_ctl restart -m fast``: every connection is cut): saves during the
  outage fail with an error the page shows (5xx), and the retries store them afterwards.

Acknowledged saves lost: at the end, every save the server acknowledged must be in the database
with its seq or a later one of the same answer, and every answer must hold the last one
acknowledged (exam_load.py's check). Exits 1 on any loss, any answer never stored, any examinee who
could not hand in, or a failed worker or cache check.

Usage: python bench/stack_faults.py [--examinees 200] [--every 5] [--window 40]   (``make bench-faults``)
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import concurrent.futures
import contextlib
import math
import os
import platform
import random
import re
import sys
import time
from dataclasses import dataclass, field

import aiohttp
import exam_load as load
import stack_load
from stack_load import RUN_DIR, ThrowawayPostgres, add_stack_arguments, seed_static_files, tear_down

from deploy.stack import Stack, StackError

HR_USER = "800001"
# One thread for the stack's processes started during the run, alive until the stack is stopped.
STACK_THREAD = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="stack")
DASHBOARD = "/certification/dashboards/qualifications/"
AS_OF = re.compile(r'id="figures-as-of">[^<]*?(\d\d:\d\d:\d\d)')


@dataclass
class Window:
    """One stretch of the run: steady, a fault, or the drain after the faults."""

    name: str
    began: float
    injected: str = ""  # what the injection took
    failures: collections.Counter = field(default_factory=collections.Counter)
    waits: list[float] = field(default_factory=list)  # seconds from a failed save's first try to its ack
    acks: list[tuple[int, int, int]] = field(default_factory=list)  # (attempt, item, seq)
    checks: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


class Run:
    def __init__(self) -> None:
        self.windows: list[Window] = []
        self.answering = True
        self.stats = load.Stats()

    @property
    def window(self) -> Window:
        return self.windows[-1]

    def begin(self, name: str) -> Window:
        self.windows.append(Window(name, time.perf_counter()))
        print(f"  {time.strftime('%H:%M:%S')} {name}", flush=True)
        return self.window


def reason(error: str) -> str:
    found = re.search(r"HTTP (\d+)", error)
    if found:
        return f"HTTP {found.group(1)}"
    found = re.search(r": (\w+(?:Error|Exception|Disconnected\w*))", error)
    return found.group(1) if found else error[:60]


async def keep_answering(examinee: load.Examinee, take: str, save: str, run: Run, every: float) -> None:
    """take.js's saving: changes stay dirty until acknowledged; failures back off and retry."""
    rng = random.Random(examinee.number)
    dirty: dict[int, tuple[load.Item, object, float, Window]] = {}  # item → (item, response, first try, window)
    failures, retry_at, index = 0, 0.0, 0
    next_change = time.perf_counter() + rng.uniform(0, every)
    while run.answering or dirty:
        now = time.perf_counter()
        if run.answering and now >= next_change:
            item = examinee.items[index % len(examinee.items)]
            index += 1
            first, window = dirty[item.pk][2:] if item.pk in dirty else (now, run.window)
            dirty[item.pk] = (item, load.response_for(item, rng), first, window)
            next_change = now + rng.uniform(0.8 * every, 1.2 * every)
        if dirty and now >= retry_at:
            for pk in list(dirty):
                item, response, first, window = dirty[pk]
                try:
                    await load.save_answer(examinee, item, response, save, take, f"save: {run.window.name}")
                except (load.RequestFailed, ValueError) as error:  # ValueError: a 200 that is not JSON
                    failures += 1
                    run.window.failures[reason(str(error))] += 1
                    retry_at = time.perf_counter() + min(30, 2 ** min(failures, 5))
                    break
                seq = examinee.seq
                run.window.acks.append((examinee.attempt, item.pk, seq))
                if failures:
                    window.waits.append(time.perf_counter() - first)
                failures = 0
                del dirty[pk]
        wake = min(next_change if run.answering else math.inf, retry_at if dirty else math.inf)
        await asyncio.sleep(min(max(0.05, wake - time.perf_counter()), 0.5))


# --- the faults and their checks ---------------------------------------------------------------------


async def probe_worker(label: str, timeout: float = 120) -> tuple[float | None, str]:
    """Queue a task through the Redis broker and wait until the qcluster has run it."""

    def queue() -> None:
        from django_q.tasks import async_task

        for attempt in range(5):  # the first command after a Redis restart may meet a dead connection
            try:
                async_task("math.floor", 1.5, task_name=label)
                return
            except Exception:
                if attempt == 4:
                    raise
                time.sleep(1)

    def done() -> bool:
        from django.db import close_old_connections
        from django_q.models import Task

        close_old_connections()
        return Task.objects.filter(name=label, success=True).exists()

    began = time.perf_counter()
    try:
        await asyncio.to_thread(queue)
    except Exception as error:  # noqa: BLE001 - reported as the check's outcome
        return None, f"could not queue: {error}"
    while time.perf_counter() - began < timeout:
        with contextlib.suppress(Exception):
            if await asyncio.to_thread(done):
                return time.perf_counter() - began, "ran"
        await asyncio.sleep(0.5)
    return None, f"not run within {timeout:.0f} s"


async def check_worker(run: Run, restarted: str) -> None:
    """After a restart: a task queued through the broker runs on the worker (the window's figure)."""
    seconds, outcome = await probe_worker(f"fault-probe-after-{restarted}-{int(time.time())}")
    if seconds is None:
        run.window.problems.append(f"task queued after the restart: {outcome}")
    else:
        run.window.checks.append(f"a task queued after the restart ran on the worker {seconds:.1f} s later")


async def dashboard(hr: load.Browser) -> tuple[int, str | None]:
    """The HR dashboard once: its status and the time of the kept figures shown (None: counted now)."""
    try:
        text, response = await hr.request("HR dashboard", "GET", DASHBOARD, expect=200)
    except load.RequestFailed as error:
        return int(m.group(1)) if (m := re.search(r"HTTP (\d+)", str(error))) else 0, None
    found = AS_OF.search(text)
    return response.status, found.group(1) if found else None


async def in_stack_thread(function, *args):
    """Run a blocking stack operation in the stack's own thread (STACK_THREAD). deploy/stack.py
    tells each child to die with the thread that started it (PR_SET_PDEATHSIG), so a process
    started again during the run must be started from a thread that outlives the run."""
    return await asyncio.get_running_loop().run_in_executor(STACK_THREAD, function, *args)


async def kill_app_server(stack: Stack, run: Run, window: float) -> None:
    began = time.perf_counter()
    stack.kill_app_server(0)
    run.window.injected = f"kill -9 of {stack.app_servers[0].name}"
    await asyncio.sleep(window / 2)
    restarted = time.perf_counter()
    await in_stack_thread(stack.start_app_server, 0)
    run.window.checks.append(
        f"{stack.app_servers[0].name} down {restarted - began:.0f} s, back and healthy "
        f"{time.perf_counter() - restarted:.1f} s after its start"
    )


async def restart_redis(stack: Stack, run: Run, hr: load.Browser) -> None:
    before = await dashboard(hr)
    if before[1] is None:  # counted now; the next view shows the kept figures
        before = await dashboard(hr)
    began = time.perf_counter()
    await in_stack_thread(stack.restart_redis)
    run.window.injected = f"redis-server stopped and started again in {time.perf_counter() - began:.1f} s"
    await check_worker(run, "redis")
    first = await dashboard(hr)
    second = await dashboard(hr)
    if before[0] != 200 or before[1] is None:
        run.window.problems.append(f"dashboard before the restart: HTTP {before[0]}, kept figures {before[1]}")
    elif first[0] != 200 or first[1] is not None or second[0] != 200 or second[1] is None:
        run.window.problems.append(
            f"dashboard after the restart: HTTP {first[0]} (kept figures {first[1]}), then HTTP {second[0]} "
            f"(kept figures {second[1]}): expected counted again, then served from the new cache"
        )
    else:
        run.window.checks.append(
            f"dashboard figures kept at {before[1]} before; counted again on the first view after the restart, "
            f"served from the new cache ({second[1]}) on the next"
        )


async def restart_postgres(pg: ThrowawayPostgres, run: Run) -> None:
    seconds = await in_stack_thread(pg.restart)
    run.window.injected = f"pg_ctl restart -m fast took {seconds:.1f} s"
    await check_worker(run, "postgres")


# --- the run -------------------------------------------------------------------------------------


def hr_session() -> str:
    """An HR officer signed in (a stored session, as exam_load's --signed-in does for examinees)."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.models import Group
    from django.contrib.sessions.backends.db import SessionStore

    from people.models import Category, Role, User

    officer = User.objects.filter(category=Category.OFFICER).order_by("pk").first()
    hr = User.objects.create(police_number=HR_USER, name="人事", unit=officer.unit, category=Category.OFFICER)
    hr.groups.add(Group.objects.get_or_create(name=Role.HR)[0])
    store = SessionStore()
    store[SESSION_KEY] = str(hr.pk)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
    store[HASH_SESSION_KEY] = hr.get_session_auth_hash()
    store.create()
    return store.session_key


async def drive(stack: Stack, pg: ThrowawayPostgres, args, urls, sessions, hr_key: str) -> tuple[Run, list]:
    run = Run()
    connector = aiohttp.TCPConnector(limit=0, keepalive_timeout=2)
    async with aiohttp.ClientSession(
        base_url=stack.url,
        connector=connector,
        timeout=aiohttp.ClientTimeout(total=args.timeout),
        cookie_jar=aiohttp.DummyCookieJar(),
    ) as http:
        examinees = [load.Examinee(n, load.Browser(http, stack.url, run.stats)) for n in range(args.examinees)]
        for examinee in examinees:
            examinee.browser.cookies[sessions["cookie"]] = sessions[load.police_number(examinee.number)]
        hr = load.Browser(http, stack.url, run.stats)
        hr.cookies[sessions["cookie"]] = hr_key

        run.begin("starts")
        spacing = args.start_window / args.examinees

        async def start(examinee: load.Examinee, delay: float) -> tuple[str, str]:
            await asyncio.sleep(delay)
            return await load.open_paper(examinee, urls)

        papers = await asyncio.gather(*(start(e, n * spacing) for n, e in enumerate(examinees)))
        run.begin("steady")
        savers = [
            asyncio.create_task(keep_answering(e, take, save, run, args.every))
            for e, (take, save) in zip(examinees, papers, strict=True)
        ]
        await asyncio.sleep(args.steady)

        run.begin("kill -9 app server")
        await kill_app_server(stack, run, args.window)
        await asyncio.sleep(max(0.0, run.window.began + args.window - time.perf_counter()))

        run.begin("restart Redis")
        await restart_redis(stack, run, hr)
        await asyncio.sleep(max(0.0, run.window.began + args.window - time.perf_counter()))

        run.begin("restart PostgreSQL")
        await restart_postgres(pg, run)
        await asyncio.sleep(max(0.0, run.window.began + args.window - time.perf_counter()))

        run.begin("drain")
        run.answering = False
        try:
            await asyncio.wait_for(asyncio.gather(*savers), timeout=args.drain)
        except TimeoutError:
            run.window.problems.append(f"answers still not stored {args.drain:.0f} s after the last fault")
        run.begin("hand-in")
        results = await asyncio.gather(*(load.submit(e, urls, 0) for e in examinees), return_exceptions=True)
        for examinee, result in zip(examinees, results, strict=True):
            if isinstance(result, BaseException):
                examinee.failed = f"hand-in: {result}"
    return run, examinees


def lost_acknowledged(run: Run, exam_pk: int) -> dict[str, int]:
    """Per window: acknowledged saves whose seq (or a later one) is not in the database."""
    from django.db import close_old_connections

    from exams.models import Answer

    close_old_connections()
    stored = {
        (attempt, item): seq
        for attempt, item, seq in Answer.objects.filter(attempt__exam_id=exam_pk).values_list(
            "attempt_id", "paper_item_id", "client_seq"
        )
    }
    return {
        window.name: sum(stored.get((attempt, item), -1) < seq for attempt, item, seq in window.acks)
        for window in run.windows
    }


def report(run: Run, lost: dict[str, int]) -> None:
    print(
        f"\n{'window':<22}{'saves':>7}{'acked':>7}{'failed':>8}{'p50 ms':>8}{'p95 ms':>9}{'max wait s':>11}"
        f"{'lost':>6}  failed tries by kind"
    )
    for window in run.windows:
        phase = run.stats.phases.get(f"save: {window.name}")
        if phase is None:
            continue
        kinds = ", ".join(f"{kind} × {count}" for kind, count in window.failures.most_common()) or "-"
        wait = f"{max(window.waits):.1f}" if window.waits else "-"
        print(
            f"{window.name:<22}{phase.count:>7}{len(window.acks):>7}{phase.errors:>8}{phase.percentile(50):>8.0f}"
            f"{phase.percentile(95):>9.0f}{wait:>11}{lost.get(window.name, 0):>6}  {kinds}"
        )
    print("(saves: tries sent in the window, retries included; acked: answered 200 with the seq sent; max wait:")
    print(" longest time from the first try of a save that failed to its acknowledgement, by the window it")
    print(" was first tried in; lost: acknowledged saves whose seq or a later one is not in the database)")
    for window in run.windows:
        for line in ([window.injected] if window.injected else []) + window.checks:
            print(f"  {window.name}: {line}")
        for problem in window.problems:
            print(f"  {window.name}: PROBLEM {problem}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_stack_arguments(parser, database="fazhi_stack_faults")
    parser.add_argument("--examinees", type=int, default=200)
    parser.add_argument("--questions", type=int, default=30)
    parser.add_argument("--bank", type=int, default=100, help="questions of each objective type in the bank")
    parser.add_argument("--start-window", type=float, default=20.0)
    parser.add_argument("--every", type=float, default=5.0, help="seconds between one examinee's changes")
    parser.add_argument("--steady", type=float, default=20.0, help="seconds of load before the first fault")
    parser.add_argument("--window", type=float, default=40.0, help="seconds of each fault's window")
    parser.add_argument("--drain", type=float, default=120.0, help="seconds allowed for the last retries")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds before a request counts as failed")
    args = parser.parse_args()
    args.no_draw_ahead = False
    if args.postgres:
        parser.error("the PostgreSQL restart needs the bench's own cluster (--pg-port), not --postgres")

    print(
        f"machine: {os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}; "
        f"load average before {os.getloadavg()[0]:.2f}",
        flush=True,
    )
    pg = ThrowawayPostgres(args.pg_port)
    stack = None
    try:
        pg.start()
        RUN_DIR.mkdir(parents=True, exist_ok=True)
        seed_static_files(RUN_DIR)
        stack = Stack(stack_load.stack_config(args, pg.url, args.database))
        stack.start()
        if stack.redis is None:
            raise StackError(f"something already answers at {args.redis_url}: the Redis restart needs the stack's own")
        print(f"stack: {stack.url} -> {len(stack.app_servers)} app servers, {stack.database_url}, {args.redis_url}")
        exam_pk, urls, sessions = stack_load.prepare_exam(stack, args)
        hr_key = hr_session()
        from django.db import connections

        connections.close_all()
        print(f"load: {args.examinees} examinees, one change every ~{args.every:g} s each; faults one at a time")
        run, examinees = asyncio.run(drive(stack, pg, args, urls, sessions, hr_key))
        lost = lost_acknowledged(run, exam_pk)
        report(run, lost)
        problems = [problem for window in run.windows for problem in window.problems]
        for examinee in examinees:  # the answers changed in the run (a short run does not reach every question)
            examinee.items = [item for item in examinee.items if item.pk in examinee.last_sent]
        problems += load.verify(examinees, exam_pk)
        problems += [f"examinee {e.number}: {e.failed}" for e in examinees if e.failed]
        if stack.exited():
            problems.append(f"stack processes exited: {', '.join(stack.exited())}")
        print(f"\nacknowledged saves lost: {sum(lost.values())}; load average after {os.getloadavg()[0]:.2f}")
        print(
            "database check: "
            + ("every examinee handed in, every answer as last acknowledged" if not problems else "FAILED")
        )
        for problem in problems[:15]:
            print(f"  {problem}")
        return 1 if problems or sum(lost.values()) else 0
    except StackError as error:
        print(f"stack: {error}", file=sys.stderr)
        return 1
    finally:
        tear_down(stack, pg)
        STACK_THREAD.shutdown()


if __name__ == "__main__":
    sys.exit(main())
