"""Court-hearing attendance in a real browser: an officer in the 执法办案积分序列 records a hearing
(with an evidence file), a legal-brigade trainer verifies it, and the officer's progress bar moves
from 1 of 2 to 2 of 2.

Selectors use ids, names and attributes, not text: the interface may be Chinese or English.
"""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from certification.models import AttendanceState, CourtAttendance
from tests.browser.support import sign_in
from tests.certification.points_support import attendance, in_sequence

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _log_in(browser, live_server, user, password):
    return sign_in(browser, live_server, user, password, viewport={"width": 375, "height": 900})


def test_officer_records_legal_brigade_verifies_and_the_progress_bar_moves(
    browser, live_server, officer, trainer, password, tmp_path
):
    in_sequence(officer, required=2)
    earlier = attendance(officer, state=AttendanceState.VERIFIED, reviewed_by=trainer)

    # 1. The officer sees 1 of 2 and records a second hearing.
    context, page = _log_in(browser, live_server, officer, password)
    page.goto(f"{live_server.url}/certification/court/")
    bar = page.locator("#court-progress progress")
    expect(bar).to_have_attribute("value", "1")
    expect(bar).to_have_attribute("max", "2")
    hearing_day = timezone.localdate() - datetime.timedelta(days=1)
    if hearing_day.year != timezone.localdate().year:
        hearing_day = timezone.localdate()
    page.fill("#id_date", hearing_day.isoformat())
    page.fill("#id_court", "杭州市西湖区人民法院")
    page.fill("#id_case", "陈某诈骗案")
    evidence = tmp_path / "旁听证.png"
    evidence.write_bytes(b"\x89PNG\r\n\x1a\n" + b"0" * 64)
    page.set_input_files("#id_evidence", str(evidence))
    page.click("#court-record-form button[type=submit]")
    expect(page.locator("#my-court-table [data-state='submitted']")).to_have_count(1)
    expect(bar).to_have_attribute("value", "1")
    context.close()

    recorded = CourtAttendance.objects.exclude(pk=earlier.pk).get(officer=officer)
    assert recorded.state == AttendanceState.SUBMITTED and recorded.evidence

    # 2. The legal brigade verifies it.
    context, page = _log_in(browser, live_server, trainer, password)
    page.goto(f"{live_server.url}/certification/court/review/")
    item = page.locator(f"#court-review-list [data-attendance='{recorded.pk}']")
    expect(item).to_have_attribute("data-state", "submitted")
    item.locator("button[data-action='verify']").click()
    expect(page.locator(f"#court-review-list [data-attendance='{recorded.pk}']")).to_have_attribute(
        "data-state", "verified"
    )
    context.close()

    # 3. The officer's bar is full.
    context, page = _log_in(browser, live_server, officer, password)
    page.goto(f"{live_server.url}/certification/court/")
    expect(page.locator("#court-progress progress")).to_have_attribute("value", "2")
    expect(page.locator("#court-progress")).to_have_attribute("data-verified", "2")
    expect(page.locator(f"#attendance-{recorded.pk} [data-state='verified']")).to_have_count(1)
    context.close()
