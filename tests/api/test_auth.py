import pytest
from django.utils import timezone

from portal.models import ApiKey
from portal.services import api_key_revoke

UNITS = "/api/v1/units"


@pytest.mark.django_db
def test_no_key_is_401_json(client, branch):
    response = client.get(UNITS)
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["detail"]
    assert "Bearer" in response["WWW-Authenticate"]


@pytest.mark.django_db
def test_wrong_key_is_401(client, read_key):
    prefix = read_key.split(".")[0]
    assert client.get(UNITS, headers={"X-API-Key": f"{prefix}.wrong"}).status_code == 401
    assert client.get(UNITS, headers={"X-API-Key": "garbage"}).status_code == 401


@pytest.mark.django_db
def test_revoked_key_is_401(client, read_key):
    key = ApiKey.objects.get(prefix=read_key.split(".")[0])
    api_key_revoke(key=key, actor=None)
    assert client.get(UNITS, headers={"X-API-Key": read_key}).status_code == 401


@pytest.mark.django_db
def test_expired_key_is_401(client, read_key):
    ApiKey.objects.filter(prefix=read_key.split(".")[0]).update(expires_at=timezone.now())
    assert client.get(UNITS, headers={"X-API-Key": read_key}).status_code == 401


@pytest.mark.django_db
def test_key_accepted_as_header_or_bearer(client, read_key, branch):
    assert client.get(UNITS, headers={"X-API-Key": read_key}).status_code == 200
    assert client.get(UNITS, headers={"Authorization": f"Bearer {read_key}"}).status_code == 200


@pytest.mark.django_db
def test_key_without_the_scope_is_403_json(client, read_key):
    response = client.post(
        "/api/v1/personnel", {"rows": []}, content_type="application/json", headers={"X-API-Key": read_key}
    )
    assert response.status_code == 403
    assert "people:write" in response.json()["detail"]


@pytest.mark.django_db
def test_successful_use_records_last_used(client, read_key, branch):
    client.get(UNITS, headers={"X-API-Key": read_key})
    assert ApiKey.objects.get(prefix=read_key.split(".")[0]).last_used_at is not None


@pytest.mark.django_db
def test_a_logged_in_session_is_not_an_api_key(client, admin_user):
    client.force_login(admin_user)
    assert client.get(UNITS).status_code == 401
