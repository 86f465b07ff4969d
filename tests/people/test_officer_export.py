"""The officer list as xlsx: every page of the filtered list, the reader's scope, an audit entry, a
background job for large lists, and a file in the import template's layout that imports back
unchanged."""

from __future__ import annotations

import datetime
import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from people.models import Category, OfficerStatus
from people.personnel_columns import PERSONNEL_COLUMNS
from people.personnel_xlsx import personnel_records_from_xlsx
from people.services.personnel_import import personnel_import, personnel_validate
from portal.models import AuditEntry, ExportJob, ExportStatus
from tests.factories import UserFactory
from tests.people.xlsx import HEADERS

pytestmark = pytest.mark.django_db

LIST_URL = reverse("people:officer_list")
XLSX_URL = reverse("people:officer_list_xlsx")
ACTION = "people.officers.exported"


def download(client, user, **params) -> bytes:
    client.force_login(user)
    response = client.get(XLSX_URL, params)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return response.content


def police_numbers_in(content: bytes) -> list[str]:
    records, header_errors = personnel_records_from_xlsx(content)
    assert header_errors == []
    return [record.values["police_number"] for record in records]


def police_numbers_listed(client, user, **params) -> list[str]:
    """Every row the list page shows for these filters, page after page."""
    client.force_login(user)
    numbers: list[str] = []
    page = 1
    while True:
        response = client.get(LIST_URL, {**params, "page": page})
        numbers += [officer.police_number for officer in response.context["officers"]]
        if not response.context["page_obj"].has_next():
            return numbers
        page += 1


def test_file_holds_every_page_of_the_filtered_list(client, hr, officer, auxiliary, squad_officer, outsider, station):
    UserFactory.create_batch(55, unit=squad_officer.unit)
    UserFactory.create_batch(3, unit=squad_officer.unit, category=Category.AUXILIARY)
    params = {"unit": station.pk, "category": Category.OFFICER}

    listed = police_numbers_listed(client, hr, **params)
    exported = police_numbers_in(download(client, hr, **params))

    assert len(listed) == 57  # officer, squad_officer and the 55: more than one page of 50
    assert exported == listed
    assert auxiliary.police_number not in exported and outsider.police_number not in exported


def test_search_and_status_filters_apply_to_the_file(client, hr, officer, auxiliary, squad_officer):
    UserFactory(police_number="200099", name="张伟明", unit=squad_officer.unit, status=OfficerStatus.LEFT)
    assert police_numbers_in(download(client, hr, q="张伟")) == ["200001", "200099"]
    assert police_numbers_in(download(client, hr, q="张伟", status=OfficerStatus.LEFT)) == ["200099"]


def test_unit_leader_gets_their_subtree_and_a_unit_outside_it_is_ignored(
    client, unit_leader, officer, auxiliary, squad_officer, outsider, other_unit, squad
):
    outside = {"unit": other_unit.pk}
    exported = police_numbers_in(download(client, unit_leader, **outside))
    assert exported == police_numbers_listed(client, unit_leader, **outside)
    assert set(exported) == {p.police_number for p in (unit_leader, officer, auxiliary, squad_officer)}

    assert police_numbers_in(download(client, unit_leader, unit=squad.pk)) == [squad_officer.police_number]


def test_officer_without_a_list_gets_404_and_nothing_is_audited(client, officer, outsider):
    for user in (officer, outsider):
        client.force_login(user)
        assert client.get(XLSX_URL).status_code == 404
    assert not AuditEntry.objects.filter(action=ACTION).exists()


def test_download_needs_a_login_and_is_get_only(client, hr):
    assert client.get(XLSX_URL).status_code == 302  # to the login page
    client.force_login(hr)
    assert client.post(XLSX_URL).status_code == 405


def test_download_is_audited_with_its_filters_and_row_count(client, hr, officer, auxiliary, squad_officer, station):
    download(client, hr, unit=station.pk, category=Category.OFFICER, page=2)
    entry = AuditEntry.objects.get(action=ACTION)
    assert entry.actor == hr
    assert entry.data["rows"] == 2 and entry.data["kind"] == "people.officers"
    assert entry.data["filters"] == {"q": "", "unit": str(station.pk), "category": "officer", "status": ""}


def test_exported_file_has_the_templates_columns_and_imports_back_unchanged(
    client, hr, officer, auxiliary, squad_officer, squad
):
    special = UserFactory(
        police_number="000123",
        name="钱敏",
        unit=squad,
        category=Category.AUXILIARY,
        position="内勤",
        is_middle_leader=True,
        is_legal_officer=True,
        is_legal_brigade=True,
        is_new_officer=True,
        birth_date=None,
        service_start_date=datetime.date(2020, 3, 9),
        status=OfficerStatus.ON_LEAVE,
        phone="13800000000",
    )
    content = download(client, hr)

    header = next(load_workbook(io.BytesIO(content), read_only=True).worksheets[0].iter_rows(values_only=True))
    assert list(header) == HEADERS == [column.template_header for column in PERSONNEL_COLUMNS]

    records, header_errors = personnel_records_from_xlsx(content)
    assert header_errors == []
    by_number = {record.values["police_number"]: record.values for record in records}
    assert set(by_number) == {o.police_number for o in (hr, officer, auxiliary, squad_officer, special)}
    assert by_number["000123"] == {
        "police_number": "000123",
        "name": "钱敏",
        "unit_path": "西湖分局/北山派出所/一中队",
        "category": "辅警",
        "position": "内勤",
        "is_middle_leader": "是",
        "is_legal_officer": "是",
        "is_legal_brigade": "是",
        "is_new_officer": "是",
        "birth_date": None,
        "service_start_date": datetime.datetime(2020, 3, 9),
        "status": "休假",
        "phone": "13800000000",
    }
    assert by_number["200001"]["category"] == "民警" and by_number["200001"]["status"] == "在职"
    assert by_number["200001"]["is_new_officer"] == "否" and by_number["200001"]["position"] is None

    clean_rows, row_errors = personnel_validate(records=records)
    assert row_errors == []
    officers = {o.police_number: o for o in (hr, officer, auxiliary, squad_officer, special)}
    for row in clean_rows:
        current = officers[row.values["police_number"]]
        assert row.unit == current.unit
        for column in PERSONNEL_COLUMNS:
            if column.field != "unit_path":
                assert row.values[column.field] == getattr(current, column.field), column.field

    result = personnel_import(records=records, actor=hr, source="officers.xlsx", dry_run=True)
    assert result.ok
    assert (result.created, result.updated, result.unchanged) == (0, 0, 5)


def test_list_page_offers_the_download_with_its_filters_but_not_its_page(client, hr, officer, station):
    client.force_login(hr)
    page = client.get(LIST_URL, {"category": "officer", "unit": station.pk, "page": 1}).content.decode()
    link = re.search(r'id="officers-xlsx" href="([^"]+)"', page)
    assert link is not None
    href = link.group(1).replace("&amp;", "&")
    assert href.startswith(XLSX_URL + "?")
    assert "category=officer" in href and f"unit={station.pk}" in href and "page=" not in href


def test_large_list_is_built_as_a_job_whose_file_imports_back(
    client, hr, officer, auxiliary, squad_officer, settings, django_capture_on_commit_callbacks
):
    settings.PORTAL_EXPORT_INLINE_ROWS = 0
    client.force_login(hr)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(XLSX_URL, {"category": Category.OFFICER})
    job = ExportJob.objects.get(owner=hr)
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:export_job", args=[job.pk])

    job.refresh_from_db()
    assert job.status == ExportStatus.DONE and job.row_count == 3
    file = client.get(reverse("portal:export_download", args=[job.pk]))
    assert file.status_code == 200
    exported = police_numbers_in(b"".join(file.streaming_content))
    assert exported == sorted(o.police_number for o in (hr, officer, squad_officer))
    entry = AuditEntry.objects.get(action=ACTION)
    assert entry.data["rows"] == 3 and entry.data["background"] is True
