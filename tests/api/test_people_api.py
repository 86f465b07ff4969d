import datetime

import pytest

from people.models import OfficerStatus, OfficerStatusChange, Unit, User
from portal.models import AuditEntry

PERSONNEL = "/api/v1/personnel"


def post(client, key, body):
    return client.post(PERSONNEL, body, content_type="application/json", headers={"X-API-Key": key})


@pytest.mark.django_db
def test_units_are_listed_with_path_and_parent(client, read_key, squad, other_unit):
    response = client.get("/api/v1/units", headers={"X-API-Key": read_key})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == Unit.objects.count()
    by_path = {unit["path"]: unit for unit in body["items"]}
    squad_out = by_path["西湖分局/北山派出所/一中队"]
    assert squad_out["id"] == squad.pk
    assert squad_out["parent_id"] == by_path["西湖分局/北山派出所"]["id"]
    assert squad_out["kind"] == "squad"
    assert by_path["西湖分局"]["parent_id"] is None


@pytest.mark.django_db
def test_units_are_paginated(client, read_key, branch):
    for index in range(105):
        branch.refresh_from_db()
        branch.add_child(name=f"单位{index:03d}")
    first = client.get("/api/v1/units", headers={"X-API-Key": read_key}).json()
    assert (first["count"], len(first["items"])) == (106, 100)
    second = client.get("/api/v1/units", {"page": 2}, headers={"X-API-Key": read_key}).json()
    assert len(second["items"]) == 6


@pytest.mark.django_db
def test_personnel_upsert_creates_and_updates(client, write_key, officer, station):
    body = {
        "rows": [
            {"police_number": 810001, "name": "新人", "unit_path": "西湖分局/北山派出所", "category": "辅警"},
            {
                "police_number": "200001",
                "name": "张伟",
                "unit_path": "西湖分局/北山派出所",
                "category": "officer",
                "status": "借调",
                "is_middle_leader": True,
                "birth_date": "1988-05-01",
            },
        ]
    }
    response = post(client, write_key, body)
    assert response.status_code == 200, response.json()
    assert response.json() == {
        "dry_run": False,
        "created": 1,
        "updated": 1,
        "unchanged": 0,
        "status_changes": 1,
        "units_created": [],
    }
    assert User.objects.get(police_number="810001").category == "auxiliary"
    officer.refresh_from_db()
    assert officer.status == OfficerStatus.SECONDED and officer.is_middle_leader
    assert OfficerStatusChange.objects.filter(officer=officer).count() == 1
    entry = AuditEntry.objects.get(action="people.officer.imported")
    assert entry.actor is None and "人事系统" in entry.actor_label


@pytest.mark.django_db
def test_personnel_errors_are_422_with_row_and_field_and_nothing_written(client, write_key, station):
    before = User.objects.count()
    body = {
        "rows": [
            {"police_number": "820001", "name": "好", "unit_path": "西湖分局/北山派出所", "category": "民警"},
            {
                "police_number": "820002",
                "name": "错",
                "unit_path": "西湖分局/无此所",
                "category": "民警",
                "birth_date": "1990/02/30",
            },
            {"police_number": "820001", "name": "重", "unit_path": "西湖分局/北山派出所", "category": "民警"},
        ]
    }
    response = post(client, write_key, body)
    assert response.status_code == 422
    errors = {(error["row"], error["column"]) for error in response.json()["errors"]}
    assert errors == {(2, "unit_path"), (2, "birth_date"), (3, "police_number")}
    assert User.objects.count() == before


@pytest.mark.django_db
def test_a_future_hire_date_is_refused_by_the_api_too(client, write_key, station):
    later = (datetime.date.today() + datetime.timedelta(days=2)).isoformat()
    row = {"police_number": "820003", "name": "新", "unit_path": "西湖分局/北山派出所", "category": "民警"}
    response = post(client, write_key, {"rows": [{**row, "service_start_date": later}]})
    assert response.status_code == 422
    assert {(error["row"], error["column"]) for error in response.json()["errors"]} == {(1, "service_start_date")}
    assert not User.objects.filter(police_number="820003").exists()


@pytest.mark.django_db
def test_personnel_body_schema_errors_are_422_with_row_and_field(client, write_key):
    response = post(client, write_key, {"rows": [{"police_number": "1", "blood_type": "A"}]})
    assert response.status_code == 422
    body = response.json()
    assert body["detail"]
    named = {(error["row"], error["column"]) for error in body["errors"]}
    # the unknown field, and the fields every row must have (the schema requires them)
    assert named == {(1, "blood_type"), (1, "name"), (1, "unit_path"), (1, "category")}


@pytest.mark.django_db
def test_personnel_dry_run_writes_nothing(client, write_key, branch):
    before = (User.objects.count(), Unit.objects.count())
    body = {
        "rows": [{"police_number": "830001", "name": "甲", "unit_path": "西湖分局/新所", "category": "民警"}],
        "dry_run": True,
        "create_units": True,
    }
    response = post(client, write_key, body)
    assert response.status_code == 200
    assert response.json()["created"] == 1
    assert response.json()["units_created"] == ["西湖分局/新所"]
    assert (User.objects.count(), Unit.objects.count()) == before
