"""Exam delivery under load on the city stack (issue 15, item 3): the examinees of
bench/exam_load.py, through nginx to two gunicorn app servers on PostgreSQL, Redis and a qcluster.

What it does, in order:

1. Starts a PostgreSQL cluster of its own (``initdb`` into a folder under /tmp, ``pg_ctl`` on
   127.0.0.1:``--pg-port``, as the ``postgres`` user when run as root), so the CPU of every
   ``postgres`` process is this run's and nobody else's database server is touched;
   ``--postgres URL`` uses an existing server instead (its CPU then includes its other users).
2. Starts the stack (deploy/stack.py) on ports of its own: nginx ``--nginx-port`` in front of app
   servers ``--app-ports`` (gunicorn, bench/gunicorn.conf.py, ``StackConfig.gunicorn_workers``
   workers each, production settings), database ``--database`` created afresh and migrated, Redis
   at ``--redis-url`` (a redis-server of the stack's own when nothing answers there) as broker and
   cache, one ``qcluster``; no demo data.
3. Points Django in this process at the stack (its environment: DATABASE_URL, REDIS_URL, production
   settings) and builds the same data as exam_load.py (bank, blueprint, N officers, an open exam),
   draws the N papers ahead as the stack's worker does before an exam opens, and (by default)
   stores a session for each examinee (``--log-in``: the real login form, PBKDF2 included).
4. Runs exam_load.py's examinees against nginx (``stack.url``; Origin and CSRF as a browser on the
   stack's BASE_URL): bare view saturated, starts over ``--start-window``, autosaves, status polls,
   focus events, the invigilation board, autosave saturated, then **status poll saturated** (this
   script's extra phase), then the hand-ins. Halfway through the autosaves it takes a backup
   (``manage.py backup`` with the stack's environment, as the nightly schedule would).
5. Samples twice a second, from /proc, the CPU of each component: each app server's process tree
   (gunicorn master and workers), PostgreSQL (the postmaster's tree, plus the CPU of backends that
   exited, which the kernel adds to the postmaster), redis-server, nginx (master and workers), the
   qcluster tree, and this process (the simulated browsers).
6. Checks the database as exam_load.py does (every examinee one submitted attempt with every answer
   as last sent), restores the backup into an empty database on the same server (``manage.py
   restore``, which checks the manifest's counts itself) and counts the manifest's tables there
   once more. Any error, lost answer or count that differs: exit 1.

**CPU per request**, from the cores each component used in a phase divided by that phase's request
rate (cores ÷ requests per second = CPU seconds per request):

- save = cores ÷ saves/s during *autosave (saturated)* (nothing else runs then);
- status poll = cores ÷ polls/s during *status poll (saturated)*;
- submit = cores ÷ submits/s during *submit* (hand-ins spread over the start window, nothing else);
- start (rules page + start + paper page) = (cores during *start* − saves/s × save − polls/s ×
  poll, both rates counted inside the start window) ÷ starts/s.

Usage: python bench/stack_load.py [--examinees 1000] [--start-window 60] [--think 8 12]
       (``make bench-stack``; every exam_load.py option about the examinees applies)
Targets (issue 15): 1,000 examinees starting over 60 s and saving every ~10 s with 0 errors,
start p95 ≤ 500 ms and autosave p95 ≤ 100 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import platform
import random
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path[:0] = [str(BENCH), str(ROOT)]

import exam_load as load  # noqa: E402

from deploy.stack import Stack, StackConfig, StackError, port_open  # noqa: E402

PG_BIN = Path("/usr/lib/postgresql/15/bin")
# Kept between runs of both stack benches: collectstatic takes a minute of CPU and is reused
# while the sources are unchanged (deploy/stack.py's fingerprint).
RUN_DIR = Path(tempfile.gettempdir()) / "fazhi-stack-bench"


# --- a PostgreSQL cluster of the bench's own ------------------------------------------------------


class ThrowawayPostgres:
    """``initdb`` + ``pg_ctl`` on 127.0.0.1:``port`` in ``folder`` (trust authentication, defaults
    otherwise, as the Debian package has them); run as the ``postgres`` user when this is root,
    since initdb refuses root. ``stop()`` stops it and deletes the folder."""

    def __init__(self, port: int, folder: Path | None = None):
        self.port = port
        self.folder = folder or Path(tempfile.gettempdir()) / f"fazhi-pg-{port}"
        self.data = self.folder / "data"
        self.log = self.folder / "postgres.log"
        self.started = False

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}"

    def _run(self, *command: str, timeout: float = 120) -> subprocess.CompletedProcess:
        words = [str(word) for word in command]
        if os.geteuid() == 0:
            words = ["su", "postgres", "-s", "/bin/sh", "-c", shlex.join(words)]
        result = subprocess.run(words, cwd="/tmp", capture_output=True, text=True, timeout=timeout)
        if result.returncode != 0:
            raise StackError(f"{' '.join(command[:2])} failed: {result.stderr.strip() or result.stdout.strip()}")
        return result

    def start(self) -> None:
        if port_open("127.0.0.1", self.port):
            raise StackError(f"Port {self.port} is in use: another PostgreSQL? Stop it or pick --pg-port.")
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir(parents=True)
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres", "postgres")
        self._run(PG_BIN / "initdb", "-D", self.data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-locale")
        self.started = True
        self._run(
            PG_BIN / "pg_ctl", "-D", self.data, "-l", self.log, "-w", "-o",
            f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={self.folder}", "start",
        )  # fmt: skip

    def restart(self) -> float:
        """``pg_ctl restart -m fast``: every connection is cut, the server comes back (seconds taken)."""
        began = time.perf_counter()
        self._run(PG_BIN / "pg_ctl", "-D", self.data, "-l", self.log, "-w", "-m", "fast", "restart")
        return time.perf_counter() - began

    def postmaster(self) -> int | None:
        with contextlib.suppress(OSError, ValueError, IndexError):
            return int((self.data / "postmaster.pid").read_text().split()[0])
        return None

    def stop(self) -> None:
        if self.started:
            with contextlib.suppress(StackError, subprocess.TimeoutExpired):
                self._run(PG_BIN / "pg_ctl", "-D", self.data, "-w", "-m", "fast", "stop")
            self.started = False
        shutil.rmtree(self.folder, ignore_errors=True)


def seed_static_files(run_dir: Path) -> None:
    """Start from static files another stack already collected (the stack checks they match)."""
    target = run_dir / "static"
    if (target / ".fingerprint").exists():
        return
    for other in (Path(tempfile.gettempdir()) / "fazhi-stack-test" / "static", ROOT / "data" / "stack" / "static"):
        if (other / ".fingerprint").exists():
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(other, target)
            return


def stack_config(args: argparse.Namespace, postgres: str, database: str) -> StackConfig:
    return StackConfig(
        nginx_port=args.nginx_port,
        app_ports=tuple(args.app_ports),
        postgres=postgres,
        database=database,
        redis_url=args.redis_url,
        run_dir=RUN_DIR,
        fresh=True,
        demo_data=False,
        env={"LOG_LEVEL": "WARNING"},
    )


def add_stack_arguments(parser: argparse.ArgumentParser, *, database: str) -> None:
    parser.add_argument("--nginx-port", type=int, default=28080)
    parser.add_argument("--app-ports", type=int, nargs="+", default=[28101, 28102])
    parser.add_argument("--database", default=database)
    parser.add_argument(
        "--redis-url", default="redis://127.0.0.1:16391/0", help="a redis-server of the stack's own when none answers"
    )
    parser.add_argument("--pg-port", type=int, default=15433, help="port of the bench's own PostgreSQL cluster")
    parser.add_argument("--postgres", help="use this PostgreSQL server (postgres://user@host:port) instead")


def prepare_exam(stack: Stack, args: argparse.Namespace) -> tuple[int, dict[str, str], dict[str, str] | None]:
    """Django in this process on the stack's database; the exam, its papers drawn ahead, sessions."""
    load.django_setup(stack.env)
    from django.db import connections

    began = time.perf_counter()
    exam_pk = load.build_exam(examinees=args.examinees, questions=args.questions, bank_per_type=args.bank, seed=2026)
    print(
        f"data: {4 * args.bank} questions, {args.examinees} officers, {args.questions} questions a paper "
        f"in {time.perf_counter() - began:.1f} s",
        flush=True,
    )
    if not args.no_draw_ahead:
        print(f"papers drawn ahead (the worker's job before the exam opens): {load.draw_ahead(exam_pk)}", flush=True)
    sessions = load.signed_in_sessions(args.examinees) if not getattr(args, "log_in", False) else None
    urls = load.url_patterns(exam_pk)
    connections.close_all()
    return exam_pk, urls, sessions


# --- CPU per component ---------------------------------------------------------------------------


def process_table() -> dict[int, tuple[int, float]]:
    """pid → (parent pid, CPU seconds of the process and of its children that exited and were reaped)."""
    tick = os.sysconf("SC_CLK_TCK")
    table = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        table[int(entry.name)] = (int(fields[1]), sum(int(value) for value in fields[11:15]) / tick)
    return table


def tree_cpu(table: dict[int, tuple[int, float]], roots: list[int]) -> float:
    children: dict[int, list[int]] = {}
    for pid, (parent, _) in table.items():
        children.setdefault(parent, []).append(pid)
    seen, todo = set(), [root for root in roots if root in table]
    while todo:
        pid = todo.pop()
        if pid not in seen:
            seen.add(pid)
            todo.extend(children.get(pid, ()))
    return sum(table[pid][1] for pid in seen)


def postmasters() -> list[int]:
    """Every PostgreSQL server's postmaster on the machine (when the bench uses a shared server)."""
    found = []
    for entry in Path("/proc").iterdir():
        with contextlib.suppress(OSError, IndexError):
            if (
                entry.name.isdigit()
                and (entry / "comm").read_text().strip() == "postgres"
                and (entry / "stat").read_text().rsplit(")", 1)[1].split()[1] == "1"
            ):
                found.append(int(entry.name))
    return found


def redis_pid(stack: Stack) -> int | None:
    if stack.redis is not None:
        return stack.redis.pid
    for entry in Path("/proc").iterdir():
        with contextlib.suppress(OSError):
            if (
                entry.name.isdigit()
                and (entry / "comm").read_text().strip() == "redis-server"
                and f":{stack.redis_port}".encode() in (entry / "cmdline").read_bytes()
            ):
                return int(entry.name)
    return None


COMPONENTS = ("app servers", "postgres", "redis", "nginx", "qcluster", "client")


@dataclass
class ComponentSample:
    at: float
    cpu: dict[str, float]


@dataclass
class ComponentSampler:
    """exam_load's sampler (its ``server`` column is the app servers together) that also keeps the
    CPU of each component of the stack."""

    stack: Stack
    pg: ThrowawayPostgres | None
    samples: list[ComponentSample] = field(default_factory=list)

    def components(self) -> dict[str, float]:
        table = process_table()
        cpu = {server.name: tree_cpu(table, [server.pid]) for server in self.stack.app_servers if server.pid}
        cpu["app servers"] = sum(cpu.values())
        postmaster = self.pg.postmaster() if self.pg else None
        cpu["postgres"] = tree_cpu(table, [postmaster] if postmaster else postmasters())
        cpu["redis"] = tree_cpu(table, [pid] if (pid := redis_pid(self.stack)) else [])
        cpu["nginx"] = tree_cpu(table, [self.stack.nginx.pid] if self.stack.nginx else [])
        cpu["qcluster"] = tree_cpu(table, [worker.pid for worker in self.stack.workers])
        cpu["client"] = time.process_time()
        return cpu

    async def __call__(self, stats: load.Stats, master: int, done: asyncio.Event) -> None:
        while not done.is_set():
            busy, total = load.machine_cpu()
            at, cpu = time.perf_counter(), self.components()
            self.samples.append(ComponentSample(at, cpu))
            stats.cpu.append(load.CpuSample(at, cpu["app servers"], cpu["client"], busy, total))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(done.wait(), timeout=0.5)

    def cores(self, first: float, last: float) -> dict[str, float] | None:
        inside = [sample for sample in self.samples if first <= sample.at <= last]
        if len(inside) < 2:
            return None
        a, b = inside[0], inside[-1]
        return {name: (b.cpu[name] - a.cpu[name]) / (b.at - a.at) for name in b.cpu if name in a.cpu}


# --- the extra phase and the backup --------------------------------------------------------------


async def status_saturated(examinees: list, urls: dict[str, str], loops: int, seconds: float) -> None:
    """``loops`` clients asking random open papers for their status back to back for ``seconds``."""
    stop = time.perf_counter() + seconds
    rng = random.Random(11)
    ready = [e for e in examinees if e.attempt and not e.failed]

    async def loop() -> None:
        while time.perf_counter() < stop and ready:
            examinee = rng.choice(ready)
            with contextlib.suppress(load.RequestFailed):
                await examinee.browser.request(
                    "status poll (saturated)", "GET", urls["status"].format(attempt=examinee.attempt), expect=200
                )

    await asyncio.gather(*(loop() for _ in range(loops)))


async def backup_during(stack: Stack, stats: load.Stats, after_saves: int, result: dict) -> None:
    """``manage.py backup`` once ``after_saves`` autosaves have been answered (the load goes on)."""
    while (phase := stats.phases.get("autosave")) is None or phase.count < after_saves:
        await asyncio.sleep(1)
    result["began"] = time.perf_counter()
    result["saves before"] = stats.phases["autosave"].count
    completed = await asyncio.to_thread(stack.manage, "backup", check=False, timeout=900)
    result["ended"] = time.perf_counter()
    result["returncode"] = completed.returncode
    result["output"] = (completed.stdout + completed.stderr).strip()
    backups = stack.run_dir / "data" / "backups"
    written = sorted(path for path in backups.glob("*") if (path / "manifest.json").exists())
    if completed.returncode == 0 and written:
        result["path"] = written[-1]
        result["manifest"] = json.loads((written[-1] / "manifest.json").read_text())


def restore_check(stack: Stack, backup: dict) -> list[str]:
    """Restore the backup into an empty database of the same server and count its tables there."""
    import psycopg

    problems = []
    database = f"{stack.config.database}_restore"
    quoted = f'"{database}"'
    with psycopg.connect(f"{stack.config.postgres}/postgres", autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {quoted} WITH (FORCE)")
        connection.execute(f"CREATE DATABASE {quoted}")
    scratch = Path(tempfile.mkdtemp(prefix="fazhi-restore-"))
    env = stack.env | {
        "DATABASE_URL": f"{stack.config.postgres}/{database}",
        "DATA_DIR": str(scratch),
        "MEDIA_ROOT": str(scratch / "media"),
        "BACKUP_DIR": str(scratch / "backups"),
    }
    try:
        began = time.perf_counter()
        completed = subprocess.run(
            [sys.executable, "manage.py", "restore", str(backup["path"])],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
        )
        seconds = time.perf_counter() - began
        print(f"\nrestore into the empty database {database}: exit {completed.returncode} in {seconds:.1f} s")
        print("  " + "\n  ".join((completed.stdout + completed.stderr).strip().splitlines()[-12:]))
        if completed.returncode != 0:
            return [f"restore failed with exit {completed.returncode}"]
        print(f"  {'table':<60}{'in the manifest':>16}{'restored':>10}")
        with psycopg.connect(env["DATABASE_URL"], autocommit=True) as connection:
            for label, entry in backup["manifest"]["counts"].items():
                table = entry["table"]
                # The restore records itself in the audit log after checking the counts.
                own = " WHERE action <> 'portal.backup.restored'" if table == "portal_auditentry" else ""
                rows = connection.execute(f'SELECT count(*) FROM "{table}"{own}').fetchone()[0]  # noqa: S608
                print(f"  {label + ' (' + table + ')':<60}{entry['rows']:>16,}{rows:>10,}")
                if rows != entry["rows"]:
                    problems.append(f"restored {table}: {rows} rows, the manifest says {entry['rows']}")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
        with psycopg.connect(f"{stack.config.postgres}/postgres", autocommit=True) as connection:
            connection.execute(f"DROP DATABASE IF EXISTS {quoted} WITH (FORCE)")
    return problems


# --- report --------------------------------------------------------------------------------------


def report_components(stats: load.Stats, sampler: ComponentSampler, app_names: list[str]) -> None:
    names = [*app_names, "postgres", "redis", "nginx", "qcluster", "client"]
    print("\ncores used per component (from /proc), from the phase's first to its last request:")
    print(f"{'phase':<28}" + "".join(f"{name:>10}" for name in names) + f"{'total':>9}")
    steady = stats.steady("autosave", after="take page")
    for name in load.ORDER:
        phase = stats.phases.get(name) or (steady if steady and name == steady.name else None)
        cores = sampler.cores(phase.first, phase.last) if phase else None
        if cores is None:
            continue
        total = sum(cores.get(key, 0.0) for key in names)
        print(f"{name:<28}" + "".join(f"{cores.get(key, math.nan):>10.2f}" for key in names) + f"{total:>9.2f}")


COST_KEYS = ("app servers", "postgres", "redis", "nginx", "qcluster")


@dataclass
class Costs:
    """CPU milliseconds per request for each component (``per``), and for a start the rates of the
    saves and polls subtracted from its window (``inside``)."""

    per: dict[str, dict[str, float]] = field(default_factory=dict)
    inside: tuple[float, float] = (0.0, 0.0)


def cost_per_request(stats: load.Stats, sampler: ComponentSampler) -> Costs:
    """Cores ÷ requests per second in the phases, as the docstring says."""
    costs = Costs()
    measured = {"save": "autosave (saturated)", "status poll": "status poll (saturated)", "submit": "submit"}
    for label, name in measured.items():
        phase = stats.phases.get(name)
        cores = sampler.cores(phase.first, phase.last) if phase and phase.throughput else None
        if cores:
            costs.per[label] = {key: cores[key] / phase.throughput * 1000 for key in COST_KEYS}
    start = stats.phases.get("start")
    cores = sampler.cores(start.first, start.last) if start and start.throughput else None
    if cores and "save" in costs.per and "status poll" in costs.per:
        window = start.last - start.first

        def rate_inside(name: str) -> float:
            phase = stats.phases.get(name)
            return sum(start.first <= began <= start.last for began in phase.began) / window if phase else 0.0

        saves, polls = rate_inside("autosave"), rate_inside("status poll")
        costs.inside = (saves, polls)
        costs.per["start"] = {
            key: max(0.0, cores[key] - (saves * costs.per["save"][key] + polls * costs.per["status poll"][key]) / 1000)
            / start.throughput
            * 1000
            for key in COST_KEYS
        }
    return costs


def report_costs(costs: Costs) -> None:
    print("\nCPU per request (ms; cores ÷ requests per second in the phase, see the docstring):")
    print(f"{'request':<36}" + "".join(f"{key:>12}" for key in COST_KEYS))
    labels = {
        "start": "start (rules page + start + paper)",
        "save": "save (autosave saturated)",
        "status poll": "status poll (saturated)",
        "submit": "submit (hand-in, graded)",
    }
    for key, label in labels.items():
        if key in costs.per:
            print(f"{label:<36}" + "".join(f"{costs.per[key][name]:>12.2f}" for name in COST_KEYS))
    if "start" in costs.per:
        saves, polls = costs.inside
        print(f"  (start: the start window's cores less {saves:.1f} saves/s and {polls:.1f} polls/s at those costs)")


# --- main ----------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    load.add_load_arguments(parser)
    add_stack_arguments(parser, database="fazhi_stack_load")
    parser.add_argument("--log-in", action="store_true", help="log every examinee in through the form (PBKDF2)")
    parser.add_argument("--no-backup", action="store_true", help="no backup during the load (and no restore)")
    parser.set_defaults(examinees=1000, start_window=60.0, think=[8.0, 12.0])
    args = parser.parse_args()

    print(
        f"machine: {os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}; "
        f"load average before {os.getloadavg()[0]:.2f}",
        flush=True,
    )
    pg = None if args.postgres else ThrowawayPostgres(args.pg_port)
    stack = None
    try:
        if pg is not None:
            began = time.perf_counter()
            pg.start()
            print(f"PostgreSQL: a cluster of the bench's own at {pg.url} ({time.perf_counter() - began:.1f} s)")
        RUN_DIR.mkdir(parents=True, exist_ok=True)
        seed_static_files(RUN_DIR)
        stack = Stack(stack_config(args, pg.url if pg else args.postgres.rstrip("/"), args.database))
        stack.start()
        print(
            f"stack: nginx {stack.url} -> app servers {', '.join(str(s.port) for s in stack.app_servers)} "
            f"({stack.config.gunicorn_workers} gunicorn workers each, bench/gunicorn.conf.py), "
            f"{stack.database_url}, Redis {stack.config.redis_url}{' (its own)' if stack.redis else ''}, "
            f"{len(stack.workers)} qcluster; up in {stack.timings['total']:.0f} s",
            flush=True,
        )
        exam_pk, urls, sessions = prepare_exam(stack, args)
        print(
            f"load: {args.examinees} examinees, starts over {args.start_window:.0f} s, "
            f"one autosave every {args.think[0]:g}–{args.think[1]:g} s each, status poll every {args.poll:g} s",
            flush=True,
        )
        stats = load.Stats()
        sampler = ComponentSampler(stack, pg)
        backup: dict = {}

        async def after_answers(examinees: list) -> None:
            await status_saturated(examinees, urls, args.saturate, args.saturate_seconds)

        async def run() -> list:
            task = None
            if not args.no_backup:
                task = asyncio.create_task(backup_during(stack, stats, args.examinees * args.questions // 2, backup))
            examinees = await load.run_load(
                args,
                stack.config.nginx_port,
                urls,
                stats,
                0,
                sessions,
                base_url=stack.url,
                origin=stack.url,
                sampler=sampler,
                after_answers=after_answers,
            )
            if task is not None:
                if not task.done() and "began" in backup:
                    await task  # the backup started: let it finish
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            return examinees

        examinees = asyncio.run(run())
        load_after = os.getloadavg()[0]
        load.report(stats, args)
        report_components(stats, sampler, [server.name for server in stack.app_servers])
        report_costs(cost_per_request(stats, sampler))
        print(f"\nload average after: {load_after:.2f}")

        failed = [e for e in examinees if e.failed]
        for examinee in failed[:5]:
            print(f"  examinee {examinee.number} gave up: {examinee.failed}")
        problems = load.verify(examinees, exam_pk)
        print(
            "database check: "
            + ("every examinee has one submitted attempt with every answer" if not problems else "FAILED")
        )
        for problem in problems[:10]:
            print(f"  {problem}")
        if not args.no_backup:
            problems += backup_report(backup)
            if "manifest" in backup:
                problems += restore_check(stack, backup)
        gone = stack.exited()
        if gone:
            problems.append(f"stack processes exited: {', '.join(gone)}")
        if stats.errors() or problems or failed:
            print(f"\nFAILED: {stats.errors()} errors, {len(failed)} examinees gave up, {len(problems)} problems")
            print(f"logs: {stack.logs}")
            return 1
        return 0
    except StackError as error:
        print(f"stack: {error}", file=sys.stderr)
        return 1
    finally:
        tear_down(stack, pg)


def backup_report(backup: dict) -> list[str]:
    if "began" not in backup:
        return ["no backup was taken during the load"]
    print(
        f"\nbackup during the load (after {backup['saves before']:,} autosaves): exit {backup['returncode']} "
        f"in {backup['ended'] - backup['began']:.1f} s"
    )
    if "manifest" not in backup:
        print("  " + "\n  ".join(backup["output"].splitlines()[-10:]))
        return ["the backup during the load failed"]
    manifest = backup["manifest"]
    size = (
        sum(entry.get("bytes", 0) for entry in manifest.get("files", {}).values())
        if isinstance(manifest.get("files"), dict)
        else 0
    )
    counts = ", ".join(f"{label} {entry['rows']:,}" for label, entry in manifest["counts"].items())
    print(f"  {backup['path']}{f' ({size / 1e6:.1f} MB)' if size else ''}: {counts}")
    return []


def tear_down(stack: Stack | None, pg: ThrowawayPostgres | None) -> None:
    """Close this process's connections, stop the stack, drop its database, stop the cluster."""
    with contextlib.suppress(Exception):
        from django.db import connections

        connections.close_all()
    if stack is not None:
        stack.stop()
        drop_database(stack.config.postgres, stack.config.database)
    if pg is not None:
        pg.stop()


def drop_database(postgres: str, database: str) -> None:
    import psycopg

    with contextlib.suppress(Exception), psycopg.connect(f"{postgres}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


if __name__ == "__main__":
    sys.exit(main())
