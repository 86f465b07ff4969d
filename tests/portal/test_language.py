import pytest
from django.conf import settings


@pytest.mark.django_db
def test_an_english_browser_still_gets_the_chinese_platform(client):
    response = client.get("/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response["Content-Language"] == "zh-hans"
    assert "警号" in response.content.decode()


@pytest.mark.django_db
def test_the_language_switcher_turns_english_on_and_off(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/login/"})
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    english = client.get("/login/").content.decode()
    assert "Police number" in english

    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/login/"})
    assert "警号" in client.get("/login/").content.decode()


@pytest.mark.django_db
def test_an_unknown_language_cookie_falls_back_to_chinese(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "xx"
    assert client.get("/login/")["Content-Language"] == "zh-hans"
