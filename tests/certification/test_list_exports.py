"""xlsx exports of the pathway board and the case-quality list: the file holds the rows the screen
shows with the same filters, the export is audited with its filters and row count, the same people
are refused as on the list page, a unit outside the reader's scope adds nothing, and a large export
becomes a background job."""

from __future__ import annotations

import datetime
import io

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from certification.models import Pathway, PathwayPhase
from certification.services.cases import case_record_save
from people.selectors import unit_full_paths
from portal.models import AuditEntry, ExportJob, ExportStatus
from tests.certification.pathway_support import eligible_mentor, enrolled, in_phase2, new_officer, today
from tests.certification.qualification_support import english

pytestmark = pytest.mark.django_db

BOARD = "certification:pathway_board"
BOARD_XLSX = "certification:pathway_board_xlsx"
CASES = "certification:case_list"
CASES_XLSX = "certification:case_list_xlsx"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def in_english():
    """Headers are looked up by their English text (a background job builds in the active language)."""
    with translation.override("en"):
        yield


def sheet_rows(content: bytes) -> list[dict]:
    """The first sheet as {header: cell value}, one dict per row (dates come back as datetimes)."""
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    header, *rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(header, row, strict=True)) for row in rows]


def filled(filters: dict) -> dict:
    return {key: value for key, value in filters.items() if value}


def as_user(client, user):
    english(client)
    client.force_login(user)
    return client


# --- the pathway board ----------------------------------------------------------------------------


@pytest.fixture
def pathways(station, squad, other_unit, hr, trainer):
    mentor = eligible_mentor(station, name="师傅甲")
    late = in_phase2(new_officer(station, name="逾期"), supervisor=trainer, mentor=mentor)
    Pathway.objects.filter(pk=late.pk).update(phase2_due=today() - datetime.timedelta(days=4))
    return {
        "late": late,
        "station": enrolled(new_officer(station, name="所里新警"), start_date=today(), actor=hr),
        "squad": enrolled(new_officer(squad, name="中队新警"), actor=hr),
        "elsewhere": enrolled(new_officer(other_unit, name="别处新警"), actor=hr),
        "mentor": mentor,
    }


def test_board_file_has_the_rows_on_screen_with_the_filter_and_hr_columns(client, station, hr, pathways):
    as_user(client, hr)
    params = {"unit": station.pk}
    screen = client.get(reverse(BOARD), params).context["rows"]
    response = client.get(reverse(BOARD_XLSX), params)
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_TYPE
    rows = sheet_rows(response.content)
    # The unit filter includes the squad below the station and leaves the other brigade out.
    assert [row["Police number"] for row in rows] == [item.pathway.officer.police_number for item in screen]
    assert {row["Name"] for row in rows} == {"逾期", "所里新警", "中队新警"}

    late = pathways["late"]
    late.refresh_from_db()
    first = next(row for row in rows if row["Name"] == "逾期")
    assert first["Unit"] == unit_full_paths()[station.pk] == "西湖分局/北山派出所"
    assert first["Phase"] == late.get_phase_display()
    assert first["Days overdue"] == 4
    assert first["Mentor"] == "师傅甲"
    assert first["Mentor's police number"] == pathways["mentor"].police_number
    # Dates are written as dates, not text.
    assert isinstance(first["Due"], datetime.datetime)
    assert first["Due"].date() == today() - datetime.timedelta(days=4)
    assert first["Phase started on"].date() == late.phase_started_on

    entry = AuditEntry.objects.get(action="certification.pathways.exported")
    assert entry.actor == hr
    assert entry.data["kind"] == "certification.pathways"
    assert entry.data["rows"] == 3
    assert filled(entry.data["filters"]) == {"unit": str(station.pk)}


def test_board_download_link_carries_the_filters(client, station, hr, pathways):
    as_user(client, hr)
    page = client.get(reverse(BOARD), {"unit": station.pk, "phase": PathwayPhase.PHASE1}).content.decode()
    link = f"{reverse(BOARD_XLSX)}?unit={station.pk}&amp;phase={PathwayPhase.PHASE1}"
    assert link in page and "Download (.xlsx)" in page


def test_board_export_is_refused_like_the_board(client, officer, unit_leader, pathways):
    for user in (officer, unit_leader):
        as_user(client, user)
        assert client.get(reverse(BOARD)).status_code == 403
        assert client.get(reverse(BOARD_XLSX)).status_code == 403
    client.logout()
    board, export = client.get(reverse(BOARD)), client.get(reverse(BOARD_XLSX))
    assert board.status_code == export.status_code == 302
    assert export["Location"].split("?")[0] == board["Location"].split("?")[0]
    assert not AuditEntry.objects.filter(action="certification.pathways.exported").exists()


def test_board_export_ignores_invalid_filters_as_the_board_does(client, hr, pathways):
    as_user(client, hr)
    for params in ({"phase": "nonsense"}, {"unit": "999999"}, {"unit": "abc"}):
        screen = client.get(reverse(BOARD), params)
        assert screen.status_code == 200
        response = client.get(reverse(BOARD_XLSX), params)
        assert response.status_code == 200
        assert [row["Police number"] for row in sheet_rows(response.content)] == [
            item.pathway.officer.police_number for item in screen.context["rows"]
        ]


# --- the case-quality list ------------------------------------------------------------------------


def _case(officer, number, day, actor, **fields):
    return case_record_save(officer=officer, case_number=number, case_date=day, source="form", actor=actor, **fields)[0]


@pytest.fixture
def cases(station, trainer, officer, squad_officer, outsider):
    return [
        _case(
            officer,
            "C-1",
            today(),
            trainer,
            score=72,
            deductions=28,
            serious=True,
            issue_categories="文书瑕疵、证据不全",
        ),
        _case(squad_officer, "C-2", today() - datetime.timedelta(days=2), trainer, score=95, case_title="盗窃案"),
        _case(officer, "C-3", today() - datetime.timedelta(days=40), trainer, score=88),
        _case(outsider, "C-4", today() - datetime.timedelta(days=1), trainer, score=60, serious=True),
    ]


def test_case_file_has_the_rows_on_screen_with_the_filter(client, station, hr, officer, cases):
    as_user(client, hr)
    params = {"unit": station.pk, "date_from": (today() - datetime.timedelta(days=10)).isoformat()}
    screen = [record.case_number for record in client.get(reverse(CASES), params).context["records"]]
    response = client.get(reverse(CASES_XLSX), params)
    assert response.status_code == 200
    rows = sheet_rows(response.content)
    assert [row["Case number"] for row in rows] == screen == ["C-1", "C-2"]

    first = rows[0]
    assert first["Police number"] == officer.police_number
    assert first["Handling officer"] == officer.name
    assert first["Unit"] == "西湖分局/北山派出所"
    assert isinstance(first["Case date"], datetime.datetime) and first["Case date"].date() == today()
    assert first["Score"] == 72 and first["Deductions"] == 28
    assert first["Serious problem"] == "Yes" and rows[1]["Serious problem"] == "No"
    assert first["Issue categories"] == "文书瑕疵、证据不全"
    assert officer.name in first["Counts for"]

    entry = AuditEntry.objects.get(action="certification.case_records.exported")
    assert entry.actor == hr
    assert entry.data["kind"] == "certification.case_records"
    assert entry.data["rows"] == 2
    assert filled(entry.data["filters"]) == {"unit": str(station.pk), "date_from": params["date_from"]}


def test_case_download_link_carries_the_filters_but_not_the_page(client, hr, cases):
    as_user(client, hr)
    page = client.get(reverse(CASES), {"serious": "on", "page": "1"}).content.decode()
    assert f'{reverse(CASES_XLSX)}?serious=on"' in page
    assert "Download (.xlsx)" in page


def test_case_export_is_scoped_like_the_list(client, officer, outsider, cases):
    """Everyone signed in sees the list with their own records; the file shows the same and no more."""
    for user, expected in ((officer, ["C-1", "C-3"]), (outsider, ["C-4"])):
        as_user(client, user)
        screen = [record.case_number for record in client.get(reverse(CASES)).context["records"]]
        rows = sheet_rows(client.get(reverse(CASES_XLSX)).content)
        assert [row["Case number"] for row in rows] == screen == expected
    client.logout()
    assert client.get(reverse(CASES)).status_code == client.get(reverse(CASES_XLSX)).status_code == 302


def test_a_unit_outside_the_readers_scope_adds_no_rows(client, unit_leader, other_unit, cases):
    as_user(client, unit_leader)
    params = {"unit": other_unit.pk}
    screen = client.get(reverse(CASES), params)
    assert screen.context["form"].errors  # the list refuses the unit and shows its own subtree
    rows = sheet_rows(client.get(reverse(CASES_XLSX), params).content)
    numbers = [row["Case number"] for row in rows]
    assert numbers == [record.case_number for record in screen.context["records"]] == ["C-1", "C-2", "C-3"]
    assert "C-4" not in numbers


def test_invalid_case_filters_behave_as_on_the_list(client, hr, cases):
    as_user(client, hr)
    for params in ({"date_from": "not-a-date"}, {"date_to": "2024-13-45"}, {"unit": "x"}, {"q": "C" * 200}):
        screen = client.get(reverse(CASES), params)
        assert screen.status_code == 200
        response = client.get(reverse(CASES_XLSX), params)
        assert response.status_code == 200
        assert [row["Case number"] for row in sheet_rows(response.content)] == [
            record.case_number for record in screen.context["records"]
        ]


# --- background jobs ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "params", "kind", "action", "expected"),
    [
        (BOARD_XLSX, {"phase": PathwayPhase.PHASE1}, "certification.pathways", "certification.pathways.exported", 3),
        (CASES_XLSX, {"serious": "on"}, "certification.case_records", "certification.case_records.exported", 2),
    ],
)
def test_over_the_threshold_the_export_runs_as_a_job(
    client, settings, hr, pathways, cases, django_capture_on_commit_callbacks, url, params, kind, action, expected
):
    settings.PORTAL_EXPORT_INLINE_ROWS = 0
    as_user(client, hr)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(reverse(url), params)
    job = ExportJob.objects.get(owner=hr, kind=kind)
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:export_job", args=[job.pk])
    job.refresh_from_db()
    assert job.status == ExportStatus.DONE
    assert job.row_count == expected
    assert filled(job.filters) == {key: str(value) for key, value in params.items()}

    download = client.get(reverse("portal:export_download", args=[job.pk]))
    assert download.status_code == 200
    assert len(sheet_rows(b"".join(download.streaming_content))) == expected
    entry = AuditEntry.objects.get(action=action)
    assert entry.data["rows"] == expected and entry.data["background"] is True
    assert filled(entry.data["filters"]) == {key: str(value) for key, value in params.items()}


def test_a_job_run_after_the_reader_lost_the_role_exports_no_pathways(officer, pathways):
    """The worker builds later than the request: it checks the owner's access again."""
    from portal.services.exports import export_job_run

    job = ExportJob.objects.create(owner=officer, kind="certification.pathways", title="Board", total=4, filters={})
    export_job_run(job.pk)
    job.refresh_from_db()
    assert job.status == ExportStatus.DONE and job.row_count == 0
