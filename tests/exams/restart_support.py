"""A branch server in its own processes, for the restart test (tests/exams/test_server_restart.py).

The server (gunicorn, ``bench/gunicorn.conf.py``) and the two commands below run with the settings
of ``make run`` (``config.settings.dev``) on a database the test prepared: a SQLite file, or a
PostgreSQL database of the test's own when the suite runs on PostgreSQL. The commands run in a
subprocess with the server's environment, so they read and write what the server does:

    python -m tests.exams.restart_support prepare    → {"exam": pk, "officer": police number}
    python -m tests.exams.restart_support inspect PK → the attempt as stored (answers in the labels
                                                        the officer saw, the right answers, the score)

``migrated_template`` keeps one migrated, empty database per set of migration files in the temp
folder (a SQLite copy or a ``pg_dump``): migrating from scratch takes ~30 s of CPU, restoring ~1 s.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent.parent
OFFICER = "260001"
PASSWORD = "Restart-pass-2026"


# --- the database the server runs on ----------------------------------------------------------


@dataclass
class ServerDatabase:
    """A SQLite file under the test's folder, or a PostgreSQL database created (and later dropped)
    beside the suite's own one on the same server."""

    env: dict[str, str]
    engine: str  # "sqlite" | "postgresql"
    sqlite_path: Path | None = None
    postgres: dict = field(default_factory=dict)  # host, port, user, password, dbname

    @classmethod
    def create(cls, folder: Path, suite_database: dict) -> ServerDatabase:
        env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "SQLITE_PATH"}}
        env.update(
            DJANGO_SETTINGS_MODULE="config.settings.dev",
            DATA_DIR=str(folder),
            MEDIA_ROOT=str(folder / "media"),
            STATIC_ROOT=str(folder / "static"),
            LOG_LEVEL="WARNING",
            PYTHONPATH=os.pathsep.join([str(ROOT / "site"), str(ROOT)]),
        )
        if suite_database["ENGINE"].endswith("sqlite3"):
            path = folder / "db.sqlite3"
            env["SQLITE_PATH"] = str(path)
            return cls(env=env, engine="sqlite", sqlite_path=path)
        name = f"fazhi_restart_{uuid.uuid4().hex[:12]}"
        postgres = {
            "host": suite_database["HOST"] or "127.0.0.1",
            "port": suite_database["PORT"] or "5432",
            "user": suite_database["USER"],
            "password": suite_database["PASSWORD"],
            "dbname": name,
        }
        suite_url = urlsplit(os.environ["DATABASE_URL"])
        env["DATABASE_URL"] = urlunsplit(suite_url._replace(path=f"/{name}"))
        database = cls(env=env, engine="postgresql", postgres=postgres)
        database._admin(f'CREATE DATABASE "{name}"')
        return database

    def _admin(self, statement: str) -> None:
        import psycopg

        params = {**self.postgres, "dbname": "postgres"}
        with psycopg.connect(**params, autocommit=True) as connection:
            connection.execute(statement)

    def drop(self) -> None:
        if self.engine == "postgresql":
            self._admin(f'DROP DATABASE IF EXISTS "{self.postgres["dbname"]}" WITH (FORCE)')

    def _pg_env(self) -> dict[str, str]:
        pg = self.postgres
        return {
            **os.environ,
            "PGHOST": pg["host"],
            "PGPORT": str(pg["port"]),
            "PGUSER": pg["user"],
            "PGPASSWORD": pg["password"],
            "PGDATABASE": pg["dbname"],
        }

    def migrate(self, key: str) -> None:
        """Migrate, from the template of these migrations when an earlier run left one."""
        template = Path(tempfile.gettempdir()) / f"fazhi-restart-migrated-{self.engine}-{key}"
        if template.exists():
            self._restore(template)
            return
        run(self.env, "manage.py", "migrate", "--noinput", "-v0", timeout=180)
        partial = template.with_name(f"{template.name}.{os.getpid()}.part")
        self._dump(partial)
        os.replace(partial, template)  # two runs at once: the last complete copy wins, never half of one

    def _dump(self, target: Path) -> None:
        if self.engine == "sqlite":
            copy_sqlite(self.sqlite_path, target)
        else:
            command = ["pg_dump", "--no-owner", "--no-privileges", "--file", str(target)]
            subprocess.run(command, env=self._pg_env(), check=True, capture_output=True, timeout=120)

    def _restore(self, source: Path) -> None:
        if self.engine == "sqlite":
            copy_sqlite(source, self.sqlite_path)
        else:
            command = ["psql", "--quiet", "--no-psqlrc", "-v", "ON_ERROR_STOP=1", "--file", str(source)]
            subprocess.run(command, env=self._pg_env(), check=True, capture_output=True, timeout=120)


def copy_sqlite(source: Path, target: Path) -> None:
    """A consistent copy of a SQLite database, its write-ahead log included (SQLite's backup API)."""
    source_connection, target_connection = sqlite3.connect(source), sqlite3.connect(target)
    try:
        source_connection.backup(target_connection)
    finally:
        source_connection.close()
        target_connection.close()


def migrations_key() -> str:
    """A digest of every migration file of every installed app (Django must be set up)."""
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(None, ignore_no_migrations=True)
    digest = hashlib.sha256()
    for key in sorted(loader.disk_migrations):
        module = sys.modules[loader.disk_migrations[key].__module__]
        digest.update(repr(key).encode())
        digest.update(Path(module.__file__).read_bytes())
    return digest.hexdigest()[:16]


def run(env: dict[str, str], *args: str, timeout: float = 60) -> str:
    """Run ``python <args>`` from the repository root with ``env``; its stdout (stderr on failure)."""
    done = subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    if done.returncode != 0:
        raise AssertionError(f"python {' '.join(args)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return done.stdout


# --- the server ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """gunicorn as deployed (gthread workers), here with two workers; killed with SIGKILL, master
    and workers at once (its own process group), as a crash or a power cut would."""

    def __init__(self, env: dict[str, str], port: int, log: Path) -> None:
        self.env, self.port, self.log = env, port, log
        self.url = f"http://127.0.0.1:{port}"
        self.process: subprocess.Popen | None = None
        self.starts = 0

    def start(self, timeout: float = 45) -> None:
        import requests

        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "--config",
            str(ROOT / "bench" / "gunicorn.conf.py"),
            "--workers",
            "2",
            "--pythonpath",
            str(ROOT / "site"),
            "--bind",
            f"127.0.0.1:{self.port}",
            "config.wsgi",
        ]
        with self.log.open("ab") as output:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=self.env, start_new_session=True, stdout=output, stderr=output
            )
        self.starts += 1
        until = time.monotonic() + timeout
        while time.monotonic() < until:
            if self.process.poll() is not None:
                raise AssertionError(f"gunicorn exited with {self.process.returncode}:\n{self.log.read_text()}")
            with contextlib.suppress(requests.ConnectionError, requests.Timeout):
                if requests.get(f"{self.url}/healthz", timeout=5).status_code == 200:
                    return
            time.sleep(0.2)
        self.kill()
        raise AssertionError(f"gunicorn did not answer within {timeout} s:\n{self.log.read_text()}")

    def kill(self) -> None:
        """SIGKILL to master and workers at once. The kernel closes a killed process's sockets
        before its parent reaps it, so the port is free for the next start on return."""
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        self.process = None


# --- the commands run beside the server -----------------------------------------------------------


def prepare() -> dict:
    """Units, one officer, a bank of every objective type, a published exam of 100 points."""
    from tests.exams.delivery_support import objective_blueprint, published_exam
    from tests.factories import UserFactory, unit_create

    station = unit_create("北山派出所")
    officer = UserFactory(police_number=OFFICER, name="张伟", unit=station, password=PASSWORD)
    exam = published_exam(objective_blueprint(), officer, title="2026年度执法资格考试（重启测试）")
    return {"exam": exam.pk, "officer": OFFICER}


def _shown(item, response):
    """A stored response (the question's own keys) in the labels the officer saw."""
    from exams.models import QuestionType

    if response is None:
        return None
    if item.question_type == QuestionType.SINGLE:
        return item.display_key(response)
    if item.question_type == QuestionType.MULTIPLE:
        return sorted(item.display_key(key) for key in response)
    return response


def _right(item):
    from exams.models import QuestionType

    answer = item.question_version.answer
    if item.question_type == QuestionType.FILL_BLANK:
        return [alternatives[0] for alternatives in answer]
    return _shown(item, answer)


def inspect(attempt_pk: int) -> dict:
    from exams.models import Answer, Attempt
    from exams.models.questions import OPTION_KEYS

    attempt = Attempt.objects.get(pk=attempt_pk)
    items = list(attempt.paper.items.select_related("question_version").order_by("position"))
    answers = {answer.paper_item_id: answer for answer in Answer.objects.filter(attempt=attempt)}
    by_id = {item.pk: item for item in items}
    return {
        "state": attempt.state,
        "deadline": attempt.deadline.isoformat(),
        "score": None if attempt.score is None else str(attempt.score),
        "items": [
            {
                "id": item.pk,
                "type": item.question_type,
                "points": str(item.points),
                "labels": OPTION_KEYS[: len(item.question_version.options or [])],
                "right": _right(item),
            }
            for item in items
        ],
        "answers": {
            str(pk): {"response": _shown(by_id[pk], answer.response), "seq": answer.client_seq}
            for pk, answer in answers.items()
        },
    }


def main(argv: list[str]) -> None:
    sys.path[:0] = [str(ROOT / "site"), str(ROOT)]
    import django

    django.setup()
    if argv[0] == "prepare":
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)  # nothing to do unless the template is behind
        result = prepare()
    else:
        result = inspect(int(argv[1]))
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main(sys.argv[1:])
