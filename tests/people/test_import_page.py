import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from people.models import Unit, User
from tests.people.xlsx import HEADERS, officer_row, xlsx_bytes

STATION = "西湖分局/北山派出所"


def upload(content: bytes, name: str = "personnel.xlsx"):
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", ["people:import", "people:import_template", "people:import_errors"])
def test_import_pages_are_forbidden_to_officers(client, officer, url_name):
    client.force_login(officer)
    assert client.get(reverse(url_name)).status_code == 403


@pytest.mark.django_db
def test_import_page_requires_login(client):
    response = client.get(reverse("people:import"))
    assert response.status_code == 302
    assert reverse("portal:login") in response["Location"]


@pytest.mark.django_db
def test_hr_imports_a_file_and_sees_the_summary(client, hr, station):
    client.force_login(hr)
    data = xlsx_bytes([officer_row("700001", "甲", STATION), officer_row("700002", "乙", STATION)])
    response = client.post(reverse("people:import"), {"file": upload(data)})
    assert response.status_code == 200
    result = response.context["result"]
    assert (result.created, result.updated, result.unchanged) == (2, 0, 0)
    assert b'data-testid="import-summary"' in response.content
    assert User.objects.filter(police_number__in=["700001", "700002"]).count() == 2


@pytest.mark.django_db
def test_admin_can_use_the_import_page(client, admin_user, station):
    client.force_login(admin_user)
    assert client.get(reverse("people:import")).status_code == 200


@pytest.mark.django_db
def test_dry_run_checkbox_writes_nothing(client, hr, station):
    client.force_login(hr)
    data = xlsx_bytes([officer_row("700003", "丙", "西湖分局/新所")])
    before = (User.objects.count(), Unit.objects.count())
    response = client.post(reverse("people:import"), {"file": upload(data), "dry_run": "on", "create_units": "on"})
    assert response.context["result"].created == 1
    assert response.context["result"].dry_run
    assert (User.objects.count(), Unit.objects.count()) == before


@pytest.mark.django_db
def test_bad_rows_are_shown_as_a_table_and_downloadable(client, hr, station):
    client.force_login(hr)
    data = xlsx_bytes([officer_row("700004", "丁", STATION), officer_row("700005", "", "西湖分局/无此所")])
    response = client.post(reverse("people:import"), {"file": upload(data)})
    content = response.content.decode()
    assert 'data-testid="import-errors"' in content
    assert "西湖分局/无此所" in content
    assert [(e.row, e.column) for e in response.context["result"].errors] == [(3, "姓名"), (3, "单位")]
    assert not User.objects.filter(police_number="700004").exists()

    report = client.get(reverse("people:import_errors"))
    assert report.status_code == 200
    sheet = load_workbook(io.BytesIO(report.content)).active
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [(row[0], row[1]) for row in rows] == [(3, "姓名"), (3, "单位")]


@pytest.mark.django_db
def test_uploading_something_that_is_not_xlsx_shows_a_form_error(client, hr):
    client.force_login(hr)
    response = client.post(reverse("people:import"), {"file": upload(b"a,b,c\n1,2,3\n", "list.csv")})
    assert response.status_code == 200
    errors = response.context["form"].errors["file"]
    assert len(errors) == 1
    assert response.context["result"] is None


@pytest.mark.django_db
def test_template_download_opens_in_openpyxl_with_headers_and_instructions(client, hr):
    client.force_login(hr)
    response = client.get(reverse("people:import_template"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(io.BytesIO(response.content))
    first, notes = workbook.worksheets[0], workbook.worksheets[1]
    assert [cell.value for cell in first[1]] == HEADERS
    example = [cell.value for cell in first[2]]
    assert example[0] == "200001" and example[3] == "民警"
    explained = {row[0] for row in notes.iter_rows(min_row=2, values_only=True)}
    assert set(HEADERS) <= explained


@pytest.mark.django_db
def test_the_template_itself_imports_cleanly_with_create_units(client, hr):
    client.force_login(hr)
    template = client.get(reverse("people:import_template")).content
    response = client.post(reverse("people:import"), {"file": upload(template), "create_units": "on", "dry_run": "on"})
    result = response.context["result"]
    assert result.ok, result.errors
    assert result.created + result.updated == 1
