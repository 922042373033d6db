"""How callers of /api/v1 prove who they are: department systems by bearer token, people by session."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from zhengwu.accounts.models import ApiClient, User
from zhengwu.accounts.services import apiclient_authenticate
from zhengwu.accounts.session import second_factor_passed
from zhengwu.core.errors import ApplicationError, CoreError


class ApiClientAuth(HttpBearer):
    """Bearer token of a registered, unexpired, unrevoked department system holding `scope`.

    The scope is one of `ApiClient.Scope`: a scope that is not a choice there could never be
    issued (the system administrator's form offers only the choices), so its API would refuse
    every caller.
    """

    def __init__(self, scope: ApiClient.Scope | None = None) -> None:
        super().__init__()
        self.scope = scope

    def authenticate(self, request: HttpRequest, token: str) -> ApiClient | None:
        client = apiclient_authenticate(token)
        if client is None:
            return None
        request.api_client = client  # type: ignore[attr-defined]  # known even when refused: its refusal is recorded
        if self.scope and self.scope not in client.scopes:
            raise ApplicationError(CoreError.PERMISSION_DENIED, "该凭证未获得此接口的授权范围。")
        return client


class PersonSessionAuth(SessionAuth):
    """A logged-in person. Staff must also have passed the second factor."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        if user is None:
            return None
        if getattr(user, "kind", "") == "staff" and not second_factor_passed(user):
            return None
        return user


def session_person(request: HttpRequest) -> User:
    """The person `PersonSessionAuth` let in, typed, for an endpoint that takes only a session."""
    user = getattr(request, "auth", None)
    assert isinstance(user, User), "the endpoint does not take PersonSessionAuth alone"
    return user
