"""The OpenAPI schema and the server agree on what a request body must hold.

Walks /api/v1/openapi.json: for every operation with a JSON body, a body holding only the fields the
schema marks required must not be refused for a missing field, and leaving out any one of those
fields must be refused naming it.
"""

from __future__ import annotations

import copy

import pytest
from django.utils import timezone

from portal.models import ApiScope
from portal.services import api_key_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def every_scope_key(db) -> str:
    return api_key_create(name="对接测试", scopes=list(ApiScope.values))[1]


@pytest.fixture
def samples(officer) -> dict:
    """Values by field name that the server accepts; any other field gets one by its type."""
    return {
        "police_number": officer.police_number,
        "name": officer.name,
        "unit_path": officer.unit.full_path,
        "category": "民警",
        "case_number": "WALK-1",
        "case_date": timezone.localdate().isoformat(),
    }


def _resolve(schema: dict, components: dict) -> dict:
    while "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[-1]]
    if "anyOf" in schema:
        branches = [branch for branch in schema["anyOf"] if branch.get("type") != "null"]
        return _resolve(branches[0], components)
    return schema


def _minimal(schema: dict, components: dict, samples: dict, name: str | None = None):
    schema = _resolve(schema, components)
    if name in samples:
        return samples[name]
    kind = schema.get("type")
    if kind == "object":
        return {
            field: _minimal(schema["properties"][field], components, samples, field)
            for field in schema.get("required", [])
        }
    if kind == "array":
        return [_minimal(schema["items"], components, samples) for _ in range(max(schema.get("minItems", 0), 1))]
    return {"string": "x", "integer": 1, "number": 1, "boolean": False}[kind]


def _required_paths(schema: dict, components: dict, path: tuple = ()) -> list[tuple]:
    """Paths of the schema-required fields in a minimal body: ("rows",), ("rows", 0, "name") …"""
    schema = _resolve(schema, components)
    if schema.get("type") == "array":
        return _required_paths(schema["items"], components, (*path, 0))
    paths = []
    for field in schema.get("required", []):
        paths.append((*path, field))
        paths.extend(_required_paths(schema["properties"][field], components, (*path, field)))
    return paths


def _without(body: dict, path: tuple) -> dict:
    body = copy.deepcopy(body)
    container = body
    for step in path[:-1]:
        container = container[step]
    del container[path[-1]]
    return body


def _expected_error(path: tuple) -> tuple:
    if len(path) >= 3 and path[0] == "rows":
        return (path[1] + 1, ".".join(str(step) for step in path[2:]))
    return (None, ".".join(str(step) for step in path))


def _body_operations(client) -> list[tuple[str, str, dict, dict]]:
    spec = client.get("/api/v1/openapi.json").json()
    components = spec["components"]["schemas"]
    operations = []
    for url, methods in spec["paths"].items():
        for method, operation in methods.items():
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if body:
                operations.append((method, url, body["schema"], components))
    return operations


def test_the_api_documents_request_bodies(client):
    urls = {url for _method, url, _schema, _components in _body_operations(client)}
    assert {"/api/v1/personnel", "/api/v1/case-quality/"} <= urls


def test_a_body_with_only_the_schema_required_fields_is_accepted(client, every_scope_key, samples):
    for method, url, schema, components in _body_operations(client):
        body = _minimal(schema, components, samples)
        response = getattr(client, method)(
            url, body, content_type="application/json", headers={"X-API-Key": every_scope_key}
        )
        assert response.status_code == 200, (url, body, response.json())


def test_leaving_out_a_schema_required_field_is_refused_naming_it(client, every_scope_key, samples):
    for method, url, schema, components in _body_operations(client):
        body = _minimal(schema, components, samples)
        for path in _required_paths(schema, components):
            response = getattr(client, method)(
                url, _without(body, path), content_type="application/json", headers={"X-API-Key": every_scope_key}
            )
            assert response.status_code == 422, (url, path)
            named = {(error["row"], error["column"]) for error in response.json()["errors"]}
            assert _expected_error(path) in named, (url, path, named)
