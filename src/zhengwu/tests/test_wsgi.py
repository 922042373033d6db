"""The production WSGI application: the machine API under MACHINE_API_PREFIX passes only the lean
middleware (no cookies, sessions or login), every other path the full browser middleware."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote
from wsgiref.util import setup_testing_defaults

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections

from zhengwu.exchange.sharing_models import AccessLogPending, Grant
from zhengwu.exchange.tests import test_sharing_helpers as helpers
from zhengwu.exchange.tests.test_sharing_helpers import CITIZEN_ID, PURPOSE
from zhengwu.wsgi import application

people, market_grant, police_officer, market_token = (
    helpers.people,
    helpers.market_grant,
    helpers.police_officer,
    helpers.market_token,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _keep_the_test_transaction() -> Iterator[None]:
    # As Django's test client does: the handler would otherwise close the connection that holds
    # the test's transaction at the end of each request.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def serve(path: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    environ: dict[str, Any] = {"PATH_INFO": path, "wsgi.input": io.BytesIO(b"")}
    for name, value in (headers or {}).items():
        environ["HTTP_" + name.upper().replace("-", "_")] = value
    setup_testing_defaults(environ)
    started: dict[str, Any] = {}

    def start_response(status: str, response_headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        started["status"], started["headers"] = status, response_headers

    body = b"".join(application(environ, start_response))
    names: dict[str, str] = {}
    for name, value in started["headers"]:
        names[name.lower()] = f"{names[name.lower()]}, {value}" if name.lower() in names else value
    return int(started["status"].split()[0]), names, body


def test_the_machine_api_answers_without_the_browser_middleware(market_grant: Grant, market_token: str) -> None:
    status, headers, body = serve(
        f"/api/v1/exchange/{market_grant.resource.code}/records/{CITIZEN_ID}",
        {"Authorization": f"Bearer {market_token}", "X-Purpose": quote(PURPOSE), "Cookie": "sessionid=forged"},
    )
    assert status == 200, body
    assert json.loads(body)["record"]["sfzh"] != CITIZEN_ID  # masked as ever
    assert AccessLogPending.objects.filter(outcome="ok").count() == 1  # and logged
    # Security headers are there; nothing of sessions, CSRF or language negotiation is.
    assert headers["x-content-type-options"] == "nosniff" and headers["x-frame-options"] == "DENY"
    assert "set-cookie" not in headers and "content-language" not in headers
    assert "cookie" not in headers.get("vary", "").lower()


def test_errors_of_the_machine_api_are_json_with_a_code(market_grant: Grant, market_token: str) -> None:
    status, _, body = serve(
        f"/api/v1/exchange/{market_grant.resource.code}/records/{CITIZEN_ID}",
        {"Authorization": f"Bearer {market_token}"},
    )
    assert status == 400 and json.loads(body)["code"] == "exchange.purpose_required"
    status, _, body = serve(f"/api/v1/exchange/{market_grant.resource.code}/records/{CITIZEN_ID}")
    assert status == 401


def test_every_other_path_passes_the_full_middleware() -> None:
    status, headers, _body = serve("/accounts/login/")
    assert status == 200 and "csrftoken=" in headers.get("set-cookie", "")
    assert headers["content-language"].startswith("zh")
    assert headers["x-frame-options"] == "DENY"
