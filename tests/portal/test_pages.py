"""The pages the portal renders: home page, error pages, language switcher, no external URLs."""

import re

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from portal.services import audit_log, notification_send

EXTERNAL_URL = re.compile(r"https?://", re.IGNORECASE)


@pytest.mark.django_db
def test_home_page_renders_platform_name_and_login_button_for_visitors(client):
    response = client.get("/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "法制学习考试认证平台" in html
    assert 'href="/login/"' in html
    assert '<html lang="zh-hans"' in html


@pytest.mark.django_db
def test_home_page_shows_dashboard_to_signed_in_users(client, officer):
    notification_send(recipient=officer, title="请完成接处警规范学习")
    client.force_login(officer)

    response = client.get("/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "请完成接处警规范学习" in html
    assert 'href="/login/"' not in html


@pytest.mark.django_db
def test_unknown_path_renders_the_404_page(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert "404" in response.content.decode()


def test_500_page_renders_without_a_request_context():
    html = render_to_string("500.html")

    assert "500" in html
    assert "/static/css/portal.css" in html
    assert not EXTERNAL_URL.search(html)


@pytest.mark.django_db
def test_language_switcher_posts_to_set_language_and_switches_to_english(client, officer):
    client.force_login(officer)
    page = client.get(reverse("portal:dashboard")).content.decode()
    assert f'action="{reverse("set_language")}"' in page
    assert 'value="en"' in page and 'value="zh-hans"' in page

    response = client.post(reverse("set_language"), {"language": "en", "next": "/dashboard/"}, follow=True)

    assert response.redirect_chain[-1][0] == "/dashboard/"
    assert '<html lang="en"' in response.content.decode()


@pytest.mark.django_db
def test_user_menu_offers_password_change_and_a_logout_form(client, officer):
    client.force_login(officer)

    html = client.get(reverse("portal:dashboard")).content.decode()

    assert f'href="{reverse("portal:password_change")}"' in html
    assert f'<form method="post" action="{reverse("portal:logout")}">' in html


def _same_host_only(html: str) -> list[str]:
    """Every http(s):// occurrence that is not an href to the test host itself."""
    offending = []
    for match in EXTERNAL_URL.finditer(html):
        tail = html[match.start() : match.start() + 80]
        before = html[max(0, match.start() - 6) : match.start()]
        if before.endswith('href="') and tail.split("/")[2] == "testserver":
            continue
        offending.append(html[max(0, match.start() - 40) : match.start() + 60])
    return offending


@pytest.mark.django_db
def test_no_page_references_an_external_url(client, officer, hr, password):
    notification_send(recipient=hr, title="通知", url="/dashboard/")
    audit_log(actor=hr, action="people.officer.imported", target=officer)
    pages = {
        "home (visitor)": client.get("/"),
        "login": client.get(reverse("portal:login")),
        "login error": client.post(reverse("portal:login"), {"username": "nobody", "password": "x"}),
        "404": client.get("/no-such-page/"),
    }
    for _ in range(5):
        lockout = client.post(reverse("portal:login"), {"username": "200001", "password": "x"}, REMOTE_ADDR="10.9.9.9")
    pages["lockout"] = lockout
    client.force_login(hr)
    pages.update(
        {
            "home": client.get("/"),
            "dashboard": client.get(reverse("portal:dashboard")),
            "notifications": client.get(reverse("portal:notifications")),
            "audit": client.get(reverse("portal:audit_log")),
            "password": client.get(reverse("portal:password_change")),
            "password done": client.get(reverse("portal:password_change_done")),
        }
    )
    client.force_login(officer)
    pages["403"] = client.get(reverse("portal:audit_log"))

    assert pages["lockout"].status_code == 429
    assert pages["403"].status_code == 403
    for name, response in pages.items():
        html = response.content.decode()
        assert "<html" in html, name
        assert _same_host_only(html) == [], name


def test_health_probe_answers_ok_without_touching_the_database(db, client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")

    assert response.status_code == 200
    assert response.content == b"ok"
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
