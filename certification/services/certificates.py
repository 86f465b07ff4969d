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
from portal.services.jobs import JobKind, LeaseLost, SweepOutcome, job_claim, job_retry, jobs_sweep

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


CERTIFICATE_BATCHES = JobKind(
    model=CertificateBatch,
    task="certification.tasks.issue_certificate_batch",
    name="certificate-batch",
    audit="certification.certificate_batch",
)


def _enqueue(batch_id: int) -> None:
    CERTIFICATE_BATCHES.enqueue(batch_id)


def certificate_batch_run(*, batch_id: int) -> int:
    """Grant (or renew) the qualification of every passer lacking a current certificate from the
    exam, render every passer's current certificate into a zip archive, and count progress in
    ``done`` (with the heartbeat) as it goes. Returns how many passers were handled.

    The batch is claimed first (``portal.services.jobs``): a task delivered again while another
    worker holds it, or after it finished, does nothing; a batch whose worker died is run again from
    the first passer. That is safe because issuing is idempotent per passer: a passer whose attempt
    already granted the record (the result hook, or an earlier run) keeps its certificate, and
    ``_current_certificate`` issues one only to a valid record without a current one, under the
    record's row lock; only the archive is rendered again. Each passer is granted in their own
    transaction, so a failure half-way keeps the certificates already issued; the batch is then
    marked failed (key "error", the cause in ``error``) and its retry finishes the rest."""
    from certification.pdf import certificate_pdf, certificate_pdf_filename, issuer_name
    from certification.selectors.qualifications import exam_passing_attempts
    from certification.services.qualifications import qualification_from_attempt

    lease = job_claim(CERTIFICATE_BATCHES, batch_id)
    if lease is None:
        return 0
    batch = CertificateBatch.objects.select_related("exam", "requested_by").get(pk=batch_id)
    done = 0
    stored_name = ""
    try:
        attempts = exam_passing_attempts(batch.exam)
        lease.beat(total=len(attempts))
        issuer = issuer_name()
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
                    lease.beat(done=done)
            spool.seek(0)
            batch.archive.save(f"certificates-exam-{batch.exam_id}-{batch.pk}.zip", File(spool), save=False)
            stored_name = batch.archive.name
        with transaction.atomic():
            lease.finish(archive=stored_name, error="")
            audit_log(
                actor=batch.requested_by,
                action="certification.certificate_batch.done",
                target=batch,
                data={"exam": batch.exam_id, "done": done, "attempt": lease.attempt},
            )
    except LeaseLost:
        # Presumed dead and taken over by another worker, which writes the archive: keep nothing.
        logger.warning("Certificate batch %s: another worker holds it now; this run stops", batch.pk)
        if stored_name:
            batch.archive.storage.delete(stored_name)
        return done
    except Exception as error:
        logger.exception("Certificate batch %s failed", batch.pk)
        if stored_name:
            batch.archive.storage.delete(stored_name)
        lease.fail(error=f"{type(error).__name__}: {error}", archive="")
        return done
    return done


def certificate_batch_retry(*, batch: CertificateBatch, actor) -> CertificateBatch:
    """Run a failed batch again (the retry button). While another batch of the exam is queued or
    running, that one is returned instead (one batch per exam at a time); a second click finds
    this one queued and starts nothing."""
    with transaction.atomic():
        Exam.objects.select_for_update().filter(pk=batch.exam_id).first()
        running = (
            CertificateBatch.objects.filter(exam_id=batch.exam_id, status__in=[BatchStatus.QUEUED, BatchStatus.RUNNING])
            .exclude(pk=batch.pk)
            .first()
        )
        if running is not None:
            return running
        job_retry(CERTIFICATE_BATCHES, batch.pk, actor=actor)
    batch.refresh_from_db()
    return batch


def certificate_batches_sweep() -> SweepOutcome:
    return jobs_sweep(CERTIFICATE_BATCHES)


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
