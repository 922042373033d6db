"""A short-lived cache of the composed public pages, for visitors who are not logged in.

Rendering the home page (four feeds from four apps, the base layout) costs ~20× a bare Django
response; a visitor without a session sees exactly what every other such visitor sees, so the page
is cached and served from the cache:

- only GET, only a visitor with no session and no pending message (no `sessionid`/`messages`
  cookie), only a 200 HTML answer that sets no cookie; a logged-in user always gets a fresh page;
- the key holds the host, the path with its query string, the display modes (长者模式,
  高对比度: core/display.py), the zone and the head of the audit log
  (`audit.selectors.head_seq`, read at most once a second per process): every write in the
  platform is audited, so any publication, reply, catalog change or data load makes the pages
  new within a second;
- anything that changes without a write (data freshness, deadlines) is at most
  `ZHENGWU_PAGE_CACHE_SECONDS` old (setting, default 30; 0 turns the cache off; the test suite
  turns it off except where a test turns it on).

The cache is Django's default cache (per process unless a shared one such as Redis is configured);
invalidation does not depend on it being shared, because the audit head is read from the database.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse

from zhengwu.audit import selectors as audit_selectors
from zhengwu.core import display

PRIVATE_COOKIES = ("sessionid", "messages")
# How long one process trusts the audit head it last read. Reading it costs a database connection
# (SQLite connections are not kept between requests), which is most of a cached answer's cost.
HEAD_CHECK_SECONDS = 1.0
_head: dict[str, float] = {"seq": -1.0, "read_at": -1e9}


def audit_head() -> int:
    """The audit log's head, read from the database at most once per HEAD_CHECK_SECONDS."""
    now = time.monotonic()
    if now - _head["read_at"] >= HEAD_CHECK_SECONDS:
        _head["seq"] = float(audit_selectors.head_seq())
        _head["read_at"] = now
    return int(_head["seq"])


def ttl() -> int:
    return int(settings.ZHENGWU_PAGE_CACHE_SECONDS)


def cacheable(request: HttpRequest) -> bool:
    if request.method != "GET" or ttl() <= 0:
        return False
    cookies = request.COOKIES
    return not any(name in cookies for name in (settings.SESSION_COOKIE_NAME, *PRIVATE_COOKIES))


def page_key(request: HttpRequest) -> str:
    modes = ",".join(sorted(display.modes(request)))
    raw = f"{settings.ZHENGWU_ZONE}|{modes}|{audit_head()}|{request.get_host()}|{request.get_full_path()}"
    return "portal:page:" + hashlib.sha256(raw.encode()).hexdigest()


def public_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Serve `view`'s answer from the cache for visitors who are not logged in (see module doc)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not cacheable(request):
            return view(request, *args, **kwargs)
        key = page_key(request)
        body = cache.get(key)
        if body is not None:
            response = HttpResponse(body, content_type="text/html; charset=utf-8")
            response["Vary"] = "Cookie"
            response["X-Page-Cache"] = "hit"
            return response
        response = view(request, *args, **kwargs)
        if (
            response.status_code == 200
            and not response.streaming
            and not response.cookies
            and response.get("Content-Type", "").startswith("text/html")
        ):
            cache.set(key, response.content, ttl())
            response["X-Page-Cache"] = "miss"
        return response

    return wrapped
