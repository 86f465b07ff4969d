"""The officer's law-enforcement file as PDF: the summary header and the (filtered) timeline,
rendered by WeasyPrint like the certificate (see ``certification/pdf.py``) — one CJK face
(Noto Serif CJK SC, regular) so only one font is subset, and nothing is fetched from outside."""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation

from certification.pdf import DEFAULT_LANGUAGE, _fetcher
from certification.selectors.file import FileEntry, FileSummary


def officer_file_pdf(
    summary: FileSummary, entries: list[FileEntry], *, filters_text: str = "", language: str | None = None
) -> bytes:
    """The file as PDF bytes, in ``language`` (the viewer's; Chinese by default)."""
    from weasyprint import HTML

    with translation.override(language or DEFAULT_LANGUAGE):
        html = render_to_string(
            "certification/file/pdf.html",
            {
                "s": summary,
                "entries": entries,
                "filters_text": filters_text,
                "platform": str(settings.PLATFORM_NAME),
                "printed_at": timezone.localtime(),
            },
        )
    return HTML(string=html, base_url="file:///", url_fetcher=_fetcher()).write_pdf()


def officer_file_pdf_filename(summary: FileSummary) -> str:
    return f"file-{summary.officer.police_number}-{timezone.localdate().isoformat()}.pdf"
