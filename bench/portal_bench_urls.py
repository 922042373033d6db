"""URLs for bench/portal_pages_bench.py: everything of `zhengwu.urls` plus `/bench/bare-page/<name>`,
a bare Django view that answers with the bytes of a page captured from the real server (same size,
same content type, same middleware) without any query or template. Only used by the benchmark."""

from __future__ import annotations

import os
from pathlib import Path

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import include, path

_PAGES: dict[str, bytes] = {}


def bare_page(request: HttpRequest, name: str) -> HttpResponse:
    if name not in _PAGES:
        source = Path(os.environ.get("BENCH_PAGES_DIR", "/nonexistent")) / f"{name}.html"
        if not name.isidentifier() or not source.is_file():
            raise Http404
        _PAGES[name] = source.read_bytes()
    return HttpResponse(_PAGES[name], content_type="text/html; charset=utf-8")


urlpatterns = [
    path("bench/bare-page/<str:name>", bare_page),
    path("", include("zhengwu.urls")),
]

handler404 = "zhengwu.portal.views.not_found"
handler500 = "zhengwu.portal.views.server_error"
