"""The fast path of the machine API's reads — `GET /api/v1/exchange/{resource_code}/records/{key}`,
`…/records?{item}={value}` and `…/changes?since=` — answered without Django's URL resolution,
ninja's operation machinery and request/response handler.

Department systems call the keyed lookup more than everything else together, and that machinery
(with two round trips this path saves) cost about a quarter of each call measured in process
(docs/benchmarks.md, "Keyed lookup"). This WSGI layer answers the common
case — a valid token with scope exchange:query, a purpose with an active grant within its rate
limit, a record that exists, a filter on queryable items, paging parameters as ninja would read
them — with the very query rules of the ninja view (`query.refusal`, `query.record_answer`,
`query.search_answer`, `query.changes_answer`: the same checks, the same masking, the same
access-log row committed before the answer, the same bytes), inside the same middleware
(`MACHINE_API_MIDDLEWARE`: security headers, the zone rule, an HTTPS redirect if configured).

Everything else is handed to the Django handler untouched — no or a bad token, any refusal, no
such record, a query string on a keyed lookup, a paging parameter given twice or out of range,
another method, an unexpected error — and is answered and logged there as ever. Nothing is
written here before handing over: the access-log row is written only for an answer given here,
after the answer's body is built.
"""

from __future__ import annotations

import logging
import re
import time
import weakref
from collections.abc import Callable, Iterable
from typing import Any
from wsgiref.types import StartResponse, WSGIEnvironment

from django.conf import settings
from django.core import signals
from django.core.handlers.wsgi import WSGIRequest
from django.dispatch import Signal
from django.http import HttpRequest, HttpResponse
from django.utils.module_loading import import_string

from zhengwu.accounts.models import ApiClient
from zhengwu.core import rawsql
from zhengwu.core.errors import ApplicationError
from zhengwu.exchange.sharing import query as query_rules
from zhengwu.exchange.sharing import query_cache, rate_limit
from zhengwu.exchange.sharing.models import AccessLog
from zhengwu.exchange.store import tables

logger = logging.getLogger(__name__)

WSGIApp = Callable[[WSGIEnvironment, StartResponse], Iterable[bytes]]


# Read with the record: the cache version, and the grant's calls this minute.
CHECKS_SQL = f"({query_cache.VERSION_SQL}), ({rate_limit.USED_SQL})"


class RequestSignals:
    """Django's request_started and request_finished, sent as the handler sends them, or, while
    only Django's own receivers listen (the usual case), their one effect on this path: old or
    broken database connections closed (`close_old_connections`, if it is connected). The others
    clear the debug query log, close caches and reset the URLconf, which this path neither fills
    nor opens nor sets; sending the two signals cost about a tenth of a call (docs/benchmarks.md).
    Any other receiver (another app's) makes this send both signals again: none is skipped."""

    def __init__(self) -> None:
        from django.core.cache import close_caches
        from django.core.handlers.base import reset_urlconf
        from django.db import close_old_connections, reset_queries

        # The receiver looked for among the connected ones, and the function called in its place
        # (the same one; tests replace the latter to see it called).
        self.djangos_close = self.close_old_connections = close_old_connections
        self.started_known = {reset_queries, close_old_connections}
        self.finished_known = {close_old_connections, close_caches, reset_urlconf}
        self._checked: tuple[tuple[object, ...], tuple[object, ...]] | None = None
        # (only Django's receivers, close_old_connections connected to started, to finished)
        self._verdict = (False, False, False)

    def _current(self) -> tuple[bool, bool, bool]:
        """Looked at again whenever the receivers change."""
        keys = (_keys(signals.request_started), _keys(signals.request_finished))
        if keys != self._checked:
            started = set(_receivers(signals.request_started))
            finished = set(_receivers(signals.request_finished))
            self._verdict = (
                started <= self.started_known and finished <= self.finished_known,
                self.djangos_close in started,
                self.djangos_close in finished,
            )
            self._checked = keys
        return self._verdict

    def started(self, sender: type, environ: WSGIEnvironment) -> None:
        only_djangos, close, _ = self._current()
        if not only_djangos:
            signals.request_started.send(sender=sender, environ=environ)
        elif close:
            self.close_old_connections()

    def finished(self, sender: type) -> None:
        only_djangos, _, close = self._current()
        if not only_djangos:
            signals.request_finished.send(sender=sender)
        elif close:
            self.close_old_connections()


def _keys(signal: Signal) -> tuple[object, ...]:
    # The entries of Signal.receivers, (lookup key, receiver, is_async) each: a connect or disconnect
    # changes the snapshot. Copied in C: four times a call this was a Python loop (issue 21).
    return tuple(signal.receivers)


def _receivers(signal: Signal) -> list[object]:
    """The receivers of `signal`, weak references resolved (None for a dead one)."""
    return [ref() if isinstance(ref, weakref.ReferenceType) else ref for _, ref, *_ in signal.receivers]


class HandOver(Exception):
    """Not the common case: the Django handler answers this request."""


def bearer_token(header: str) -> str | None:
    """The token of an `Authorization: Bearer …` header, parsed as ninja's HttpBearer does."""
    parts = header.split(" ")
    if not header or parts[0].lower() != "bearer":
        return None
    return " ".join(parts[1:])


def record_path_pattern(prefix: str) -> re.Pattern[str]:
    """The route of `sharing.api.record_get` under `prefix`: ninja's `path` converter (.+) for the
    code, `str` ([^/]+) for the key (tests hold this to Django's resolver)."""
    return re.compile(re.escape(prefix) + r"(?P<code>.+)/records/(?P<key>[^/]+)\Z")


def route_patterns(prefix: str) -> list[tuple[str, re.Pattern[str]]]:
    """The three read routes of `sharing.api`, in the order Django's resolver tries them."""
    start = re.escape(prefix)
    return [
        (AccessLog.Operation.RECORD, record_path_pattern(prefix)),
        (AccessLog.Operation.SEARCH, re.compile(start + r"(?P<code>.+)/records\Z")),
        (AccessLog.Operation.CHANGES, re.compile(start + r"(?P<code>.+)/changes\Z")),
    ]


# Paging parameters the fast path reads itself; anything else ninja would parse differently
# (a sign, spaces, a value out of range: ninja's 422) is handed over.
_NUMBER = re.compile(r"[0-9]{1,9}\Z")


def _paging(request: HttpRequest, name: str, default: int, low: int, high: int) -> int:
    values = request.GET.getlist(name)
    if not values:
        return default
    if len(values) != 1 or not _NUMBER.match(values[0]) or not low <= int(values[0]) <= high:
        raise HandOver
    return int(values[0])


def _single(request: HttpRequest, name: str) -> str | None:
    values = request.GET.getlist(name)
    if len(values) > 1:
        raise HandOver
    return values[0] if values else None


def _path_info(environ: WSGIEnvironment) -> str | None:
    # As Django: PATH_INFO's bytes (latin-1 in WSGI) decoded as UTF-8.
    try:
        return str(environ.get("PATH_INFO", "")).encode("latin-1").decode("utf-8")
    except UnicodeError:
        return None


Read = Callable[[query_rules.Context, list[Any]], tuple[Any, tuple[Any, ...]]]


def _confirmed(request: HttpRequest, operation: str, code: str, started: float, read: Read) -> tuple[Any, Any]:
    """The call's context once permitted, and what `read(ctx, params)` read for it: with the caches
    as last confirmed, confirmed afterwards by the statement that reads the rows (with the cache
    version and the grant's rate count, `CHECKS_SQL` filled from `params`: one round trip, not
    three); if something changed meanwhile, once more with caches confirmed first. `read` returns
    what it read and the two checks' values (() when the statement found no row: handed over)."""
    token = bearer_token(request.META.get("HTTP_AUTHORIZATION", ""))
    if not token:
        raise HandOver
    purpose = query_rules.purpose_header(request)
    for state in (query_cache.cached(), None):
        state = state or query_cache.current()
        ctx = _permitted(request, token, state, operation, code, started, purpose, rate_checked=True)
        grant = ctx.grant
        assert grant is not None and ctx.resource is not None
        found, checks = read(ctx, [grant.pk, rate_limit.current_minute()])
        if not checks:
            raise HandOver  # e.g. no such record (the Django handler looks again, and logs it)
        version, used = checks
        if used >= grant.rate_limit_per_minute:
            raise HandOver
        if query_cache.still_valid(state, version):
            return ctx, found
    raise HandOver  # changed again meanwhile: the Django handler answers


def _checks_alone(params: list[Any]) -> tuple[Any, ...]:
    """The two checks when the statement that reads the rows found none to carry them."""
    return tuple(rawsql.fetch_one(f"SELECT {CHECKS_SQL}", params) or ())


def _answer(request: HttpRequest, code: str, key: str, started: float) -> bytes:
    def read(ctx: query_rules.Context, params: list[Any]) -> tuple[Any, tuple[Any, ...]]:
        assert ctx.resource is not None
        return tables.get_record_with(ctx.resource, key, CHECKS_SQL, params)

    ctx, record = _confirmed(request, AccessLog.Operation.RECORD, code, started, read)
    answer = query_rules.record_answer(ctx, key, record)
    assert answer is not None
    return answer


def _permitted(
    request: HttpRequest,
    token: str,
    state: query_cache.State,
    operation: str,
    code: str,
    started: float,
    purpose: str,
    *,
    rate_checked: bool,
) -> query_rules.Context:
    """The call's context once the token's client, its scope and `query.refusal` allow it (the
    rate limit too unless the caller checks it itself); any refusal is handed over."""
    client = query_cache.client_for_token(token, state)
    if client is None or ApiClient.Scope.EXCHANGE_QUERY not in client.scopes:
        raise HandOver
    ctx = query_rules.Context(
        request=request, client=client, operation=operation, resource_code=code, started=started, purpose=purpose
    )
    if query_rules.refusal(ctx, state, rate_checked_by_caller=rate_checked):
        raise HandOver
    return ctx


def _search(request: HttpRequest, code: str, started: float) -> bytes:
    limit = _paging(request, "limit", query_rules.SEARCH_LIMIT_DEFAULT, 1, query_rules.SEARCH_LIMIT_MAX)
    after = _single(request, "after")
    filters = query_rules.search_filters(request)

    def read(ctx: query_rules.Context, params: list[Any]) -> tuple[Any, tuple[Any, ...]]:
        assert ctx.resource is not None and ctx.grant is not None
        query_rules.check_filter(ctx.resource, filters, granted=ctx.grant.item_codes)  # never a scan
        found, checks = tables.find_records_with(
            ctx.resource, dict(filters), after=after, limit=limit, scalars=CHECKS_SQL, params=params
        )
        return found, checks or _checks_alone(params)

    try:
        ctx, found = _confirmed(request, AccessLog.Operation.SEARCH, code, started, read)
        return query_rules.search_answer(ctx, filters, after=after, limit=limit, found=found)
    except ApplicationError:
        raise HandOver from None  # refused before anything was logged: the ninja view refuses and logs it


def _changes(request: HttpRequest, code: str, started: float) -> bytes:
    since = _paging(request, "since", 0, 0, 10**9 - 1)
    limit = _paging(request, "limit", query_rules.CHANGES_LIMIT_DEFAULT, 1, query_rules.CHANGES_LIMIT_MAX)

    def read(ctx: query_rules.Context, params: list[Any]) -> tuple[Any, tuple[Any, ...]]:
        assert ctx.resource is not None
        found, checks = tables.changes_since_with(ctx.resource, since, limit=limit, scalars=CHECKS_SQL, params=params)
        return found, checks or _checks_alone(params)

    ctx, found = _confirmed(request, AccessLog.Operation.CHANGES, code, started, read)
    return query_rules.changes_answer(ctx, since=since, limit=limit, found=found)


def _view(request: HttpRequest) -> HttpResponse:
    operation, match, started = request._zw_fast_lookup  # type: ignore[attr-defined]
    if operation == AccessLog.Operation.RECORD:
        body = _answer(request, match["code"], match["key"], started)
    elif operation == AccessLog.Operation.SEARCH:
        body = _search(request, match["code"], started)
    else:
        body = _changes(request, match["code"], started)
    return HttpResponse(body, content_type=query_rules.JSON_CONTENT_TYPE)


class FastLookup:
    """WSGI application: the fast path in front of `fallback` (the machine API's Django handler)."""

    def __init__(self, fallback: WSGIApp) -> None:
        self.fallback = fallback
        self.routes = route_patterns(settings.MACHINE_API_PREFIX)
        # The machine API's middleware around the view, built as Django builds its chain; a
        # middleware that answers itself (an HTTPS redirect, the zone rule's 404) does so here.
        chain: Callable[[HttpRequest], HttpResponse] = _view
        # Only __call__ (process_request/process_response) runs here: a middleware with a view
        # hook would be skipped, so such a chain turns the fast path off rather than bypass it.
        self.enabled = True
        for path in reversed(settings.MACHINE_API_MIDDLEWARE):
            chain = import_string(path)(chain)
            if hasattr(chain, "process_view") or hasattr(chain, "process_template_response"):
                logger.warning("fast lookup off: %s has a view hook the fast path would skip", path)
                self.enabled = False
        self.chain = chain
        self.signals = RequestSignals()

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        response = self.answer(environ)
        if response is None:
            return self.fallback(environ, start_response)
        start_response(
            f"{response.status_code} {response.reason_phrase}",
            [*response.items(), *(("Set-Cookie", c.output(header="")) for c in response.cookies.values())],
        )
        return [response.content]

    def answer(self, environ: WSGIEnvironment) -> HttpResponse | None:
        """The fast answer to the request, or None when the Django handler must answer it."""
        started = time.perf_counter()
        if not self.enabled or environ.get("REQUEST_METHOD") != "GET":
            return None
        path = _path_info(environ)
        if path is None:
            return None
        for operation, pattern in self.routes:
            match = pattern.match(path)
            if match is not None:
                if operation == AccessLog.Operation.RECORD and environ.get("QUERY_STRING"):
                    return None
                return self._respond(environ, operation, match, started)
        return None

    def _respond(
        self, environ: WSGIEnvironment, operation: str, match: re.Match[str], started: float
    ) -> HttpResponse | None:
        """The answer, or None to hand the call over."""
        self.signals.started(self.__class__, environ)
        # On a copy: WSGIRequest writes the decoded path back into its environ, and the Django handler
        # the call may be handed over to must read the WSGI one (a key like "荖" made it fail, a 500).
        request = WSGIRequest(dict(environ))
        request._zw_fast_lookup = (operation, match, started)  # type: ignore[attr-defined]
        try:
            return self.chain(request)
        except HandOver:
            return None
        except Exception:
            if getattr(request, "_zw_access_logged", False):
                raise  # answered and logged: handing over would log the call twice
            # Nothing was written: the Django handler answers, and reports, as it would have.
            logger.exception("fast lookup failed; the Django handler answers the call")
            return None
        finally:
            self.signals.finished(self.__class__)
