"""The printed certificate: an A4 landscape PDF rendered by WeasyPrint with the system's Noto CJK
fonts, carrying a QR code of the public verification address.

Speed: WeasyPrint embeds a subset of every font face a document uses, and for a CJK face that
means unpacking and subsetting a 16 MB font — about 60 ms per face. The certificate therefore uses
one face (Noto Serif CJK SC, regular weight) for everything, sized rather than bolded. Nothing is
fetched: the QR code is inline SVG and the URL fetcher refuses every address but ``data:``.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from certification.models import Certificate
from people.models import Role, Unit

DEFAULT_LANGUAGE = "zh-hans"


def verification_path(number: str) -> str:
    return reverse("verify:certificate", args=[number])


def verification_url(number: str, *, request=None) -> str:
    """The absolute ``/verify/<number>`` address printed in the QR code: from the request when there
    is one, else from ``WAGTAILADMIN_BASE_URL`` (the site's configured root, BASE_URL) for
    background batches."""
    path = verification_path(number)
    if request is not None:
        return request.build_absolute_uri(path)
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def qr_svg(url: str) -> str:
    import segno

    # No width/height: the stylesheet sizes it; medium error correction survives a worn printout.
    return segno.make(url, error="m").svg_inline(omitsize=True, border=0, dark="#000")


def issuer_name() -> str:
    """The legal brigade that issues certificates: the unit of the legal-brigade leaders (with its
    parents, e.g. 西湖分局法制大队); the platform's name when there is none."""
    unit = (
        Unit.objects.filter(
            members__groups__name=Role.LEGAL_LEADER, members__is_active=True, members__is_legal_brigade=True
        )
        .order_by("path")
        .first()
    )
    if unit is None:
        return str(settings.PLATFORM_NAME)
    return "".join(u.name for u in [*unit.get_ancestors(), unit])


@dataclass
class CertificateContent:
    certificate: Certificate
    officer_name: str
    police_number: str
    unit: str
    qualification: str
    number: str
    granted_on: datetime.date | None
    valid_until: datetime.date | None
    issued_on: datetime.date
    issuer: str
    platform: str
    verify_url: str
    qr: str


def certificate_content(certificate: Certificate, *, request=None, issuer: str | None = None) -> CertificateContent:
    record = certificate.qualification
    officer = record.officer
    url = verification_url(certificate.number, request=request)
    return CertificateContent(
        certificate=certificate,
        officer_name=officer.name or officer.police_number,
        police_number=officer.police_number,
        unit=officer.unit.full_path.replace("/", "") if officer.unit_id else "",
        qualification=record.qualification_type.name,
        number=certificate.number,
        granted_on=record.granted_on or certificate.issued_on,
        valid_until=certificate.valid_until,
        issued_on=certificate.issued_on,
        issuer=issuer if issuer is not None else issuer_name(),
        platform=str(settings.PLATFORM_NAME),
        verify_url=url,
        qr=qr_svg(url),
    )


def _fetcher():
    from weasyprint.urls import URLFetcher

    class DataOnlyFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            if url.startswith("data:"):
                return super().fetch(url, headers)
            raise ValueError(f"Certificates load nothing from outside: {url}")

    return DataOnlyFetcher()


def html_to_pdf(html: str) -> bytes:
    """Any of certification's printed documents (certificates, files, unit reports) from HTML that
    carries its own styles: nothing is fetched but ``data:`` URLs."""
    from weasyprint import HTML

    return HTML(string=html, base_url="file:///", url_fetcher=_fetcher()).write_pdf()


def certificate_pdf(certificate: Certificate, *, request=None, issuer: str | None = None) -> bytes:
    """The certificate as PDF bytes, in the officer's language (Chinese unless they chose another)."""
    officer = certificate.qualification.officer
    with translation.override(officer.preferred_language or DEFAULT_LANGUAGE):
        content = certificate_content(certificate, request=request, issuer=issuer)
        html = render_to_string("certification/certificates/pdf.html", {"c": content})
    return html_to_pdf(html)


def certificate_pdf_filename(certificate: Certificate) -> str:
    return f"certificate-{certificate.number}.pdf"
