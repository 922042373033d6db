"""No input a user can send produces a 500: arbitrary values into every API operation (as
the OpenAPI document describes them) and into the public forms."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zhengwu.accounts import services
from zhengwu.accounts.models import ApiClient, Department, User
from zhengwu.core.actors import Actor
from zhengwu.openapi import generate

pytestmark = pytest.mark.django_db

TEXT = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["", "0", "-1", "999999999999999999999", "1e309", "NaN", "220000", "'; DROP TABLE x;--"]),
    st.sampled_from(["%00", "\x00", "a\x00b"]),  # NUL: PostgreSQL cannot hold or compare it
)


def _operations() -> list[tuple[str, str, list[str]]]:
    found = []
    for path, operations in generate()["paths"].items():
        for method, operation in operations.items():
            names = [p["name"] for p in operation.get("parameters", []) if p["in"] == "query"]
            found.append((method, path, names))
    return found


OPERATIONS = _operations()


@pytest.fixture
def every_scope_token(sys_admin: User, police_dept: Department) -> str:
    _, token = services.apiclient_create(
        actor=Actor.person(sys_admin),
        name="模糊测试系统",
        department=police_dept,
        scopes=list(ApiClient.Scope.values),
        expires_at=timezone.now() + timedelta(days=1),
    )
    return token


@pytest.mark.parametrize(("method", "path", "names"), OPERATIONS, ids=[f"{m} {p}" for m, p, _ in OPERATIONS])
def test_api_operations_never_answer_500(method: str, path: str, names: list[str], every_scope_token: str) -> None:
    client = Client(HTTP_AUTHORIZATION=f"Bearer {every_scope_token}", raise_request_exception=False)

    @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
    @given(values=st.fixed_dictionaries({name: TEXT for name in names}), segment=TEXT)
    def check(values: dict[str, str], segment: str) -> None:
        url = path.replace("{", "").replace("}", "")
        if "{" in path:  # fill path parameters with arbitrary text
            import re

            url = re.sub(r"\{[^}]+\}", lambda _: segment.replace("/", "%2F") or "x", path)
        response = getattr(client, method)(url, values)
        assert response.status_code < 500, (url, values, response.content[:300])

    check()


FORMS: list[tuple[str, list[str]]] = [
    ("/accounts/login/", ["username", "password"]),
    ("/accounts/register/", ["real_name", "id_number", "phone", "phone_code", "username", "password"]),
    (
        "/accounts/register/enterprise/",
        [
            "enterprise_name",
            "credit_code",
            "agent_name",
            "agent_id_number",
            "phone",
            "phone_code",
            "username",
            "password",
        ],
    ),
    ("/accounts/phone-code/", ["phone"]),
]


@pytest.mark.parametrize(("url", "names"), FORMS, ids=[u for u, _ in FORMS])
def test_public_forms_never_answer_500(url: str, names: list[str]) -> None:
    client = Client(raise_request_exception=False)

    @settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
    @given(values=st.fixed_dictionaries({name: TEXT for name in names}))
    def check(values: dict[str, Any]) -> None:
        response = client.post(url, values)
        assert response.status_code < 500, (url, values)

    check()
