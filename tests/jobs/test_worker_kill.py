"""A worker killed mid-export and mid-certificate-batch leaves no job stuck "running" (issue 15, item 4).

A real ``manage.py qcluster`` (ORM broker, two workers) builds a slow export and issues a batch of
certificates on a database of the test's own; the whole cluster is killed with SIGKILL while both
are half-way, and a new cluster is started. Its scheduled sweep sees that neither job has beaten for
``JOBS_STALE_SECONDS`` (5 s here, 120 s in production), queues both again, and they finish: the
export once (one file, one notice, one audit entry), the batch with every passer holding exactly
one certificate. The killed tasks themselves stay locked in the ORM broker until
``Q_CLUSTER["retry"]`` (12 min) and would then find the jobs done and do nothing.

About 1.5 min: the new cluster's scheduler first runs 30 s after it starts, and the first run for a
set of migrations also migrates (~30 s, kept for the next runs).
"""

from __future__ import annotations

import json
import time
import zipfile

import pytest
from django.conf import settings

from tests.exams.restart_support import migrations_key, run
from tests.jobs.support import Cluster, JobDatabase, export_effects, worker_database

ROWS = 800  # 10 ms each: ~8 s of building
PASSERS = 12


@pytest.fixture
def database(tmp_path):
    database = worker_database(tmp_path, settings.DATABASES["default"])
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


def test_a_worker_killed_mid_export_and_mid_batch_finishes_both_once(database, cluster, tmp_path):
    db = JobDatabase(database)
    command = ["-m", "tests.jobs.support", "prepare", str(ROWS), str(PASSERS)]
    prepared = json.loads(run(database.env, *command, timeout=240))
    export_pk, batch_pk = prepared["export"], prepared["batch"]
    assert prepared["queued"] is True
    cluster.start()

    def log() -> str:
        return (tmp_path / "qcluster.log").read_text(errors="replace")[-3000:]

    # Both jobs half-way, then the whole cluster dies at once.
    db.wait(lambda: db.batch(batch_pk), lambda batch: batch["done"] >= 2, timeout=90, what="batch " + log())
    db.wait(lambda: db.export(export_pk), lambda job: job["done"] >= 1, timeout=90, what="export " + log())
    cluster.kill()
    killed_at = time.monotonic()
    at_kill = {"export": db.export(export_pk), "batch": db.batch(batch_pk)}
    assert at_kill["export"]["status"] == "running" and at_kill["export"]["done"] < ROWS, at_kill
    assert at_kill["batch"]["status"] == "running" and at_kill["batch"]["done"] < PASSERS, at_kill
    certified_at_kill = db.count("SELECT COUNT(*) FROM certification_certificate")
    assert 0 < certified_at_kill < PASSERS

    cluster.start()
    finished = {"done", "failed"}
    export = db.wait(lambda: db.export(export_pk), lambda job: job["status"] in finished, timeout=150, what=log())
    batch = db.wait(lambda: db.batch(batch_pk), lambda batch: batch["status"] in finished, timeout=150, what=log())
    recovered_in = time.monotonic() - killed_at
    print(f"\nworker killed mid-job: both jobs done {recovered_in:.1f} s after the kill; {at_kill}")

    # Retried (a second attempt), done, and its visible effects once.
    assert (export["status"], export["attempts"], export["done"]) == ("done", 2, ROWS)
    assert export_effects(db, export_pk) == {"audits": 1, "notices": 1}
    assert (batch["status"], batch["attempts"], batch["done"], batch["total"]) == ("done", 2, PASSERS, PASSERS)

    # Every passer holds exactly one certificate, none superseded by a second issue.
    assert db.count("SELECT COUNT(*) FROM certification_certificate") == PASSERS
    assert db.count("SELECT COUNT(*) FROM certification_certificate WHERE superseded_at IS NOT NULL") == 0
    per_officer = db.rows(
        "SELECT q.officer_id, COUNT(c.id) FROM certification_certificate c "
        "JOIN certification_qualification q ON q.id = c.qualification_id GROUP BY q.officer_id"
    )
    assert len(per_officer) == PASSERS and {count for _officer, count in per_officer} == {1}
    with zipfile.ZipFile(database.env["MEDIA_ROOT"] + "/" + batch["archive"]) as archive:
        assert len(archive.namelist()) == PASSERS
    assert (
        db.count("SELECT COUNT(*) FROM portal_auditentry WHERE action = %s", "certification.certificate_batch.requeued")
        == 1
    )
    assert db.count("SELECT COUNT(*) FROM portal_auditentry WHERE action = %s", "portal.export_job.requeued") == 1
    assert cluster.starts == 2
