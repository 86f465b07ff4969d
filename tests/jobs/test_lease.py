"""Background jobs hold a lease: one worker at a time, a heartbeat while it works, a sweep that
re-queues a job whose worker died (or fails it, with a retry button, after the last attempt), and a
retry for the job's owner only. ``portal.services.jobs``, through exports and certificate batches."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.models import AuditEntry, ExportJob, ExportStatus, Notification
from portal.services.exports import EXPORT_JOBS, export_job_run
from portal.services.jobs import LeaseLost, job_claim, jobs_sweep
from tests.jobs.support import EXPORT_ACTION, EXPORT_KIND

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def counting(settings):
    settings.PORTAL_EXPORTS = {**settings.PORTAL_EXPORTS, EXPORT_KIND: "tests.jobs.support.counting_export"}
    settings.JOBS_STALE_SECONDS = 120
    settings.JOBS_MAX_ATTEMPTS = 3
    settings.JOBS_REQUEUE_SECONDS = 600


@pytest.fixture
def queued(hr) -> ExportJob:
    return ExportJob.objects.create(owner=hr, kind=EXPORT_KIND, title="Counting export", filters={"rows": 5}, total=5)


@pytest.fixture
def sent(monkeypatch) -> list[int]:
    """The jobs handed to the broker (instead of the test settings' synchronous run)."""
    sent: list[int] = []
    monkeypatch.setattr(type(EXPORT_JOBS), "enqueue", lambda kind, pk: sent.append(pk) or True)
    return sent


def ago(seconds: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(seconds=seconds)


def effects(job: ExportJob) -> tuple[int, int]:
    """What the owner and the auditor see: notices of the export, audit entries of its rows."""
    url = reverse("portal:export_job", args=[job.pk])
    return (
        Notification.objects.filter(url=url).count(),
        AuditEntry.objects.filter(action=EXPORT_ACTION, target_id=str(job.pk)).count(),
    )


# --- claim and heartbeat ---------------------------------------------------------------------------


def test_a_queued_job_is_claimed_by_one_worker_only(queued):
    first = job_claim(EXPORT_JOBS, queued.pk)
    assert first is not None and first.attempt == 1
    assert job_claim(EXPORT_JOBS, queued.pk) is None  # the same task delivered twice
    queued.refresh_from_db()
    assert (queued.status, queued.attempts, queued.worker) == (ExportStatus.RUNNING, 1, first.token)
    assert queued.heartbeat_at is not None and queued.started_at is not None


def test_a_task_delivered_again_after_the_job_finished_changes_nothing(queued):
    assert export_job_run(queued.pk).status == ExportStatus.DONE
    queued.refresh_from_db()
    file, finished_at = queued.file.name, queued.finished_at
    assert export_job_run(queued.pk) is None
    queued.refresh_from_db()
    assert (queued.file.name, queued.finished_at, queued.attempts) == (file, finished_at, 1)
    assert effects(queued) == (1, 1)


def test_a_job_whose_worker_stopped_beating_is_taken_over_and_the_old_worker_stops(queued):
    old = job_claim(EXPORT_JOBS, queued.pk)
    old.beat(done=2)
    assert job_claim(EXPORT_JOBS, queued.pk) is None  # alive: left alone
    ExportJob.objects.filter(pk=queued.pk).update(heartbeat_at=ago(121))
    new = job_claim(EXPORT_JOBS, queued.pk)
    assert new is not None and new.attempt == 2 and new.token != old.token
    with pytest.raises(LeaseLost):
        old.beat(done=3)
    with pytest.raises(LeaseLost):
        old.finish(row_count=5)
    new.beat(done=1)
    queued.refresh_from_db()
    assert (queued.status, queued.done, queued.worker) == (ExportStatus.RUNNING, 1, new.token)


def test_an_export_taken_over_mid_build_keeps_only_the_new_workers_file(queued, monkeypatch):
    """The presumed-dead worker wakes up after another took the job: it writes nothing."""
    from tests.jobs import support

    taken: dict = {}
    original = support.CountingExport.build

    def build(self, user, filters, progress):
        if not taken:  # half-way, the sweep and another worker take the job over
            ExportJob.objects.filter(pk=queued.pk).update(heartbeat_at=ago(500))
            taken["lease"] = job_claim(EXPORT_JOBS, queued.pk)
        return original(self, user, filters, progress)

    monkeypatch.setattr(support.CountingExport, "build", build)
    job = export_job_run(queued.pk)
    assert job.status == ExportStatus.RUNNING and not job.file and job.attempts == 2
    assert effects(job) == (0, 0)


def test_progress_beats_the_heartbeat(queued):
    lease = job_claim(EXPORT_JOBS, queued.pk)
    ExportJob.objects.filter(pk=queued.pk).update(heartbeat_at=ago(60))
    lease.beat(done=4)
    queued.refresh_from_db()
    assert queued.done == 4 and queued.heartbeat_at > ago(5)


# --- sweep -----------------------------------------------------------------------------------------


def test_sweep_requeues_a_dead_job_then_fails_it_at_the_last_attempt(queued, sent, settings):
    settings.JOBS_MAX_ATTEMPTS = 2
    job_claim(EXPORT_JOBS, queued.pk)
    ExportJob.objects.filter(pk=queued.pk).update(heartbeat_at=ago(121))
    outcome = jobs_sweep(EXPORT_JOBS)
    assert outcome.requeued == [queued.pk] and sent == [queued.pk]
    queued.refresh_from_db()
    assert (queued.status, queued.attempts) == (ExportStatus.QUEUED, 1)

    job_claim(EXPORT_JOBS, queued.pk)  # the second attempt dies too
    ExportJob.objects.filter(pk=queued.pk).update(heartbeat_at=ago(121))
    outcome = jobs_sweep(EXPORT_JOBS)
    assert outcome.failed == [queued.pk] and sent == [queued.pk]
    queued.refresh_from_db()
    assert (queued.status, queued.failure, queued.attempts) == (ExportStatus.FAILED, "worker_lost", 2)
    assert queued.finished_at is not None
    actions = list(AuditEntry.objects.filter(target_id=str(queued.pk)).order_by("pk").values_list("action", flat=True))
    assert actions == ["portal.export_job.requeued", "portal.export_job.failed"]


def test_sweep_leaves_live_and_finished_jobs_alone(queued, hr, sent):
    lease = job_claim(EXPORT_JOBS, queued.pk)
    ExportJob.objects.filter(pk=queued.pk).update(heartbeat_at=ago(100))
    finished = ExportJob.objects.create(owner=hr, kind=EXPORT_KIND, title="t", status=ExportStatus.DONE)
    assert jobs_sweep(EXPORT_JOBS).requeued == []
    lease.beat(done=1)
    assert sent == []
    assert ExportJob.objects.get(pk=finished.pk).status == ExportStatus.DONE


def test_a_redelivered_task_fails_a_dead_job_at_its_last_attempt(queued, settings):
    settings.JOBS_MAX_ATTEMPTS = 1
    job_claim(EXPORT_JOBS, queued.pk)
    ExportJob.objects.filter(pk=queued.pk).update(heartbeat_at=ago(121))
    assert export_job_run(queued.pk) is None
    queued.refresh_from_db()
    assert (queued.status, queued.failure) == (ExportStatus.FAILED, "worker_lost")


def test_sweep_sends_again_a_queued_job_whose_task_was_lost(queued, sent):
    ExportJob.objects.filter(pk=queued.pk).update(queued_at=ago(601))
    assert jobs_sweep(EXPORT_JOBS).resent == [queued.pk]
    assert jobs_sweep(EXPORT_JOBS).resent == []  # once per waiting period, not at every sweep
    assert sent == [queued.pk]


def test_a_broker_that_refuses_the_task_leaves_the_job_queued_for_the_sweep(queued, monkeypatch):
    import django_q.tasks

    from portal.services.exports import _enqueue

    def refused(*args, **kwargs):
        raise ConnectionError("redis is down")

    monkeypatch.setattr(django_q.tasks, "async_task", refused)
    _enqueue(queued.pk)  # logged, not raised: the page that queued it answers normally
    queued.refresh_from_db()
    assert queued.status == ExportStatus.QUEUED


def test_the_sweeps_are_scheduled_every_minute():
    from portal.tasks import registered_schedules

    minutes = {spec.name: spec.minutes for spec in registered_schedules()}
    assert minutes["portal.sweep_export_jobs"] == 1
    assert minutes["certification.sweep_certificate_batches"] == 1


# --- the page and its retry --------------------------------------------------------------------------


@pytest.fixture
def failed(queued) -> ExportJob:
    ExportJob.objects.filter(pk=queued.pk).update(
        status=ExportStatus.FAILED, failure="worker_lost", attempts=3, finished_at=timezone.now()
    )
    queued.refresh_from_db()
    return queued


def test_a_failed_job_says_why_in_chinese_with_a_retry_button(client, hr, failed):
    client.force_login(hr)
    page = client.get(reverse("portal:export_job", args=[failed.pk])).content.decode()
    assert "后台进程在处理这项任务时中断" in page and "已连续 3 次" in page
    assert reverse("portal:export_retry", args=[failed.pk]) in page and "重新运行" in page
    status = client.get(reverse("portal:export_job_status", args=[failed.pk])).json()
    assert status["finished"] and status["status"] == "failed"
    assert status["retry_url"] == reverse("portal:export_retry", args=[failed.pk])
    assert "重新运行" in client.get(reverse("portal:my_exports")).content.decode()


def test_retry_runs_the_job_again_once_for_a_double_click(client, hr, failed, django_capture_on_commit_callbacks):
    client.force_login(hr)
    url = reverse("portal:export_retry", args=[failed.pk])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        first = client.post(url)
        second = client.post(url)
    assert first.status_code == second.status_code == 302
    assert len(callbacks) == 1  # one run queued
    failed.refresh_from_db()
    assert (failed.status, failed.attempts, failed.failure) == (ExportStatus.QUEUED, 0, "")
    callbacks[0]()  # the broker delivers it (synchronously in tests)
    failed.refresh_from_db()
    assert failed.status == ExportStatus.DONE and effects(failed) == (1, 1)
    assert AuditEntry.objects.filter(action="portal.export_job.retried", target_id=str(failed.pk)).count() == 1


def test_someone_elses_job_cannot_be_retried(client, officer, failed):
    client.force_login(officer)
    assert client.post(reverse("portal:export_retry", args=[failed.pk])).status_code == 404
    failed.refresh_from_db()
    assert failed.status == ExportStatus.FAILED


def test_retry_needs_a_post_and_a_failed_job(client, hr, queued):
    client.force_login(hr)
    assert client.get(reverse("portal:export_retry", args=[queued.pk])).status_code == 405
    client.post(reverse("portal:export_retry", args=[queued.pk]))
    queued.refresh_from_db()
    assert (queued.status, queued.attempts) == (ExportStatus.QUEUED, 0)
    assert not AuditEntry.objects.filter(action="portal.export_job.retried").exists()
