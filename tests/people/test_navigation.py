import pytest
from django.urls import reverse

from people.navigation import dashboard_section, nav_items
from portal.selectors.registry import NavItem


def urls(user):
    return {item["url"] for item in nav_items(user)}


@pytest.mark.django_db
def test_officer_gets_only_my_profile(officer):
    assert urls(officer) == {reverse("people:officer_detail", args=[officer.pk])}


@pytest.mark.django_db
def test_unit_leader_gets_the_officer_list(unit_leader):
    assert reverse("people:officer_list") in urls(unit_leader)
    assert reverse("people:import") not in urls(unit_leader)


@pytest.mark.django_db
def test_hr_gets_officers_and_import(hr):
    assert {reverse("people:officer_list"), reverse("people:import")} <= urls(hr)


@pytest.mark.django_db
def test_nav_entries_fit_the_portal_registry(hr):
    for raw in nav_items(hr):
        NavItem(**raw)  # raises TypeError on an unknown key


@pytest.mark.django_db
def test_nav_shows_people_entries_on_a_rendered_page(client, hr):
    client.force_login(hr)
    content = client.get(reverse("people:unit_list")).content.decode()
    assert f'href="{reverse("people:import")}"' in content


@pytest.mark.django_db
def test_no_dashboard_section_yet(officer):
    assert dashboard_section(officer) is None
