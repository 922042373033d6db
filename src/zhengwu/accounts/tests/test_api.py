"""The accounts API against every kind of caller, and the one error shape."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client, RequestFactory
from django.utils import timezone

from zhengwu.accounts import services
from zhengwu.accounts.api_auth import session_person
from zhengwu.accounts.models import ApiClient, Department, User
from zhengwu.conftest import person_client, staff_client
from zhengwu.core.actors import Actor

pytestmark = pytest.mark.django_db


@pytest.fixture
def police_system(sys_admin: User, police_dept: Department) -> str:
    _, token = services.apiclient_create(
        actor=Actor.person(sys_admin),
        name="金盾工程",
        department=police_dept,
        scopes=[ApiClient.Scope.READ_DIRECTORY],
        expires_at=timezone.now() + timedelta(days=30),
    )
    return token


@pytest.fixture
def narrow_system(sys_admin: User, police_dept: Department) -> str:
    _, token = services.apiclient_create(
        actor=Actor.person(sys_admin),
        name="只写系统",
        department=police_dept,
        scopes=[ApiClient.Scope.EXCHANGE_WRITE],
        expires_at=timezone.now() + timedelta(days=30),
    )
    return token


def test_department_system_lists_departments_with_keyset_pages(police_system: str, market_dept: Department) -> None:
    client = Client(HTTP_AUTHORIZATION=f"Bearer {police_system}")
    first = client.get("/api/v1/accounts/departments", {"limit": 1})
    assert first.status_code == 200
    body = first.json()
    assert len(body["items"]) == 1 and body["next_after"] == body["items"][0]["id"]
    second = client.get("/api/v1/accounts/departments", {"limit": 1, "after": body["next_after"]}).json()
    assert second["items"][0]["id"] > body["items"][0]["id"] and second["next_after"] is None


@pytest.mark.parametrize("header", [None, "Bearer zw_deadbeef_wrong", "Bearer not-a-token", "Basic abc"])
def test_unauthenticated_callers_get_401_in_the_error_shape(header: str | None, market_dept: Department) -> None:
    client = Client(HTTP_AUTHORIZATION=header) if header else Client()
    response = client.get("/api/v1/accounts/departments")
    assert response.status_code == 401
    assert response.json() == {"code": "core.not_authenticated", "message": "需要有效的身份凭证。", "fields": {}}


def test_client_without_the_scope_is_refused(narrow_system: str) -> None:
    response = Client(HTTP_AUTHORIZATION=f"Bearer {narrow_system}").get("/api/v1/accounts/departments")
    assert response.status_code == 403 and response.json()["code"] == "core.permission_denied"


def test_revoked_client_is_refused(sys_admin: User, police_system: str) -> None:
    services.apiclient_revoke(actor=Actor.person(sys_admin), client=ApiClient.objects.get())
    assert Client(HTTP_AUTHORIZATION=f"Bearer {police_system}").get("/api/v1/accounts/departments").status_code == 401


def test_people_use_their_session_and_unverified_staff_are_refused(citizen: User, market_clerk: User) -> None:
    assert person_client(citizen).get("/api/v1/accounts/whoami").json()["kind"] == "citizen"
    assert staff_client(market_clerk).get("/api/v1/accounts/whoami").json()["department"] == "吉林省市场监督管理厅"
    unverified = Client()
    unverified.force_login(market_clerk)
    assert unverified.get("/api/v1/accounts/whoami").status_code == 401


def test_bad_query_parameters_give_400_with_fields(police_system: str) -> None:
    client = Client(HTTP_AUTHORIZATION=f"Bearer {police_system}")
    response = client.get("/api/v1/accounts/departments", {"limit": 100000})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "core.invalid_input" and "limit" in body["fields"]
    response = client.get("/api/v1/accounts/regions", {"parent": "abc"})
    assert response.status_code == 400 and "parent" in response.json()["fields"]


def test_whoami_for_a_department_system(police_system: str) -> None:
    body = Client(HTTP_AUTHORIZATION=f"Bearer {police_system}").get("/api/v1/accounts/whoami").json()
    assert body["kind"] == "api_client" and body["scopes"] == ["directory:read"]


def test_session_person_is_the_person_the_session_auth_let_in(citizen: User) -> None:
    request = RequestFactory().get("/")
    request.auth = citizen  # type: ignore[attr-defined]  # as ninja sets it after PersonSessionAuth
    assert session_person(request) == citizen
    request.auth = "anonymous"  # type: ignore[attr-defined]  # an endpoint that takes other credentials too
    with pytest.raises(AssertionError):
        session_person(request)


def test_every_scope_an_api_asks_for_can_be_issued() -> None:
    """An operation behind a department-system token names a scope the system administrator can
    issue (a choice of `ApiClient.Scope`): documents:exchange and supervision:read were not, so
    no department system could ever call those APIs."""
    from zhengwu.accounts.api_auth import ApiClientAuth
    from zhengwu.api import api

    asked: dict[str, str] = {}
    routers = list(api._routers)
    while routers:
        prefix, router = routers.pop()
        routers += [(prefix + sub_prefix, sub) for sub_prefix, sub, *_ in router._routers]
        callbacks = [(prefix, auth) for auth in router.auth] if isinstance(router.auth, list) else []
        for path, path_view in router.path_operations.items():
            callbacks += [(prefix + path, auth) for op in path_view.operations for auth in op.auth_callbacks]
        for where, auth in callbacks:
            if isinstance(auth, ApiClientAuth) and auth.scope is not None:
                asked[str(auth.scope)] = where
    wanted = {
        "documents:exchange",
        "supervision:read",
        "governance:inventory",
        "emergency:report",
        "emergency:tasks",
        "audit:witness",
    }
    assert wanted <= set(asked), asked
    assert set(asked) <= set(ApiClient.Scope.values), asked
