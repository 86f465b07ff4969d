"""The public verification page /verify/<number>: validity, type, dates and a masked name only."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import translation

from certification.models import Certificate, Qualification
from certification.selectors.qualifications import masked_name
from certification.services.qualifications import (
    qualification_reinstate,
    qualification_revoke,
    qualification_suspend,
    qualifications_expire_and_remind,
)
from portal.formatting import format_date
from tests.certification.qualification_support import days_ago, english, grant
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def verify(client, number):
    return client.get(reverse("verify:certificate", args=[number]))


def current(record) -> Certificate:
    return Certificate.objects.get(qualification=record, superseded_at__isnull=True)


@pytest.mark.parametrize(
    ("name", "masked"),
    [("张伟", "张*"), ("张三丰", "张*丰"), ("欧阳小明", "欧**明"), ("李", "*"), ("", "*")],
)
def test_names_are_masked(name, masked):
    assert masked_name(name) == masked


def test_valid_certificate_shows_validity_type_dates_and_masked_name_only(client, station):
    holder = UserFactory(police_number="200777", name="张小三", unit=station)
    record = grant(holder, "basic")
    english(client)
    response = verify(client, current(record).number)
    assert response.status_code == 200
    assert response.context["v"].state == "valid"
    page = response.content.decode()
    assert 'data-state="valid"' in page
    assert "张*三" in page and "基本级执法资格" in page
    with translation.override("en"):  # the dates as the certificate writes them
        assert format_date(record.granted_on) in page and format_date(record.expires_on) in page
    assert "张小三" not in page
    assert "200777" not in page
    assert station.name not in page


def test_verification_needs_no_login_and_ignores_case(client, officer):
    number = current(grant(officer, "basic")).number
    assert verify(client, number.lower()).context["v"].state == "valid"


def test_unknown_number_is_a_clear_404(client):
    english(client)
    response = verify(client, "JB2026999999")
    assert response.status_code == 404
    assert b'data-state="not_found"' in response.content
    assert b"JB2026999999" in response.content


@pytest.mark.parametrize("change", ["suspended", "revoked"])
def test_suspended_and_revoked_certificates_say_so(client, officer, legal_leader, change):
    record = grant(officer, "basic")
    action = qualification_suspend if change == "suspended" else qualification_revoke
    action(qualification=record, actor=legal_leader, reason="调查")
    assert verify(client, current(record).number).context["v"].state == change
    qualification_reinstate(qualification=record, actor=legal_leader, reason="结束")
    assert verify(client, current(record).number).context["v"].state == "valid"


def test_expired_certificate_says_expired_even_before_the_nightly_run(client, officer):
    record = grant(officer, "basic", granted_on=days_ago(3 * 366))
    number = current(record).number
    assert verify(client, number).context["v"].state == "expired"
    qualifications_expire_and_remind()
    assert Qualification.objects.get(pk=record.pk).status == "expired"
    assert verify(client, number).context["v"].state == "expired"


def test_a_renewed_qualifications_old_certificate_says_replaced(client, officer):
    record = grant(officer, "basic", granted_on=days_ago(500))
    old = current(record).number
    grant(officer, "basic")
    response = verify(client, old)
    assert response.context["v"].state == "replaced"
    assert response.context["v"].replaced_at.date() <= datetime.date.today()
    assert verify(client, current(record).number).context["v"].state == "valid"
