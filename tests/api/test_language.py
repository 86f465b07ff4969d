"""API answers follow Accept-Language: Chinese when asked (zh-hans, zh-CN) and by default
(LANGUAGE_CODE), English when asked — ninja's validation errors and the project's own messages."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

PERSONNEL = "/api/v1/personnel"


def _has_chinese(text: str) -> bool:
    return any("\u4e00" <= char <= "\u9fff" for char in text)


def _schema_errors(client, key, language=None):
    headers = {"X-API-Key": key, **({"Accept-Language": language} if language else {})}
    body = {"rows": [{"police_number": {"a": 1}, "blood_type": "A"}], "dry_run": "maybe"}
    return client.post(PERSONNEL, body, content_type="application/json", headers=headers)


@pytest.mark.parametrize("language", ["zh-hans", "zh-CN", "zh-CN,zh;q=0.9,en;q=0.8", None])
def test_schema_errors_are_chinese_when_asked_and_by_default(client, write_key, language):
    response = _schema_errors(client, write_key, language)
    assert response.status_code == 422
    body = response.json()
    assert _has_chinese(body["detail"])
    messages = {error["column"]: error["message"] for error in body["errors"] if error["row"] in (1, None)}
    assert set(messages) == {"police_number", "name", "unit_path", "category", "blood_type", "dry_run"}
    assert all(_has_chinese(message) for message in messages.values()), messages
    assert response["Content-Language"] == "zh-hans"


def test_schema_errors_are_english_when_asked(client, write_key):
    response = _schema_errors(client, write_key, "en-US,en;q=0.9")
    body = response.json()
    assert not _has_chinese(body["detail"])
    assert not any(_has_chinese(error["message"]) for error in body["errors"])
    assert response["Content-Language"] == "en"


def test_the_projects_own_row_errors_follow_the_language(client, write_key, station):
    body = {"rows": [{"police_number": "8-1", "name": "甲", "unit_path": "Nowhere/Station", "category": "民警"}]}
    for language, chinese in (("zh-hans", True), ("en", False)):
        response = client.post(
            PERSONNEL,
            body,
            content_type="application/json",
            headers={"X-API-Key": write_key, "Accept-Language": language},
        )
        assert response.status_code == 422
        messages = [error["message"] for error in response.json()["errors"]] + [response.json()["detail"]]
        assert all(_has_chinese(message) == chinese for message in messages), (language, messages)


def test_authentication_errors_follow_the_language(client):
    english = client.get("/api/v1/units", headers={"Accept-Language": "en"}).json()["detail"]
    chinese = client.get("/api/v1/units", headers={"Accept-Language": "zh-CN"}).json()["detail"]
    assert not _has_chinese(english) and _has_chinese(chinese)


def test_the_pages_still_ignore_the_browsers_language(client):
    # The pages are Chinese unless the switcher's cookie says otherwise (portal.middleware).
    response = client.get(reverse("portal:login"), headers={"Accept-Language": "en"})
    assert response["Content-Language"] == "zh-hans"
