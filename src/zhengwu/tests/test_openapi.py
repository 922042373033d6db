"""The committed OpenAPI file is what the code serves (regenerate with `make openapi`)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.test import Client

from zhengwu.openapi import generate, render

COMMITTED = Path(__file__).resolve().parents[3] / "docs" / "openapi.json"


def test_committed_openapi_file_matches_the_code() -> None:
    assert COMMITTED.exists(), "docs/openapi.json is missing: run `make openapi`"
    assert COMMITTED.read_text(encoding="utf-8") == render(generate()), (
        "docs/openapi.json has drifted from the code: run `make openapi` and commit the file"
    )


@pytest.mark.django_db
def test_openapi_and_docs_are_served() -> None:
    client = Client()
    schema = client.get("/api/v1/openapi.json")
    assert schema.status_code == 200
    assert json.loads(schema.content)["info"]["title"] == "zhengwu 政务平台 API"
    assert client.get("/api/v1/docs").status_code == 200


def test_every_operation_declares_its_error_responses() -> None:
    for path, operations in generate()["paths"].items():
        for method, operation in operations.items():
            documented = {str(status) for status in operation["responses"]}
            if operation.get("security"):
                assert "401" in documented, f"{method.upper()} {path} does not document 401"
            if operation.get("parameters") or operation.get("requestBody"):
                assert "400" in documented, f"{method.upper()} {path} takes input but does not document 400"


def test_schema_names_are_unique() -> None:
    """Two schemas of one name become one in the document (catalog items were shown as service items)."""
    from ninja import Schema

    import zhengwu.api  # noqa: F401 - every router and its schemas

    def subclasses(cls: type) -> list[type]:
        return [c for sub in cls.__subclasses__() for c in (sub, *subclasses(sub))]

    ours: dict[str, list[str]] = {}
    for cls in set(subclasses(Schema)):
        if cls.__module__.startswith("zhengwu.") and ".tests." not in cls.__module__:
            ours.setdefault(cls.__name__, []).append(cls.__module__)
    assert {name: modules for name, modules in ours.items() if len(modules) > 1} == {}


def test_public_catalog_operations_say_credentials_are_optional() -> None:
    paths = generate()["paths"]
    for path in ("/api/v1/catalog/resources", "/api/v1/catalog/resources/{code}"):
        security = paths[path]["get"]["security"]
        assert {} in security, path
        assert sorted(map(str, security)) == ["{'ApiClientAuth': []}", "{'PersonSessionAuth': []}", "{}"], path
