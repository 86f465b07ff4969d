"""Issuing certificates: numbers, the current certificate of a record, and batches for an exam's
passers rendered into one zip archive by a background task.

Numbers read ``<prefix><year><6-digit sequence>`` (JB2026000123): the prefix says the
qualification, the year when it was issued. The next number is the highest of the prefix and year
plus one; two issues racing for the same number both try to insert it, the unique constraint
rejects the second, which retries with the next one inside a savepoint (no lock on a counter row
that every issue would queue on).
"""

from __future__ import annotations

import datetime
import logging
import tempfile
import zipfile

from django.core.files import File
from django.db import IntegrityError, transaction
from django.db.models.functions import Length
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from certification.models import (
    BatchStatus,
    Certificate,
    CertificateBatch,
    Qualification,
    QualificationExam,
    QualificationStatus,
)
from exams.models import Exam
from portal.errors import CodedError
from portal.services import audit_log

logger = logging.getLogger(__name__)

SEQUENCE_DIGITS = 6
NUMBER_ATTEMPTS = 10

ERRORS = {
    "not_linked": _("This exam grants no qualification: link it to one first."),
    "not_valid": _("Certificates are issued only for valid qualifications."),
    "numbers_exhausted": _("No free certificate number could be found; try again."),
}


class CertificateError(CodedError):
    errors = ERRORS


def certificate_number_next(*, prefix: str, year: int) -> str:
    """The number after the highest issued with this prefix and year (a hint: the insert decides)."""
    stem = f"{prefix}{year}"
    last = (
        Certificate.objects.filter(number__startswith=stem)
        .annotate(length=Length("number"))
        .filter(length=len(stem) + SEQUENCE_DIGITS)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    suffix = last[len(stem) :] if last else ""
    sequence = int(suffix) + 1 if suffix.isdigit() else 1
    return f"{stem}{sequence:0{SEQUENCE_DIGITS}d}"


def certificate_issue(*, qualification: Qualification, actor, issued_on: datetime.date | None = None) -> Certificate:
    """A new current certificate for a valid record; the previous current one is marked replaced.

    Call inside the transaction that changed the record, with the record row locked: the lock keeps
    two issues for the same record from both superseding and inserting."""
    if qualification.status != QualificationStatus.VALID:
        raise CertificateError("not_valid")
    issued_on = issued_on or timezone.localdate()
    now = timezone.now()
    with transaction.atomic():
        Certificate.objects.filter(qualification=qualification, superseded_at__isnull=True).update(superseded_at=now)
        prefix = qualification.qualification_type.certificate_prefix
        for _attempt in range(NUMBER_ATTEMPTS):
            number = certificate_number_next(prefix=prefix, year=issued_on.year)
            try:
                with transaction.atomic():
                    certificate = Certificate.objects.create(
                        qualification=qualification,
                        number=number,
                        issued_on=issued_on,
                        valid_until=qualification.expires_on,
                        issued_by=actor if getattr(actor, "is_authenticated", False) else None,
                        created_at=now,
                    )
            except IntegrityError:
                if Certificate.objects.filter(number=number).exists():
                    continue  # another issue took this number first: take the next one
                raise
            audit_log(
                actor=actor,
                action="certification.certificate.issued",
                target=certificate,
                data={"qualification": qualification.pk, "officer": qualification.officer_id, "number": number},
            )
            return certificate
    raise CertificateError("numbers_exhausted")


# --- batches ------------------------------------------------------------------------------------


def certificate_batch_create(*, exam: Exam, actor) -> tuple[CertificateBatch, bool]:
    """Queue issuing the certificates of every passer of ``exam``. Returns ``(batch, created)``:
    while a batch of the exam is queued or running, that batch is returned instead of a second one
    (a double click starts one batch)."""
    from certification.selectors.qualifications import exam_passing_attempts

    if not QualificationExam.objects.filter(exam=exam).exists():
        raise CertificateError("not_linked")
    with transaction.atomic():
        Exam.objects.select_for_update().filter(pk=exam.pk).first()
        running = CertificateBatch.objects.filter(
            exam=exam, status__in=[BatchStatus.QUEUED, BatchStatus.RUNNING]
        ).first()
        if running is not None:
            return running, False
        batch = CertificateBatch.objects.create(
            exam=exam,
            total=len(exam_passing_attempts(exam)),
            requested_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        audit_log(actor=actor, action="certification.certificate_batch.created", target=batch, data={"exam": exam.pk})
        transaction.on_commit(lambda: _enqueue(batch.pk))
    return batch, True


def _enqueue(batch_id: int) -> None:
    from django_q.tasks import async_task

    async_task("certification.tasks.issue_certificate_batch", batch_id, task_name=f"certificate-batch-{batch_id}")


def certificate_batch_run(*, batch_id: int) -> int:
    """Grant (or renew) the qualification of every passer lacking a current certificate from the
    exam, render every passer's current certificate into a zip archive, and count progress in
    ``done`` as it goes. Returns how many passers were handled.

    Idempotent: a passer whose attempt already granted the record (the result hook, or an earlier
    batch) keeps its certificate; only the archive is rendered again. Each passer is granted in
    their own transaction, so a failure half-way keeps the certificates already issued; the batch
    is then marked failed with the error, and running a new batch finishes the rest."""
    from certification.pdf import certificate_pdf, certificate_pdf_filename, issuer_name
    from certification.selectors.qualifications import exam_passing_attempts
    from certification.services.qualifications import qualification_from_attempt

    batch = CertificateBatch.objects.select_related("exam", "requested_by").filter(pk=batch_id).first()
    if batch is None or batch.status == BatchStatus.DONE:
        return batch.done if batch else 0
    attempts = exam_passing_attempts(batch.exam)
    CertificateBatch.objects.filter(pk=batch.pk).update(status=BatchStatus.RUNNING, total=len(attempts), done=0)
    issuer = issuer_name()
    done = 0
    try:
        with tempfile.TemporaryFile() as spool:
            with zipfile.ZipFile(spool, "w", compression=zipfile.ZIP_STORED) as archive:
                for attempt in attempts:
                    with transaction.atomic():
                        record = qualification_from_attempt(attempt=attempt, actor=batch.requested_by)
                        certificate = _current_certificate(record, actor=batch.requested_by)
                    if certificate is not None:
                        pdf = certificate_pdf(certificate, issuer=issuer)
                        # PDFs are compressed already: storing them is as small and much faster.
                        archive.writestr(certificate_pdf_filename(certificate), pdf)
                    done += 1
                    CertificateBatch.objects.filter(pk=batch.pk).update(done=done)
            spool.seek(0)
            batch.archive.save(f"certificates-exam-{batch.exam_id}-{batch.pk}.zip", File(spool), save=False)
        CertificateBatch.objects.filter(pk=batch.pk).update(
            status=BatchStatus.DONE, archive=batch.archive.name, finished_at=timezone.now(), error=""
        )
    except Exception as error:
        logger.exception("Certificate batch %s failed", batch.pk)
        CertificateBatch.objects.filter(pk=batch.pk).update(
            status=BatchStatus.FAILED, error=str(error)[:2000], finished_at=timezone.now()
        )
        return done
    audit_log(
        actor=batch.requested_by,
        action="certification.certificate_batch.done",
        target=batch,
        data={"exam": batch.exam_id, "done": done},
    )
    return done


def _current_certificate(record: Qualification | None, *, actor) -> Certificate | None:
    """The record's current certificate, issued now if a valid record has none (e.g. one granted
    before certificates existed). Non-valid records (awaiting approval, suspended …) get none."""
    if record is None or record.status != QualificationStatus.VALID:
        return None
    record = (
        Qualification.objects.select_for_update(of=("self",))
        .select_related("officer", "qualification_type")
        .get(pk=record.pk)
    )
    certificate = (
        Certificate.objects.filter(qualification=record, superseded_at__isnull=True)
        .select_related("qualification")
        .first()
    )
    if certificate is None:
        certificate = certificate_issue(qualification=record, actor=actor)
    certificate.qualification = Qualification.objects.select_related(
        "officer", "officer__unit", "qualification_type"
    ).get(pk=record.pk)
    return certificate
