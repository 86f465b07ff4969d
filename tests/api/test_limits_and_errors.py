"""Request limits agree with the schema, and every API error is JSON."""

from __future__ import annotations

import json

import pytest

from people.api import MAX_ROWS_PER_REQUEST
from people.services import PersonnelImportResult
from portal.api_errors import BODY_BYTES_OVERHEAD, BODY_BYTES_PER_ROW

pytestmark = pytest.mark.django_db

PERSONNEL = "/api/v1/personnel"


def _rows(count: int) -> list[dict]:
    return [
        {
            "police_number": f"9{index:06d}",
            "name": "测试人员",
            "unit_path": "西湖分局/北山派出所",
            "category": "民警",
            "position": "科员",
            "birth_date": "1990-01-01",
            "phone": "13800000000",
            "status": "在职",
            "is_middle_leader": False,
        }
        for index in range(count)
    ]


def _post(client, key, body, **headers):
    data = body if isinstance(body, str | bytes) else json.dumps(body)  # json.dumps escapes Chinese, as most clients do
    return client.post(PERSONNEL, data, content_type="application/json", headers={"X-API-Key": key, **headers})


def _is_json(response) -> bool:
    return response["Content-Type"].startswith("application/json") and bool(response.json()["detail"])


def test_the_schema_states_the_row_limit(client):
    spec = client.get("/api/v1/openapi.json").json()
    assert spec["components"]["schemas"]["PersonnelImportIn"]["properties"]["rows"]["maxItems"] == MAX_ROWS_PER_REQUEST
    operation = spec["paths"][PERSONNEL]["post"]
    assert "413" in operation["responses"]
    assert f"{MAX_ROWS_PER_REQUEST:,} rows" in operation["description"]


def test_a_batch_of_the_largest_size_the_schema_allows_is_accepted(client, write_key, station, monkeypatch):
    received = []

    def import_counting(*, records, dry_run, **kwargs):
        received.append(len(records))
        return PersonnelImportResult(dry_run=dry_run, created=len(records))

    # The import itself is tested elsewhere; here the batch must get through the limits to it.
    monkeypatch.setattr("people.api.personnel_import", import_counting)
    body = json.dumps({"rows": _rows(MAX_ROWS_PER_REQUEST), "dry_run": True})
    assert len(body) > 2_621_440  # larger than Django's DATA_UPLOAD_MAX_MEMORY_SIZE
    response = _post(client, write_key, body)
    assert response.status_code == 200, response.content[:300]
    assert response.json()["created"] == MAX_ROWS_PER_REQUEST
    assert received == [MAX_ROWS_PER_REQUEST]


def test_one_row_over_the_limit_is_422_json_naming_the_limit(client, write_key, station):
    response = _post(client, write_key, {"rows": _rows(MAX_ROWS_PER_REQUEST + 1)}, **{"Accept-Language": "en"})
    assert response.status_code == 422
    assert _is_json(response)
    [error] = response.json()["errors"]
    assert error["column"] == "rows"
    assert "20000" in error["message"]


def test_a_body_over_the_byte_allowance_is_413_json_naming_the_limit(client, write_key):
    limit = MAX_ROWS_PER_REQUEST * BODY_BYTES_PER_ROW + BODY_BYTES_OVERHEAD
    response = _post(client, write_key, b" " * (limit + 1), **{"Accept-Language": "en"})
    assert response.status_code == 413
    assert _is_json(response)
    assert f"{limit:,}" in response.json()["detail"]


def test_a_body_that_is_not_json_is_400_json(client, write_key):
    response = _post(client, write_key, "{rows: [")
    assert response.status_code == 400
    assert _is_json(response)


def test_an_unknown_api_address_is_404_json(client, write_key):
    for url in ("/api/v1/nothing-here", "/api/v1/nothing/here/", "/api/v1/"):
        response = client.get(url, headers={"X-API-Key": write_key})
        assert response.status_code == 404, url
        assert _is_json(response), url


def test_a_missing_trailing_slash_redirects_keeping_the_method(client, write_key):
    response = client.post("/api/v1/case-quality", "{}", content_type="application/json")
    assert response.status_code == 308
    assert response["Location"] == "/api/v1/case-quality/"


def test_a_method_the_address_does_not_take_is_405_json(client, write_key):
    response = client.delete(PERSONNEL, headers={"X-API-Key": write_key})
    assert response.status_code == 405
    assert _is_json(response)
    assert response["Allow"] == "POST"


def test_an_unexpected_failure_is_500_json(client, read_key, branch, monkeypatch):
    def broken():
        raise RuntimeError("database went away")

    monkeypatch.setattr("people.api.unit_full_paths", broken)
    response = client.get("/api/v1/units", headers={"X-API-Key": read_key})
    assert response.status_code == 500
    assert _is_json(response)
    assert "database went away" not in response.content.decode()
