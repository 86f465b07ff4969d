"""Certificate pages: PDF download, batch issue for an exam's passers with progress, and the public
verification page a certificate's QR code opens."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from certification.models import BatchStatus, CertificateBatch, QualificationStatus
from certification.pdf import certificate_pdf, certificate_pdf_filename
from certification.selectors.qualifications import certificate_verification, get_certificate_for_user
from certification.services.certificates import CertificateError, certificate_batch_create, certificate_batch_retry
from exams.models import Exam, ExamKind
from people.decorators import training_staff_required
from portal.services.jobs import failure_message


@login_required
@require_GET
def certificate_pdf_view(request, pk: int):
    """The PDF of a current certificate of a valid qualification. An old or no longer valid one is
    not printed again (its number still verifies, as replaced / suspended / …)."""
    certificate = get_certificate_for_user(request.user, pk)
    record = certificate.qualification
    if certificate.superseded_at is not None or record.status != QualificationStatus.VALID:
        messages.error(request, _("This certificate is no longer valid and cannot be printed."))
        return redirect("certification:qualification_detail", pk=record.pk)
    pdf = certificate_pdf(certificate, request=request)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{certificate_pdf_filename(certificate)}"'
    return response


def _qualification_exam(pk: int) -> Exam:
    return get_object_or_404(Exam, pk=pk, kind=ExamKind.QUALIFICATION, practice_for__isnull=True)


@training_staff_required
@require_POST
def certificate_batch_start(request, pk: int):
    """Issue the certificates of every passer of a qualification exam in the background."""
    exam = _qualification_exam(pk)
    try:
        batch, created = certificate_batch_create(exam=exam, actor=request.user)
    except CertificateError as error:
        messages.error(request, error.message)
        return redirect("certification:qualification_exams")
    if not created:
        messages.info(request, _("Certificates of this exam are already being issued."))
    return redirect("certification:certificate_batch", pk=batch.pk)


def _batch(pk: int) -> CertificateBatch:
    return get_object_or_404(CertificateBatch.objects.select_related("exam", "requested_by"), pk=pk)


def _batch_data(batch: CertificateBatch) -> dict:
    finished = batch.status in (BatchStatus.DONE, BatchStatus.FAILED)
    return {
        "status": batch.status,
        "status_label": batch.get_status_display(),
        "done": batch.done,
        "total": batch.total,
        "percent": round(100 * batch.done / batch.total) if batch.total else (100 if finished else 0),
        "finished": finished,
        "error": failure_message(batch),
        "retry_url": reverse("certification:certificate_batch_retry", args=[batch.pk])
        if batch.status == BatchStatus.FAILED
        else "",
        "archive_url": reverse("certification:certificate_batch_archive", args=[batch.pk]) if batch.archive else "",
    }


@training_staff_required
@require_GET
def certificate_batch_detail(request, pk: int):
    batch = _batch(pk)
    return render(
        request,
        "certification/certificates/batch.html",
        {"batch": batch, "data": _batch_data(batch)},
    )


@training_staff_required
@require_GET
@never_cache
def certificate_batch_status(request, pk: int):
    """Polled every 2 s by the batch page."""
    return JsonResponse(_batch_data(_batch(pk)))


@training_staff_required
@require_POST
def certificate_batch_retry_view(request, pk: int):
    """Run a failed batch again (重新运行). Batches belong to the exam, not to whoever clicked:
    every member of the training staff, who may start one, may retry one."""
    batch = certificate_batch_retry(batch=_batch(pk), actor=request.user)
    return redirect("certification:certificate_batch", pk=batch.pk)


@training_staff_required
@require_GET
def certificate_batch_archive(request, pk: int):
    batch = _batch(pk)
    if not batch.archive:
        raise Http404
    return FileResponse(
        batch.archive.open("rb"),
        as_attachment=True,
        filename=f"certificates-{batch.exam_id}-{batch.pk}.zip",
        content_type="application/zip",
    )


@require_GET
def verify_certificate(request, number: str):
    """Public (no login): whether a certificate number is valid, with a masked holder name only."""
    verification = certificate_verification(number)
    if verification is None:
        return render(request, "certification/verify/not_found.html", {"number": number[:40]}, status=404)
    return render(request, "certification/verify/certificate.html", {"v": verification})


urlpatterns: list = [
    path("certificates/<int:pk>/pdf/", certificate_pdf_view, name="certificate_pdf"),
    path("qualification-exams/<int:pk>/certificates/", certificate_batch_start, name="certificate_batch_start"),
    path("certificate-batches/<int:pk>/", certificate_batch_detail, name="certificate_batch"),
    path("certificate-batches/<int:pk>/status/", certificate_batch_status, name="certificate_batch_status"),
    path("certificate-batches/<int:pk>/retry/", certificate_batch_retry_view, name="certificate_batch_retry"),
    path("certificate-batches/<int:pk>/archive/", certificate_batch_archive, name="certificate_batch_archive"),
]
