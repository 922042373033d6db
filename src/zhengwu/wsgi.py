"""The WSGI application: the site, and a lean path for the token-authenticated machine API.

Requests under `MACHINE_API_PREFIX` (/api/v1/exchange/: the query, change-feed and upsert API of
department systems, authenticated by bearer token only) are handled by a second Django handler
whose middleware is `MACHINE_API_MIDDLEWARE`: security headers, the zone rule, error rendering.
They skip the browser middleware (sessions, CSRF, login, OTP, idle timeout, messages, axes,
language), which reads cookies these clients never send and costs about a quarter of a query
call (docs/benchmarks.md). In front of that handler, the keyed lookup's common case is answered
by `exchange.fast_lookup` (same checks, same log, same middleware; everything else is handed to
the handler). Everything else goes through the full `MIDDLEWARE`.
"""

import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from wsgiref.types import StartResponse, WSGIEnvironment

from django.core.handlers.wsgi import WSGIHandler
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhengwu.settings")


@contextmanager
def machine_api_middleware() -> Iterator[None]:
    """Django builds a handler's middleware chain from settings.MIDDLEWARE: inside this block
    that is MACHINE_API_MIDDLEWARE. Used once at start-up, before any request (and by tests)."""
    from django.conf import settings

    saved = settings.MIDDLEWARE
    settings.MIDDLEWARE = list(settings.MACHINE_API_MIDDLEWARE)
    try:
        yield
    finally:
        settings.MIDDLEWARE = saved


class Application:
    def __init__(self) -> None:
        from django.conf import settings

        self.site = get_wsgi_application()  # sets Django up
        from zhengwu.exchange.fast_lookup import FastLookup

        with machine_api_middleware():
            self.machine_api = FastLookup(WSGIHandler())
        self.prefix = settings.MACHINE_API_PREFIX

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        handler = self.machine_api if environ.get("PATH_INFO", "").startswith(self.prefix) else self.site
        return handler(environ, start_response)


application = Application()
