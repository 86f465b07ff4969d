"""The 123 pathway in a real browser (issue #6's Done-when): HR enrols a new officer; the officer
records a day of shadowing and a legal-brigade supervisor signs it; a mentor is bound — an
ineligible one is refused with the rule named; phase 2 starts; the officer passes the lead-officer
test (sat through the delivery engine, results passed to the hooks as grading does); 主办民警资格
appears on their record; the certificate PDF downloads; /verify/<number> confirms it.

Pages are read in English (language cookie) where text is asserted; most selectors are data
attributes and names.
"""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from certification.models import Certificate, Pathway, PathwayPhase, Qualification, QualificationStatus
from exams.hooks import attempt_result_changed
from exams.models import AttemptState, PaperItem
from exams.services.delivery import answer_save, attempt_start, attempt_submit
from tests.browser.support import sign_in
from tests.certification.pathway_support import eligible_mentor, lead_exam
from tests.exams.delivery_support import correct_response
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

DESKTOP = {"width": 1280, "height": 900}


def _log_in(browser, live_server, user, password, *, viewport=DESKTOP):
    return sign_in(browser, live_server, user, password, viewport=viewport, english=True)


def _pass_the_lead_officer_test(officer) -> None:
    """Sit the lead-officer test with every answer right, then hand the result to the hooks."""
    exam = lead_exam(officer)
    attempt = attempt_start(exam=exam, officer=officer)
    for seq, item in enumerate(PaperItem.objects.filter(paper_id=attempt.paper_id), start=1):
        answer_save(attempt=attempt, item_id=item.pk, response=correct_response(item), client_seq=seq)
    attempt = attempt_submit(attempt=attempt, actor=officer)
    assert attempt.state in (AttemptState.GRADED, AttemptState.RELEASED)
    assert attempt.passed
    attempt_result_changed(attempt=attempt)


def test_hr_enrols_supervisor_signs_mentor_bound_officer_passes_and_the_certificate_verifies(
    browser, live_server, station, hr, trainer, legal_leader, password
):
    newcomer = UserFactory(
        police_number="880001",
        name="王新警",
        unit=station,
        is_new_officer=True,
        service_start_date=timezone.localdate() - datetime.timedelta(days=20),
    )
    novice = UserFactory(
        police_number="880002", name="李年轻", unit=station, service_start_date=timezone.localdate().replace(year=2024)
    )
    mentor = eligible_mentor(station, police_number="880003", name="周师傅")

    # 1. HR enrols the new officer by police number.
    context, page = _log_in(browser, live_server, hr, password)
    page.goto(f"{live_server.url}/certification/pathways/enrol/")
    page.fill("input[name=officer]", newcomer.police_number)
    page.locator("[data-testid=enrol-form] button[type=submit]").click()
    expect(page.locator("[data-testid=pathway-summary]")).to_have_attribute("data-phase", "phase1")
    pathway = Pathway.objects.get(officer=newcomer)
    page.goto(f"{live_server.url}/certification/pathways/")
    expect(page.locator(f"[data-pathway='{pathway.pk}']")).to_have_count(1)
    context.close()

    # 2. The new officer records a day of shadowing in the legal department.
    context, page = _log_in(browser, live_server, newcomer, password)
    page.goto(f"{live_server.url}/certification/pathway/")
    form = page.locator("[data-testid=log-form]")
    form.locator("select[name=work_type]").select_option("case_review")
    form.locator("textarea[name=description]").fill("跟班审核治安案件卷宗")
    form.locator("input[name=hours]").fill("8")
    form.locator("button[type=submit]").click()
    expect(page.locator("[data-testid=log-table] [data-status=submitted]")).to_have_count(1)
    context.close()

    # 3. The legal-brigade supervisor signs it, then binds a mentor: the ineligible one is refused
    #    with the rule named, the eligible one is bound; phase 2 starts.
    context, page = _log_in(browser, live_server, trainer, password)
    page.goto(f"{live_server.url}/certification/pathways/{pathway.pk}/")
    page.locator("[data-testid=log-table] [data-testid=sign]").click()
    expect(page.locator("[data-testid=log-table] [data-status=signed]")).to_have_count(1)
    page.locator("[data-testid=bind-link]").click()
    page.fill("input[name=mentor]", novice.police_number)
    page.locator("[data-testid=bind-form] button[type=submit]").click()
    refusal = page.locator("[data-testid=refusal]")
    expect(refusal).to_contain_text("lead case officer qualification")
    expect(refusal).to_contain_text("years of police service")
    page.fill("input[name=mentor]", mentor.police_number)
    page.locator("[data-testid=bind-form] button[type=submit]").click()
    expect(page.locator("[data-testid=mentor]")).to_contain_text(mentor.name)
    page.locator("[data-testid=advance]").click()
    expect(page.locator("[data-testid=pathway-summary]")).to_have_attribute("data-phase", "phase2")
    context.close()

    # 4. The officer passes the lead-officer test: phase 3 starts and 主办民警资格 is granted.
    _pass_the_lead_officer_test(newcomer)
    pathway.refresh_from_db()
    assert pathway.phase == PathwayPhase.PHASE3
    record = Qualification.objects.get(officer=newcomer, qualification_type__code="lead_officer")
    assert record.status == QualificationStatus.VALID
    certificate = Certificate.objects.get(qualification=record, superseded_at__isnull=True)

    # 5. 主办民警资格 is on the officer's record; the certificate PDF downloads; /verify confirms it.
    context, page = _log_in(browser, live_server, newcomer, password)
    page.goto(f"{live_server.url}/certification/pathway/")
    expect(page.locator("[data-testid=pathway-summary]")).to_have_attribute("data-phase", "phase3")
    page.goto(f"{live_server.url}/certification/qualifications/mine/")
    card = page.locator("[data-type=lead_officer]")
    expect(card).to_contain_text("主办民警资格")
    with page.expect_download() as download_info:
        card.locator(f"a[href$='/certificates/{certificate.pk}/pdf/']").click()
    download = download_info.value
    with open(download.path(), "rb") as handle:
        assert handle.read(5) == b"%PDF-"
    context.close()

    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    page.goto(f"{live_server.url}/verify/{certificate.number}")
    expect(page.locator("#verification")).to_have_attribute("data-state", "valid")
    expect(page.locator("#verification")).to_contain_text(certificate.number)
    context.close()
