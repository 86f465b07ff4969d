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


@pytest.mark.django_db
def test_a_revoked_key_next_to_a_valid_bearer_token_is_401(client, read_key, write_key, branch):
    api_key_revoke(key=ApiKey.objects.get(prefix=read_key.split(".")[0]), actor=None)
    response = client.get(UNITS, headers={"X-API-Key": read_key, "Authorization": f"Bearer {write_key}"})
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["detail"]


@pytest.mark.django_db
def test_a_wrong_bearer_token_next_to_a_valid_key_header_is_401(client, read_key, branch):
    prefix = read_key.split(".")[0]
    headers = {"X-API-Key": read_key, "Authorization": f"Bearer {prefix}.wrong"}
    assert client.get(UNITS, headers=headers).status_code == 401


@pytest.mark.django_db
def test_two_different_valid_keys_are_401(client, read_key, write_key, branch):
    headers = {"X-API-Key": write_key, "Authorization": f"Bearer {read_key}"}
    assert client.get(UNITS, headers=headers).status_code == 401


@pytest.mark.django_db
def test_another_authorization_scheme_next_to_a_valid_key_is_401(client, read_key, branch):
    headers = {"X-API-Key": read_key, "Authorization": "Basic YWRtaW46YWRtaW4="}
    assert client.get(UNITS, headers=headers).status_code == 401


@pytest.mark.django_db
def test_the_same_key_sent_both_ways_is_accepted(client, read_key, branch):
    headers = {"X-API-Key": read_key, "Authorization": f"Bearer {read_key}"}
    assert client.get(UNITS, headers=headers).status_code == 200
