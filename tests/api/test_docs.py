import re

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders


@pytest.mark.django_db
def test_openapi_lists_auth_and_validation_responses(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    units = paths["/api/v1/units"]["get"]["responses"]
    personnel = paths["/api/v1/personnel"]["post"]["responses"]
    assert {"200", "401", "403"} <= set(units)
    assert {"200", "401", "403", "422"} <= set(personnel)
    schemes = response.json()["components"]["securitySchemes"]
    assert {scheme["type"] for scheme in schemes.values()} == {"apiKey", "http"}


@pytest.mark.django_db
def test_docs_page_loads_without_any_external_url(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui-bundle.js" in html
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)
    assert "cdn" not in html.lower()
    assert '"validatorUrl": null' in html  # no badge fetched from validator.swagger.io


@pytest.mark.xfail(
    "ninja" not in settings.INSTALLED_APPS,
    reason="ninja's static files are served once 'ninja' is in INSTALLED_APPS (settings owned by the lead)",
    strict=True,
)
@pytest.mark.django_db
def test_docs_assets_are_served_by_the_platform(client):
    html = client.get("/api/v1/docs").content.decode()
    assets = re.findall(r"""(?:src|href)=["']/static/([^"']+)["']""", html)
    assert assets
    for asset in assets:
        assert finders.find(asset), asset
