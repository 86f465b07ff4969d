"""What the certification pages and PDFs say in Chinese (and English): quarters as 2026年第三季度,
dates on certificates as 2024年9月28日, and shared English words given their own Chinese."""

from __future__ import annotations

import datetime
import io

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from certification.models import Certificate, ReplacementReview
from certification.pdf import certificate_pdf
from certification.services.reports import unit_report_content, unit_report_pdf
from tests.certification.evaluation_support import legal_officer, make_scheme, score
from tests.certification.qualification_support import grant

pytestmark = pytest.mark.django_db


def pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def scored_quarter(trainer, station):
    """2026 Q3 scored for two legal officers; the lower one is suggested for a replacement review."""
    scheme = make_scheme(trainer, bottom_percent=50)
    low, high = legal_officer(station, "610001", "孙低分"), legal_officer(station, "610002", "李高分")
    score(scheme, 3, {low: 0.5, high: 0.9})
    return scheme


def test_the_quarter_ranking_page_names_the_quarter_in_chinese_and_in_english(client, trainer, scored_quarter):
    url = reverse("certification:evaluation_quarter", args=[scored_quarter.pk, 3])
    client.force_login(trainer)

    chinese = client.get(url).content.decode()
    assert "2026年第三季度排名" in chinese
    assert "2026 Q3" not in chinese and "第 3 季度" not in chinese

    assert "2026 Q3 ranking" in english(client).get(url).content.decode()


def test_replacement_reviews_show_the_score_total_as_zong_fen_and_the_quarter(client, legal_leader, scored_quarter):
    assert ReplacementReview.objects.exists()
    client.force_login(legal_leader)

    page = client.get(reverse("certification:replacement_reviews")).content.decode()

    assert "总分" in page and "总数" not in page
    assert "2026年第三季度" in page


def test_the_unit_report_pdf_names_the_quarter_and_counts_learned_lessons_not_lessons_learned(station):
    text = pdf_text(unit_report_pdf(unit_report_content(station, 2026, 3)))

    assert "2026年第三季度报告" in text
    assert "2026年7月1日" in text and "2026年9月30日" in text
    assert "已学课时" in text
    assert "经验教训" not in text  # the case-study block's "Lessons learned", not a count


def test_the_certificate_pdf_writes_its_dates_the_chinese_way(officer):
    record = grant(officer, "basic", granted_on=datetime.date(2024, 9, 28))
    certificate = Certificate.objects.get(qualification=record, superseded_at__isnull=True)

    text = pdf_text(certificate_pdf(certificate))

    assert "2024年9月28日" in text
    assert "2024-09-28" not in text


def test_the_certificate_in_english_writes_its_dates_the_english_way(officer):
    officer.preferred_language = "en"
    officer.save(update_fields=["preferred_language"])
    record = grant(officer, "basic", granted_on=datetime.date(2024, 9, 28))
    certificate = Certificate.objects.get(qualification=record, superseded_at__isnull=True)

    text = pdf_text(certificate_pdf(certificate))

    assert "Sept. 28, 2024" in text


def test_the_public_verification_page_writes_the_grant_date_the_chinese_way(client, officer):
    record = grant(officer, "basic", granted_on=datetime.date(2024, 9, 28))
    certificate = Certificate.objects.get(qualification=record, superseded_at__isnull=True)

    page = client.get(reverse("verify:certificate", args=[certificate.number])).content.decode()

    assert "2024年9月28日" in page


def test_the_evaluation_file_entry_names_the_quarter_in_the_readers_language(scored_quarter):
    from certification.selectors.evaluations import file_entries

    officer = scored_quarter.evaluations.get(quarter=3, officer__police_number="610001").officer
    with translation.override("zh-hans"):
        assert "2026年第三季度法制员考评" in [str(entry.title) for entry in file_entries(officer)]
    with translation.override("en"):
        assert "2026 Q3 legal-officer evaluation" in [str(entry.title) for entry in file_entries(officer)]
