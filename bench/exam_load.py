"""Exam delivery under load: N examinees log in, start within a window, autosave every answer and
submit, against gunicorn running the production settings on a throwaway SQLite database.

What it does, in order:

1. Creates a temporary folder with a SQLite database (the project's defaults: WAL, IMMEDIATE
   transactions) and migrates it (from a copy of the previous run's migrated database, kept in the
   temp directory, so only new migrations run), with ``config.settings.production``: DEBUG off, a
   random SECRET_KEY, ALLOWED_HOSTS 127.0.0.1, HTTPS as seen through a reverse proxy (the client
   sends ``X-Forwarded-Proto: https`` as nginx does, so secure cookies, the SSL redirect and
   CSRF's origin check stay on). The static files (production's manifest storage needs them to
   render pages) are collected into a folder in the temp directory that later runs reuse while it
   matches the sources.
2. Builds a bank of objective questions (bulk inserts), a blueprint drawing ``--questions`` of
   them with shuffled options, N officers sharing one precomputed password hash, and a published
   exam open now with the N officers on its roster; then draws the N papers ahead, as the task
   worker does in the hour before an exam opens (``--no-draw-ahead``: each start draws its own).
3. Starts gunicorn (bench/gunicorn.conf.py unless overridden) on a free port.
4. Drives the examinees with one asyncio HTTP client (aiohttp):
   - login: the real form (GET for the CSRF token, POST), ``--login-concurrency`` at a time, all
     before the exam starts, so password hashing is not in the start latency (``--signed-in``
     stores a session for each examinee instead: 1,000 logins take minutes of CPU);
   - bare view before the exam: ``/healthz`` (no database, session or template) as fast as
     ``--saturate`` concurrent loops can for ``--saturate-seconds``: the server's ceiling;
   - start: the examinees open the start page and POST ``exam_start`` evenly spread over
     ``--start-window`` seconds, then GET the paper (``attempt_take``);
   - autosave: each examinee answers every question of its paper in order, one JSON POST to
     ``attempt_save`` per answer after a think time drawn uniformly from ``--think`` seconds
     (the default 5–10 s per answer is far busier than a real paper: see docs/PERFORMANCE.md);
     the paper's items (ids, types, option order) are read from the database after the start, as
     the page's script would read them from the page. Meanwhile ``/healthz`` is probed
     ``--probe-rate`` times a second: the latency of a request that needs no database under the
     same load;
   - autosave saturated: once everyone has answered, ``--saturate`` loops re-save answers as fast
     as they can for ``--saturate-seconds``; divided by the bare view's throughput this gives the
     ratio (how many bare requests one autosave costs) that compares across machines;
   - invigilation board: while the examinees answer, one invigilator (a trainer, logged in like
     the examinees) polls the board's JSON (``exam_board_json``, every examinee of the exam) every
     ``--board-every`` seconds, as the board page does;
   - status polls: each open paper asks for its time left and room messages every ``--poll``
     seconds (10, the page's ``EXAMS_STATUS_POLL_SECONDS``) while its examinee answers, skipping a
     poll after an acknowledged save (at most two in a row) as take.js does;
   - focus events: one examinee in ten reports 1–3 focus losses (POST ``attempt_event``, JSON)
     at random moments between its saves (the exam records focus losses, with no automatic hand-in);
   - submit: POST ``attempt_submit``, spread over the same window as the starts.
5. Stops gunicorn and checks the database: every examinee has exactly one submitted attempt with
   every answer stored, as last sent, and the focus losses it reported.

Prints count, errors, p50 / p95 / p99 latency and throughput per phase (autosave also restricted to
the saves sent once every paper was open), the CPU used meanwhile by gunicorn, by the client and
by the whole machine (from /proc: on a shared machine other processes' load shows there), the
ratio and the targets; exits 1 on any error or failed check.

Usage: python bench/exam_load.py [--examinees 300] [--questions 30] [--start-window 30]
       (``make bench-exams`` installs the bench extra and runs it with the defaults)
Targets (issue 5, 2 cores, SQLite): 300 concurrent examinees with autosave p95 ≤ 100 ms and zero
errors; 300 starts in 30 s with p95 ≤ 500 ms. Issue 14: the invigilation board's JSON p95 ≤ 300 ms
with 1,000 examinees.
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
import re
import secrets
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
PASSWORD = "Bench-pass-2026"
INVIGILATOR = "800000"
FOCUS_KINDS = ("focus_lost", "tab_hidden", "fullscreen_exit")
SENTINEL_PK = 987654321  # reversed into URL patterns, then replaced by real primary keys
OPTION_KEYS = "ABCDEFGH"
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


# --- the server side: database, data, gunicorn ------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def production_environment(folder: Path, port: int) -> dict[str, str]:
    """The environment of a production branch server whose data lives in ``folder``."""
    env = {key: value for key, value in os.environ.items() if key not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY=secrets.token_urlsafe(60),
        ALLOWED_HOSTS="127.0.0.1",
        BASE_URL=f"https://127.0.0.1:{port}",
        DATA_DIR=str(folder),
        SQLITE_PATH=str(folder / "db.sqlite3"),
        STATIC_ROOT=str(Path(tempfile.gettempdir()) / "fazhi-exam-load-static"),
        MEDIA_ROOT=str(folder / "media"),
        LOG_LEVEL="WARNING",
        PYTHONPATH=os.pathsep.join([str(ROOT / "site"), str(ROOT)]),
    )
    return env


def django_setup(env: dict[str, str]) -> None:
    os.environ.update(env)
    sys.path[:0] = [str(ROOT / "site"), str(ROOT)]
    import django

    django.setup()


def prepare_database() -> dict[str, float]:
    from django.core.management import call_command
    from django.db import connection

    timings = {}
    began = time.perf_counter()
    database = Path(connection.settings_dict["NAME"])
    template = Path(tempfile.gettempdir()) / "fazhi-exam-load-migrated.sqlite3"
    connection.close()
    if template.exists():  # an earlier run's migrated, empty database: migrate applies only what is new
        copy_database(template, database)
    call_command("migrate", verbosity=0, interactive=False)
    connection.close()
    copy_database(database, template)
    timings["migrate"] = time.perf_counter() - began
    began = time.perf_counter()
    if not static_files_current(Path(os.environ["STATIC_ROOT"])):
        call_command("collectstatic", verbosity=0, interactive=False)
    timings["collectstatic"] = time.perf_counter() - began
    return timings


def copy_database(source: Path, target: Path) -> None:
    """A consistent copy of a SQLite database (its WAL included), through SQLite's backup API."""
    source_connection, target_connection = sqlite3.connect(source), sqlite3.connect(target)
    try:
        source_connection.backup(target_connection)
    finally:
        source_connection.close()
        target_connection.close()


def static_files_current(static_root: Path) -> bool:
    """Whether an earlier run's collected static files still match the sources. Collecting (with
    WhiteNoise's compression) takes minutes; the pages only need the manifest to be complete."""
    from django.contrib.staticfiles.finders import get_finders

    manifest = static_root / "staticfiles.json"
    if not manifest.exists():
        return False
    known = json.loads(manifest.read_text())["paths"]
    stamp = manifest.stat().st_mtime
    for finder in get_finders():
        for path, storage in finder.list(["CVS", ".*", "*~"]):
            if path not in known or os.path.getmtime(storage.path(path)) > stamp:
                return False
    return True


def build_bank(per_type: int, rng: random.Random) -> None:
    """``per_type`` active 基本级 questions of each objective type, one version each."""
    from django.db import connection

    from courses.models.choices import Tier
    from exams.models import Question, QuestionStatus, QuestionType, QuestionVersion

    stems = {
        QuestionType.SINGLE: "<p>单选第{n}题：接到报警后，民警应当首先做什么？</p>",
        QuestionType.MULTIPLE: "<p>多选第{n}题：现场处置应当包括哪些工作？</p>",
        QuestionType.TRUE_FALSE: "<p>判断第{n}题：执法记录仪应当全程开启。</p>",
        QuestionType.FILL_BLANK: "<p>填空第{n}题：伤情鉴定应当在____小时内委托。</p>",
    }
    options = [{"key": key, "text": f"<p>选项{key}：依法处置的一种做法</p>"} for key in "ABCD"]

    def content(question_type: str) -> dict:
        if question_type == QuestionType.SINGLE:
            return {"options": options, "answer": rng.choice("ABCD")}
        if question_type == QuestionType.MULTIPLE:
            return {"options": options, "answer": sorted(rng.sample("ABCD", rng.randint(2, 3)))}
        if question_type == QuestionType.TRUE_FALSE:
            return {"answer": rng.random() < 0.5}
        return {"answer": [["二十四", "24"]]}

    for question_type in (QuestionType.SINGLE, QuestionType.MULTIPLE, QuestionType.TRUE_FALSE, QuestionType.FILL_BLANK):
        questions = Question.objects.bulk_create(
            [
                Question(
                    type=question_type,
                    status=QuestionStatus.ACTIVE,
                    difficulty=rng.randint(1, 5),
                    tier=Tier.BASIC,
                    normalized_stem=f"{question_type}题干{n}",
                )
                for n in range(per_type)
            ]
        )
        QuestionVersion.objects.bulk_create(
            [
                QuestionVersion(
                    question_id=question.pk,
                    number=1,
                    stem=stems[question_type].format(n=n),
                    explanation="<p>解析：依照法律规定。</p>",
                    legal_basis="《中华人民共和国人民警察法》",
                    **content(question_type),
                )
                for n, question in enumerate(questions)
            ]
        )
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE exams_question SET current_version_id = "
            "(SELECT v.id FROM exams_questionversion v WHERE v.question_id = exams_question.id) "
            "WHERE current_version_id IS NULL"
        )


def build_exam(*, examinees: int, questions: int, bank_per_type: int, seed: int) -> int:
    """The bank, the blueprint, the officers and the exam; returns the exam's primary key."""
    import datetime

    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group
    from django.utils import timezone

    from exams.models import Exam, ExamInvitation, ExamStatus, QuestionType
    from exams.services.blueprints import BlueprintSpec, RuleSpec, SectionSpec, blueprint_create
    from people.models import Category, Role, Unit, User

    rng = random.Random(seed)
    build_bank(bank_per_type, rng)

    singles = questions // 2
    multiples = trues = questions // 6
    blanks = questions - singles - multiples - trues
    blueprint = blueprint_create(
        spec=BlueprintSpec(
            title="基本级执法资格考试（压力测试）",
            status="active",
            shuffle_options=True,
            sections=[
                SectionSpec(title="单选题", rules=[RuleSpec(QuestionType.SINGLE, singles, "2")]),
                SectionSpec(title="多选题", rules=[RuleSpec(QuestionType.MULTIPLE, multiples, "4")]),
                SectionSpec(title="判断题", rules=[RuleSpec(QuestionType.TRUE_FALSE, trues, "2")]),
                SectionSpec(title="填空题", rules=[RuleSpec(QuestionType.FILL_BLANK, blanks, "3")]),
            ],
        ),
        actor=None,
    )

    unit = Unit.add_root(name="压力测试分局")
    password = make_password(PASSWORD)  # one hash for everyone: 1,000,000 PBKDF2 rounds take a while
    officers = User.objects.bulk_create(
        [
            User(
                police_number=police_number(n),
                name=f"考生{n:04d}",
                unit=unit,
                category=Category.OFFICER,
                password=password,
            )
            for n in range(examinees)
        ]
    )
    invigilator = User.objects.create(
        police_number=INVIGILATOR, name="监考员", unit=unit, category=Category.OFFICER, password=password
    )
    trainers, _created = Group.objects.get_or_create(name=Role.TRAINER)
    invigilator.groups.add(trainers)
    group, _created = Group.objects.get_or_create(name=Category.OFFICER)
    User.groups.through.objects.bulk_create([User.groups.through(user_id=o.pk, group_id=group.pk) for o in officers])

    now = timezone.now()
    exam = Exam.objects.create(
        title="2026年度执法资格考试（压力测试）",
        blueprint=blueprint,
        opens_at=now - datetime.timedelta(minutes=5),
        closes_at=now + datetime.timedelta(hours=3),
        duration_minutes=60,
        status=ExamStatus.PUBLISHED,
        track_focus=True,  # focus events are counted (no warning or automatic hand-in thresholds)
    )
    ExamInvitation.objects.bulk_create([ExamInvitation(exam=exam, officer=o) for o in officers])
    return exam.pk


def draw_ahead(exam_pk: int) -> str:
    """What the worker's ``exams.draw_papers_ahead`` does in the hour before an exam opens: one
    paper per examinee, drawn and stored ahead, so a start only takes one."""
    from exams.models import Exam
    from exams.services.papers_ahead import papers_draw_ahead

    began, cpu = time.perf_counter(), time.process_time()
    drawn = papers_draw_ahead(exam=Exam.objects.get(pk=exam_pk), limit=10**6)
    each = (time.process_time() - cpu) / max(drawn, 1) * 1000
    return f"{drawn} in {time.perf_counter() - began:.1f} s ({each:.1f} ms of CPU each)"


def signed_in_sessions(examinees: int) -> dict[str, str]:
    """``--signed-in``: a session for every examinee, stored as the login form would store it, so
    a run can skip the 1,000,000-round password hashing of N logins (measured separately)."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from people.models import User

    sessions = {"cookie": settings.SESSION_COOKIE_NAME}
    backend = settings.AUTHENTICATION_BACKENDS[-1]
    for user in User.objects.filter(police_number__in=[police_number(n) for n in range(examinees)]):
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = backend
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        sessions[user.police_number] = store.session_key
    return sessions


def police_number(n: int) -> str:
    return f"9{n:05d}"


def url_patterns(exam_pk: int) -> dict[str, str]:
    """Paths of the pages the examinees request; ``{attempt}`` stands for an attempt's key."""
    from django.urls import reverse

    def attempt_url(name: str) -> str:
        return reverse(f"exams:{name}", args=[SENTINEL_PK]).replace(str(SENTINEL_PK), "{attempt}")

    return {
        "login": reverse("portal:login"),
        "healthz": reverse("portal:healthz"),
        "start": reverse("exams:exam_start", args=[exam_pk]),
        "take": attempt_url("attempt_take"),
        "save": attempt_url("attempt_save"),
        "submit": attempt_url("attempt_submit"),
        "result": attempt_url("attempt_result"),
        "event": attempt_url("attempt_event"),
        "status": attempt_url("attempt_status"),
        "board": reverse("exams:exam_board_json", args=[exam_pk]),
    }


def start_gunicorn(env: dict[str, str], port: int, args: argparse.Namespace, log: Path) -> subprocess.Popen:
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--config",
        str(args.gunicorn_config),
        "--pythonpath",
        str(ROOT / "site"),
        "--bind",
        f"127.0.0.1:{port}",
        "--error-logfile",
        str(log),
    ]
    if args.workers:
        command += ["--workers", str(args.workers)]
    if args.worker_class:
        command += ["--worker-class", args.worker_class]
    if args.threads:
        command += ["--threads", str(args.threads)]
    command.append("config.wsgi")
    with log.open("ab") as output:  # Django's own log (tracebacks of server errors) goes to stderr
        return subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True, stdout=output, stderr=output)


def stop_gunicorn(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def gunicorn_settings(args: argparse.Namespace) -> str:
    """Worker class, workers and threads as gunicorn will run them (config file plus overrides)."""
    values: dict = {}
    exec(compile(Path(args.gunicorn_config).read_text(), str(args.gunicorn_config), "exec"), values)  # noqa: S102
    worker_class = args.worker_class or values.get("worker_class", "sync")
    workers = args.workers or values.get("workers", 1)
    threads = args.threads or values.get("threads", 1)
    if worker_class == "sync":
        return f"{workers} sync workers"
    return f"{workers} {worker_class} workers × {threads} threads"


# --- the client side: statistics -------------------------------------------------------------


@dataclass
class Phase:
    name: str
    latencies: list[float] = field(default_factory=list)  # ms, successful requests only
    began: list[float] = field(default_factory=list)  # when each of those requests was sent
    errors: int = 0
    samples: list[str] = field(default_factory=list)  # a few error descriptions
    first: float = math.inf
    last: float = 0.0

    def record(self, began: float, ended: float, error: str | None) -> None:
        self.first = min(self.first, began)
        self.last = max(self.last, ended)
        if error is None:
            self.latencies.append((ended - began) * 1000)
            self.began.append(began)
        else:
            self.errors += 1
            if len(self.samples) < 5:
                self.samples.append(error)

    @property
    def count(self) -> int:
        return len(self.latencies) + self.errors

    @property
    def throughput(self) -> float:
        elapsed = self.last - self.first
        return self.count / elapsed if elapsed > 0 else 0.0

    def percentile(self, p: float) -> float:
        """Nearest-rank percentile of the successful requests' latencies."""
        if not self.latencies:
            return math.nan
        ordered = sorted(self.latencies)
        return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


class Stats:
    def __init__(self) -> None:
        self.phases: dict[str, Phase] = {}
        self.cpu: list[CpuSample] = []

    def phase(self, name: str) -> Phase:
        if name not in self.phases:
            self.phases[name] = Phase(name)
        return self.phases[name]

    def errors(self) -> int:
        return sum(p.errors for p in self.phases.values())

    def steady(self, name: str, after: str) -> Phase | None:
        """Phase ``name`` restricted to the requests sent once phase ``after`` was over."""
        source, boundary = self.phases.get(name), self.phases.get(after)
        if source is None or boundary is None:
            return None
        steady = Phase(f"{name} (after {after})")
        for began, latency in zip(source.began, source.latencies, strict=True):
            if began > boundary.last:
                steady.record(began, began + latency / 1000, None)
        return steady if steady.latencies else None


class RequestFailed(Exception):
    pass


@dataclass(frozen=True)
class CpuSample:
    at: float  # time.perf_counter()
    server: float  # CPU seconds used so far by gunicorn's processes
    client: float  # CPU seconds used so far by this process (the simulated examinees)
    busy: float  # the machine's busy CPU seconds so far, every process included
    total: float  # the machine's CPU seconds so far (busy + idle, all cores)


def process_cpu(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def server_cpu(master: int) -> float:
    """CPU seconds of gunicorn's master and workers (workers are the master's children)."""
    pids = [master]
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == master:
                    pids.append(int(entry.name))
            except (OSError, IndexError, ValueError):
                continue
    return sum(process_cpu(pid) for pid in pids)


def machine_cpu() -> tuple[float, float]:
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    tick = os.sysconf("SC_CLK_TCK")
    return (sum(values) - idle) / tick, sum(values) / tick


async def sample_cpu(stats: Stats, master: int, done: asyncio.Event) -> None:
    """Twice a second: who used the CPU — the server, the client, or other processes (Linux /proc)."""
    while not done.is_set():
        busy, total = machine_cpu()
        stats.cpu.append(CpuSample(time.perf_counter(), server_cpu(master), time.process_time(), busy, total))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(done.wait(), timeout=0.5)


def cpu_during(samples: list[CpuSample], first: float, last: float) -> tuple[float, float, float] | None:
    """Cores used by the server and by the client, and the machine's busy share, in [first, last]."""
    inside = [s for s in samples if first <= s.at <= last]
    if len(inside) < 2:
        return None
    a, b = inside[0], inside[-1]
    elapsed = b.at - a.at
    return (b.server - a.server) / elapsed, (b.client - a.client) / elapsed, (b.busy - a.busy) / (b.total - a.total)


# --- the client side: examinees ----------------------------------------------------------------


class Browser:
    """One examinee's cookies and CSRF token over the shared connection pool. Cookies are kept by
    hand: the production cookies are Secure, and the client speaks plain HTTP to gunicorn the way
    nginx does behind TLS (``X-Forwarded-Proto: https``)."""

    def __init__(self, http: aiohttp.ClientSession, origin: str, stats: Stats) -> None:
        self.http = http
        self.origin = origin
        self.stats = stats
        self.cookies: dict[str, str] = {}

    async def request(
        self,
        phase: str,
        method: str,
        path: str,
        *,
        expect: int,
        data: dict | None = None,
        payload: dict | None = None,
        referer: str | None = None,
    ) -> tuple[str, aiohttp.ClientResponse]:
        headers = {"X-Forwarded-Proto": "https"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if method == "POST":
            headers["Origin"] = self.origin
            headers["Referer"] = self.origin + (referer or path)
            if payload is not None:
                headers["X-CSRFToken"] = self.cookies.get("csrftoken", "")
                headers["Content-Type"] = "application/json"
        body = json.dumps(payload) if payload is not None else None
        began = time.perf_counter()
        error = None
        text = ""
        response = None
        try:
            async with self.http.request(
                method, path, headers=headers, data=data if data is not None else body, allow_redirects=False
            ) as response:
                text = await response.text()
                for name, morsel in response.cookies.items():
                    if morsel.value and morsel.get("max-age") != "0":
                        self.cookies[name] = morsel.value
                    else:
                        self.cookies.pop(name, None)
                if response.status != expect:
                    error = f"{method} {path}: HTTP {response.status} {text[:200]!r}"
        except (TimeoutError, aiohttp.ClientError) as exc:
            error = f"{method} {path}: {type(exc).__name__} {exc}"
        self.stats.phase(phase).record(began, time.perf_counter(), error)
        if error:
            raise RequestFailed(error)
        return text, response

    def csrf(self) -> str:
        return self.cookies.get("csrftoken", "")


@dataclass
class Item:
    pk: int
    question_type: str
    option_order: list[str]
    answer: object


@dataclass
class Examinee:
    number: int
    browser: Browser
    attempt: int | None = None
    items: list[Item] = field(default_factory=list)
    seq: int = 0
    last_sent: dict[int, tuple[int, object]] = field(default_factory=dict)  # item → (seq, response)
    focus_sent: int = 0
    failed: str = ""
    saved_since_poll: bool = False  # take.js skips a status poll after an acknowledged save

    def next_seq(self) -> int:
        self.seq += 1
        return self.seq


def shown(item: Item, original: str) -> str:
    return OPTION_KEYS[item.option_order.index(original)] if original in item.option_order else original


def as_stored(item: Item, response):
    """The response as the server stores it: in the question's own option keys."""
    if item.question_type == "single":
        return item.option_order[OPTION_KEYS.index(response)]
    if item.question_type == "multiple":
        return sorted({item.option_order[OPTION_KEYS.index(label)] for label in response})
    return response


def response_for(item: Item, rng: random.Random):
    """Mostly the right answer, as the labels the examinee saw; sometimes a wrong one."""
    right = rng.random() < 0.8
    if item.question_type == "single":
        label = shown(item, item.answer)
        return label if right else rng.choice([k for k in "ABCD" if k != label])
    if item.question_type == "multiple":
        labels = sorted(shown(item, key) for key in item.answer)
        return labels if right else ["A", "B", "C", "D"]
    if item.question_type == "true_false":
        return bool(item.answer) if right else not item.answer
    return [alternatives[0] for alternatives in item.answer] if right else ["十二"]


def read_items(attempt: int) -> list[Item]:
    """The attempt's paper, in order, read through the ORM (SQLite or PostgreSQL alike; runs in a
    thread so the event loop is not held; a connection the server dropped is opened afresh)."""
    from django.db import close_old_connections

    from exams.models import Attempt, PaperItem

    close_old_connections()
    paper = Attempt.objects.filter(pk=attempt).values_list("paper_id", flat=True).get()
    rows = (
        PaperItem.objects.filter(paper_id=paper)
        .order_by("position")
        .values_list("pk", "question_type", "option_order", "question_version__answer")
    )
    return [Item(pk, kind, list(order or []), answer) for pk, kind, order, answer in rows]


async def log_in(examinee: Examinee, urls: dict[str, str], limit: asyncio.Semaphore) -> None:
    async with limit:
        await log_in_as(examinee.browser, urls, police_number(examinee.number))


async def log_in_as(browser: Browser, urls: dict[str, str], username: str) -> None:
    page, _ = await browser.request("login page", "GET", urls["login"], expect=200)
    token = CSRF_FIELD.search(page)
    await browser.request(
        "login",
        "POST",
        urls["login"],
        expect=302,
        data={
            "csrfmiddlewaretoken": token.group(1) if token else browser.csrf(),
            "username": username,
            "password": PASSWORD,
        },
    )


async def open_paper(examinee: Examinee, urls: dict[str, str]) -> tuple[str, str]:
    """The rules page, the start and the paper page; the paper's items read. Returns the paths of
    the paper and of its autosave."""
    browser = examinee.browser
    await browser.request("start page", "GET", urls["start"], expect=200)
    _, response = await browser.request(
        "start",
        "POST",
        urls["start"],
        expect=302,
        data={"csrfmiddlewaretoken": browser.csrf()},
    )
    take_pattern = re.escape(urls["take"]).replace(re.escape("{attempt}"), r"(\d+)")
    found = re.search(take_pattern + "$", response.headers.get("Location", ""))
    if not found:
        raise RequestFailed(f"start redirected to {response.headers.get('Location')!r}, not to the paper")
    examinee.attempt = int(found.group(1))
    take = urls["take"].format(attempt=examinee.attempt)
    await browser.request("take page", "GET", take, expect=200)
    examinee.items = await asyncio.get_running_loop().run_in_executor(None, read_items, examinee.attempt)
    if not examinee.items:
        raise RequestFailed(f"attempt {examinee.attempt} has no paper items")
    return take, urls["save"].format(attempt=examinee.attempt)


async def start_and_answer(examinee: Examinee, urls: dict[str, str], delay: float, args: argparse.Namespace) -> None:
    rng = random.Random(examinee.number)
    await asyncio.sleep(delay)
    take, save = await open_paper(examinee, urls)
    # One examinee in ten leaves the page 1–3 times, after saves chosen at random (its own random
    # stream, so the answers and think times stay those of earlier runs).
    focus_rng = random.Random(1_000_000 + examinee.number)
    leaves = focus_rng.sample(range(len(examinee.items)), focus_rng.randint(1, 3)) if examinee.number % 10 == 0 else []
    answering = asyncio.Event()
    poller = asyncio.create_task(status_poll(examinee, urls, args.poll, answering)) if args.poll else None
    try:
        for index, item in enumerate(examinee.items):
            await asyncio.sleep(rng.uniform(*args.think))
            await save_answer(examinee, item, response_for(item, rng), save, take, "autosave")
            if index in leaves:
                await focus_event(examinee, urls, focus_rng.choice(FOCUS_KINDS), take)
    finally:
        answering.set()
        if poller is not None:
            await poller


async def status_poll(examinee: Examinee, urls: dict[str, str], every: float, done: asyncio.Event) -> None:
    """The paper's own poll (time left, room messages, device), every ``every`` seconds from a
    random moment, as take.js does (``EXAMS_STATUS_POLL_SECONDS``), until the last answer is saved;
    like take.js it skips a poll when a save was acknowledged since the last one, at most two in a row."""
    status = urls["status"].format(attempt=examinee.attempt)
    delay = random.Random(2_000_000 + examinee.number).uniform(0, every)
    skipped = 0
    while True:
        try:
            await asyncio.wait_for(done.wait(), timeout=delay)
            return
        except TimeoutError:
            pass
        delay = every
        skip = examinee.saved_since_poll and skipped < 2
        examinee.saved_since_poll = False
        skipped = skipped + 1 if skip else 0
        if skip:
            continue
        text, _ = await examinee.browser.request("status poll", "GET", status, expect=200)
        if json.loads(text).get("state") != "in_progress":
            raise RequestFailed(f"status poll answered {text[:200]}")


async def focus_event(examinee: Examinee, urls: dict[str, str], kind: str, take: str) -> None:
    text, _ = await examinee.browser.request(
        "focus event",
        "POST",
        urls["event"].format(attempt=examinee.attempt),
        expect=200,
        payload={"kind": kind},
        referer=take,
    )
    body = json.loads(text)
    examinee.focus_sent += 1
    if body.get("count") != examinee.focus_sent or body.get("submitted"):
        raise RequestFailed(f"focus event {examinee.focus_sent} answered {body}")


async def board_poll(browser: Browser, urls: dict[str, str], every: float, examinees: int, done: asyncio.Event) -> None:
    """The invigilator's board page: its JSON every ``every`` seconds until the examinees are done."""
    while not done.is_set():
        with contextlib.suppress(RequestFailed):  # counted in the statistics
            text, _ = await browser.request("board JSON", "GET", urls["board"], expect=200)
            data = json.loads(text)
            if data.get("total") != examinees:
                browser.stats.phase("board JSON").record(
                    time.perf_counter(), time.perf_counter(), f"board shows {data.get('total')} of {examinees}"
                )
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(done.wait(), timeout=every)


async def save_answer(examinee: Examinee, item: Item, response, save: str, take: str, phase: str) -> None:
    seq = examinee.next_seq()
    text, _ = await examinee.browser.request(
        phase, "POST", save, expect=200, payload={"item": item.pk, "response": response, "seq": seq}, referer=take
    )
    body = json.loads(text)
    if body.get("saved") is not True or body.get("seq") != seq:
        raise RequestFailed(f"save of item {item.pk} seq {seq} answered {body}")
    examinee.saved_since_poll = True
    if seq > examinee.last_sent.get(item.pk, (0, None))[0]:  # replies may arrive out of order
        examinee.last_sent[item.pk] = (seq, as_stored(item, response))


async def submit(examinee: Examinee, urls: dict[str, str], delay: float) -> None:
    await asyncio.sleep(delay)
    take = urls["take"].format(attempt=examinee.attempt)
    _, response = await examinee.browser.request(
        "submit",
        "POST",
        urls["submit"].format(attempt=examinee.attempt),
        expect=302,
        data={"csrfmiddlewaretoken": examinee.browser.csrf()},
        referer=take,
    )
    result = urls["result"].format(attempt=examinee.attempt)
    if not response.headers.get("Location", "").endswith(result):
        raise RequestFailed(f"submit redirected to {response.headers.get('Location')!r}, not to the result")


async def bare_saturated(browser: Browser, urls: dict[str, str], phase: str, loops: int, seconds: float) -> None:
    """``loops`` clients requesting /healthz back to back for ``seconds``."""
    stop = time.perf_counter() + seconds

    async def loop() -> None:
        while time.perf_counter() < stop:
            with contextlib.suppress(RequestFailed):
                await browser.request(phase, "GET", urls["healthz"], expect=200)

    await asyncio.gather(*(loop() for _ in range(loops)))


async def bare_probe(browser: Browser, urls: dict[str, str], rate: float, done: asyncio.Event) -> None:
    """/healthz at a steady rate while the examinees work: the latency of a request with no database."""
    in_flight = set()

    async def probe() -> None:
        with contextlib.suppress(RequestFailed):  # counted in the statistics
            await browser.request("bare view (under load)", "GET", urls["healthz"], expect=200)

    while not done.is_set():
        task = asyncio.create_task(probe())
        in_flight.add(task)
        task.add_done_callback(in_flight.discard)
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(done.wait(), timeout=1 / rate)
    await asyncio.gather(*in_flight, return_exceptions=True)


async def autosave_saturated(examinees: list[Examinee], urls: dict[str, str], loops: int, seconds: float) -> None:
    """``loops`` clients re-saving random answers of random examinees back to back for ``seconds``."""
    stop = time.perf_counter() + seconds
    rng = random.Random(7)
    ready = [e for e in examinees if e.items and not e.failed]

    busy: set[int] = set()  # one save at a time per examinee, as from one page

    async def loop() -> None:
        while time.perf_counter() < stop and ready:
            examinee = rng.choice(ready)
            if examinee.number in busy:
                await asyncio.sleep(0.001)
                continue
            busy.add(examinee.number)
            item = rng.choice(examinee.items)
            take = urls["take"].format(attempt=examinee.attempt)
            with contextlib.suppress(RequestFailed):
                await save_answer(
                    examinee,
                    item,
                    response_for(item, rng),
                    urls["save"].format(attempt=examinee.attempt),
                    take,
                    "autosave (saturated)",
                )
            busy.discard(examinee.number)

    await asyncio.gather(*(loop() for _ in range(loops)))


async def run_load(
    args: argparse.Namespace,
    port: int,
    urls: dict[str, str],
    stats: Stats,
    master: int,
    sessions: dict[str, str] | None = None,
    *,
    base_url: str | None = None,
    origin: str | None = None,
    sampler=None,
    after_answers=None,
) -> list:
    """The whole exam against ``base_url`` (default: gunicorn on ``port``). The stack's load run
    (bench/stack_load.py) passes nginx's address and origin, its own CPU sampler (same signature as
    ``sample_cpu``) and ``after_answers``, a coroutine function awaited with the examinees after the
    saturated autosaves (its extra saturated phase)."""
    origin = origin or f"https://127.0.0.1:{port}"
    # Idle connections are dropped before gunicorn's keep-alive (5 s) would close them, so that no
    # request is sent on a connection the server is closing at that moment (as nginx is configured).
    connector = aiohttp.TCPConnector(limit=0, keepalive_timeout=2)
    timeout = aiohttp.ClientTimeout(total=args.timeout)
    async with aiohttp.ClientSession(
        base_url=base_url or f"http://127.0.0.1:{port}",
        connector=connector,
        timeout=timeout,
        cookie_jar=aiohttp.DummyCookieJar(),
    ) as http:
        examinees = [Examinee(n, Browser(http, origin, stats)) for n in range(args.examinees)]
        finished = asyncio.Event()
        sampling = asyncio.create_task((sampler or sample_cpu)(stats, master, finished))
        anonymous = Browser(http, origin, stats)

        async def guarded(examinee: Examinee, work) -> None:
            if examinee.failed:
                work.close()  # an examinee who gave up does not go on
                return
            try:
                await work
            except RequestFailed as exc:
                examinee.failed = str(exc)

        began = time.perf_counter()
        if sessions:
            for examinee in examinees:
                examinee.browser.cookies[sessions["cookie"]] = sessions[police_number(examinee.number)]
        else:
            limit = asyncio.Semaphore(args.login_concurrency)
            await asyncio.gather(*(guarded(e, log_in(e, urls, limit)) for e in examinees))
        invigilator = Browser(http, origin, stats)
        await log_in_as(invigilator, urls, INVIGILATOR)
        print(f"  logged in {sum(not e.failed for e in examinees)} in {time.perf_counter() - began:.1f} s", flush=True)

        await bare_saturated(anonymous, urls, "bare view (saturated)", args.saturate, args.saturate_seconds)

        began = time.perf_counter()
        done = asyncio.Event()
        probe = asyncio.create_task(bare_probe(anonymous, urls, args.probe_rate, done))
        board = asyncio.create_task(board_poll(invigilator, urls, args.board_every, args.examinees, done))
        spacing = args.start_window / args.examinees
        await asyncio.gather(
            *(guarded(e, start_and_answer(e, urls, n * spacing, args)) for n, e in enumerate(examinees))
        )
        done.set()
        await probe
        await board
        print(f"  started and answered in {time.perf_counter() - began:.1f} s", flush=True)

        await autosave_saturated(examinees, urls, args.saturate, args.saturate_seconds)
        if after_answers is not None:
            await after_answers(examinees)

        await asyncio.gather(*(guarded(e, submit(e, urls, n * spacing)) for n, e in enumerate(examinees)))
        finished.set()
        await sampling
        return examinees


# --- checks and report --------------------------------------------------------------------------


def verify(examinees: list[Examinee], exam_pk: int) -> list[str]:
    """Every examinee has exactly one submitted attempt holding every answer as last sent and the
    focus losses it reported."""
    from exams.models import Answer, Attempt, AttemptState

    problems = []
    attempts = defaultdict(list)
    for attempt in Attempt.objects.filter(exam_id=exam_pk).select_related("officer"):
        attempts[attempt.officer.police_number].append(attempt)
    stored = defaultdict(dict)
    for answer in Answer.objects.filter(attempt__exam_id=exam_pk):
        stored[answer.attempt_id][answer.paper_item_id] = (answer.client_seq, answer.response)
    finished = {AttemptState.SUBMITTED, AttemptState.GRADED, AttemptState.RELEASED}
    for examinee in examinees:
        mine = attempts.get(police_number(examinee.number), [])
        if len(mine) != 1:
            problems.append(f"examinee {examinee.number}: {len(mine)} attempts")
            continue
        attempt = mine[0]
        if attempt.state not in finished:
            problems.append(f"examinee {examinee.number}: attempt {attempt.pk} is {attempt.state}")
        if attempt.focus_losses != examinee.focus_sent:
            problems.append(f"examinee {examinee.number}: {attempt.focus_losses} focus losses of {examinee.focus_sent}")
        if len(stored[attempt.pk]) != len(examinee.items) or not examinee.items:
            problems.append(
                f"examinee {examinee.number}: {len(stored[attempt.pk])} answers stored of {len(examinee.items)}"
            )
        for item_pk, sent in examinee.last_sent.items():
            if stored[attempt.pk].get(item_pk) != sent:
                problems.append(f"examinee {examinee.number}: item {item_pk} stored {stored[attempt.pk].get(item_pk)}")
                break
    return problems


ORDER = [
    "login page",
    "login",
    "bare view (saturated)",
    "start page",
    "start",
    "take page",
    "autosave",
    "autosave (after take page)",
    "bare view (under load)",
    "focus event",
    "status poll",
    "board JSON",
    "autosave (saturated)",
    "status poll (saturated)",
    "submit",
]


def report(stats: Stats, args: argparse.Namespace) -> None:
    print()
    print(
        f"{'phase':<28}{'count':>7}{'errors':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}{'req/s':>9}"
        f"{'server':>8}{'client':>8}{'machine':>9}"
    )
    steady = stats.steady("autosave", after="take page")
    for name in ORDER:
        phase = stats.phases.get(name) or (steady if steady and name == steady.name else None)
        if phase is None:
            continue
        worst = max(phase.latencies) if phase.latencies else math.nan
        cpu = cpu_during(stats.cpu, phase.first, phase.last)
        usage = f"{cpu[0]:>8.2f}{cpu[1]:>8.2f}{cpu[2]:>9.0%}" if cpu else f"{'-':>8}{'-':>8}{'-':>9}"
        print(
            f"{name:<28}{phase.count:>7}{phase.errors:>8}{phase.percentile(50):>9.1f}{phase.percentile(95):>9.1f}"
            f"{phase.percentile(99):>9.1f}{worst:>9.1f}{phase.throughput:>9.1f}{usage}"
        )
    print(
        "(server / client: cores used by gunicorn / by the simulated examinees during the phase, from first to "
        f"last request; machine: busy share of all {os.cpu_count()} cores, other processes included)"
    )
    bare = stats.phases.get("bare view (saturated)")
    saved = stats.phases.get("autosave (saturated)")
    if bare and saved and bare.throughput and saved.throughput:
        print(
            f"\nratio: autosave {saved.throughput:.1f} req/s / bare view {bare.throughput:.1f} req/s "
            f"= {saved.throughput / bare.throughput:.2f} (an autosave costs "
            f"{bare.throughput / saved.throughput:.1f} bare requests)"
        )
    for phase in stats.phases.values():
        for sample in phase.samples:
            print(f"  error in {phase.name}: {sample}")

    autosave, start = stats.phases.get("autosave"), stats.phases.get("start")
    print("\ntargets (issue 5):")
    if autosave:
        met = autosave.percentile(95) <= 100 and stats.errors() == 0
        print(
            f"  {args.examinees} concurrent examinees, autosave p95 {autosave.percentile(95):.1f} ms ≤ 100 ms "
            f"and zero errors ({stats.errors()}): {'met' if met else 'MISSED'}"
        )
        if steady:
            print(f"    (autosave p95 once every paper was open: {steady.percentile(95):.1f} ms)")
    board = stats.phases.get("board JSON")
    focus = stats.phases.get("focus event")
    if focus:
        print(f"  focus events: {focus.count}, p95 {focus.percentile(95):.1f} ms")
    if board:
        settled = stats.steady("board JSON", after="take page")
        if settled:
            print(
                f"  board JSON once every paper was open ({settled.count} polls): "
                f"p50 {settled.percentile(50):.1f} ms, p95 {settled.percentile(95):.1f} ms"
            )
        met = board.percentile(95) <= 300 and board.errors == 0
        print(
            f"  invigilation board JSON ({args.examinees} examinees, {board.count} polls): "
            f"p50 {board.percentile(50):.1f} ms, p95 {board.percentile(95):.1f} ms ≤ 300 ms "
            f"(issue 14): {'met' if met else 'MISSED'}"
        )
    if start:
        spread = start.last - start.first
        met = start.percentile(95) <= 500 and start.errors == 0
        print(
            f"  {start.count} starts in {spread:.1f} s, p95 {start.percentile(95):.1f} ms ≤ 500 ms: "
            f"{'met' if met else 'MISSED'}"
        )


def add_load_arguments(parser: argparse.ArgumentParser) -> None:
    """The examinees' options, shared with the stack's load run (bench/stack_load.py)."""
    parser.add_argument("--examinees", type=int, default=300)
    parser.add_argument("--questions", type=int, default=30, help="questions on each paper")
    parser.add_argument("--bank", type=int, default=500, help="questions of each objective type in the bank")
    parser.add_argument("--start-window", type=float, default=30.0, help="seconds over which the starts spread")
    parser.add_argument("--think", type=float, nargs=2, default=[5.0, 10.0], metavar=("MIN", "MAX"))
    parser.add_argument("--login-concurrency", type=int, default=4)
    parser.add_argument("--saturate", type=int, default=8, help="concurrent loops in the saturated phases")
    parser.add_argument("--saturate-seconds", type=float, default=10.0)
    parser.add_argument("--board-every", type=float, default=5.0, help="seconds between the board's polls")
    parser.add_argument("--probe-rate", type=float, default=5.0, help="/healthz requests per second under load")
    parser.add_argument(
        "--poll", type=float, default=10.0, help="seconds between each paper's status polls (0: none), as take.js"
    )
    parser.add_argument(
        "--signed-in",
        action="store_true",
        help="examinees start signed in (sessions stored directly) instead of logging in through the form",
    )
    parser.add_argument(
        "--no-draw-ahead",
        action="store_true",
        help="leave the papers to be drawn at each start instead of drawing them ahead as the worker does",
    )
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds before a request counts as failed")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_load_arguments(parser)
    parser.add_argument("--gunicorn-config", type=Path, default=BENCH / "gunicorn.conf.py")
    parser.add_argument("--workers", type=int)
    parser.add_argument("--worker-class")
    parser.add_argument("--threads", type=int)
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (database, gunicorn log)")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="fazhi-exam-load-"))
    port = free_port()
    env = production_environment(folder, port)
    django_setup(env)
    from django.db import connection, connections

    print(
        f"machine: {os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}, "
        f"SQLite {sqlite3.sqlite_version}; load average before {os.getloadavg()[0]:.2f}"
    )
    print(f"server: gunicorn, {gunicorn_settings(args)}, config.settings.production, SQLite in {folder}")
    server = None
    try:
        timings = prepare_database()
        began = time.perf_counter()
        exam_pk = build_exam(examinees=args.examinees, questions=args.questions, bank_per_type=args.bank, seed=2026)
        urls = url_patterns(exam_pk)
        print(
            f"setup: migrate {timings['migrate']:.1f} s, collectstatic {timings['collectstatic']:.1f} s, "
            f"data {time.perf_counter() - began:.1f} s ({4 * args.bank} questions, {args.examinees} officers, "
            f"{args.questions} questions a paper)"
        )
        if not args.no_draw_ahead:
            print(f"papers drawn ahead (the worker's job before the exam opens): {draw_ahead(exam_pk)}")
        sessions = signed_in_sessions(args.examinees) if args.signed_in else None
        connections.close_all()

        log = folder / "gunicorn.log"
        server = start_gunicorn(env, port, args, log)
        wait_until_up(port, server, log)
        print(
            f"load: {args.examinees} examinees, starts over {args.start_window:.0f} s, "
            f"one autosave every {args.think[0]:g}–{args.think[1]:g} s each",
            flush=True,
        )
        stats = Stats()
        examinees = asyncio.run(run_load(args, port, urls, stats, server.pid, sessions))
        load_after = os.getloadavg()[0]
        stop_gunicorn(server)
        report(stats, args)
        print(f"\nload average after: {load_after:.2f}")

        failed = [e for e in examinees if e.failed]
        for examinee in failed[:5]:
            print(f"  examinee {examinee.number} gave up: {examinee.failed}")
        problems = verify(examinees, exam_pk)
        print(f"database check: {'every examinee has one submitted attempt with every answer' if not problems else ''}")
        for problem in problems[:10]:
            print(f"  {problem}")
        if len(problems) > 10:
            print(f"  … and {len(problems) - 10} more")
        if stats.errors() or problems or failed:
            print(f"gunicorn log: {log}")
            print("\n".join(log.read_text(errors="replace").splitlines()[-20:]))
            return 1
        return 0
    finally:
        if server is not None:
            stop_gunicorn(server)
        connection.close()
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
        else:
            print(f"kept {folder}")


def wait_until_up(port: int, server: subprocess.Popen, log: Path) -> None:
    import urllib.request

    request = urllib.request.Request(f"http://127.0.0.1:{port}/healthz", headers={"X-Forwarded-Proto": "https"})
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with {server.returncode}:\n{log.read_text(errors='replace')}")
        try:
            with urllib.request.urlopen(request, timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"gunicorn did not answer within 60 s:\n{log.read_text(errors='replace')}")


if __name__ == "__main__":
    sys.exit(main())
