import re

import pytest
from django.urls import reverse

from portal.models import ApiKey, ApiScope
from portal.services import api_key_authenticate, api_key_create


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.mark.django_db
def test_creating_a_key_in_admin_shows_the_raw_key_once(admin_client, admin_user):
    response = admin_client.post(
        reverse("admin:portal_apikey_add"),
        {"name": "人事系统", "scopes": [ApiScope.PEOPLE_WRITE], "expires_at": ""},
        follow=True,
    )
    assert response.status_code == 200
    key = ApiKey.objects.get(name="人事系统")
    raw = re.search(rf"{key.prefix}\.[\w-]+", response.content.decode()).group(0)
    assert api_key_authenticate(raw) == key
    assert key.scopes == [ApiScope.PEOPLE_WRITE]
    assert key.created_by == admin_user
    assert raw not in admin_client.get(reverse("admin:portal_apikey_change", args=[key.pk])).content.decode()


@pytest.mark.django_db
def test_key_list_shows_prefix_and_scopes(admin_client):
    key, _raw = api_key_create(name="档案系统", scopes=[ApiScope.PEOPLE_READ])
    content = admin_client.get(reverse("admin:portal_apikey_changelist")).content.decode()
    assert key.prefix in content and ApiScope.PEOPLE_READ.value in content


@pytest.mark.django_db
def test_revoke_action_revokes_the_key(admin_client):
    key, raw = api_key_create(name="旧系统", scopes=[ApiScope.PEOPLE_READ])
    response = admin_client.post(
        reverse("admin:portal_apikey_changelist"), {"action": "revoke_selected", "_selected_action": [key.pk]}
    )
    assert response.status_code == 302
    key.refresh_from_db()
    assert key.revoked_at is not None
    assert api_key_authenticate(raw) is None


@pytest.mark.django_db
def test_keys_cannot_be_deleted_in_admin(admin_client):
    key, _raw = api_key_create(name="甲", scopes=[ApiScope.PEOPLE_READ])
    assert admin_client.get(reverse("admin:portal_apikey_delete", args=[key.pk])).status_code == 403
