import datetime

import pytest
from django.utils import timezone

from portal.models import AuditEntry
from portal.services import audit_log

AUDIT_URL = "/audit/"


def _at(entry: AuditEntry, day: datetime.date) -> None:
    # Entries are append-only through the ORM; tests backdate them with a raw UPDATE.
    from django.db import connection

    moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(10, 0)))
    with connection.cursor() as cursor:
        cursor.execute("UPDATE portal_auditentry SET created_at = %s WHERE id = %s", [moment, entry.pk])


@pytest.fixture
def entries(officer, hr, trainer, station):
    made = {
        "import": audit_log(actor=hr, action="people.officer.imported", target=officer, data={"rows": 12}),
        "unit": audit_log(actor=hr, action="people.unit.renamed", target=station),
        "login": audit_log(actor=trainer, action="portal.user.logged_in", target=trainer, ip_address="10.1.2.3"),
    }
    _at(made["import"], datetime.date(2026, 3, 1))
    _at(made["unit"], datetime.date(2026, 3, 5))
    _at(made["login"], datetime.date(2026, 3, 10))
    return made


def _actions(response) -> list[str]:
    return [entry.action for entry in response.context["entries"]]


@pytest.mark.django_db
def test_officer_gets_403_on_the_audit_log(client, officer):
    client.force_login(officer)

    response = client.get(AUDIT_URL)

    assert response.status_code == 403
    assert "403" in response.content.decode()


@pytest.mark.django_db
def test_trainer_gets_403_on_the_audit_log(client, trainer):
    client.force_login(trainer)

    assert client.get(AUDIT_URL).status_code == 403


@pytest.mark.django_db
def test_anonymous_is_sent_to_login(client):
    response = client.get(AUDIT_URL)

    assert response.status_code == 302
    assert response.url.startswith("/login/")


@pytest.mark.django_db
def test_hr_sees_every_entry_newest_first(client, hr, entries):
    client.force_login(hr)

    response = client.get(AUDIT_URL)

    assert response.status_code == 200
    assert _actions(response) == ["portal.user.logged_in", "people.unit.renamed", "people.officer.imported"]
    html = response.content.decode()
    assert "北山派出所" in html and "10.1.2.3" in html and "行数：12" in html


@pytest.mark.django_db
def test_superuser_counts_as_admin(client, entries, django_user_model):
    superuser = django_user_model.objects.create_superuser("999999", "Root-pass-2026", name="超级管理员")
    client.force_login(superuser)

    assert client.get(AUDIT_URL).status_code == 200


@pytest.mark.django_db
def test_filter_by_action_prefix(client, hr, entries):
    client.force_login(hr)

    response = client.get(AUDIT_URL, {"action": "people."})

    assert _actions(response) == ["people.unit.renamed", "people.officer.imported"]


@pytest.mark.django_db
def test_filter_by_actor_police_number(client, hr, trainer, entries):
    client.force_login(hr)

    response = client.get(AUDIT_URL, {"actor": trainer.police_number})

    assert _actions(response) == ["portal.user.logged_in"]


@pytest.mark.django_db
def test_filter_by_actor_finds_entries_of_a_deleted_account(client, hr, entries, outsider):
    entry = audit_log(actor=outsider, action="exams.attempt.submitted")
    outsider.delete()
    client.force_login(hr)

    response = client.get(AUDIT_URL, {"actor": "500001"})

    assert [e.pk for e in response.context["entries"]] == [entry.pk]


@pytest.mark.django_db
def test_filter_by_target_type(client, hr, entries):
    client.force_login(hr)

    response = client.get(AUDIT_URL, {"target_type": "people.unit"})

    assert _actions(response) == ["people.unit.renamed"]


@pytest.mark.django_db
def test_filter_by_date_range_includes_both_days(client, hr, entries):
    client.force_login(hr)

    response = client.get(AUDIT_URL, {"date_from": "2026-03-05", "date_to": "2026-03-10"})

    assert _actions(response) == ["portal.user.logged_in", "people.unit.renamed"]


@pytest.mark.django_db
def test_reversed_date_range_shows_an_error_and_no_entries(client, hr, entries):
    client.force_login(hr)

    response = client.get(AUDIT_URL, {"date_from": "2026-03-10", "date_to": "2026-03-01"})

    assert response.status_code == 200
    assert response.context["form"].errors
    assert list(response.context["entries"]) == []


@pytest.mark.django_db
def test_audit_log_is_paginated_by_50_and_keeps_filters_in_page_links(client, hr):
    for number in range(60):
        audit_log(actor=hr, action="people.officer.updated", data={"n": number})
    client.force_login(hr)

    first = client.get(AUDIT_URL, {"action": "people."})
    second = client.get(AUDIT_URL, {"action": "people.", "page": 2})

    assert len(first.context["entries"]) == 50
    assert len(second.context["entries"]) == 10
    assert "?action=people.&amp;page=2" in first.content.decode()
