"""Certificate PDFs (Chinese text, number, QR of the verification address) and batch issue for an
exam's passers in the background."""

from __future__ import annotations

import datetime
import io
import zipfile

import pytest
from django.urls import reverse
from django.utils import timezone

from certification.models import BatchStatus, Certificate, CertificateBatch, QualificationStatus
from certification.pdf import certificate_content, certificate_pdf, verification_url
from certification.services.certificates import certificate_batch_run
from certification.services.qualifications import qualification_revoke
from portal.models import AuditEntry
from tests.certification.qualification_support import grant, qualification_exam, sit
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    return "".join(page.extract_text() for page in reader.pages)


def current(record) -> Certificate:
    return Certificate.objects.get(qualification=record, superseded_at__isnull=True)


def test_pdf_carries_the_officers_name_and_certificate_number(officer):
    certificate = current(grant(officer, "basic"))
    data = certificate_pdf(certificate)
    assert data.startswith(b"%PDF")
    text = pdf_text(data)
    assert "张伟" in text
    assert certificate.number in text
    assert "基本级执法资格" in text
    assert "北山派出所" in text


def test_pdf_is_one_a4_landscape_page(officer):
    from pypdf import PdfReader

    page = PdfReader(io.BytesIO(certificate_pdf(current(grant(officer, "basic"))))).pages[0]
    width, height = float(page.mediabox.width), float(page.mediabox.height)
    assert (round(width), round(height)) == (842, 595)


def test_qr_code_encodes_the_absolute_verification_url(officer, rf, settings):
    certificate = current(grant(officer, "basic"))
    request = rf.get("/", HTTP_HOST="fazhi.example.internal")
    content = certificate_content(certificate, request=request)
    assert content.verify_url == f"http://fazhi.example.internal/verify/{certificate.number}"
    assert content.qr.startswith("<svg") and "<path" in content.qr
    settings.WAGTAILADMIN_BASE_URL = "https://fazhi.branch.local/"
    assert verification_url(certificate.number) == f"https://fazhi.branch.local/verify/{certificate.number}"


def test_officer_downloads_own_certificate_and_others_get_404(client, officer, squad_officer, outsider, unit_leader):
    certificate = current(grant(officer, "basic"))
    url = reverse("certification:certificate_pdf", args=[certificate.pk])
    client.force_login(officer)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert certificate.number in response["Content-Disposition"]
    for other in (squad_officer, outsider):
        client.force_login(other)
        assert client.get(url).status_code == 404
    client.force_login(unit_leader)
    assert client.get(url).status_code == 200


def test_a_revoked_qualifications_certificate_is_not_printed(client, officer, legal_leader):
    record = grant(officer, "basic")
    certificate = current(record)
    qualification_revoke(qualification=record, actor=legal_leader, reason="违纪")
    client.force_login(officer)
    response = client.get(reverse("certification:certificate_pdf", args=[certificate.pk]))
    assert response.status_code == 302
    assert response.url == reverse("certification:qualification_detail", args=[record.pk])


# --- batch ------------------------------------------------------------------------------------------


@pytest.fixture
def passed_exam(officer, squad_officer, auxiliary):
    """A 基本级 qualification exam two officers passed and one failed (the result hook not yet run)."""
    exam = qualification_exam(officer, squad_officer, auxiliary)
    sit(exam, officer)
    sit(exam, squad_officer)
    sit(exam, auxiliary, correct=False)
    return exam


def start_batch(client, exam, capture):
    with capture(execute=True):
        response = client.post(reverse("certification:certificate_batch_start", args=[exam.pk]))
    return response


def test_batch_issues_certificates_for_every_passer_into_a_zip(
    client, trainer, passed_exam, officer, squad_officer, auxiliary, django_capture_on_commit_callbacks
):
    client.force_login(trainer)
    response = start_batch(client, passed_exam, django_capture_on_commit_callbacks)
    batch = CertificateBatch.objects.get()
    assert response.status_code == 302 and response.url == reverse("certification:certificate_batch", args=[batch.pk])
    assert (batch.status, batch.done, batch.total) == (BatchStatus.DONE, 2, 2)
    numbers = set(
        Certificate.objects.filter(qualification__officer__in=[officer, squad_officer]).values_list("number", flat=True)
    )
    assert len(numbers) == 2
    assert not Certificate.objects.filter(qualification__officer=auxiliary).exists()
    with zipfile.ZipFile(batch.archive.open("rb")) as archive:
        assert {name.removeprefix("certificate-").removesuffix(".pdf") for name in archive.namelist()} == numbers
        first = archive.read(archive.namelist()[0])
    assert any(name in pdf_text(first) for name in ("张伟", "王强"))

    status = client.get(reverse("certification:certificate_batch_status", args=[batch.pk])).json()
    assert status["finished"] and status["percent"] == 100 and status["done"] == 2
    assert status["archive_url"] == reverse("certification:certificate_batch_archive", args=[batch.pk])
    archive = client.get(status["archive_url"])
    assert archive.status_code == 200 and archive["Content-Type"] == "application/zip"
    page = client.get(reverse("certification:certificate_batch", args=[batch.pk]))
    assert b'id="batch-bar"' in page.content


def test_running_batches_again_issues_no_duplicates(
    client, trainer, passed_exam, officer, django_capture_on_commit_callbacks
):
    client.force_login(trainer)
    start_batch(client, passed_exam, django_capture_on_commit_callbacks)
    first = CertificateBatch.objects.get()
    certificate_batch_run(batch_id=first.pk)  # the same task delivered twice: nothing happens
    # Its worker died half-way (no heartbeat for 10 minutes) and the broker delivers the task again.
    dead = timezone.now() - datetime.timedelta(minutes=10)
    CertificateBatch.objects.filter(pk=first.pk).update(status=BatchStatus.RUNNING, heartbeat_at=dead, done=1)
    assert certificate_batch_run(batch_id=first.pk) == 2
    start_batch(client, passed_exam, django_capture_on_commit_callbacks)  # a second batch later
    assert Certificate.objects.count() == 2
    assert CertificateBatch.objects.filter(status=BatchStatus.DONE).count() == 2
    assert Certificate.objects.filter(qualification__officer=officer, superseded_at__isnull=True).count() == 1


def test_batch_keeps_certificates_from_the_result_hook(
    client, trainer, passed_exam, officer, django_capture_on_commit_callbacks
):
    from certification.services.qualifications import qualification_from_attempt

    attempt = passed_exam.attempts.get(officer=officer)
    hooked = current(qualification_from_attempt(attempt=attempt))
    client.force_login(trainer)
    start_batch(client, passed_exam, django_capture_on_commit_callbacks)
    assert current(hooked.qualification) == hooked


def test_a_failing_batch_is_marked_failed_with_the_error(
    client, trainer, passed_exam, monkeypatch, django_capture_on_commit_callbacks
):
    import certification.pdf

    def broken(*args, **kwargs):
        raise RuntimeError("字体缺失")

    monkeypatch.setattr(certification.pdf, "certificate_pdf", broken)
    client.force_login(trainer)
    start_batch(client, passed_exam, django_capture_on_commit_callbacks)
    batch = CertificateBatch.objects.get()
    assert batch.status == BatchStatus.FAILED and "字体缺失" in batch.error
    assert batch.finished_at is not None
    status = client.get(reverse("certification:certificate_batch_status", args=[batch.pk])).json()
    assert status["finished"] and status["error"]


def test_batch_needs_a_linked_exam_and_training_staff(client, trainer, hr, officer):
    exam = qualification_exam(officer, code="")
    sit(exam, officer)
    client.force_login(hr)
    assert client.post(reverse("certification:certificate_batch_start", args=[exam.pk])).status_code == 403
    client.force_login(trainer)
    response = client.post(reverse("certification:certificate_batch_start", args=[exam.pk]))
    assert response.url == reverse("certification:qualification_exams")
    assert not CertificateBatch.objects.exists()


def test_batch_skips_passers_whose_record_is_revoked(
    client, trainer, legal_leader, passed_exam, officer, django_capture_on_commit_callbacks
):
    record = grant(officer, "basic")
    qualification_revoke(qualification=record, actor=legal_leader, reason="违纪")
    client.force_login(trainer)
    start_batch(client, passed_exam, django_capture_on_commit_callbacks)
    record.refresh_from_db()
    assert record.status == QualificationStatus.REVOKED
    assert CertificateBatch.objects.get().done == 2
    assert AuditEntry.objects.filter(action="certification.certificate_batch.done").exists()


def test_certificate_numbers_stay_unique_across_many_officers(officer):
    officers = [UserFactory(police_number=f"81{n:04d}", name=f"民警{n}") for n in range(12)]
    numbers = [current(grant(person, "basic")).number for person in officers]
    assert len(set(numbers)) == 12
    assert sorted(numbers) == numbers
