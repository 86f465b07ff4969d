"""Background exports: small lists answered at once, large ones built as jobs with progress, a
download for the owner only, an expiring link, and an audit entry with filters and row count."""

from __future__ import annotations

import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.models import AuditEntry, ExportJob, ExportStatus, Notification
from portal.services.exports import _progress_writer, export_job_run
from portal.tasks import SCHEDULES, expire_export_files
from tests.certification.qualification_support import english, grant

pytestmark = pytest.mark.django_db

XLSX_URL = "certification:qualification_list_xlsx"
ACTION = "certification.qualifications.exported"


class FailingExport:
    title = "Failing export"

    def count(self, user, filters):
        return 10

    def build(self, user, filters, progress):
        progress(3)
        raise RuntimeError("the database went away")


failing_export = FailingExport()


@pytest.fixture
def records(officer, squad_officer, outsider):
    return [grant(officer, "basic"), grant(squad_officer, "basic"), grant(outsider, "lead_officer")]


@pytest.fixture
def background(settings):
    settings.PORTAL_EXPORT_INLINE_ROWS = 1
    return settings


def filled(filters: dict) -> dict:
    """The filters the user set (the page's export link also carries the empty ones)."""
    return {key: value for key, value in filters.items() if value}


def read_xlsx(content: bytes):
    import pandas as pd

    return pd.read_excel(io.BytesIO(content))


def queue_export(client, user, django_capture_on_commit_callbacks, **params) -> ExportJob:
    english(client)
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(reverse(XLSX_URL), params)
    job = ExportJob.objects.get(owner=user)
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:export_job", args=[job.pk])
    job.refresh_from_db()
    return job


def test_small_export_is_answered_at_once_and_audited_with_filters_and_rows(client, hr, squad, records):
    english(client)
    client.force_login(hr)
    response = client.get(reverse(XLSX_URL), {"unit": squad.pk, "status": "valid"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    frame = read_xlsx(response.content)
    assert list(frame["Police number"].astype(str)) == [records[1].officer.police_number]
    entry = AuditEntry.objects.get(action=ACTION)
    assert entry.actor == hr
    assert entry.data["rows"] == 1 and entry.data["kind"] == "certification.qualifications"
    assert filled(entry.data["filters"]) == {"unit": str(squad.pk), "status": "valid"}
    assert "background" not in entry.data
    assert not ExportJob.objects.exists()


def test_large_export_runs_as_a_job_with_progress_download_and_notice(
    client, hr, records, background, django_capture_on_commit_callbacks
):
    job = queue_export(client, hr, django_capture_on_commit_callbacks, status="valid")
    assert job.status == ExportStatus.DONE
    assert job.total == 3 and job.done == 3 and job.row_count == 3
    assert filled(job.filters) == {"status": "valid"}
    assert job.expires_at == job.finished_at + datetime.timedelta(hours=24)

    status = client.get(reverse("portal:export_job_status", args=[job.pk])).json()
    assert status["status"] == "done" and status["percent"] == 100
    assert status["done"] == status["total"] == 3
    assert status["download_url"] == reverse("portal:export_download", args=[job.pk])

    page = client.get(reverse("portal:export_job", args=[job.pk]))
    assert page.status_code == 200
    assert b"status" in page.content and b"valid" in page.content  # the filters in words
    download = client.get(status["download_url"])
    assert download.status_code == 200
    frame = read_xlsx(b"".join(download.streaming_content))
    assert len(frame) == 3

    entry = AuditEntry.objects.get(action=ACTION)
    assert entry.data["rows"] == 3 and entry.data["background"] is True
    assert filled(entry.data["filters"]) == {"status": "valid"}
    notice = Notification.objects.get(recipient=hr, kind="export")
    assert notice.url == reverse("portal:export_job", args=[job.pk])
    listing = client.get(reverse("portal:my_exports"))
    assert listing.status_code == 200 and job.title.encode() in listing.content


def test_running_a_finished_job_again_changes_nothing(
    client, hr, records, background, django_capture_on_commit_callbacks
):
    job = queue_export(client, hr, django_capture_on_commit_callbacks)
    name = job.file.name
    assert export_job_run(job.pk) is None
    job.refresh_from_db()
    assert job.file.name == name
    assert AuditEntry.objects.filter(action=ACTION).count() == 1
    assert Notification.objects.filter(recipient=hr, kind="export").count() == 1


def test_another_user_gets_404_for_the_job_its_status_and_its_file(
    client, hr, legal_leader, records, background, django_capture_on_commit_callbacks
):
    job = queue_export(client, hr, django_capture_on_commit_callbacks)
    client.force_login(legal_leader)
    for name in ("portal:export_job", "portal:export_job_status", "portal:export_download"):
        assert client.get(reverse(name, args=[job.pk])).status_code == 404
    assert reverse("portal:export_job", args=[job.pk]).encode() not in client.get(reverse("portal:my_exports")).content


def test_link_is_gone_after_expiry_and_the_schedule_deletes_the_file(
    client, hr, records, background, django_capture_on_commit_callbacks
):
    job = queue_export(client, hr, django_capture_on_commit_callbacks)
    storage, name = job.file.storage, job.file.name
    assert storage.exists(name)
    ExportJob.objects.filter(pk=job.pk).update(expires_at=timezone.now() - datetime.timedelta(minutes=1))

    response = client.get(reverse("portal:export_download", args=[job.pk]))
    assert response.status_code == 410
    assert b"expired" in response.content
    assert client.get(reverse("portal:export_job_status", args=[job.pk])).json()["download_url"] == ""

    assert expire_export_files() == 1
    job.refresh_from_db()
    assert job.status == ExportStatus.EXPIRED and not job.file
    assert not storage.exists(name)
    assert client.get(reverse("portal:export_download", args=[job.pk])).status_code == 410
    assert "portal.expire_export_files" in {spec.name for spec in SCHEDULES}


def test_expired_page_is_in_chinese_by_default(client, hr, records, background, django_capture_on_commit_callbacks):
    job = queue_export(client, hr, django_capture_on_commit_callbacks)
    ExportJob.objects.filter(pk=job.pk).update(status=ExportStatus.EXPIRED)
    client.cookies.clear()
    client.force_login(hr)
    response = client.get(reverse("portal:export_download", args=[job.pk]))
    assert response.status_code == 410
    assert response.headers["Content-Language"] == "zh-hans"


def test_failing_builder_marks_the_job_failed_without_a_file(hr, settings, caplog):
    settings.PORTAL_EXPORTS = {"broken": "tests.portal.test_export_jobs.failing_export"}
    job = ExportJob.objects.create(owner=hr, kind="broken", title="Broken", total=10)
    export_job_run(job.pk)
    job.refresh_from_db()
    assert job.status == ExportStatus.FAILED
    assert "the database went away" in job.error
    assert not job.file and job.row_count is None
    assert not AuditEntry.objects.filter(data__kind="broken").exists()
    assert "Export job" in caplog.text


def test_unknown_kind_fails_the_job_and_is_404_inline(client, hr, settings):
    from django.http import Http404
    from django.test import RequestFactory

    from portal.services.exports import export_respond

    job = ExportJob.objects.create(owner=hr, kind="nonexistent", title="Gone", total=10)
    export_job_run(job.pk)
    job.refresh_from_db()
    assert job.status == ExportStatus.FAILED
    request = RequestFactory().get("/")
    request.user = hr
    with pytest.raises(Http404):
        export_respond(request, kind="nonexistent", filters={})


def test_progress_is_written_about_every_percent_not_every_row(hr):
    job = ExportJob.objects.create(owner=hr, kind="certification.qualifications", title="Big", total=1000)
    progress = _progress_writer(job)
    progress(5)
    job.refresh_from_db()
    assert job.done == 0  # under 1 % and under a second: not written
    progress(10)
    job.refresh_from_db()
    assert job.done == 10


def test_progress_page_of_a_running_job_polls_its_status(client, hr):
    job = ExportJob.objects.create(
        owner=hr, kind="certification.qualifications", title="Big", total=200, done=50, status=ExportStatus.RUNNING
    )
    client.force_login(hr)
    page = client.get(reverse("portal:export_job", args=[job.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert f'data-status-url="{reverse("portal:export_job_status", args=[job.pk])}"' in html
    assert 'data-finished="false"' in html and "portal/job_progress.js" in html
    status = client.get(reverse("portal:export_job_status", args=[job.pk])).json()
    assert (status["status"], status["done"], status["total"], status["percent"]) == ("running", 50, 200, 25)
    assert status["download_url"] == ""
    # Not ready yet: the download address leads back to the progress page.
    download = client.get(reverse("portal:export_download", args=[job.pk]))
    assert download.status_code == 302


def test_the_worker_builds_the_file_in_the_requesters_language(
    client, hr, records, background, django_capture_on_commit_callbacks
):
    from django.utils import translation

    english(client)
    client.force_login(hr)
    with django_capture_on_commit_callbacks(execute=False):
        client.get(reverse(XLSX_URL))
    job = ExportJob.objects.get(owner=hr)
    assert job.language == "en" and job.status == ExportStatus.QUEUED
    # The worker runs in the site's default language (Chinese).
    with translation.override("zh-hans"):
        export_job_run(job.pk)
    job.refresh_from_db()
    assert job.status == ExportStatus.DONE
    with job.file.open("rb") as handle:
        frame = read_xlsx(handle.read())
    assert "Police number" in frame.columns
