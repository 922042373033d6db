"""Idle session timeout (等保: 会话空闲超时自动退出)."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse

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
