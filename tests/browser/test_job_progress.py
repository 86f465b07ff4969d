"""Background-job pages in a real browser: the shared poller (portal/job_progress.js) moves the bar
and shows the download link once the worker finishes — for an export and a certificate batch.

The jobs are created queued and finished from the test while the page is open, as a worker would.
"""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from playwright.sync_api import expect

from certification.models import BatchStatus, CertificateBatch
from portal.models import ExportJob, ExportStatus
from portal.services.exports import export_job_run
from tests.certification.qualification_support import grant, qualification_exam

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_export_page_shows_the_download_when_the_worker_finishes(page, live_server, login, hr, officer):
    grant(officer, "basic")
    job = ExportJob.objects.create(
        owner=hr, kind="certification.qualifications", title="资格记录", filters={}, total=1, language="zh-hans"
    )
    login(hr)
    page.goto(f"{live_server.url}/exports/{job.pk}/")
    expect(page.locator("#export-status")).to_have_attribute("data-status", ExportStatus.QUEUED)
    expect(page.locator("#export-download")).to_be_hidden()
    export_job_run(job.pk)
    expect(page.locator("#export-download")).to_be_visible(timeout=10_000)
    expect(page.locator("#export-status")).to_have_attribute("data-status", ExportStatus.DONE)
    expect(page.locator("#export-count")).to_have_text("1 / 1")
    assert page.locator("#export-file").get_attribute("href") == f"/exports/{job.pk}/download/"


def test_certificate_batch_page_moves_its_bar_and_offers_the_archive(page, live_server, login, trainer, officer):
    batch = CertificateBatch.objects.create(exam=qualification_exam(officer), total=4, requested_by=trainer)
    login(trainer)
    page.goto(f"{live_server.url}/certification/certificate-batches/{batch.pk}/")
    expect(page.locator("#batch-download")).to_be_hidden()
    CertificateBatch.objects.filter(pk=batch.pk).update(status=BatchStatus.RUNNING, done=2)
    expect(page.locator("#batch-count")).to_have_text("2 / 4", timeout=10_000)
    expect(page.locator("#batch-bar")).to_have_attribute("style", "width: 50%;")
    batch.archive.save("certificates.zip", ContentFile(b"PK\x05\x06" + b"\0" * 18), save=False)
    CertificateBatch.objects.filter(pk=batch.pk).update(status=BatchStatus.DONE, done=4, archive=batch.archive.name)
    expect(page.locator("#batch-download")).to_be_visible(timeout=10_000)
    expect(page.locator("#batch-status")).to_have_attribute("data-status", BatchStatus.DONE)
