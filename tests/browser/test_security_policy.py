"""Every page under the Content-Security-Policy, as people use them, on a 1366 px desktop and a 375 px
phone: the trainer's pages (bank, blueprint form with its live availability, the Wagtail editor),
HR's dashboards and the officer's own pages, with the headers checked on each response. The
``csp_violations`` fixture (conftest) fails the test on any refused script, style or request.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from courses.models import CourseIndexPage
from tests.browser.support import DESKTOP, PHONE, sign_in
from tests.courses.conftest import make_course, make_lesson

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


TRAINER_PAGES = [
    "/dashboard/",
    "/exams/bank/",
    "/exams/blueprints/new/",
    "/exams/manage/",
    "/courses/",
    "/admin/",
]
HR_PAGES = [
    "/certification/dashboards/qualifications/",
    "/certification/dashboards/overview/",
    "/people/officers/",
    "/audit/",
]
OFFICER_PAGES = [
    "/dashboard/",
    "/courses/",
    "/exams/my/",
    "/certification/file/",
    "/certification/qualifications/mine/",
]


def _visit(page, url):
    response = page.goto(url)
    page.wait_for_load_state("networkidle")
    assert response.status == 200, url
    headers = response.headers
    policy = headers["content-security-policy"]
    scripts = policy.split("script-src")[1].split(";")[0]
    assert "'self'" in scripts and "http" not in scripts
    # Only Wagtail's editor runs inline scripts (portal.middleware.ContentSecurityPolicyMiddleware).
    assert ("'unsafe-inline'" in scripts) == ("/admin/" in url), url
    assert "object-src 'none'" in policy
    assert "camera=()" in headers["permissions-policy"]
    assert "no-store" in headers["cache-control"], url
    return response


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1366px", "375px"])
def test_pages_of_every_role_load_under_the_policy(browser, live_server, password, trainer, hr, officer, viewport):
    course = make_course(CourseIndexPage.objects.get(), "伤害案件办理清单", slug="injury-cases")
    make_lesson(course, "受案登记")

    for user, paths in ((trainer, TRAINER_PAGES), (hr, HR_PAGES), (officer, OFFICER_PAGES)):
        context, page = sign_in(browser, live_server, user, password, viewport=viewport, phone=viewport is PHONE)
        for path in paths:
            _visit(page, f"{live_server.url}{path}")
        context.close()


def test_trainer_uses_the_blueprint_form_and_the_wagtail_editor_under_the_policy(
    browser, live_server, password, trainer
):
    course = make_course(CourseIndexPage.objects.get(), "伤害案件办理清单", slug="injury-cases")
    context, page = sign_in(browser, live_server, trainer, password)

    # The blueprint form's availability script is a static file now, fed by json_script.
    _visit(page, f"{live_server.url}/exams/blueprints/new/")
    expect(page.locator("output.availability").first).to_have_text("—")

    # The page editor with its StreamField: adding a block runs Wagtail's own scripts.
    _visit(page, f"{live_server.url}/admin/pages/add/courses/lessonpage/{course.pk}/")
    page.fill("#id_title", "伤情鉴定与询问")
    page.locator("button.c-sf-add-button").first.click()
    page.wait_for_load_state("networkidle")
    context.close()


def test_anonymous_pages_carry_the_policy_but_may_be_cached(page, live_server):
    response = page.goto(f"{live_server.url}/login/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert "permissions-policy" in response.headers
