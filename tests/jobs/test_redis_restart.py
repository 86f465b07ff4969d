"""Redis restarted under the worker: workers reconnect, no export is lost or built twice (issue 15, item 4).

The test runs its own ``redis-server`` (port 16390, no persistence, database 6 flushed first) —
never the shared one — as the django-q2 broker and cache of a real ``manage.py qcluster``:

1. Two exports are queued while no worker runs, then Redis is killed with SIGKILL and started again
   empty: their tasks are gone, as django-q2 promises nothing for a task in a Redis list that dies
   without persistence.
2. The worker starts and builds a third export; Redis is killed under it and a fourth export is
   queued during the outage (the broker refuses the task; the job row is committed, the page
   answers). Redis comes back; a fifth export queued afterwards is built (the worker reconnected).
3. The sweep sends the four jobs whose task was lost or refused again (``JOBS_REQUEUE_SECONDS``,
   10 s here, 600 s in production), and every export ends done with one file, one notice and one
   audit entry.

Skipped only when ``redis-server`` is not installed. About 1.5 min (the sweep runs every minute).
"""

from __future__ import annotations

import contextlib
import json
import shutil
import socket
import subprocess
import time

import pytest
from django.conf import settings

from tests.exams.restart_support import migrations_key, run
from tests.jobs.support import Cluster, JobDatabase, export_effects, worker_database

REDIS_PORT = 16390
REDIS_DB = 6

pytestmark = pytest.mark.skipif(shutil.which("redis-server") is None, reason="redis-server is not installed")


class RedisServer:
    def __init__(self, port: int, log) -> None:
        self.port, self.log = port, log
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        with self.log.open("ab") as output:
            self.process = subprocess.Popen(
                ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
                stdout=output,
                stderr=output,
                start_new_session=True,
            )
        until = time.monotonic() + 10
        while time.monotonic() < until:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), timeout=1):
                return
            time.sleep(0.05)
        raise AssertionError("redis-server did not start")

    def kill(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None

    def cli(self, *args: str) -> str:
        command = ["redis-cli", "-p", str(self.port), "-n", str(REDIS_DB), *args]
        return subprocess.run(command, capture_output=True, text=True, timeout=10, check=True).stdout.strip()


@pytest.fixture
def redis(tmp_path):
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", REDIS_PORT)) == 0:
            pytest.fail(f"port {REDIS_PORT} is taken: this test runs its own redis-server there")
    server = RedisServer(REDIS_PORT, tmp_path / "redis.log")
    server.start()
    server.cli("FLUSHDB")
    yield server
    server.kill()


@pytest.fixture
def database(tmp_path, redis):
    database = worker_database(tmp_path, settings.DATABASES["default"])
    database.env["REDIS_URL"] = f"redis://127.0.0.1:{REDIS_PORT}/{REDIS_DB}"
    try:
        database.migrate(migrations_key())
        yield database
    finally:
        database.drop()


@pytest.fixture
def cluster(database, tmp_path):
    cluster = Cluster(database.env, tmp_path / "qcluster.log")
    yield cluster
    cluster.kill()


def test_redis_restarted_under_the_worker_loses_no_export_and_builds_none_twice(redis, database, cluster, tmp_path):
    db = JobDatabase(database)

    def queue(rows: int) -> dict:
        return json.loads(run(database.env, "-m", "tests.jobs.support", "export", str(rows), "0.01").splitlines()[-1])

    def log() -> str:
        return (tmp_path / "qcluster.log").read_text(errors="replace")[-3000:]

    run(database.env, "-m", "tests.jobs.support", "schedules")
    # 1. Tasks waiting in Redis when it dies without persistence are lost.
    lost = [queue(50), queue(50)]
    assert all(job["queued"] for job in lost)
    assert redis.cli("LLEN", "django_q:fazhi:q") == "2"
    redis.kill()
    redis.start()
    assert redis.cli("LLEN", "django_q:fazhi:q") == "0"

    # 2. Redis dies under a running export; an export queued during the outage is refused by the
    #    broker but kept; one queued after the restart is built by the reconnected worker.
    cluster.start()
    running = queue(500)
    db.wait(lambda: db.export(running["export"]), lambda job: job["done"] >= 50, timeout=90, what=log())
    redis.kill()
    during = queue(50)
    assert during["queued"] is False and db.export(during["export"])["status"] == "queued"
    redis.start()
    restarted_at = time.monotonic()
    after = queue(50)
    assert after["queued"] is True
    done = db.wait(lambda: db.export(after["export"]), lambda job: job["status"] == "done", timeout=120, what=log())
    reconnected_in = time.monotonic() - restarted_at

    # 3. The sweep sends the lost and refused ones again; every export is built exactly once.
    everyone = [*lost, running, during, after]
    for job in everyone:
        done = db.wait(
            lambda job=job: db.export(job["export"]),
            lambda row: row["status"] in {"done", "failed"},
            timeout=150,
            what=log(),
        )
        assert done["status"] == "done" and done["file"], (job, done)
        assert export_effects(db, job["export"]) == {"audits": 1, "notices": 1}, job
    settled_in = time.monotonic() - restarted_at
    print(f"\nredis restarted: a new export built {reconnected_in:.1f} s after, all five done {settled_in:.1f} s after")
    resent = db.count("SELECT COUNT(*) FROM portal_exportjob WHERE attempts = 1 AND status = 'done'")
    assert resent == len(everyone)
