import pytest
from django.urls import reverse

from portal.models import AuditEntry

LOGIN_URL = "/login/"


def _login(client, police_number, password, **extra):
    return client.post(LOGIN_URL, {"username": police_number, "password": password}, **extra)


@pytest.mark.django_db
def test_login_with_police_number_lands_on_dashboard(client, officer, password):
    response = client.post(LOGIN_URL, {"username": "200001", "password": password}, follow=True)

    assert response.redirect_chain[-1][0] == reverse("portal:dashboard")
    assert response.context["user"] == officer
    assert "张伟" in response.content.decode()


@pytest.mark.django_db
def test_login_form_labels_the_field_as_police_number(client):
    response = client.get(LOGIN_URL)

    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="username"' in html
    assert "Police number" in html or "警号" in html


@pytest.mark.django_db
def test_wrong_password_shows_an_error_and_does_not_sign_in(client, officer):
    response = _login(client, "200001", "wrong-password")

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    html = response.content.decode()
    assert "police number or password is incorrect" in html or "警号或密码" in html


@pytest.mark.django_db
def test_login_writes_an_audit_entry_with_the_address(client, officer, password):
    _login(client, "200001", password, REMOTE_ADDR="10.8.0.7")

    entry = AuditEntry.objects.get(action="portal.user.logged_in")
    assert entry.actor == officer
    assert entry.target_id == str(officer.pk)
    assert entry.ip_address == "10.8.0.7"


@pytest.mark.django_db
def test_failed_login_writes_no_login_audit_entry(client, officer):
    _login(client, "200001", "wrong-password")

    assert not AuditEntry.objects.filter(action="portal.user.logged_in").exists()


@pytest.mark.django_db
def test_five_failures_lock_the_police_number_from_that_address_only(client, officer, password, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _login(client, "200001", "wrong-password", REMOTE_ADDR="10.0.0.1").status_code == 200

    locked = _login(client, "200001", "wrong-password", REMOTE_ADDR="10.0.0.1")
    assert locked.status_code == 429
    assert "portal/lockout.html" in [t.name for t in locked.templates]
    assert "200001" in locked.content.decode()

    # Even the right password is refused from the locked address.
    again = _login(client, "200001", password, REMOTE_ADDR="10.0.0.1")
    assert again.status_code == 429
    assert "_auth_user_id" not in client.session

    # The same account from another computer still gets in.
    elsewhere = _login(client, "200001", password, REMOTE_ADDR="10.0.0.2")
    assert elsewhere.status_code == 302
    assert elsewhere.url == reverse("portal:dashboard")
    assert client.session["_auth_user_id"] == str(officer.pk)


@pytest.mark.django_db
def test_lockout_of_one_police_number_does_not_lock_colleagues_at_the_same_address(
    client, officer, auxiliary, password
):
    for _ in range(5):
        _login(client, "200001", "wrong-password", REMOTE_ADDR="10.0.0.1")

    response = _login(client, "F200002", password, REMOTE_ADDR="10.0.0.1")

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(auxiliary.pk)


@pytest.mark.django_db
def test_logout_refuses_get_and_keeps_the_user_signed_in(client, officer):
    client.force_login(officer)

    response = client.get(reverse("portal:logout"))

    assert response.status_code == 405
    assert client.session["_auth_user_id"] == str(officer.pk)


@pytest.mark.django_db
def test_logout_by_post_signs_out(client, officer):
    client.force_login(officer)

    response = client.post(reverse("portal:logout"))

    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_password_change_requires_login(client):
    response = client.get(reverse("portal:password_change"))

    assert response.status_code == 302
    assert response.url.startswith(LOGIN_URL)


@pytest.mark.django_db
def test_password_change_works_and_is_audited(client, officer, password):
    client.force_login(officer)
    new_password = "Xinmima-2026-qiang"

    response = client.post(
        reverse("portal:password_change"),
        {"old_password": password, "new_password1": new_password, "new_password2": new_password},
        follow=True,
    )

    assert response.redirect_chain[-1][0] == reverse("portal:password_change_done")
    officer.refresh_from_db()
    assert officer.check_password(new_password)
    assert response.context["user"] == officer  # still signed in
    assert AuditEntry.objects.filter(action="portal.user.password_changed", actor=officer).count() == 1


@pytest.mark.django_db
def test_password_change_with_wrong_old_password_is_rejected_without_audit(client, officer, password):
    client.force_login(officer)

    response = client.post(
        reverse("portal:password_change"),
        {"old_password": "not-it", "new_password1": "Xinmima-2026-qiang", "new_password2": "Xinmima-2026-qiang"},
    )

    assert response.status_code == 200
    assert response.context["form"].errors["old_password"]
    officer.refresh_from_db()
    assert officer.check_password(password)
    assert not AuditEntry.objects.filter(action="portal.user.password_changed").exists()
