"""The client address behind the reverse proxy: the entry the trusted proxies appended, counted from
the right, through the whole middleware stack (login lockout, audit entries).

nginx runs with ``proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for``: for a browser that
sent no header it passes ``X-Forwarded-For: <browser>``; for one that forged a header it passes
``X-Forwarded-For: <forged>, <browser>``. REMOTE_ADDR is always nginx itself.
"""

import pytest
from django.test import RequestFactory

from portal.client_address import client_address
from portal.models import AuditEntry

LOGIN_URL = "/login/"
NGINX = "127.0.0.1"


def _login(client, police_number, password, *, via_nginx_from=None, forged=None):
    extra = {"REMOTE_ADDR": NGINX}
    if via_nginx_from is not None:
        entries = [*(forged or []), via_nginx_from]
        extra["HTTP_X_FORWARDED_FOR"] = ", ".join(entries)
    return client.post(LOGIN_URL, {"username": police_number, "password": password}, **extra)


@pytest.fixture
def behind_nginx(settings):
    settings.TRUSTED_PROXY_COUNT = 1


@pytest.mark.django_db
def test_attackers_failures_do_not_lock_the_account_for_a_colleague_elsewhere(client, officer, password, behind_nginx):
    for _ in range(5):
        _login(client, "200001", "wrong-password", via_nginx_from="10.66.0.9")
    assert _login(client, "200001", "wrong-password", via_nginx_from="10.66.0.9").status_code == 429

    victim = _login(client, "200001", password, via_nginx_from="10.8.1.20")

    assert victim.status_code == 302
    assert client.session["_auth_user_id"] == str(officer.pk)


@pytest.mark.django_db
def test_forged_forwarded_entries_gain_no_extra_guesses(client, officer, password, behind_nginx):
    refused = []
    for guess in range(8):
        response = _login(
            client, "200001", "wrong-password", via_nginx_from="10.66.0.9", forged=[f"192.0.2.{guess}", "10.0.0.1"]
        )
        refused.append(response.status_code)

    assert refused[:4] == [200] * 4
    assert set(refused[4:]) == {429}
    # Even the right password is refused now from the attacker's machine, whatever it forges.
    right = _login(client, "200001", password, via_nginx_from="10.66.0.9", forged=["192.0.2.200"])
    assert right.status_code == 429
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_audit_entry_records_the_address_nginx_appended(client, officer, password, behind_nginx):
    _login(client, "200001", password, via_nginx_from="10.8.1.20", forged=["8.8.8.8"])

    entry = AuditEntry.objects.get(action="portal.user.logged_in")
    assert entry.ip_address == "10.8.1.20"


@pytest.mark.django_db
def test_audit_entries_written_by_other_views_carry_the_client_address(client, officer, password, behind_nginx):
    client.force_login(officer)

    response = client.post(
        "/password/",
        {"old_password": password, "new_password1": "Xq7!mountain-river", "new_password2": "Xq7!mountain-river"},
        REMOTE_ADDR=NGINX,
        HTTP_X_FORWARDED_FOR="8.8.8.8, 10.8.1.21",
    )

    assert response.status_code == 302
    assert AuditEntry.objects.get(action="portal.user.password_changed").ip_address == "10.8.1.21"


@pytest.mark.django_db
def test_audit_entries_outside_a_request_have_no_address(officer):
    from portal.services import audit_log

    assert audit_log(actor=officer, action="portal.test.outside").ip_address is None


def _request(remote, forwarded=None):
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **meta)


@pytest.mark.parametrize(
    ("count", "remote", "forwarded", "expected"),
    [
        # No proxy: the header is the client's own words and is ignored.
        (0, "10.8.1.20", "1.2.3.4", "10.8.1.20"),
        (0, "10.8.1.20", None, "10.8.1.20"),
        # nginx: the right-most entry, never the left-most.
        (1, NGINX, "10.8.1.20", "10.8.1.20"),
        (1, NGINX, "1.2.3.4, 10.8.1.20", "10.8.1.20"),
        (1, NGINX, "1.2.3.4,5.6.7.8 , 10.8.1.20", "10.8.1.20"),
        # A load balancer, then nginx: the second from the right.
        (2, NGINX, "1.2.3.4, 10.8.1.20, 10.0.0.2", "10.8.1.20"),
        # Fewer entries than proxies (the app server was reached directly): the real peer.
        (1, "10.8.1.30", None, "10.8.1.30"),
        (2, "10.8.1.30", "10.8.1.20", "10.8.1.30"),
        # Junk where an address should be: the real peer, not the junk.
        (1, NGINX, "1.2.3.4, unknown", NGINX),
        # IPv6, bare and bracketed with a port.
        (1, NGINX, "2001:db8::7", "2001:db8::7"),
        (1, NGINX, "[2001:db8::7]:51000", "2001:db8::7"),
    ],
)
def test_client_address_counts_trusted_proxies_from_the_right(settings, count, remote, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = count

    assert client_address(_request(remote, forwarded)) == expected
