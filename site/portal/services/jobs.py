"""Leases for background jobs (exports, certificate batches): one holder at a time, a heartbeat while
it works, and a sweep that settles a job whose worker died — re-queued up to ``JOBS_MAX_ATTEMPTS``
times, then failed with a message key and a retry button. A job never stays "running" for ever.

A job model inherits ``portal.models.JobLease`` and has ``status`` (values queued / running / done /
failed), ``done``, ``error`` and ``finished_at``. Its service names it with a ``JobKind`` and calls
``job_claim`` at the start of the task, ``Lease.beat`` per chunk of work, ``Lease.finish`` at the
end; its views call ``job_retry``; its schedule calls ``jobs_sweep``.

What django-q2 does and does not promise (1.11): the ORM broker hands an unacknowledged task out
again after ``Q_CLUSTER["retry"]`` seconds (so a task whose worker was killed runs again, ~12 min
later); the Redis broker pops the task (BLPOP) and never hands it out again, and a task still in the
Redis list is lost if Redis dies without persistence. Hence the sweep, which needs neither.

Races, and what settles each:

- **A task delivered twice** (the ORM broker's redelivery, the sweep's re-queue, a retry, a human
  queueing by hand): ``job_claim`` is one conditional UPDATE that takes only a queued job, or a
  running one whose heartbeat is older than ``JOBS_STALE_SECONDS``. The second delivery finds the
  job running with a fresh heartbeat, or finished, updates no row, and does nothing.
- **A worker presumed dead but only slow**: the claim that takes over writes a new ``worker`` token;
  every beat and the final write of the old holder match on its own token, update no row, and raise
  ``LeaseLost``: it stops without writing its result (its file is deleted).
- **Sweep against claim or beat**: both are conditional UPDATEs on the same columns (status, worker,
  heartbeat); whichever commits first wins and the other updates no row.
- **Retry clicked twice**: failed → queued is a conditional UPDATE; the second click updates no row
  and queues nothing.
- **The broker is down when a job is queued**: the row is committed as queued and the enqueue error
  is logged, not raised; the sweep queues the job again after ``JOBS_REQUEUE_SECONDS``.
"""

from __future__ import annotations

import datetime
import logging
import os
import secrets
import socket
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.db import models, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.services.audit import audit_log

logger = logging.getLogger(__name__)

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"

# Defaults of the settings of the same name. A heartbeat is written at every chunk of work (at
# most every HEARTBEAT_SECONDS); the longest gap measured between two is the xlsx writer of a
# 100,000-row export (~14 s, docs/PERFORMANCE.md), so 120 s without one means the worker is gone.
JOBS_STALE_SECONDS = 120
JOBS_MAX_ATTEMPTS = 3
# A queued job not started after this long may have lost its task (Redis restarted without
# persistence, or the broker was down when it was queued): it is queued again.
JOBS_REQUEUE_SECONDS = 600
HEARTBEAT_SECONDS = 2.0

FAILURES = {
    "worker_lost": _(
        "The background worker stopped while working on this job (it was restarted or took too long), "
        "%(attempts)d times in a row. You can run it again."
    ),
    "error": _("The job stopped with an error. You can run it again; if it fails again, tell the administrator."),
}


def failure_message(job: models.Model) -> str:
    """The reason of a failed job in the reader's language ('' when it has not failed)."""
    if job.status != FAILED:
        return ""
    return str(FAILURES.get(job.failure) or FAILURES["error"]) % {"attempts": job.attempts}


def stale_seconds() -> int:
    return int(getattr(settings, "JOBS_STALE_SECONDS", JOBS_STALE_SECONDS))


def max_attempts() -> int:
    return int(getattr(settings, "JOBS_MAX_ATTEMPTS", JOBS_MAX_ATTEMPTS))


def requeue_seconds() -> int:
    return int(getattr(settings, "JOBS_REQUEUE_SECONDS", JOBS_REQUEUE_SECONDS))


@dataclass(frozen=True)
class JobKind:
    """One kind of background job: its model, the task that runs one, and its audit namespace."""

    model: type[models.Model]
    task: str  # dotted path of the task, called with the job's primary key
    name: str  # task names read "<name>-<pk>"; audit actions "<audit>.requeued" …
    audit: str

    def enqueue(self, pk: int) -> bool:
        """Hand the job to the broker; False (logged) when the broker refused it: the job stays
        queued and the sweep queues it again."""
        from django_q.tasks import async_task

        try:
            async_task(self.task, pk, task_name=f"{self.name}-{pk}")
        except Exception:
            logger.exception("Could not queue %s %s; the sweep will queue it again", self.name, pk)
            return False
        return True


class LeaseLost(Exception):
    """Another worker holds the job now (this one was presumed dead), or it was settled meanwhile."""


@dataclass
class Lease:
    kind: JobKind
    pk: int
    token: str
    attempt: int
    _last_beat: float = field(default_factory=time.monotonic)

    def _mine(self):
        return self.kind.model.objects.filter(pk=self.pk, status=RUNNING, worker=self.token)

    def beat(self, *, force: bool = False, **values) -> None:
        """A sign of life, with progress ``values`` (e.g. ``done=``); raises ``LeaseLost``. Without
        values it is written at most every HEARTBEAT_SECONDS unless ``force``."""
        now = time.monotonic()
        if not values and not force and now - self._last_beat < HEARTBEAT_SECONDS:
            return
        if not self._mine().update(heartbeat_at=timezone.now(), **values):
            raise LeaseLost(f"{self.kind.name}-{self.pk}")
        self._last_beat = now

    def finish(self, *, now: datetime.datetime | None = None, **values) -> None:
        """Mark the job done with ``values``; raises ``LeaseLost`` (call inside the transaction that
        writes the job's other results, so they roll back with it)."""
        now = now or timezone.now()
        if not self._mine().update(status=DONE, finished_at=now, heartbeat_at=now, failure="", **values):
            raise LeaseLost(f"{self.kind.name}-{self.pk}")

    def fail(self, *, error: str, **values) -> bool:
        """Mark the job failed (key "error"), keeping the technical cause for the logs and admin."""
        now = timezone.now()
        return bool(self._mine().update(status=FAILED, failure="error", error=error[:2000], finished_at=now, **values))


def _token() -> str:
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{secrets.token_hex(4)}"


def _stale(now: datetime.datetime) -> Q:
    before = now - datetime.timedelta(seconds=stale_seconds())
    return Q(status=RUNNING) & (Q(heartbeat_at__lt=before) | Q(heartbeat_at__isnull=True))


def job_claim(kind: JobKind, pk: int, *, now: datetime.datetime | None = None) -> Lease | None:
    """Take the job for this worker: a queued job, or a running one whose holder stopped beating
    (a redelivered task after a crash). None when it is held by a live worker, finished, failed or
    gone — the caller then does nothing. A dead holder's job at its last attempt is failed here."""
    now = now or timezone.now()
    token = _token()
    takeable = Q(status=QUEUED) | (_stale(now) & Q(attempts__lt=max_attempts()))
    taken = kind.model.objects.filter(takeable, pk=pk).update(
        status=RUNNING,
        attempts=F("attempts") + 1,
        worker=token,
        started_at=now,
        heartbeat_at=now,
        done=0,
        failure="",
        error="",
        finished_at=None,
    )
    if taken:
        attempt = kind.model.objects.filter(pk=pk, worker=token).values_list("attempts", flat=True).first() or 0
        if attempt > 1:
            logger.warning("%s-%s: attempt %s (%s)", kind.name, pk, attempt, token)
        return Lease(kind=kind, pk=pk, token=token, attempt=attempt)
    kind.model.objects.filter(_stale(now), pk=pk, attempts__gte=max_attempts()).update(
        status=FAILED, failure="worker_lost", finished_at=now
    )
    return None


@dataclass
class SweepOutcome:
    requeued: list[int] = field(default_factory=list)  # running jobs whose worker died: queued again
    failed: list[int] = field(default_factory=list)  # … at their last attempt: failed, retry button
    resent: list[int] = field(default_factory=list)  # queued jobs whose task may be lost: queued again


def jobs_sweep(kind: JobKind, *, now: datetime.datetime | None = None) -> SweepOutcome:
    """Settle the jobs of ``kind`` whose worker stopped beating, and send again the queued ones
    that have waited too long. Run every minute by the schedule of each job kind."""
    now = now or timezone.now()
    outcome = SweepOutcome()
    objects = kind.model.objects
    for row in objects.filter(_stale(now)).values("pk", "worker", "heartbeat_at", "attempts"):
        same = objects.filter(pk=row["pk"], status=RUNNING, worker=row["worker"], heartbeat_at=row["heartbeat_at"])
        with transaction.atomic():
            if row["attempts"] < max_attempts():
                if not same.update(status=QUEUED, queued_at=now, worker=""):
                    continue  # it beat, finished or was taken meanwhile
                outcome.requeued.append(row["pk"])
                action = "requeued"
            else:
                if not same.update(status=FAILED, failure="worker_lost", finished_at=now):
                    continue
                outcome.failed.append(row["pk"])
                action = "failed"
            audit_log(
                actor="django-q",
                action=f"{kind.audit}.{action}",
                target=objects.get(pk=row["pk"]),
                data={"reason": "worker_lost", "attempts": row["attempts"], "worker": row["worker"]},
            )
    waited = now - datetime.timedelta(seconds=requeue_seconds())
    for row in objects.filter(status=QUEUED, queued_at__lt=waited).values("pk", "queued_at"):
        if objects.filter(pk=row["pk"], status=QUEUED, queued_at=row["queued_at"]).update(queued_at=now):
            outcome.resent.append(row["pk"])
    for pk in outcome.requeued + outcome.resent:
        kind.enqueue(pk)
    if outcome.requeued or outcome.failed or outcome.resent:
        logger.warning("%s sweep: %s", kind.name, outcome)
    return outcome


def job_retry(kind: JobKind, pk: int, *, actor) -> bool:
    """Run a failed job again, as a new round of attempts. False when it is not failed (already
    retried by a first click, or finished): a double click queues one run."""
    now = timezone.now()
    with transaction.atomic():
        retried = kind.model.objects.filter(pk=pk, status=FAILED).update(
            status=QUEUED,
            attempts=0,
            worker="",
            failure="",
            error="",
            done=0,
            queued_at=now,
            started_at=None,
            heartbeat_at=None,
            finished_at=None,
        )
        if not retried:
            return False
        audit_log(actor=actor, action=f"{kind.audit}.retried", target=kind.model.objects.get(pk=pk))
        transaction.on_commit(lambda: kind.enqueue(pk))
    return True
