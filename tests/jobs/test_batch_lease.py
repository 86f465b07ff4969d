"""Certificate batches under the job lease: a batch whose worker died is run again without issuing a
certificate twice, a failed one says why in Chinese with a retry for the training staff."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from certification.models import BatchStatus, Certificate, CertificateBatch
from certification.services.certificates import CERTIFICATE_BATCHES, certificate_batch_run
from portal.models import AuditEntry
from portal.services.jobs import job_claim, jobs_sweep
from tests.certification.qualification_support import qualification_exam, sit

pytestmark = pytest.mark.django_db


@pytest.fixture
def passed_exam(officer, squad_officer, settings):
    settings.EXAMS_RESULT_HOOKS = []  # the batch issues the certificates, not the grading
    exam = qualification_exam(officer, squad_officer)
    sit(exam, officer)
    sit(exam, squad_officer)
    return exam


@pytest.fixture
def batch(passed_exam, trainer) -> CertificateBatch:
    return CertificateBatch.objects.create(exam=passed_exam, total=2, requested_by=trainer)


def test_a_batch_whose_worker_died_half_way_is_run_again_without_a_second_certificate(
    batch, officer, monkeypatch, django_capture_on_commit_callbacks
):
    import certification.pdf

    real = certification.pdf.certificate_pdf
    calls = {"n": 0}

    def dies_after_the_first(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise SystemExit("worker killed")  # not an Exception: nothing marks the batch failed
        return real(*args, **kwargs)

    monkeypatch.setattr(certification.pdf, "certificate_pdf", dies_after_the_first)
    with pytest.raises(SystemExit):
        certificate_batch_run(batch_id=batch.pk)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.RUNNING and Certificate.objects.count() == 2
    first_numbers = set(Certificate.objects.values_list("number", flat=True))

    CertificateBatch.objects.filter(pk=batch.pk).update(heartbeat_at=timezone.now() - datetime.timedelta(minutes=5))
    assert jobs_sweep(CERTIFICATE_BATCHES).requeued == [batch.pk]  # runs it (tasks are synchronous in tests)
    batch.refresh_from_db()
    assert (batch.status, batch.attempts, batch.done) == (BatchStatus.DONE, 2, 2)
    assert set(Certificate.objects.values_list("number", flat=True)) == first_numbers
    assert not Certificate.objects.filter(superseded_at__isnull=False).exists()


def test_a_batch_held_by_a_live_worker_is_not_run_twice(batch):
    assert job_claim(CERTIFICATE_BATCHES, batch.pk) is not None
    assert certificate_batch_run(batch_id=batch.pk) == 0
    assert not Certificate.objects.exists()


@pytest.fixture
def failed(batch) -> CertificateBatch:
    CertificateBatch.objects.filter(pk=batch.pk).update(
        status=BatchStatus.FAILED, failure="error", error="RuntimeError: 字体缺失", attempts=1
    )
    batch.refresh_from_db()
    return batch


def test_a_failed_batch_says_why_in_chinese_with_a_retry_button(client, trainer, failed):
    client.force_login(trainer)
    page = client.get(reverse("certification:certificate_batch", args=[failed.pk])).content.decode()
    assert "任务因出错而停止" in page and "重新运行" in page
    assert reverse("certification:certificate_batch_retry", args=[failed.pk]) in page
    status = client.get(reverse("certification:certificate_batch_status", args=[failed.pk])).json()
    assert status["finished"] and status["retry_url"]


def test_training_staff_retry_a_failed_batch_once(client, trainer, hr, failed, django_capture_on_commit_callbacks):
    url = reverse("certification:certificate_batch_retry", args=[failed.pk])
    client.force_login(hr)
    assert client.post(url).status_code == 403
    client.force_login(trainer)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert client.post(url).status_code == 302
        assert client.post(url).status_code == 302  # a double click
    assert [callback.__qualname__.split(".")[0] for callback in callbacks].count("job_retry") == 1  # one run
    failed.refresh_from_db()
    assert (failed.status, failed.attempts, failed.done) == (BatchStatus.DONE, 1, 2)
    assert Certificate.objects.count() == 2
    assert AuditEntry.objects.filter(action="certification.certificate_batch.retried").count() == 1
