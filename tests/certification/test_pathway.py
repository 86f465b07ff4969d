"""The 123 pathway: dues from the policy, automatic enrolment, sign-off rules, phase moves, the
lead-officer test's result, completion, overdue flags and the pages' scope."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from certification.models import (
    CertificationPolicy,
    LogStatus,
    Pathway,
    PathwayPhase,
    PathwayTransition,
    WorkType,
)
from certification.selectors.pathway import add_months
from certification.services.mentors import mentor_bind
from certification.services.pathway import (
    PathwayError,
    pathway_advance_to_phase2,
    pathway_can_retake,
    pathway_complete,
    pathway_log_add,
    pathway_log_return,
    pathway_log_sign,
    pathway_on_attempt_result,
    pathway_withdraw,
    pathways_flag_overdue,
)
from people.services import officer_create, officer_update, personnel_import
from people.services.personnel_import import PersonnelRecord
from portal.models import AuditEntry, Notification
from tests.certification.pathway_support import (
    eligible_mentor,
    enrolled,
    graded_attempt,
    in_phase2,
    in_phase3,
    lead_exam,
    new_officer,
    signed_log,
    today,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """Refusals are asserted by their English text; the translations may say it in Chinese."""
    with translation.override("en"):
        yield


def test_month_arithmetic_clamps_the_day_of_month():
    assert add_months(datetime.date(2026, 1, 31), 1) == datetime.date(2026, 2, 28)
    assert add_months(datetime.date(2028, 1, 31), 1) == datetime.date(2028, 2, 29)
    assert add_months(datetime.date(2026, 11, 30), 3) == datetime.date(2027, 2, 28)
    assert add_months(datetime.date(2026, 3, 31), -1) == datetime.date(2026, 2, 28)


def test_dues_follow_the_policy_phase_lengths(station, hr):
    policy = CertificationPolicy.current()
    policy.phase1_months, policy.phase2_months, policy.phase3_months = 2, 3, 4
    policy.save()
    pathway = enrolled(new_officer(station), start_date=datetime.date(2026, 1, 31), actor=hr)
    assert pathway.phase == PathwayPhase.PHASE1
    assert pathway.phase1_due == datetime.date(2026, 3, 31)
    assert pathway.phase2_due == datetime.date(2026, 6, 30)
    assert pathway.phase3_due == datetime.date(2026, 10, 31)
    assert pathway.transitions.get().to_phase == PathwayPhase.PHASE1
    assert AuditEntry.objects.filter(action="certification.pathway.enrolled", target_id=str(pathway.pk)).exists()


def test_enrolment_is_idempotent(station, hr):
    officer = new_officer(station)
    first = enrolled(officer, actor=hr)
    again = enrolled(officer, start_date=datetime.date(2020, 1, 1), actor=hr)
    assert first.pk == again.pk
    assert again.start_date == first.start_date
    assert PathwayTransition.objects.filter(pathway=first).count() == 1


def test_creating_a_new_officer_enrols_them_through_the_people_hook(station, hr):
    assert "certification.services.pathway.pathway_enrol_on_officer_change" in settings.PEOPLE_OFFICER_HOOKS
    officer = officer_create(police_number="600001", name="新警甲", unit=station, actor=hr, is_new_officer=True)
    pathway = Pathway.objects.get(officer=officer)
    assert pathway.start_date == today()
    assert pathway.enrolled_by == hr
    veteran = officer_create(police_number="600002", name="老警乙", unit=station, actor=hr)
    assert not Pathway.objects.filter(officer=veteran).exists()
    officer_update(officer=veteran, actor=hr, is_new_officer=True)
    assert Pathway.objects.filter(officer=veteran).exists()


def test_personnel_import_of_new_officers_enrols_them(station, hr):
    rows = [
        PersonnelRecord(
            row=2,
            values={
                "police_number": "610001",
                "name": "导入新警",
                "unit_path": "西湖分局/北山派出所",
                "category": "民警",
                "is_new_officer": "是",
            },
        ),
        PersonnelRecord(
            row=3,
            values={
                "police_number": "610002",
                "name": "导入老警",
                "unit_path": "西湖分局/北山派出所",
                "category": "民警",
            },
        ),
    ]
    result = personnel_import(records=rows, actor=hr, source="test.xlsx")
    assert not result.errors
    assert list(Pathway.objects.values_list("officer__police_number", flat=True)) == ["610001"]
    # Importing the same file again does not enrol twice.
    personnel_import(records=rows, actor=hr, source="test.xlsx")
    assert Pathway.objects.count() == 1


def test_log_date_must_be_inside_the_phase_and_not_in_the_future(station, hr):
    pathway = enrolled(new_officer(station), start_date=today() - datetime.timedelta(days=5), actor=hr)
    common = {"pathway": pathway, "work_type": WorkType.CASE_REVIEW, "description": "阅卷", "hours": 4}
    with pytest.raises(PathwayError):
        pathway_log_add(date=today() + datetime.timedelta(days=1), actor=pathway.officer, **common)
    with pytest.raises(PathwayError):
        pathway_log_add(date=today() - datetime.timedelta(days=6), actor=pathway.officer, **common)
    with pytest.raises(PathwayError):
        pathway_log_add(date=today(), actor=hr, **common)  # somebody else's log
    with pytest.raises(PathwayError):
        pathway_log_add(date=today(), actor=pathway.officer, **{**common, "hours": 30})
    entry = pathway_log_add(date=today(), actor=pathway.officer, **common)
    assert entry.phase == PathwayPhase.PHASE1
    assert entry.status == LogStatus.SUBMITTED


def test_phase1_log_is_signed_by_the_legal_brigade_only(station, hr, trainer, officer, unit_leader):
    pathway = enrolled(new_officer(station), actor=hr)
    entry = pathway_log_add(
        pathway=pathway,
        date=pathway.start_date,
        work_type=WorkType.CASE_REVIEW,
        description="阅卷",
        hours=8,
        actor=pathway.officer,
    )
    for wrong in (officer, unit_leader, hr, pathway.officer):
        with pytest.raises(PathwayError):
            pathway_log_sign(entry=entry, actor=wrong)
    entry.refresh_from_db()
    assert entry.status == LogStatus.SUBMITTED
    signed = pathway_log_sign(entry=entry, actor=trainer, comment="认真")
    assert signed.status == LogStatus.SIGNED
    assert signed.signer == trainer
    with pytest.raises(PathwayError):
        pathway_log_sign(entry=entry, actor=trainer)  # signed once only


def test_phase2_log_is_signed_by_the_bound_mentor_only(station, trainer, django_capture_on_commit_callbacks):
    mentor = eligible_mentor(station)
    other = eligible_mentor(station)
    pathway = in_phase2(new_officer(station), supervisor=trainer, mentor=mentor)
    entry = pathway_log_add(
        pathway=pathway,
        date=today(),
        work_type=WorkType.INCIDENT,
        description="随师傅出警",
        hours=6,
        actor=pathway.officer,
    )
    assert entry.phase == PathwayPhase.PHASE2
    for wrong in (other, trainer):
        with pytest.raises(PathwayError):
            pathway_log_sign(entry=entry, actor=wrong)
    with pytest.raises(PathwayError):
        pathway_log_return(entry=entry, actor=mentor, comment="")  # a return needs the reason
    with django_capture_on_commit_callbacks(execute=True):
        returned = pathway_log_return(entry=entry, actor=mentor, comment="补充处置经过")
    assert returned.status == LogStatus.RETURNED
    assert Notification.objects.filter(recipient=pathway.officer, kind="certification.log").exists()


def test_phase2_needs_signed_logs_and_a_bound_mentor(station, trainer, hr):
    pathway = enrolled(new_officer(station), actor=hr)
    with pytest.raises(PathwayError) as refused:
        pathway_advance_to_phase2(pathway=pathway, actor=trainer)
    assert "mentor" in str(refused.value)
    assert "signed" in str(refused.value)
    signed_log(pathway, trainer)
    with pytest.raises(PathwayError) as refused:
        pathway_advance_to_phase2(pathway=pathway, actor=trainer)
    assert "mentor" in str(refused.value)
    mentor_bind(mentee=pathway.officer, mentor=eligible_mentor(station), reason="", actor=trainer)
    with pytest.raises(PathwayError):
        pathway_advance_to_phase2(pathway=pathway, actor=hr)  # HR enrols, the legal brigade moves on
    pathway = pathway_advance_to_phase2(pathway=pathway, actor=trainer)
    policy = CertificationPolicy.current()
    assert pathway.phase == PathwayPhase.PHASE2
    assert pathway.phase2_due == add_months(today(), policy.phase2_months)
    assert pathway.transitions.last().to_phase == PathwayPhase.PHASE2


def test_phase2_refused_while_a_phase1_log_waits(station, trainer, hr):
    pathway = enrolled(new_officer(station), actor=hr)
    signed_log(pathway, trainer)
    pathway_log_add(
        pathway=pathway,
        date=pathway.start_date,
        work_type=WorkType.EVIDENCE,
        description="取证",
        hours=2,
        actor=pathway.officer,
    )
    mentor_bind(mentee=pathway.officer, mentor=eligible_mentor(station), reason="", actor=trainer)
    with pytest.raises(PathwayError) as refused:
        pathway_advance_to_phase2(pathway=pathway, actor=trainer)
    assert "await" in str(refused.value)


def test_passing_the_lead_officer_test_starts_phase3(station, trainer):
    officer = new_officer(station)
    pathway = in_phase2(officer, supervisor=trainer, mentor=eligible_mentor(station))
    attempt = graded_attempt(lead_exam(officer), officer, passed=True)
    pathway_on_attempt_result(attempt=attempt)
    pathway_on_attempt_result(attempt=attempt)  # a second call (regrade) changes nothing
    pathway.refresh_from_db()
    assert pathway.phase == PathwayPhase.PHASE3
    assert pathway.phase_started_on == today()
    assert pathway.phase3_due == add_months(today(), CertificationPolicy.current().phase3_months)
    assert pathway.transitions.filter(to_phase=PathwayPhase.PHASE3).count() == 1


def test_failing_the_lead_officer_test_extends_phase2_and_sets_the_retake_day(station, trainer):
    policy = CertificationPolicy.current()
    policy.retake_wait_days = 10
    policy.save()
    officer = new_officer(station)
    pathway = in_phase2(officer, supervisor=trainer, mentor=eligible_mentor(station))
    due_before = pathway.phase2_due
    attempt = graded_attempt(lead_exam(officer), officer, passed=False)
    pathway_on_attempt_result(attempt=attempt)
    pathway_on_attempt_result(attempt=attempt)  # idempotent per attempt
    pathway.refresh_from_db()
    assert pathway.phase == PathwayPhase.PHASE2
    assert pathway.retake_from == today() + datetime.timedelta(days=10)
    assert pathway.extension_days == 10
    assert pathway.phase2_due == due_before + datetime.timedelta(days=10)
    extension = pathway.transitions.get(extension_days=10)
    assert extension.from_phase == extension.to_phase == PathwayPhase.PHASE2
    assert not pathway_can_retake(officer)
    assert pathway_can_retake(officer, today=today() + datetime.timedelta(days=10))


def test_an_exam_not_linked_to_the_lead_qualification_moves_nothing(station, trainer):
    from tests.exams.delivery_support import objective_blueprint, published_exam

    officer = new_officer(station)
    pathway = in_phase2(officer, supervisor=trainer, mentor=eligible_mentor(station))
    exam = published_exam(objective_blueprint(), officer)
    pathway_on_attempt_result(attempt=graded_attempt(exam, officer, passed=True))
    pathway.refresh_from_db()
    assert pathway.phase == PathwayPhase.PHASE2


def test_completion_waits_for_the_phase3_due_date_and_ends_the_binding(station, trainer):
    mentor = eligible_mentor(station)
    pathway = in_phase3(new_officer(station), supervisor=trainer, mentor=mentor)
    with pytest.raises(PathwayError):
        pathway_complete(pathway=pathway, actor=trainer)
    Pathway.objects.filter(pk=pathway.pk).update(phase3_due=today())
    pathway = pathway_complete(pathway=pathway, actor=trainer)
    assert pathway.phase == PathwayPhase.COMPLETED
    assert not mentor.mentees.filter(ended_on__isnull=True).exists()


def test_withdrawal_needs_a_reason(station, hr):
    pathway = enrolled(new_officer(station), actor=hr)
    with pytest.raises(PathwayError):
        pathway_withdraw(pathway=pathway, reason=" ", actor=hr)
    pathway = pathway_withdraw(pathway=pathway, reason="调离", actor=hr)
    assert pathway.phase == PathwayPhase.WITHDRAWN
    assert pathway.transitions.last().reason == "调离"


def test_overdue_pathways_are_flagged_once_per_day(station, hr, trainer, legal_leader):
    mentor = eligible_mentor(station)
    late = in_phase2(
        new_officer(station), supervisor=trainer, mentor=mentor, start_date=today() - datetime.timedelta(days=200)
    )
    Pathway.objects.filter(pk=late.pk).update(phase2_due=today() - datetime.timedelta(days=3))
    enrolled(new_officer(station), start_date=today(), actor=hr)  # on time
    assert pathways_flag_overdue() == 1
    assert pathways_flag_overdue() == 0  # the same day: nothing again
    assert Notification.objects.filter(recipient=late.officer, kind="certification.overdue").count() == 1
    assert Notification.objects.filter(recipient=mentor, kind="certification.overdue").count() == 1
    assert Notification.objects.filter(recipient=legal_leader, kind="certification.overdue").count() == 1
    assert pathways_flag_overdue(today=today() + datetime.timedelta(days=1)) == 1
    assert Notification.objects.filter(recipient=late.officer, kind="certification.overdue").count() == 2


def test_board_lists_overdue_first_for_hr_and_is_closed_to_officers(client, station, hr, trainer, officer):
    mentor = eligible_mentor(station)
    on_time = enrolled(new_officer(station, name="准时"), start_date=today(), actor=hr)
    late = in_phase2(new_officer(station, name="逾期"), supervisor=trainer, mentor=mentor)
    Pathway.objects.filter(pk=late.pk).update(phase2_due=today() - datetime.timedelta(days=1))
    client.force_login(hr)
    response = client.get(reverse("certification:pathway_board"))
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [row.pathway.pk for row in rows] == [late.pk, on_time.pk]
    assert rows[0].overdue and rows[0].mentor == mentor
    response = client.get(reverse("certification:pathway_board"), {"phase": PathwayPhase.PHASE1})
    assert [row.pathway.pk for row in response.context["rows"]] == [on_time.pk]
    client.force_login(officer)
    assert client.get(reverse("certification:pathway_board")).status_code == 403


def test_enrol_page_enrols_by_police_number(client, station, hr, officer):
    target = new_officer(station, is_new_officer=False, police_number="700001")
    client.force_login(hr)
    response = client.post(reverse("certification:pathway_enrol"), {"officer": "700001"})
    pathway = Pathway.objects.get(officer=target)
    assert response.status_code == 302
    assert response.url == reverse("certification:pathway_detail", args=[pathway.pk])
    response = client.post(reverse("certification:pathway_enrol"), {"officer": "700001"})
    assert response.status_code == 200  # already enrolled: the form says so
    assert Pathway.objects.count() == 1
    response = client.post(reverse("certification:pathway_enrol"), {"officer": "nobody"})
    assert response.status_code == 200 and response.context["form"].errors
    client.force_login(officer)
    assert client.post(reverse("certification:pathway_enrol"), {"officer": "700001"}).status_code == 403


def test_pathway_detail_is_404_outside_scope(client, station, other_unit, hr, outsider, unit_leader):
    pathway = enrolled(new_officer(station), actor=hr)
    url = reverse("certification:pathway_detail", args=[pathway.pk])
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    assert client.get(reverse("certification:pathway_detail", args=[pathway.pk + 999])).status_code == 404
    client.force_login(unit_leader)
    assert client.get(url).status_code == 200
    client.force_login(pathway.officer)
    assert client.get(reverse("certification:my_pathway")).status_code == 200


def test_officer_records_a_log_and_the_supervisor_signs_it_on_the_pages(client, station, hr, trainer, outsider):
    pathway = enrolled(new_officer(station), actor=hr)
    client.force_login(pathway.officer)
    client.post(
        reverse("certification:pathway_log_add", args=[pathway.pk]),
        {
            "date": pathway.start_date.isoformat(),
            "work_type": WorkType.CASE_FILE,
            "description": "电子卷宗",
            "hours": "3",
        },
    )
    entry = pathway.log_entries.get()
    client.force_login(outsider)
    assert client.post(reverse("certification:pathway_log_sign", args=[entry.pk])).status_code == 404
    client.force_login(trainer)
    response = client.post(reverse("certification:pathway_log_sign", args=[entry.pk]), {"comment": "好"})
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.status == LogStatus.SIGNED
    # A double submit changes nothing and does not fail.
    assert client.post(reverse("certification:pathway_log_sign", args=[entry.pk])).status_code == 302


def test_dashboard_shows_logs_to_sign_and_the_new_officers_pathway(client, station, hr, trainer):
    pathway = enrolled(new_officer(station), actor=hr)
    pathway_log_add(
        pathway=pathway,
        date=pathway.start_date,
        work_type=WorkType.CASE_REVIEW,
        description="阅卷",
        hours=8,
        actor=pathway.officer,
    )
    from certification.dashboard import pathway_dashboard_section, signoff_dashboard_section

    section = signoff_dashboard_section(trainer)
    assert section is not None and section.total == 1
    assert signoff_dashboard_section(hr) is None
    mine = pathway_dashboard_section(pathway.officer)
    assert mine is not None and mine.items[0].due == pathway.phase1_due
    assert pathway_dashboard_section(hr) is None


def test_demo_builder_spreads_new_officers_over_every_phase_and_is_idempotent():
    from certification.demo import pathway as pathway_demo
    from certification.models import CaseQualityShare, LogStatus, ShadowingLogEntry, ShareRole
    from portal.demo import DemoContext, run_builders

    ctx = run_builders(DemoContext(), ["portal.demo.units.build", "portal.demo.accounts.build"])
    pathway_demo.build(ctx)
    phases = set(Pathway.objects.values_list("phase", flat=True))
    assert phases == set(PathwayPhase.values)
    assert Pathway.objects.count() == 12
    newcop = Pathway.objects.get(officer__police_number="newcop001")
    assert newcop.phase == PathwayPhase.PHASE2
    assert newcop.officer.mentors.get(ended_on__isnull=True).mentor.police_number == "officer001"
    assert newcop.log_entries.filter(phase=PathwayPhase.PHASE2, status=LogStatus.SUBMITTED).count() == 1
    assert any(pathway.is_overdue(today()) for pathway in Pathway.objects.all())
    assert Pathway.objects.filter(extension_days__gt=0, retake_from__isnull=False).count() == 1
    assert CaseQualityShare.objects.filter(role=ShareRole.MENTOR).exists()
    assert CaseQualityShare.objects.filter(role=ShareRole.MENTOR, record__serious=True).exists()
    assert ShadowingLogEntry.objects.filter(status=LogStatus.SIGNED).exists()

    counts = (Pathway.objects.count(), PathwayTransition.objects.count(), ShadowingLogEntry.objects.count())
    pathway_demo.build(ctx)
    assert counts == (Pathway.objects.count(), PathwayTransition.objects.count(), ShadowingLogEntry.objects.count())


def test_a_new_officer_who_failed_the_lead_test_waits_before_starting_it_again(station, trainer):
    from exams.services import DeliveryError, attempt_start

    policy = CertificationPolicy.current()
    policy.retake_wait_days = 10
    policy.save()
    officer = new_officer(station)
    pathway = in_phase2(officer, supervisor=trainer, mentor=eligible_mentor(station))
    exam = lead_exam(officer)
    exam.attempts_allowed = 3
    exam.save(update_fields=["attempts_allowed"])
    pathway_on_attempt_result(attempt=graded_attempt(exam, officer, passed=False))

    with pytest.raises(DeliveryError, match="retake the lead-officer test from"):
        attempt_start(exam=exam, officer=officer)

    Pathway.objects.filter(pk=pathway.pk).update(retake_from=today())
    assert attempt_start(exam=exam, officer=officer).number == 2
