"""Quarterly unit reports: the figures for one unit and quarter, the stored PDF, who may make and
read them, and the quarter-end schedule."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from certification.models import Pathway, Qualification, QualificationSource, QualificationStatus, UnitReport
from certification.services.reports import (
    quarter_bounds,
    unit_report_content,
    unit_report_generate,
    unit_reports_quarter_end,
)
from exams.models import Attempt, AttemptState
from exams.services import attempt_start, attempt_submit
from portal.models import AuditEntry
from tests.certification.pathway_support import lead_type
from tests.exams.delivery_support import objective_blueprint, published_exam
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

YEAR, QUARTER = 2026, 3
START, END = quarter_bounds(YEAR, QUARTER)


def _released(exam, officer, *, passed: bool, score: str) -> Attempt:
    attempt = attempt_submit(attempt=attempt_start(exam=exam, officer=officer), actor=officer)
    moment = timezone.make_aware(datetime.datetime(YEAR, 8, 15, 10))
    Attempt.objects.filter(pk=attempt.pk).update(
        state=AttemptState.RELEASED, passed=passed, score=Decimal(score), submitted_at=moment
    )
    return attempt


@pytest.fixture
def unit_data(station, other_unit, officer, squad_officer, outsider):
    exam = published_exam(objective_blueprint(), officer, squad_officer, outsider)
    _released(exam, officer, passed=True, score="90")
    _released(exam, squad_officer, passed=False, score="40")
    _released(exam, outsider, passed=True, score="80")  # another unit: not in the station's report
    Qualification.objects.create(
        officer=officer,
        qualification_type=lead_type(),
        status=QualificationStatus.VALID,
        granted_on=datetime.date(2024, 1, 1),
        expires_on=END + datetime.timedelta(days=30),
        source=QualificationSource.MANUAL,
    )
    newcomer = UserFactory(unit=station, is_new_officer=True, name="新警甲")
    Pathway.objects.create(
        officer=newcomer,
        start_date=START - datetime.timedelta(days=120),
        phase_started_on=START - datetime.timedelta(days=120),
        phase1_due=START - datetime.timedelta(days=90),
        phase2_due=START,
        phase3_due=END,
    )
    return exam


def test_quarters_have_the_right_first_and_last_days():
    assert quarter_bounds(2026, 1) == (datetime.date(2026, 1, 1), datetime.date(2026, 3, 31))
    assert quarter_bounds(2026, 4) == (datetime.date(2026, 10, 1), datetime.date(2026, 12, 31))
    with pytest.raises(ValueError):
        quarter_bounds(2026, 5)


def test_the_report_counts_the_units_officers_and_their_results_only(unit_data, station, officer):
    content = unit_report_content(station, YEAR, QUARTER)

    assert content.officers == 3  # officer, squad_officer (in the squad below), the new officer
    (row,) = content.exam_rows
    assert (row["sat"], row["passed"], row["rate"]) == (2, 1, 50)
    lead = next(row for row in content.qualification_rows if row["name"] == lead_type().name)
    assert lead["holders"] == 1 and lead["share"] == 33
    assert [record.officer for record in content.expiring_soon] == [officer]
    assert [pathway.officer.name for pathway in content.overdue_pathways] == ["新警甲"]
    assert content.follow_up_count == 2


def test_a_generated_report_is_a_stored_pdf_naming_the_unit_and_replaced_when_made_again(unit_data, station, hr):
    from pypdf import PdfReader

    first = unit_report_generate(unit=station, year=YEAR, quarter=QUARTER, actor=hr)
    again = unit_report_generate(unit=station, year=YEAR, quarter=QUARTER, actor=hr)

    assert first.pk == again.pk and UnitReport.objects.count() == 1
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(again.file.read())).pages)
    assert station.name in text and "新警甲" in text
    assert AuditEntry.objects.filter(action="certification.unit_report.generated").count() == 2


def test_hr_makes_a_report_on_the_page_and_downloads_it(client, hr, station, password):
    client.force_login(hr)

    response = client.post(reverse("certification:unit_reports"), {"unit": station.pk, "year": 2026, "quarter": 1})

    report = UnitReport.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "certification:unit_report_pdf", args=[report.pk]
    )
    download = client.get(response["Location"])
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"


def test_a_unit_leader_reports_on_their_own_units_only(client, unit_leader, station, other_unit, hr):
    elsewhere = unit_report_generate(unit=other_unit, year=2026, quarter=1, actor=hr)
    client.force_login(unit_leader)

    refused = client.post(reverse("certification:unit_reports"), {"unit": other_unit.pk, "year": 2026, "quarter": 1})
    assert refused.status_code == 400 and not UnitReport.objects.filter(unit=other_unit, generated_by=unit_leader)
    assert client.get(reverse("certification:unit_report_pdf", args=[elsewhere.pk])).status_code == 404
    assert (
        client.post(reverse("certification:unit_reports"), {"unit": station.pk, "year": 2026, "quarter": 1}).status_code
        == 302
    )


def test_officers_cannot_reach_unit_reports(client, officer):
    client.force_login(officer)

    assert client.get(reverse("certification:unit_reports")).status_code == 404


def test_a_quarter_that_has_not_begun_is_refused(client, hr, station):
    client.force_login(hr)
    next_year = timezone.localdate().year + 1

    response = client.post(reverse("certification:unit_reports"), {"unit": station.pk, "year": next_year, "quarter": 1})

    assert response.status_code == 400 and not UnitReport.objects.exists()


def test_the_quarter_end_schedule_makes_each_top_unit_report_once(branch, station, other_unit):
    made = unit_reports_quarter_end(today=datetime.date(2026, 10, 2))
    again = unit_reports_quarter_end(today=datetime.date(2026, 10, 3))

    top_units = set(branch.get_children().values_list("pk", flat=True))
    assert made == len(top_units) and again == 0
    assert set(UnitReport.objects.values_list("unit_id", flat=True)) == top_units
    assert set(UnitReport.objects.values_list("year", "quarter")) == {(2026, 3)}
