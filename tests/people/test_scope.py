import pytest
from django.http import Http404

from people.selectors import can_view_officer, get_officer_for_user, officers_visible_to


@pytest.mark.django_db
def test_officer_sees_only_themselves(officer, auxiliary):
    assert list(officers_visible_to(officer)) == [officer]
    assert not can_view_officer(officer, auxiliary)
    with pytest.raises(Http404):
        get_officer_for_user(officer, auxiliary.pk)


@pytest.mark.django_db
def test_unit_leader_sees_own_unit_subtree_but_not_other_units(unit_leader, officer, squad_officer, outsider):
    visible = set(officers_visible_to(unit_leader))
    assert {unit_leader, officer, squad_officer} <= visible
    assert outsider not in visible
    assert get_officer_for_user(unit_leader, squad_officer.pk) == squad_officer
    with pytest.raises(Http404):
        get_officer_for_user(unit_leader, outsider.pk)


@pytest.mark.django_db
def test_hr_sees_everyone(hr, officer, outsider):
    assert get_officer_for_user(hr, outsider.pk) == outsider
    assert can_view_officer(hr, officer)


@pytest.mark.django_db
def test_unknown_officer_is_404_for_everyone(hr):
    with pytest.raises(Http404):
        get_officer_for_user(hr, 999_999)
