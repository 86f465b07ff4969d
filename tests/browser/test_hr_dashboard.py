"""The qualification dashboard in a real browser (issue #8, Done when): HR filters it to one unit
and tier, drills into the officers behind a percentage, exports them to xlsx and the file's rows
match the screen; a unit leader sees only their own unit and another unit's dashboard is a 404.

Selectors use ids and data attributes, not text: the interface language may vary.
"""

from __future__ import annotations

import datetime

import openpyxl
import pytest
from django.utils import timezone
from playwright.sync_api import expect

from certification.models import Qualification, QualificationType
from tests.browser.support import sign_in
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _grant(officer, code: str) -> None:
    Qualification.objects.create(
        officer=officer,
        qualification_type=QualificationType.objects.get(code=code),
        granted_on=timezone.localdate() - datetime.timedelta(days=100),
        expires_on=timezone.localdate() + datetime.timedelta(days=40),
        source="manual",
    )


def _log_in(browser, live_server, user, password):
    return sign_in(browser, live_server, user, password, viewport={"width": 1280, "height": 900}, english=True)


def _table_rows(page) -> list[list[str]]:
    rows = page.locator("#drill-officers tr")
    return [
        [cell.strip() for cell in rows.nth(index).locator("th, td").all_inner_texts()] for index in range(rows.count())
    ]


def test_hr_filters_drills_into_a_percentage_and_exports_what_the_screen_shows(
    browser, live_server, hr, unit_leader, station, squad, other_unit, officer, auxiliary, squad_officer, password
):
    _grant(officer, "basic")
    _grant(squad_officer, "basic")
    _grant(squad_officer, "intermediate")
    _grant(UserFactory(unit=other_unit), "basic")

    context, page = _log_in(browser, live_server, hr, password)
    page.goto(f"{live_server.url}/certification/dashboards/qualifications/")
    page.select_option("#filter-unit", str(station.pk))
    for code in ("intermediate", "advanced", "lead_officer"):
        page.locator(f"#filter-types input[value={code}]").uncheck()
    page.click("#dashboard-filter-submit")
    expect(page.locator(".coverage-table")).to_have_count(1)
    table = page.locator(".coverage-table[data-type=basic]")
    squad_row = table.locator(f"tr[data-row='{squad.pk}']")
    expect(squad_row.locator("[data-cell=officers]")).to_have_text("1")
    total = table.locator("tr[data-row=total]")
    # officer, auxiliary, squad officer, unit leader: two of four hold the basic level.
    expect(total.locator("[data-cell=officers]")).to_have_text("4")
    expect(total.locator("[data-cell=percent]")).to_have_text("50.0%")

    total.locator("[data-cell=percent]").click()
    expect(page.locator("#drill-officers tbody tr")).to_have_count(2)
    screen = _table_rows(page)
    assert sorted(row[0] for row in screen[1:]) == sorted([officer.police_number, squad_officer.police_number])

    with page.expect_download() as download_info:
        page.click("#drill-xlsx")
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    with open(download.path(), "rb") as handle:
        sheet = openpyxl.load_workbook(handle).active
    file_rows = [["" if value is None else str(value) for value in row] for row in sheet.iter_rows(values_only=True)]
    assert file_rows == screen
    context.close()

    context, page = _log_in(browser, live_server, unit_leader, password)
    page.goto(f"{live_server.url}/certification/dashboards/qualifications/")
    options = page.locator("#filter-unit option")
    expect(options).to_have_count(2)  # the station and its squad
    assert sorted(options.evaluate_all("els => els.map(e => e.value)")) == sorted([str(station.pk), str(squad.pk)])
    rows = page.locator(".coverage-table[data-type=basic] tbody tr")
    assert set(rows.evaluate_all("els => els.map(e => e.dataset.row)")) <= {str(squad.pk), "direct", "total"}
    response = page.goto(f"{live_server.url}/certification/dashboards/qualifications/?unit={other_unit.pk}")
    assert response.status == 404
    context.close()


def test_hr_drills_from_a_pass_rate_to_each_officers_sittings_and_back(
    browser, live_server, hr, station, officer, unit_leader, password
):
    from exams.models import Attempt, AttemptState
    from tests.certification.qualification_support import qualification_exam, sit

    exam = qualification_exam(officer, unit_leader)
    sit(exam, officer, correct=True)
    sit(exam, unit_leader, correct=False)
    Attempt.objects.update(state=AttemptState.RELEASED)

    context, page = _log_in(browser, live_server, hr, password)
    page.goto(f"{live_server.url}/certification/dashboards/overview/?unit={station.pk}")
    row = page.locator("#pass-rate-table tr[data-row=direct][data-category=officer]")
    expect(row.locator("[data-cell=sat]")).to_have_text("2")
    expect(row.locator("[data-cell=passed]")).to_have_text("1")
    row.locator("[data-cell=sat]").click()
    expect(page.locator("#drill-officers tbody tr")).to_have_count(2)
    screen = _table_rows(page)
    # Police number, name, unit, category, then each officer's exams sat and passed.
    assert sorted((r[0], r[4], r[5]) for r in screen[1:-1]) == sorted(
        [(officer.police_number, "1", "1"), (unit_leader.police_number, "1", "0")]
    )
    expect(page.locator("#drill-totals td")).to_have_text(["2", "1"])
    page.locator(".page-actions a.btn-link").click()
    expect(page.locator("#pass-rate-table")).to_be_visible()
    context.close()
