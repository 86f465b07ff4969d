"""Pages of background exports: the progress page and its JSON status, the download (while the
link is valid), the retry of a failed one and the list of the user's own exports. Every job is
visible to its owner only: anyone else gets 404, for the page, its status, its file and its retry."""

from __future__ import annotations

import datetime

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from portal.models import ExportJob, ExportStatus
from portal.services.exports import export_job_is_expired, export_job_retry
from portal.services.jobs import failure_message

MY_EXPORTS_DAYS = 30


def _own_job(request, pk: int) -> ExportJob:
    return get_object_or_404(ExportJob, pk=pk, owner=request.user)


def _status_data(job: ExportJob) -> dict:
    expired = export_job_is_expired(job)
    percent = 100 if job.status == ExportStatus.DONE else (min(100, job.done * 100 // job.total) if job.total else 0)
    ready = job.status == ExportStatus.DONE and not expired
    return {
        "status": ExportStatus.EXPIRED.value if expired else job.status,
        "status_label": str(ExportStatus.EXPIRED.label if expired else job.get_status_display()),
        "done": job.done,
        "total": job.total,
        "percent": percent,
        "finished": job.status != ExportStatus.QUEUED and job.status != ExportStatus.RUNNING,
        "error": failure_message(job),
        "retry_url": reverse("portal:export_retry", args=[job.pk]) if job.status == ExportStatus.FAILED else "",
        "download_url": reverse("portal:export_download", args=[job.pk]) if ready else "",
    }


@login_required
@require_GET
def export_job(request, pk: int):
    job = _own_job(request, pk)
    filters = [(key, value) for key, value in (job.filters or {}).items() if value not in ("", None, [], {})]
    return render(request, "portal/exports/job.html", {"job": job, "filters": filters, "data": _status_data(job)})


@login_required
@require_GET
def export_job_status(request, pk: int):
    return JsonResponse(_status_data(_own_job(request, pk)))


@login_required
@require_POST
def export_retry(request, pk: int):
    """Build a failed export again (重新运行); a second click finds it queued and starts nothing."""
    job = _own_job(request, pk)
    export_job_retry(job=job, actor=request.user)
    return redirect("portal:export_job", pk=job.pk)


@login_required
@require_GET
def export_download(request, pk: int):
    job = _own_job(request, pk)
    if export_job_is_expired(job):
        return render(request, "portal/exports/expired.html", {"job": job}, status=410)
    if job.status != ExportStatus.DONE or not job.file:
        return redirect("portal:export_job", pk=job.pk)
    try:
        handle = job.file.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    return FileResponse(handle, as_attachment=True, filename=job.filename or None)


@login_required
@require_GET
def my_exports(request):
    since = timezone.now() - datetime.timedelta(days=MY_EXPORTS_DAYS)
    jobs = ExportJob.objects.filter(owner=request.user, created_at__gte=since)
    now = timezone.now()
    rows = [(job, export_job_is_expired(job, now=now)) for job in jobs]
    return render(request, "portal/exports/mine.html", {"rows": rows, "days": MY_EXPORTS_DAYS})
