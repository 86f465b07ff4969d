"""Background jobs in their own processes, for the worker-kill and Redis-restart tests.

A real ``manage.py qcluster`` runs with ``tests.jobs.worker_settings`` (the settings of ``make run``
plus a slow test export and short lease timings) on a database of the test's own
(``tests.exams.restart_support.ServerDatabase``). The commands below run in a subprocess with the
worker's environment, so they write what the worker reads:

    python -m tests.jobs.support prepare ROWS PASSERS → {"export": pk, "batch": pk, "exam": pk}
    python -m tests.jobs.support export ROWS [DELAY]  → {"export": pk, "queued": true|false}

The tests read the outcome straight from the database (``JobDatabase``): no Django start per poll.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from tests.exams.restart_support import ROOT, ServerDatabase

EXPORT_KIND = "tests.counting"
EXPORT_ACTION = "tests.jobs.exported"


# --- the slow export the worker builds ----------------------------------------------------------


class CountingExport:
    """``filters["rows"]`` rows, ``filters["delay"]`` seconds each, progress after every row."""

    title = "Counting export"

    def count(self, user, filters: dict) -> int:
        return int(filters.get("rows", 10))

    def build(self, user, filters: dict, progress):
        import pandas as pd

        from portal.services.exports import ExportResult

        rows = int(filters.get("rows", 10))
        delay = float(filters.get("delay", 0))
        for done in range(1, rows + 1):
            if delay:
                time.sleep(delay)
            progress(done)
        frame = pd.DataFrame({"row": list(range(1, rows + 1))})
        return ExportResult(sheets={"rows": frame}, filename="counting.xlsx", audit_action=EXPORT_ACTION)


counting_export = CountingExport()


# --- the worker ----------------------------------------------------------------------------------


def worker_database(folder: Path, suite_database: dict) -> ServerDatabase:
    database = ServerDatabase.create(folder, suite_database)
    database.env.update(
        DJANGO_SETTINGS_MODULE="tests.jobs.worker_settings",
        Q_WORKERS="2",
        JOBS_STALE_SECONDS="5",
        JOBS_REQUEUE_SECONDS="10",
    )
    return database


class Cluster:
    """``manage.py qcluster`` in its own process group, killed with SIGKILL (sentinel, pusher,
    workers and monitor at once) as a crash or a power cut would."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.env, self.log = env, log
        self.process: subprocess.Popen | None = None
        self.starts = 0

    def start(self) -> None:
        with self.log.open("ab") as output:
            self.process = subprocess.Popen(
                [sys.executable, "manage.py", "qcluster"],
                cwd=ROOT,
                env=self.env,
                start_new_session=True,
                stdout=output,
                stderr=output,
            )
        self.starts += 1

    def kill(self) -> None:
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        self.process = None


class JobDatabase:
    """Plain SQL on the worker's database (SQLite file or PostgreSQL), from the test process."""

    def __init__(self, database: ServerDatabase) -> None:
        self.database = database

    def rows(self, sql: str, *params) -> list[tuple]:
        if self.database.engine == "sqlite":
            connection = sqlite3.connect(self.database.sqlite_path, timeout=30)
            try:
                return connection.execute(sql.replace("%s", "?"), params).fetchall()
            finally:
                connection.close()
        import psycopg

        with psycopg.connect(**self.database.postgres) as connection:
            return connection.execute(sql, params).fetchall()

    def export(self, pk: int) -> dict:
        status, done, total, attempts, file, failure = self.rows(
            "SELECT status, done, total, attempts, file, failure FROM portal_exportjob WHERE id = %s", pk
        )[0]
        return {"status": status, "done": done, "total": total, "attempts": attempts, "file": file, "failure": failure}

    def batch(self, pk: int) -> dict:
        status, done, total, attempts, archive, failure = self.rows(
            "SELECT status, done, total, attempts, archive, failure FROM certification_certificatebatch WHERE id = %s",
            pk,
        )[0]
        return {
            "status": status,
            "done": done,
            "total": total,
            "attempts": attempts,
            "archive": archive,
            "failure": failure,
        }

    def count(self, sql: str, *params) -> int:
        return self.rows(sql, *params)[0][0]

    def wait(self, read, until, *, timeout: float, what: str) -> dict:
        """Poll ``read()`` every 0.2 s until ``until(value)``; the last value, or AssertionError."""
        deadline = time.monotonic() + timeout
        value = read()
        while not until(value):
            if time.monotonic() > deadline:
                raise AssertionError(f"{what}: still {value} after {timeout} s")
            time.sleep(0.2)
            value = read()
        return value


def export_effects(db: JobDatabase, pk: int) -> dict:
    """What the owner and the auditor see of one export: notices and audit entries for it."""
    return {
        "audits": db.count(
            "SELECT COUNT(*) FROM portal_auditentry WHERE action = %s AND target_type = %s AND target_id = %s",
            EXPORT_ACTION,
            "portal.exportjob",
            str(pk),
        ),
        "notices": db.count("SELECT COUNT(*) FROM portal_notification WHERE url = %s", f"/exports/{pk}/"),
    }


# --- the commands run beside the worker ------------------------------------------------------------

HR = "270001"


def _owner():
    from people.models import User
    from tests.factories import UserFactory, unit_create

    user = User.objects.filter(police_number=HR).first()
    if user is None:
        user = UserFactory(police_number=HR, name="赵敏", unit=unit_create("政治处"))
    return user


def queue_export(rows: int, delay: float) -> dict:
    """An export job queued as ``export_respond`` queues one (the row committed, then the task)."""
    from django.db import transaction

    from portal.models import ExportJob
    from portal.services.exports import EXPORT_JOBS

    with transaction.atomic():
        job = ExportJob.objects.create(
            owner=_owner(),
            kind=EXPORT_KIND,
            title="Counting export",
            filters={"rows": rows, "delay": delay},
            total=rows,
            language="zh-hans",
        )
    return {"export": job.pk, "queued": EXPORT_JOBS.enqueue(job.pk)}


def prepare(rows: int, passers: int) -> dict:
    """A trainer, a 基本级 qualification exam ``passers`` officers passed (the result hook held
    back, so the batch issues every certificate), its certificate batch and a slow export, queued."""
    from django.core.management import call_command
    from django.db import transaction
    from django.test import override_settings

    from certification.services.certificates import certificate_batch_create
    from tests.certification.qualification_support import qualification_exam, sit
    from tests.factories import UserFactory, unit_create

    call_command("setup_schedules", stdout=io.StringIO())
    station = unit_create("北山派出所")
    officers = [UserFactory(police_number=f"27{n:04d}", name=f"民警{n}", unit=station) for n in range(passers)]
    trainer = UserFactory(police_number="279999", name="陈静", unit=unit_create("法制大队"))
    exam = qualification_exam(*officers)
    with override_settings(EXAMS_RESULT_HOOKS=[]):
        for officer in officers:
            sit(exam, officer)
    with transaction.atomic():
        batch, _created = certificate_batch_create(exam=exam, actor=trainer)
    return {"batch": batch.pk, "exam": exam.pk, **queue_export(rows, 0.01)}


def main(argv: list[str]) -> None:
    sys.path[:0] = [str(ROOT / "site"), str(ROOT)]
    import django

    django.setup()
    if argv[0] == "prepare":
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)
        result = prepare(int(argv[1]), int(argv[2]))
    elif argv[0] == "schedules":
        from django.core.management import call_command

        call_command("setup_schedules", stdout=io.StringIO())
        result = {}
    else:
        result = queue_export(int(argv[1]), float(argv[2]) if len(argv) > 2 else 0.01)
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])
