"""POST /api/v1/case-quality/: the case-handling system pushes case-quality records."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from certification.models import CaseQualityRecord
from portal.models import ApiScope
from portal.services import api_key_create

pytestmark = pytest.mark.django_db

URL = "/api/v1/case-quality/"


@pytest.fixture
def cases_key(db) -> str:
    return api_key_create(name="执法办案系统", scopes=[ApiScope.CASES_WRITE])[1]


@pytest.fixture
def people_key(db) -> str:
    return api_key_create(name="人事系统", scopes=[ApiScope.PEOPLE_WRITE])[1]


def _post(client, body, key=None):
    headers = {"X-API-Key": key} if key else {}
    return client.post(URL, body, content_type="application/json", headers=headers)


def _row(officer, number="API-1", **fields):
    return {
        "case_number": number,
        "police_number": officer.police_number,
        "case_date": timezone.localdate().isoformat(),
        **fields,
    }


def test_without_a_key_is_401(client, officer):
    assert _post(client, {"rows": [_row(officer)]}).status_code == 401
    assert _post(client, {"rows": [_row(officer)]}, key="garbage").status_code == 401


def test_a_key_without_the_scope_is_403(client, officer, people_key):
    response = _post(client, {"rows": [_row(officer)]}, key=people_key)
    assert response.status_code == 403
    assert "cases:write" in response.json()["detail"]
    assert not CaseQualityRecord.objects.exists()


def test_records_are_created_then_updated_by_case_number(client, officer, cases_key):
    body = {
        "rows": [
            _row(officer, score=92, deductions=8, issue_categories=["文书瑕疵"], serious=False),
            _row(officer, "API-2", deductions="5", issue_categories="证据不全、程序瑕疵", serious="是"),
        ]
    }
    response = _post(client, body, key=cases_key)
    assert response.status_code == 200, response.content
    assert response.json() == {"dry_run": False, "created": 2, "updated": 0, "unchanged": 0}
    second = CaseQualityRecord.objects.get(case_number="API-2")
    assert second.serious and second.issue_categories == ["证据不全", "程序瑕疵"] and second.source == "api"
    response = _post(client, {"rows": [_row(officer, score=60)]}, key=cases_key)
    assert response.json()["updated"] == 1
    assert CaseQualityRecord.objects.count() == 2
    assert CaseQualityRecord.objects.get(case_number="API-1").score == 60


def test_invalid_rows_answer_422_with_every_problem_and_write_nothing(client, officer, cases_key):
    future = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    body = {
        "rows": [
            _row(officer, "OK-1", score=80),
            _row(officer, "BAD-1", case_date=future),
            {**_row(officer, "BAD-2", score=130), "police_number": "nobody"},
        ]
    }
    response = _post(client, body, key=cases_key)
    assert response.status_code == 422
    errors = {(error["row"], error["column"]) for error in response.json()["errors"]}
    assert errors == {(2, "case_date"), (3, "police_number"), (3, "score")}
    assert not CaseQualityRecord.objects.exists()


def test_a_malformed_body_answers_422(client, officer, cases_key):
    response = _post(client, {"rows": [{**_row(officer), "unexpected": 1}]}, key=cases_key)
    assert response.status_code == 422
    assert response.json()["errors"][0]["row"] == 1


def test_dry_run_counts_without_writing(client, officer, cases_key):
    response = _post(client, {"rows": [_row(officer)], "dry_run": True}, key=cases_key)
    assert response.status_code == 200
    assert response.json()["created"] == 1
    assert not CaseQualityRecord.objects.exists()
