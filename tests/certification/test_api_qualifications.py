"""GET /api/v1/qualifications/ and /api/v1/officers/{police_number}/summary: other systems read
qualification records and an officer's file summary with a qualifications:read key."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from certification.models import (
    Certificate,
    Pathway,
    PathwayPhase,
    PointCategory,
    PointEntry,
    Qualification,
    QualificationSource,
    QualificationStatus,
)
from certification.selectors.file import officer_file_summary
from exams.models import Attempt, AttemptCounting, AttemptState
from portal.models import ApiScope
from portal.services import api_key_create
from tests.certification.qualification_support import qualification_type
from tests.exams.delivery_support import objective_blueprint, published_exam

pytestmark = pytest.mark.django_db

URL = "/api/v1/qualifications/"
TODAY = datetime.date(2026, 6, 1)


@pytest.fixture
def qualifications_key(db) -> str:
    return api_key_create(name="人事系统", scopes=[ApiScope.QUALIFICATIONS_READ])[1]


@pytest.fixture
def people_key(db) -> str:
    return api_key_create(name="档案系统", scopes=[ApiScope.PEOPLE_READ])[1]


def _get(client, url, key=None, **params):
    headers = {"X-API-Key": key} if key else {}
    return client.get(url, params, headers=headers)


def _record(officer, code, status=QualificationStatus.VALID, granted=None, expires=None):
    return Qualification.objects.create(
        officer=officer,
        qualification_type=qualification_type(code),
        status=status,
        granted_on=granted,
        expires_on=expires,
        source=QualificationSource.MANUAL,
    )


@pytest.fixture
def records(officer, auxiliary, squad_officer):
    """officer: basic valid (with a replaced and a current certificate), intermediate expired on
    the books; auxiliary: basic suspended; squad_officer: basic valid but expiring before TODAY."""
    basic = _record(officer, "basic", granted=datetime.date(2025, 1, 1), expires=datetime.date(2028, 1, 1))
    Certificate.objects.create(
        qualification=basic, number="ZF-OLD", issued_on=datetime.date(2024, 1, 1), superseded_at=timezone.now()
    )
    Certificate.objects.create(qualification=basic, number="ZF-NEW", issued_on=datetime.date(2025, 1, 1))
    _record(officer, "intermediate", QualificationStatus.EXPIRED, datetime.date(2020, 1, 1), datetime.date(2023, 1, 1))
    _record(auxiliary, "basic", QualificationStatus.SUSPENDED, datetime.date(2025, 1, 1), datetime.date(2028, 1, 1))
    _record(squad_officer, "basic", granted=datetime.date(2023, 1, 1), expires=datetime.date(2026, 5, 31))
    return basic


def test_without_a_key_is_401(client, records):
    assert _get(client, URL).status_code == 401
    assert _get(client, URL, key="garbage").status_code == 401
    assert _get(client, "/api/v1/officers/x/summary").status_code == 401


def test_a_key_without_the_scope_is_403(client, records, officer, people_key):
    response = _get(client, URL, key=people_key)
    assert response.status_code == 403
    assert "qualifications:read" in response.json()["detail"]
    assert _get(client, f"/api/v1/officers/{officer.police_number}/summary", key=people_key).status_code == 403


def test_a_malformed_date_is_422_with_the_field_named(client, records, qualifications_key):
    response = _get(client, URL, key=qualifications_key, valid_on="2026-13-40")
    assert response.status_code == 422
    assert [error["column"] for error in response.json()["errors"]] == ["valid_on"]


def test_an_unknown_status_is_422(client, records, qualifications_key):
    assert _get(client, URL, key=qualifications_key, status="bogus").status_code == 422


def test_list_items_carry_officer_unit_type_and_current_certificate(client, records, officer, qualifications_key):
    response = _get(client, URL, key=qualifications_key, officer=officer.police_number, type="basic")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    (item,) = body["items"]
    assert item == {
        "police_number": officer.police_number,
        "name": officer.name,
        "unit_path": officer.unit.full_path,
        "type_code": "basic",
        "type_name": qualification_type("basic").name,
        "status": "valid",
        "granted_on": "2025-01-01",
        "expires_on": "2028-01-01",
        "certificate_number": "ZF-NEW",
    }


def test_filters_by_officer_type_and_status(client, records, officer, auxiliary, qualifications_key):
    by_officer = _get(client, URL, key=qualifications_key, officer=officer.police_number).json()
    assert {item["type_code"] for item in by_officer["items"]} == {"basic", "intermediate"}
    by_type = _get(client, URL, key=qualifications_key, type="basic").json()
    assert by_type["count"] == 3
    suspended = _get(client, URL, key=qualifications_key, status="suspended").json()
    assert [item["police_number"] for item in suspended["items"]] == [auxiliary.police_number]
    assert _get(client, URL, key=qualifications_key, officer="NOSUCH").json() == {"items": [], "count": 0}


def test_valid_on_excludes_expired_suspended_and_not_yet_granted(
    client, records, officer, squad_officer, qualifications_key
):
    on_today = _get(client, URL, key=qualifications_key, valid_on=TODAY.isoformat()).json()
    # The auxiliary's record is suspended, the intermediate one expired, squad_officer's ran out
    # the day before.
    assert [(item["police_number"], item["type_code"]) for item in on_today["items"]] == [
        (officer.police_number, "basic")
    ]
    on_last_day = _get(client, URL, key=qualifications_key, valid_on="2026-05-31").json()
    assert {item["police_number"] for item in on_last_day["items"]} == {
        officer.police_number,
        squad_officer.police_number,
    }
    before_grant = _get(client, URL, key=qualifications_key, valid_on="2024-12-31", officer=officer.police_number)
    assert before_grant.json()["count"] == 0


def test_pages_hold_page_size_items_with_the_total_count(client, records, qualifications_key):
    first = _get(client, URL, key=qualifications_key, page_size=3).json()
    second = _get(client, URL, key=qualifications_key, page_size=3, page=2).json()
    assert first["count"] == second["count"] == 4
    assert len(first["items"]) == 3 and len(second["items"]) == 1
    keys = [(item["police_number"], item["type_code"]) for item in first["items"] + second["items"]]
    assert len(set(keys)) == 4


def test_a_page_costs_a_fixed_number_of_queries(client, records, qualifications_key, django_assert_max_num_queries):
    # key lookup + last-used update + count + rows (with the certificate subquery) + unit paths
    with django_assert_max_num_queries(6):
        response = _get(client, URL, key=qualifications_key, page_size=10_000)
    assert response.status_code == 200
    assert len(response.json()["items"]) == 4


def test_unknown_officer_summary_is_404_json(client, qualifications_key):
    response = _get(client, "/api/v1/officers/NOSUCH/summary", key=qualifications_key)
    assert response.status_code == 404
    assert response.json()["detail"]


def test_summary_gathers_the_officers_file_header(client, records, officer, qualifications_key):
    today = timezone.localdate()
    officer.is_middle_leader = True
    officer.save(update_fields=["is_middle_leader"])
    Pathway.objects.create(
        officer=officer,
        phase=PathwayPhase.PHASE2,
        start_date=today,
        phase_started_on=today,
        phase1_due=today,
        phase2_due=today,
        phase3_due=today,
    )
    PointEntry.objects.create(
        officer=officer,
        year=today.year,
        category=PointCategory.choices[0][0],
        points=Decimal("3.5"),
        description="a",
        occurred_on=today,
    )
    PointEntry.objects.create(
        officer=officer,
        year=today.year - 1,
        category=PointCategory.choices[0][0],
        points=Decimal("9"),
        description="last year",
        occurred_on=today.replace(year=today.year - 1),
    )
    exam = published_exam(objective_blueprint(), officer, title="年度执法考试")
    Attempt.objects.create(
        exam=exam, officer=officer, state=AttemptState.RELEASED, submitted_at=timezone.now(), score=88, passed=True
    )
    # Counted by the last attempt: passed, then failed the retake — not an exam passed.
    retaken = published_exam(objective_blueprint(), officer, title="补考", counts=AttemptCounting.LAST)
    for number, passed in ((1, True), (2, False)):
        Attempt.objects.create(
            exam=retaken,
            officer=officer,
            number=number,
            state=AttemptState.RELEASED,
            submitted_at=timezone.now(),
            score=90 if passed else 10,
            passed=passed,
        )
    response = _get(client, f"/api/v1/officers/{officer.police_number}/summary", key=qualifications_key)
    assert response.status_code == 200
    body = response.json()
    assert body["police_number"] == officer.police_number
    assert body["unit_path"] == officer.unit.full_path
    assert body["positions"] == ["middle_leader"]
    # The expired intermediate record is on the books but not valid.
    assert [q["type_code"] for q in body["valid_qualifications"]] == ["basic"]
    assert body["pathway_phase"] == "phase2"
    assert Decimal(body["points_total"]) == Decimal("3.5")
    assert body["latest_evaluation"] is None
    assert [(e["exam_title"], Decimal(e["score"])) for e in body["exams_passed_this_year"]] == [("年度执法考试", 88)]
    # The same figure as the officer's file.
    assert officer_file_summary(officer).exams_passed == 1


def test_openapi_schema_declares_every_response(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    listing = paths["/api/v1/qualifications/"]["get"]
    assert {"200", "401", "403", "422"} <= set(listing["responses"])
    assert {"officer", "type", "valid_on", "status", "page", "page_size"} <= {p["name"] for p in listing["parameters"]}
    summary = paths["/api/v1/officers/{police_number}/summary"]["get"]
    assert {"200", "401", "403", "404", "422"} <= set(summary["responses"])
