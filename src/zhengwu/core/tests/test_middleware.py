"""The middleware of the bottom layer: a request carrying a NUL character is refused up front."""

from __future__ import annotations

import json

import pytest
from django.test import Client, RequestFactory

from zhengwu.core.middleware import carries_nul

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("path", "data", "content_type", "expected"),
    [
        ("/catalog/?q=%00", None, "", True),
        ("/catalog/?q=%2500", None, "", False),  # the text "%00"
        ("/api/v1/exchange/x/records/a%00b", None, "", False),  # the views: not found
        ("/api/v1/x", '{"a": "x\\u0000"}', "application/json", True),
        ("/api/v1/x", '{"a": "x\\\\u0000"}', "application/json", False),  # a backslash, then text
        ("/api/v1/x", '{"a": "x\\\\\\u0000"}', "application/json", True),  # a backslash, then NUL
        ("/accounts/login/", "username=a%00b", "application/x-www-form-urlencoded", True),
        ("/accounts/login/", "username=ab", "application/x-www-form-urlencoded", False),
    ],
)
def test_carries_nul(path: str, data: str | None, content_type: str, expected: bool) -> None:
    factory = RequestFactory()
    request = factory.get(path) if data is None else factory.post(path, data, content_type=content_type)
    assert carries_nul(request) is expected


def test_a_search_for_nul_is_refused_not_a_server_error() -> None:
    # PostgreSQL raised DataError on these (a 500); SQLite answered. Both now refuse alike.
    client = Client(raise_request_exception=False)
    api = client.get("/api/v1/catalog/resources", {"q": "a\x00"})
    assert api.status_code == 400 and api.json()["code"] == "core.invalid_input"
    assert "空字符" in api.json()["message"]
    page = client.get("/catalog/", {"q": "\x00"})
    assert page.status_code == 400 and "空字符" in page.content.decode()
    assert client.get("/catalog/", {"q": "长春"}).status_code == 200


def test_a_json_body_with_nul_is_refused_before_the_view() -> None:
    client = Client(raise_request_exception=False)
    response = client.post(
        "/api/v1/participation/letters", json.dumps({"subject": "a\x00"}), content_type="application/json"
    )
    assert response.status_code == 400 and response.json()["code"] == "core.invalid_input"
