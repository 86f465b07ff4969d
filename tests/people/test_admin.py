import pytest
from django.urls import reverse

from people.models import OfficerStatus, OfficerStatusChange, Role


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def change_data(officer, **overrides):
    data = {
        "police_number": officer.police_number,
        "name": officer.name,
        "unit": officer.unit_id or "",
        "category": officer.category,
        "position": officer.position,
        "status": officer.status,
        "birth_date": officer.birth_date.isoformat() if officer.birth_date else "",
        "service_start_date": officer.service_start_date.isoformat() if officer.service_start_date else "",
        "phone": officer.phone,
        "preferred_language": "",
        "is_active": "on",
        "groups": list(officer.groups.values_list("pk", flat=True)),
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": officer.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": officer.date_joined.strftime("%H:%M:%S"),
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url_name",
    ["admin:people_user_changelist", "admin:people_unit_changelist", "admin:people_officerstatuschange_changelist"],
)
def test_admin_lists_load(admin_client, officer, url_name):
    assert admin_client.get(reverse(url_name)).status_code == 200


@pytest.mark.django_db
def test_admin_searches_officers_by_police_number(admin_client, officer, outsider):
    response = admin_client.get(reverse("admin:people_user_changelist"), {"q": "200001"})
    assert list(response.context["cl"].result_list) == [officer]


@pytest.mark.django_db
def test_status_changed_in_admin_leaves_history(admin_client, admin_user, officer):
    url = reverse("admin:people_user_change", args=[officer.pk])
    response = admin_client.post(url, change_data(officer, status=OfficerStatus.LEFT))
    assert response.status_code == 302, response.context["adminform"].form.errors
    officer.refresh_from_db()
    assert officer.status == OfficerStatus.LEFT
    change = OfficerStatusChange.objects.get(officer=officer)
    assert (change.from_status, change.to_status, change.changed_by) == (
        OfficerStatus.ACTIVE,
        OfficerStatus.LEFT,
        admin_user,
    )


@pytest.mark.django_db
def test_category_changed_in_admin_resyncs_role_group(admin_client, officer):
    url = reverse("admin:people_user_change", args=[officer.pk])
    response = admin_client.post(url, change_data(officer, category="auxiliary"))
    assert response.status_code == 302, response.context["adminform"].form.errors
    officer.refresh_from_db()
    assert set(officer.groups.values_list("name", flat=True)) == {Role.AUXILIARY}


@pytest.mark.django_db
def test_admin_adds_an_officer_without_a_password(admin_client, station):
    response = admin_client.post(
        reverse("admin:people_user_add"),
        {
            "police_number": "900001",
            "name": "新增",
            "unit": station.pk,
            "category": "officer",
            "usable_password": "false",
        },
    )
    assert response.status_code == 302
    from people.models import User

    new = User.objects.get(police_number="900001")
    assert not new.has_usable_password()
    assert new.role_codes() == {Role.OFFICER}


@pytest.mark.django_db
def test_status_history_is_read_only_in_admin(admin_client):
    assert admin_client.get(reverse("admin:people_officerstatuschange_add")).status_code == 403


@pytest.mark.django_db
def test_admin_adds_a_unit_under_a_parent(admin_client, station):
    from people.models import Unit

    response = admin_client.post(
        reverse("admin:people_unit_add"),
        {
            "name": "二中队",
            "kind": "squad",
            "code": "",
            "is_active": "on",
            "treebeard_position": "sorted-child",
            "treebeard_ref_node": station.pk,
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Unit.objects.get(name="二中队").full_path == "西湖分局/北山派出所/二中队"
