"""List exports that may be large: answered at once when small, otherwise built by the django-q2
worker as an ``ExportJob`` with a progress page and a download link that expires.

An export is registered by kind in ``settings.PORTAL_EXPORTS`` (kind -> dotted path of an object
with ``title``, ``count(user, filters)`` and ``build(user, filters, progress) -> ExportResult``), so
portal never imports the apps that provide the rows. Every export is audited with its filters and
row count, whichever way it is delivered.
"""

from __future__ import annotations

import datetime
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from portal.exports import xlsx_bytes, xlsx_download
from portal.models import ExportJob, ExportStatus
from portal.services.audit import audit_log
from portal.services.jobs import JobKind, Lease, LeaseLost, SweepOutcome, job_claim, job_retry, jobs_sweep
from portal.services.notifications import notification_send

logger = logging.getLogger(__name__)

# The progress bar is written at most this often: every ~1 % of the rows or every second.
PROGRESS_INTERVAL_SECONDS = 1.0


@dataclass
class ExportResult:
    sheets: dict[str, Any]  # sheet name -> pandas DataFrame
    filename: str
    audit_action: str

    @property
    def row_count(self) -> int:
        return sum(len(frame) for frame in self.sheets.values())


class ExportDefinition(Protocol):
    title: str

    def count(self, user, filters: dict) -> int: ...

    def build(self, user, filters: dict, progress: Callable[[int], None]) -> ExportResult: ...


class UnknownExport(LookupError):
    """A kind that is not in ``settings.PORTAL_EXPORTS``."""


def export_definition(kind: str) -> ExportDefinition:
    path = getattr(settings, "PORTAL_EXPORTS", {}).get(kind)
    if not path:
        raise UnknownExport(f"No export is registered as {kind!r} in PORTAL_EXPORTS.")
    return import_string(path)


def _audit(*, actor, result: ExportResult, kind: str, filters: dict, job: ExportJob | None = None) -> None:
    data = {"filters": filters, "rows": result.row_count, "kind": kind}
    if job is not None:
        data["background"] = True
    audit_log(actor=actor, action=result.audit_action, target=job, data=data)


def export_respond(request, *, kind: str, filters: dict) -> HttpResponse:
    """The xlsx at once when the rows are few; else a queued job and a redirect to its progress page.

    ``filters`` must be JSON-serialisable: a background job stores them and hands them to the
    definition's ``build`` again in the worker.
    """
    try:
        definition = export_definition(kind)
    except UnknownExport as error:
        raise Http404(str(error)) from error
    user = request.user
    total = definition.count(user, filters)
    if total <= settings.PORTAL_EXPORT_INLINE_ROWS:
        result = definition.build(user, filters, lambda done: None)
        content = xlsx_bytes(result.sheets)
        _audit(actor=user, result=result, kind=kind, filters=filters)
        return xlsx_download(content, result.filename)
    with transaction.atomic():
        job = ExportJob.objects.create(
            owner=user,
            kind=kind,
            title=str(definition.title)[:200],
            filters=filters,
            total=total,
            language=translation.get_language() or "",
        )
        transaction.on_commit(lambda: _enqueue(job.pk))
    return redirect("portal:export_job", pk=job.pk)


EXPORT_JOBS = JobKind(model=ExportJob, task="portal.tasks.run_export_job", name="export-job", audit="portal.export_job")


def _enqueue(job_id: int) -> None:
    EXPORT_JOBS.enqueue(job_id)


def _progress_writer(job: ExportJob, lease: Lease | None = None) -> Callable[[int], None]:
    """Rows done, written with the heartbeat every ~1 % of the rows or every second."""
    step = max(1, job.total // 100)
    last = {"done": 0, "at": time.monotonic()}

    def progress(done: int) -> None:
        now = time.monotonic()
        if done - last["done"] < step and now - last["at"] < PROGRESS_INTERVAL_SECONDS:
            return
        last.update(done=done, at=now)
        value = min(done, job.total) if job.total else done
        if lease is None:
            ExportJob.objects.filter(pk=job.pk).update(done=value)
        else:
            lease.beat(done=value)

    return progress


def export_job_run(job_id: int) -> ExportJob | None:
    """Build a queued job's workbook into ``job.file``, notify its owner and audit it.

    The job is claimed first (``portal.services.jobs``): a task delivered again while another
    worker holds the job, or after it finished, does nothing; a job whose worker died is built
    again from the start. A failure marks the job failed (key "error", the cause kept in
    ``error``) and leaves no file behind.
    """
    lease = job_claim(EXPORT_JOBS, job_id)
    if lease is None:
        return None
    job = ExportJob.objects.select_related("owner").get(pk=job_id)
    with translation.override(job.language or settings.LANGUAGE_CODE):
        return _export_job_build(job, lease)


def _export_job_build(job: ExportJob, lease: Lease) -> ExportJob:
    stored_name = ""
    try:
        definition = export_definition(job.kind)
        result = definition.build(job.owner, job.filters, _progress_writer(job, lease))
        lease.beat(force=True)
        content = xlsx_bytes(result.sheets)
        lease.beat(force=True)
        with transaction.atomic():
            job.file.save(result.filename, ContentFile(content), save=False)
            stored_name = job.file.name
            now = timezone.now()
            total = max(job.total, result.row_count)
            lease.finish(
                now=now,
                file=stored_name,
                filename=result.filename[:200],
                row_count=result.row_count,
                done=total,
                total=total,
                expires_at=now + datetime.timedelta(hours=settings.PORTAL_EXPORT_LINK_HOURS),
            )
            job.refresh_from_db()
            _audit(actor=job.owner, result=result, kind=job.kind, filters=job.filters, job=job)
            notification_send(
                recipient=job.owner,
                title=_("Your export is ready"),
                body=job.title,
                url=reverse("portal:export_job", args=[job.pk]),
                kind="export",
            )
    except LeaseLost:
        # Presumed dead and taken over by another worker, which writes the file: keep nothing.
        logger.warning("Export job %s: another worker holds it now; this run stops", job.pk)
        if stored_name:
            job.file.storage.delete(stored_name)
        job.refresh_from_db()
    except Exception as error:
        logger.exception("Export job %s (%s) failed", job.pk, job.kind)
        if stored_name:
            job.file.storage.delete(stored_name)
        lease.fail(error=f"{type(error).__name__}: {error}", file="")
        job.refresh_from_db()
    return job


def export_job_retry(*, job: ExportJob, actor) -> bool:
    """Build a failed export again (its owner's retry button); False when it is not failed."""
    return job_retry(EXPORT_JOBS, job.pk, actor=actor)


def export_jobs_sweep() -> SweepOutcome:
    return jobs_sweep(EXPORT_JOBS)


def export_files_expire(*, now: datetime.datetime | None = None) -> int:
    """Delete the files of finished jobs whose link has expired; returns how many jobs expired."""
    now = now or timezone.now()
    expired = 0
    for job in ExportJob.objects.filter(status=ExportStatus.DONE, expires_at__lt=now):
        if job.file:
            job.file.delete(save=False)
        job.status = ExportStatus.EXPIRED
        job.save(update_fields=["status", "file"])
        expired += 1
    return expired


def export_job_is_expired(job: ExportJob, *, now: datetime.datetime | None = None) -> bool:
    if job.status == ExportStatus.EXPIRED:
        return True
    return job.expires_at is not None and job.expires_at <= (now or timezone.now())
