import pytest
from django.contrib.auth.models import Group

from people.models import Category, OfficerStatus, OfficerStatusChange, Role
from people.selectors import officers_in_audience
from people.services import officer_create, officer_roles_sync, officer_status_change, officer_update
from portal.models import AuditEntry


@pytest.mark.django_db
def test_status_change_writes_history_and_audit(hr, officer):
    change = officer_status_change(officer=officer, to_status=OfficerStatus.SECONDED, reason="借调市局", actor=hr)
    assert officer.status == OfficerStatus.SECONDED
    officer.refresh_from_db()
    assert officer.status == OfficerStatus.SECONDED
    assert (change.from_status, change.to_status, change.reason, change.changed_by) == (
        OfficerStatus.ACTIVE,
        OfficerStatus.SECONDED,
        "借调市局",
        hr,
    )
    entry = AuditEntry.objects.get(action="people.officer.status_changed")
    assert entry.target_id == str(officer.pk)
    assert entry.data["to"] == OfficerStatus.SECONDED


@pytest.mark.django_db
def test_an_officer_who_left_cannot_log_in_until_back_on_duty(hr, officer, password):
    from django.contrib.auth import authenticate
    from django.test import RequestFactory

    def can_log_in():
        return authenticate(RequestFactory().post("/"), username=officer.police_number, password=password) is not None

    assert can_log_in()
    officer_status_change(officer=officer, to_status=OfficerStatus.LEFT, reason="调离", actor=hr)
    assert not can_log_in()
    officer_status_change(officer=officer, to_status=OfficerStatus.ACTIVE, reason="返聘", actor=hr)
    assert can_log_in()


@pytest.mark.django_db
def test_status_change_to_the_same_status_leaves_no_row(hr, officer):
    assert officer_status_change(officer=officer, to_status=OfficerStatus.ACTIVE, actor=hr) is None
    assert not OfficerStatusChange.objects.exists()


@pytest.mark.django_db
def test_unknown_status_is_refused(hr, officer):
    with pytest.raises(ValueError):
        officer_status_change(officer=officer, to_status="retired", actor=hr)


@pytest.mark.django_db
def test_seconded_and_left_officers_drop_out_of_audiences(hr, officer, auxiliary, squad_officer):
    officer_status_change(officer=officer, to_status=OfficerStatus.SECONDED, actor=hr)
    officer_status_change(officer=auxiliary, to_status=OfficerStatus.LEFT, actor=hr)
    officer_status_change(officer=squad_officer, to_status=OfficerStatus.ON_LEAVE, actor=hr)
    audience = set(officers_in_audience())
    assert officer not in audience and auxiliary not in audience
    assert squad_officer in audience and hr in audience


@pytest.mark.django_db
def test_roles_sync_follows_category_and_keeps_other_roles(hr):
    hr.category = Category.AUXILIARY
    hr.save()
    assert officer_roles_sync(officer=hr) is True
    assert set(hr.groups.values_list("name", flat=True)) == {Role.AUXILIARY, Role.HR}
    assert officer_roles_sync(officer=hr) is False


@pytest.mark.django_db
def test_officer_create_gives_an_unusable_password_and_the_category_group(hr, station):
    new = officer_create(police_number="800001", name="新人", unit=station, category=Category.AUXILIARY, actor=hr)
    assert not new.has_usable_password()
    assert list(new.groups.values_list("name", flat=True)) == [Role.AUXILIARY]
    assert AuditEntry.objects.filter(action="people.officer.created", target_id=str(new.pk)).exists()


@pytest.mark.django_db
def test_officer_update_returns_only_real_changes_and_audits_them(hr, officer, squad):
    diff = officer_update(officer=officer, actor=hr, name="张伟", unit=squad, position="民警")
    assert set(diff) == {"unit", "position"}
    officer.refresh_from_db()
    assert officer.unit == squad
    entry = AuditEntry.objects.get(action="people.officer.updated")
    assert entry.data["changes"]["unit"] == ["西湖分局/北山派出所", "西湖分局/北山派出所/一中队"]
    assert officer_update(officer=officer, actor=hr, position="民警") == {}


@pytest.mark.django_db
def test_officer_update_refuses_status(hr, officer):
    with pytest.raises(TypeError):
        officer_update(officer=officer, actor=hr, status=OfficerStatus.LEFT)


@pytest.mark.django_db
def test_role_group_created_if_missing(hr, station):
    Group.objects.filter(name=Role.AUXILIARY).delete()
    new = officer_create(police_number="800002", name="甲", unit=station, category=Category.AUXILIARY, actor=hr)
    assert new.role_codes() == {Role.AUXILIARY}
