import pytest
from django.urls import reverse

from people.models import OfficerStatus
from people.services import officer_status_change
from tests.factories import UserFactory


def detail(pk):
    return reverse("people:officer_detail", args=[pk])


@pytest.mark.django_db
def test_officer_sees_own_profile_with_unit_path(client, squad_officer):
    client.force_login(squad_officer)
    response = client.get(detail(squad_officer.pk))
    assert response.status_code == 200
    assert "西湖分局/北山派出所/一中队" in response.content.decode()


@pytest.mark.django_db
def test_another_officers_profile_is_404_for_an_officer(client, officer, auxiliary):
    client.force_login(officer)
    assert client.get(detail(auxiliary.pk)).status_code == 404


@pytest.mark.django_db
def test_hr_sees_any_profile(client, hr, outsider):
    client.force_login(hr)
    assert client.get(detail(outsider.pk)).status_code == 200


@pytest.mark.django_db
def test_unit_leader_sees_own_subtree_but_not_other_units(client, unit_leader, squad_officer, outsider):
    client.force_login(unit_leader)
    assert client.get(detail(squad_officer.pk)).status_code == 200
    assert client.get(detail(outsider.pk)).status_code == 404


@pytest.mark.django_db
def test_profile_shows_status_history(client, hr, officer):
    officer_status_change(officer=officer, to_status=OfficerStatus.ON_LEAVE, reason="产假", actor=hr)
    client.force_login(hr)
    response = client.get(detail(officer.pk))
    assert list(response.context["history"].values_list("reason", flat=True)) == ["产假"]
    assert "产假" in response.content.decode()


@pytest.mark.django_db
def test_officer_list_shows_only_the_unit_leaders_subtree(client, unit_leader, officer, squad_officer, outsider):
    client.force_login(unit_leader)
    response = client.get(reverse("people:officer_list"))
    listed = set(response.context["officers"])
    assert {unit_leader, officer, squad_officer} <= listed
    assert outsider not in listed


@pytest.mark.django_db
def test_officer_list_filters(client, hr, officer, auxiliary, squad_officer, squad, outsider):
    client.force_login(hr)
    url = reverse("people:officer_list")
    assert set(client.get(url, {"unit": squad.pk}).context["officers"]) == {squad_officer}
    assert set(client.get(url, {"category": "auxiliary"}).context["officers"]) == {auxiliary}
    assert set(client.get(url, {"q": "张伟"}).context["officers"]) == {officer}
    assert set(client.get(url, {"q": "50000"}).context["officers"]) == {outsider}
    officer_status_change(officer=outsider, to_status=OfficerStatus.LEFT, actor=hr)
    assert set(client.get(url, {"status": "left"}).context["officers"]) == {outsider}


@pytest.mark.django_db
def test_unit_leader_cannot_filter_by_a_unit_outside_their_scope(client, unit_leader, other_unit, outsider):
    client.force_login(unit_leader)
    response = client.get(reverse("people:officer_list"), {"unit": other_unit.pk})
    assert outsider not in set(response.context["officers"])


@pytest.mark.django_db
def test_officer_list_is_paginated(client, hr, station):
    UserFactory.create_batch(60, unit=station)
    client.force_login(hr)
    first = client.get(reverse("people:officer_list"))
    assert len(first.context["officers"]) == 50
    second = client.get(reverse("people:officer_list"), {"page": 2})
    assert len(second.context["officers"]) == first.context["page_obj"].paginator.count - 50


@pytest.mark.django_db
def test_plain_officer_is_sent_from_the_list_to_own_profile(client, officer):
    client.force_login(officer)
    response = client.get(reverse("people:officer_list"))
    assert response.status_code == 302
    assert response["Location"] == detail(officer.pk)


@pytest.mark.django_db
def test_unit_list_counts_members_in_scope(client, unit_leader, officer, auxiliary, squad_officer, outsider):
    client.force_login(unit_leader)
    rows = {row.full_path: row for row in client.get(reverse("people:unit_list")).context["rows"]}
    assert set(rows) == {"西湖分局/北山派出所", "西湖分局/北山派出所/一中队"}
    station = rows["西湖分局/北山派出所"]
    assert (station.members, station.total) == (3, 4)  # leader, officer, auxiliary + the squad officer below


@pytest.mark.django_db
def test_unit_list_does_not_count_officers_who_left(client, hr, officer, squad_officer):
    officer_status_change(officer=squad_officer, to_status=OfficerStatus.LEFT, actor=hr)
    client.force_login(hr)
    rows = {row.full_path: row for row in client.get(reverse("people:unit_list")).context["rows"]}
    assert rows["西湖分局/北山派出所/一中队"].members == 0
    assert rows["西湖分局"].total == 2  # officer and hr


@pytest.mark.django_db
def test_pages_require_login(client, officer):
    for url in (reverse("people:officer_list"), detail(officer.pk), reverse("people:unit_list")):
        assert client.get(url).status_code == 302
