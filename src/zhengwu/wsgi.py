"""The WSGI application: the site, and a lean path for the token-authenticated machine API.

Requests under `MACHINE_API_PREFIX` (/api/v1/exchange/: the query, change-feed and upsert API of
department systems, authenticated by bearer token only) are handled by a second Django handler
whose middleware is `MACHINE_API_MIDDLEWARE`: security headers, the zone rule, error rendering.
They skip the browser middleware (sessions, CSRF, login, OTP, idle timeout, messages, axes,
language), which reads cookies these clients never send and costs about a quarter of a query
call (docs/benchmarks.md). In front of that handler, the keyed lookup's common case is answered
by `exchange.sharing.fast_lookup` (same checks, same log, same middleware; everything else is handed to
the handler). Everything else goes through the full `MIDDLEWARE`.

The access lines (logger `zhengwu.access`, gunicorn's "combined" format with the time taken) are
written here, whatever the server: one per request, except the machine API's reads, each of which
is already in the durable exchange access log with more than the line would say (the line cost
about an eighth of a keyed lookup, docs/benchmarks.md).
"""

import gc
import logging
import os
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from types import TracebackType
from urllib.parse import quote
from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

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


access_logger = logging.getLogger("zhengwu.access")

# Characters a request path keeps as they are in the access line (RFC 3986 pchar and "/").
_PATH_SAFE = "/:@!$&'()*+,;=-._~"


def access_line(environ: WSGIEnvironment, status: str, length: str, took_ms: float) -> str:
    """`127.0.0.1 - - [06/Dec/2026:12:00:00 +0800] "GET /healthz HTTP/1.1" 200 52 "-" "curl/8" 1.2ms`."""
    # PATH_INFO holds the request's bytes as latin-1 (PEP 3333): quoted again as the client sent them.
    path = quote(str(environ.get("PATH_INFO", "")).encode("latin-1", "replace"), safe=_PATH_SAFE)
    query = environ.get("QUERY_STRING")
    target = f"{path}?{query}" if query else path
    request = f"{environ.get('REQUEST_METHOD', '-')} {target} {environ.get('SERVER_PROTOCOL', '-')}"
    return (
        f"{environ.get('REMOTE_ADDR') or '-'} - - [{time.strftime('%d/%b/%Y:%H:%M:%S %z')}] "
        f'"{request}" {status} {length} "{environ.get("HTTP_REFERER", "-")}" '
        f'"{environ.get("HTTP_USER_AGENT", "-")}" {took_ms:.1f}ms'
    )


def with_access_line(
    handler: WSGIApplication, environ: WSGIEnvironment, start_response: StartResponse
) -> Iterable[bytes]:
    """`handler`'s answer, with its access line written once the answer's headers are known."""
    started = time.perf_counter()
    answer = ["-", "-"]  # status code, Content-Length

    def recording(
        status: str,
        headers: list[tuple[str, str]],
        exc_info: tuple[type[BaseException], BaseException, TracebackType] | tuple[None, None, None] | None = None,
    ) -> Callable[[bytes], object]:
        answer[0] = status.split(" ", 1)[0]
        answer[1] = next((value for name, value in headers if name.lower() == "content-length"), "-")
        return start_response(status, headers, exc_info)

    try:
        return handler(environ, recording)
    finally:
        if access_logger.isEnabledFor(logging.INFO):
            access_logger.info(access_line(environ, answer[0], answer[1], (time.perf_counter() - started) * 1000))


# What a request's environ may hold that a process's environment could too (PEP 3333, CGI).
_REQUEST_KEYS = frozenset(
    {
        "REQUEST_METHOD", "SCRIPT_NAME", "PATH_INFO", "QUERY_STRING", "CONTENT_TYPE", "CONTENT_LENGTH",
        "SERVER_NAME", "SERVER_PORT", "SERVER_PROTOCOL", "SERVER_SOFTWARE", "GATEWAY_INTERFACE",
        "REMOTE_ADDR", "REMOTE_HOST", "REMOTE_USER", "REQUEST_URI", "RAW_URI", "HTTPS",
    }
)  # fmt: skip


def process_env_keys() -> frozenset[str]:
    """The variables of this process's environment that are not about a request.

    granian starts every request's environ from a copy of the process environment, as CGI did
    (PEP 3333 allows it), so DATABASE_URL and the like would ride on every `request.META` and
    show wherever META is shown (Django's debug page filters only names like KEY or TOKEN).
    The application takes them out again first."""
    return frozenset(key for key in os.environ if key not in _REQUEST_KEYS and not key.startswith(("HTTP_", "wsgi.")))


class Application:
    def __init__(self) -> None:
        from django.conf import settings

        self.site = get_wsgi_application()  # sets Django up
        from zhengwu.exchange.sharing.fast_lookup import FastLookup

        with machine_api_middleware():
            self.machine_api = FastLookup(WSGIHandler())
        self.prefix = settings.MACHINE_API_PREFIX
        self.process_env = process_env_keys()
        # What start-up built (Django, the apps, the URL and middleware chains) lives as long as the
        # process: frozen, Python's full collections no longer scan it. Measured on the command board's
        # data (docs/benchmarks.md, issue 18): one call in every 14 took 230 ms instead of 69 without it.
        gc.collect()
        gc.freeze()

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        for key in self.process_env:
            environ.pop(key, None)
        if environ.get("PATH_INFO", "").startswith(self.prefix):
            if environ.get("REQUEST_METHOD") == "GET":
                return self.machine_api(environ, start_response)  # logged in the exchange access log
            return with_access_line(self.machine_api, environ, start_response)
        return with_access_line(self.site, environ, start_response)


application = Application()
