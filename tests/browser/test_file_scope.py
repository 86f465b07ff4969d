"""The law-enforcement file in a real browser: an officer opens their own file and sees an entry,
then tries another officer's file address and gets the 404 page; HR opens that officer's file.

Selectors use ids and attributes, not text: the interface may be Chinese or English.
"""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from courses.models import LessonCompletion
from tests.browser.support import sign_in

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _log_in(browser, live_server, user, password):
    return sign_in(browser, live_server, user, password, viewport={"width": 375, "height": 900})


def _learned(officer, title):
    now = timezone.now()
    LessonCompletion.objects.create(
        officer=officer,
        lesson_title=title,
        opened_at=now - datetime.timedelta(minutes=5),
        completed_at=now,
        read_seconds=300,
    )


def test_officer_sees_own_file_not_anothers_and_hr_sees_both(browser, live_server, officer, outsider, hr, password):
    _learned(officer, "行政处罚法精讲")
    _learned(outsider, "治安管理处罚法要点")

    context, page = _log_in(browser, live_server, officer, password)
    page.goto(f"{live_server.url}/certification/file/")
    timeline = page.locator("#file-timeline")
    expect(timeline.locator("[data-kind='lesson']")).to_have_count(1)
    expect(timeline).to_contain_text("行政处罚法精讲")
    expect(page.locator("#file-summary")).to_contain_text(officer.police_number)

    response = page.goto(f"{live_server.url}/certification/file/{outsider.pk}/")
    assert response.status == 404
    expect(page.locator(".error-code")).to_have_text("404")
    expect(page.locator("body")).not_to_contain_text("治安管理处罚法要点")
    context.close()

    context, page = _log_in(browser, live_server, hr, password)
    response = page.goto(f"{live_server.url}/certification/file/{outsider.pk}/")
    assert response.status == 200
    expect(page.locator("#file-timeline")).to_contain_text("治安管理处罚法要点")
    expect(page.locator("#file-summary")).to_contain_text(outsider.police_number)
    context.close()
