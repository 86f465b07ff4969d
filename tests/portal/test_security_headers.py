"""Headers every page carries, and uploaded files served only through views that check who asks."""

from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent.parent


@pytest.mark.django_db
def test_every_page_carries_a_script_policy_without_inline_and_a_permissions_policy(client, officer):
    anonymous = client.get("/login/")
    client.force_login(officer)
    for response in (anonymous, client.get("/dashboard/")):
        policy = response["Content-Security-Policy"]
        scripts = policy.split("script-src")[1].split(";")[0]
        assert "'self'" in scripts and "'unsafe-inline'" not in scripts
        assert "object-src 'none'" in policy and "frame-ancestors 'self'" in policy
        assert "camera=()" in response["Permissions-Policy"] and "microphone=()" in response["Permissions-Policy"]


@pytest.mark.django_db
def test_signed_in_pages_and_the_api_are_never_stored(client, officer):
    client.force_login(officer)

    assert "no-store" in client.get("/dashboard/")["Cache-Control"]
    assert "no-store" in client.get("/certification/file/")["Cache-Control"]
    assert "no-store" in client.get("/api/v1/openapi.json")["Cache-Control"]


def test_no_template_runs_an_inline_script():
    """Page data travels in json_script blocks (type application/json), behaviour in static files."""
    offenders = []
    for template in ROOT.glob("*/**/templates/**/*.html"):
        if ".venv" in template.parts:
            continue
        text = template.read_text(encoding="utf-8")
        for chunk in text.split("<script")[1:]:
            tag = chunk.split(">", 1)[0]
            if "src=" not in tag and "application/json" not in tag and "csp_nonce" not in tag:
                offenders.append(str(template.relative_to(ROOT)))
    assert not offenders


@pytest.fixture
def development_urls(settings):
    """The URLs as the development server (``make run``, DEBUG on) builds them."""
    import importlib

    from django.urls import clear_url_caches

    import config.urls

    settings.DEBUG = True
    importlib.reload(config.urls)
    clear_url_caches()
    yield
    settings.DEBUG = False
    importlib.reload(config.urls)
    clear_url_caches()


def _media_file(relative: str) -> str:
    path = Path(settings.MEDIA_ROOT) / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"PK\x03\x04 private")
    return f"/media/{relative}"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "relative",
    [
        "exports/2026/12/officers.xlsx",
        "certification/evidence/2026/judicial-exam.pdf",
        "certification/court/2026/hearing.jpg",
        "courses/discussions/2026/12/minutes.docx",
        "reports/units/2026/unit-report.pdf",
        "certification/batches/2026/certificates.zip",
    ],
)
def test_uploaded_and_generated_files_are_not_served_by_address(client, officer, hr, relative, development_urls):
    url = _media_file(relative)

    assert client.get(url).status_code == 404
    client.force_login(officer)
    assert client.get(url).status_code == 404
    client.force_login(hr)
    assert client.get(url).status_code == 404


@pytest.mark.django_db
def test_study_images_are_served_to_signed_in_users_only(client, officer, development_urls):
    url = _media_file("original_images/scene.png")

    assert client.get(url).status_code == 302
    client.force_login(officer)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"PK\x03\x04 private"
    # Kept by the reader's own browser (not no-store: every lesson would fetch its pictures again),
    # never by a shared proxy.
    assert "private" in response["Cache-Control"] and "no-store" not in response["Cache-Control"]
