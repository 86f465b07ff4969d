"""Mentor binding: each eligibility rule named, the capacity rule, bind / unbind history, the
mentor's page."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from certification.models import CertificationPolicy, MentorBinding, QualificationStatus, WorkType
from certification.selectors.mentors import mentor_eligibility
from certification.services.cases import case_record_save
from certification.services.mentors import MentorError, mentor_bind, mentor_unbind
from certification.services.pathway import pathway_log_add
from tests.certification.pathway_support import (
    eligible_mentor,
    enrolled,
    give_lead_qualification,
    in_phase2,
    new_officer,
    today,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """Refusals are asserted by their English text; the translations may say it in Chinese."""
    with translation.override("en"):
        yield


def test_an_eligible_mentor_passes_every_rule(station):
    ok, reasons = mentor_eligibility(eligible_mentor(station))
    assert ok and reasons == []


def test_without_a_valid_lead_qualification_the_rule_is_named(station):
    mentor = UserFactory(unit=station, service_start_date=datetime.date(2010, 1, 1))
    ok, reasons = mentor_eligibility(mentor)
    assert not ok and len(reasons) == 1 and "lead case officer" in reasons[0]
    record = give_lead_qualification(mentor, status=QualificationStatus.SUSPENDED)
    assert not mentor_eligibility(mentor)[0]
    record.status = QualificationStatus.VALID
    record.expires_on = today() - datetime.timedelta(days=1)
    record.save()
    assert "lead case officer" in mentor_eligibility(mentor)[1][0]


def test_too_few_years_of_service_is_named(station):
    CertificationPolicy.objects.update_or_create(
        pk=CertificationPolicy.current().pk, defaults={"mentor_min_service_years": 5}
    )
    mentor = eligible_mentor(station, service_start_date=today().replace(year=today().year - 4))
    ok, reasons = mentor_eligibility(mentor)
    assert not ok and reasons == ["Has less than 5 years of police service."]


def test_a_serious_case_in_the_lookback_window_is_named(station, trainer):
    mentor = eligible_mentor(station)
    case_record_save(
        officer=mentor,
        case_number="OLD-1",
        case_date=today() - datetime.timedelta(days=400),
        serious=True,
        source="form",
        actor=trainer,
    )
    assert mentor_eligibility(mentor)[0]  # older than 12 months: forgiven
    case_record_save(
        officer=mentor,
        case_number="NEW-1",
        case_date=today() - datetime.timedelta(days=30),
        deductions=20,
        serious=True,
        source="form",
        actor=trainer,
    )
    ok, reasons = mentor_eligibility(mentor)
    assert not ok and reasons == ["Has a serious case-quality problem in the last 12 months."]


def test_capacity_rule_refuses_a_third_mentee(station, trainer):
    mentor = eligible_mentor(station)
    for _ in range(CertificationPolicy.current().mentor_capacity):
        mentee = new_officer(station)
        enrolled(mentee, actor=trainer)
        mentor_bind(mentee=mentee, mentor=mentor, reason="", actor=trainer)
    third = new_officer(station)
    enrolled(third, actor=trainer)
    ok, reasons = mentor_eligibility(mentor)
    assert not ok and "at most 2" in reasons[0]
    with pytest.raises(MentorError) as refused:
        mentor_bind(mentee=third, mentor=mentor, reason="", actor=trainer)
    assert "at most 2" in str(refused.value)
    assert not MentorBinding.objects.filter(mentee=third).exists()


def test_every_failed_rule_is_named_together(station, trainer):
    mentor = UserFactory(unit=station, service_start_date=today() - datetime.timedelta(days=100))
    ok, reasons = mentor_eligibility(mentor)
    assert not ok and len(reasons) == 2


def test_a_mentee_has_one_active_mentor_and_unbinding_keeps_history(station, trainer):
    first, second = eligible_mentor(station), eligible_mentor(station)
    mentee = new_officer(station)
    enrolled(mentee, actor=trainer)
    binding = mentor_bind(mentee=mentee, mentor=first, reason="同所", actor=trainer)
    with pytest.raises(MentorError) as refused:
        mentor_bind(mentee=mentee, mentor=second, reason="", actor=trainer)
    assert "unbind first" in str(refused.value)
    with pytest.raises(MentorError):
        mentor_unbind(binding=binding, reason="", actor=trainer)
    mentor_unbind(binding=binding, reason="师傅调岗", actor=trainer)
    mentor_bind(mentee=mentee, mentor=second, reason="改派", actor=trainer)
    history = list(MentorBinding.objects.filter(mentee=mentee).order_by("pk"))
    assert [(b.mentor, b.ended_on is None) for b in history] == [(first, False), (second, True)]
    assert history[0].end_reason == "师傅调岗"


def test_only_new_officers_on_the_pathway_get_mentors_and_not_their_own(station, trainer):
    mentor = eligible_mentor(station)
    with pytest.raises(MentorError):
        mentor_bind(mentee=new_officer(station), mentor=mentor, reason="", actor=trainer)  # not enrolled
    enrolled(mentor, actor=trainer)
    with pytest.raises(MentorError):
        mentor_bind(mentee=mentor, mentor=mentor, reason="", actor=trainer)


def test_an_officer_may_not_bind_mentors(station, trainer, officer):
    mentee = new_officer(station)
    enrolled(mentee, actor=trainer)
    with pytest.raises(MentorError):
        mentor_bind(mentee=mentee, mentor=eligible_mentor(station), reason="", actor=officer)


def test_bind_page_names_the_failed_rule(client, station, trainer):
    mentee = new_officer(station)
    pathway = enrolled(mentee, actor=trainer)
    novice = UserFactory(
        unit=station, police_number="710001", service_start_date=today().replace(year=today().year - 10)
    )
    client.force_login(trainer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(reverse("certification:mentor_bind", args=[pathway.pk]), {"mentor": "710001", "reason": ""})
    assert response.status_code == 200
    assert "lead case officer qualification" in response.content.decode()
    assert not MentorBinding.objects.filter(mentee=mentee).exists()
    give_lead_qualification(novice)
    response = client.post(reverse("certification:mentor_bind", args=[pathway.pk]), {"mentor": "710001", "reason": ""})
    assert response.status_code == 302
    assert MentorBinding.objects.get(mentee=mentee).mentor == novice


def test_bind_page_is_404_for_an_officer_outside_scope(client, station, trainer, outsider):
    pathway = enrolled(new_officer(station), actor=trainer)
    client.force_login(outsider)
    assert client.get(reverse("certification:mentor_bind", args=[pathway.pk])).status_code == 404


def test_mentor_page_shows_mentees_and_pending_logs(client, station, trainer):
    mentor = eligible_mentor(station)
    pathway = in_phase2(new_officer(station), supervisor=trainer, mentor=mentor)
    entry = pathway_log_add(
        pathway=pathway,
        date=today(),
        work_type=WorkType.INCIDENT,
        description="随师傅出警",
        hours=6,
        actor=pathway.officer,
    )
    client.force_login(mentor)
    response = client.get(reverse("certification:my_mentees"))
    assert response.status_code == 200
    assert [row.binding.mentee for row in response.context["rows"]] == [pathway.officer]
    assert list(response.context["pending"]) == [entry]
    response = client.post(reverse("certification:pathway_log_sign", args=[entry.pk]), {"next": "mentees"})
    assert response.url == reverse("certification:my_mentees")
    entry.refresh_from_db()
    assert entry.signer == mentor
