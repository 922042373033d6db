"""Session rules of 等保: idle timeout (会话空闲超时自动退出) and the second-factor gate."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse

from zhengwu.accounts.errors import AccountsError
from zhengwu.accounts.session import second_factor_passed
from zhengwu.core import refusals
from zhengwu.core.errors import ApplicationError

SECOND_FACTOR_MESSAGE = "请先完成第二重身份验证（动态口令），再使用其他功能。"

LAST_SEEN_KEY = "zw_last_seen"


class IdleTimeoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = time.time()
            last_seen = request.session.get(LAST_SEEN_KEY)
            if last_seen is not None and now - float(last_seen) > settings.IDLE_TIMEOUT_MINUTES * 60:
                logout(request)
                request.idle_logged_out = True  # type: ignore[attr-defined]
            else:
                request.session[LAST_SEEN_KEY] = now
        return self.get_response(request)


# What a staff account may reach between the password step and the second factor (等保: 双因素).
_BEFORE_SECOND_FACTOR = ("/accounts/otp/", "/accounts/logout/", "/accounts/login/", "/static/", "/healthz")


class SecondFactorGateMiddleware:
    """A staff session that has passed only the password reaches nothing but the second-factor
    pages and logout: every other page (the citizen-side ones included) sends it to the
    verification step."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and getattr(user, "kind", None) == "staff"
            and not second_factor_passed(user)
            and not request.path_info.startswith(_BEFORE_SECOND_FACTOR)
            # The API's session authentication already takes such a session for no login (401).
            and not request.path_info.startswith("/api/")
        ):
            error = ApplicationError(AccountsError.SECOND_FACTOR_REQUIRED, SECOND_FACTOR_MESSAGE, status=403)
            refusals.refused(request, error)  # a write refused here is in the audit log all the same
            return redirect_to_login(request.get_full_path(), login_url="accounts:otp")
        return self.get_response(request)
