"""The production WSGI application: the machine API under MACHINE_API_PREFIX passes only the lean
middleware (no cookies, sessions or login), every other path the full browser middleware."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote
from wsgiref.util import setup_testing_defaults

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections

from zhengwu.exchange.sharing.models import AccessLogPending, Grant
from zhengwu.exchange.tests import test_sharing_helpers as helpers
from zhengwu.exchange.tests.test_sharing_helpers import CITIZEN_ID, PURPOSE
from zhengwu.wsgi import application

people, market_grant, market_token = helpers.people, helpers.market_grant, helpers.market_token

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _keep_the_test_transaction() -> Iterator[None]:
    # As Django's test client does: the handler would otherwise close the connection that holds
    # the test's transaction at the end of each request.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def serve(path: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    path, _, query = path.partition("?")
    environ: dict[str, Any] = {"PATH_INFO": path, "QUERY_STRING": query, "wsgi.input": io.BytesIO(b"")}
    for name, value in (headers or {}).items():
        environ["HTTP_" + name.upper().replace("-", "_")] = value
    setup_testing_defaults(environ)
    started: dict[str, Any] = {}

    def start_response(status: str, response_headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        started["status"], started["headers"] = status, response_headers

    body = b"".join(application(environ, start_response))
    names: dict[str, str] = {}
    for name, value in started["headers"]:
        names[name.lower()] = f"{names[name.lower()]}, {value}" if name.lower() in names else value
    return int(started["status"].split()[0]), names, body


def test_the_machine_api_answers_without_the_browser_middleware(market_grant: Grant, market_token: str) -> None:
    status, headers, body = serve(
        f"/api/v1/exchange/{market_grant.resource.code}/records/{CITIZEN_ID}",
        {"Authorization": f"Bearer {market_token}", "X-Purpose": quote(PURPOSE), "Cookie": "sessionid=forged"},
    )
    assert status == 200, body
    assert json.loads(body)["record"]["sfzh"] != CITIZEN_ID  # masked as ever
    assert AccessLogPending.objects.filter(outcome="ok").count() == 1  # and logged
    # Security headers are there; nothing of sessions, CSRF or language negotiation is.
    assert headers["x-content-type-options"] == "nosniff" and headers["x-frame-options"] == "DENY"
    assert "set-cookie" not in headers and "content-language" not in headers
    assert "cookie" not in headers.get("vary", "").lower()


def test_errors_of_the_machine_api_are_json_with_a_code(market_grant: Grant, market_token: str) -> None:
    status, _, body = serve(
        f"/api/v1/exchange/{market_grant.resource.code}/records/{CITIZEN_ID}",
        {"Authorization": f"Bearer {market_token}"},
    )
    assert status == 400 and json.loads(body)["code"] == "exchange.purpose_required"
    status, _, body = serve(f"/api/v1/exchange/{market_grant.resource.code}/records/{CITIZEN_ID}")
    assert status == 401


def test_every_other_path_passes_the_full_middleware() -> None:
    status, headers, _body = serve("/accounts/login/")
    assert status == 200 and "csrftoken=" in headers.get("set-cookie", "")
    assert headers["content-language"].startswith("zh")
    assert headers["x-frame-options"] == "DENY"


# --- the keyed lookup's fast path (exchange.sharing.fast_lookup) ---------------------------------------


@pytest.fixture
def handed_over(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Paths the fast path handed to the Django handler, in order."""
    paths: list[str] = []
    machine_api: Any = application.machine_api
    django_handler = machine_api.fallback

    def fallback(environ: dict[str, Any], start_response: Any) -> Any:
        paths.append(environ["PATH_INFO"])
        return django_handler(environ, start_response)

    monkeypatch.setattr(machine_api, "fallback", fallback)
    return paths


def lookup(resource_code: str, key: str = CITIZEN_ID, **headers: str) -> tuple[int, dict[str, str], bytes]:
    return serve(f"/api/v1/exchange/{resource_code}/records/{key}", headers)


def granted_headers(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", "X-Purpose": quote(PURPOSE)}


def staged() -> list[dict[str, Any]]:
    """The staged rows, but what differs between two calls: id, time, latency, MAC and the number
    in the writer stream (both paths number theirs in one, of the same shape: checked here)."""
    rows = list(AccessLogPending.objects.order_by("id").values())
    streams = [(row["stream"], row["stream_n"]) for row in rows]
    assert all(re.fullmatch(r"[0-9a-f]{16}", stream) for stream, _ in streams)
    numbers = [n for _, n in streams]
    assert numbers == list(range(numbers[0], numbers[0] + len(numbers))) if numbers else True
    assert len({stream for stream, _ in streams}) == 1  # one test, one transaction: one stream
    ignore = {"id", "at", "latency_ms", "mac", "stream_n"}
    return [{k: v for k, v in row.items() if k not in ignore} for row in rows]


def test_the_fast_path_answers_as_the_django_handler_does(
    market_grant: Grant, market_token: str, handed_over: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code = market_grant.resource.code
    auth = {"Authorization": f"Bearer {market_token}", "X-Purpose": quote(PURPOSE)}
    fast = lookup(code, **auth)
    assert handed_over == []  # answered by the fast path
    monkeypatch.setattr(application.machine_api, "answer", lambda environ: None)
    slow = lookup(code, **auth)
    assert handed_over == [f"/api/v1/exchange/{code}/records/{CITIZEN_ID}"]
    assert fast == slow  # status, every header, body: byte for byte
    assert fast[0] == 200 and json.loads(fast[2])["record"]["sfzh"] == "1101**********002X"
    first, second = staged()
    assert first == second and first["outcome"] == "ok" and first["keys"] == ["1101**********002X"]


@pytest.mark.parametrize(
    "call",
    [
        "records?xm=%E6%9D%8E%E5%9B%9B",  # a filter on a queryable item (李四)
        "records?xm=%E5%BC%A0%E4%B8%89&sfzh=11010519491231002X",  # two items (张三 and the key)
        "records?sfzh=11010519491231002X&limit=1",  # the key, with a page size
        "records?xm=%E7%8E%8B%E4%BA%94",  # none found (王五): logged as not_found, answered 200
        "records?xm=%E6%9D%8E%E5%9B%9B&after=11010519491231002X",  # the next page, from a cursor
        "changes",
        "changes?since=1&limit=1",
        "changes?since=99",
    ],
)
def test_the_fast_path_answers_searches_and_the_change_feed_as_the_django_handler_does(
    market_grant: Grant, market_token: str, handed_over: list[str], monkeypatch: pytest.MonkeyPatch, call: str
) -> None:
    """The equivalence of the two paths for the machine API's other reads: the same status, headers
    and body, byte for byte, and the same access-log entry (but its time and latency)."""
    code, auth = market_grant.resource.code, granted_headers(market_token)
    fast = serve(f"/api/v1/exchange/{code}/{call}", auth)
    assert handed_over == []  # answered by the fast path
    monkeypatch.setattr(application.machine_api, "answer", lambda environ: None)
    slow = serve(f"/api/v1/exchange/{code}/{call}", auth)
    assert len(handed_over) == 1
    assert fast == slow  # status, every header, body: byte for byte
    assert fast[0] == 200
    first, second = staged()
    assert first == second and first["outcome"] in {"ok", "not_found"}


def test_the_fast_path_hands_over_what_ninja_would_read_otherwise(
    market_grant: Grant, market_token: str, handed_over: list[str]
) -> None:
    code, auth = market_grant.resource.code, granted_headers(market_token)
    answers = [
        serve(f"/api/v1/exchange/{code}/records?xm=a&limit=0", auth),  # out of range: refused by ninja
        serve(f"/api/v1/exchange/{code}/records?xm=a&limit=+5", auth),  # a sign ninja may read
        serve(f"/api/v1/exchange/{code}/records?xm=a&limit=5&limit=6", auth),  # given twice
        serve(f"/api/v1/exchange/{code}/records?zz=a", auth),  # not queryable: refused and logged
        serve(f"/api/v1/exchange/{code}/changes?since=-1", auth),
        serve(f"/api/v1/exchange/{code}/changes?limit=501", auth),
    ]
    assert [status for status, _, _ in answers] == [400, 200, 200, 400, 400, 400]
    assert len(handed_over) == len(answers)


def test_everything_but_the_common_case_is_handed_over_and_logged_once(
    market_grant: Grant, market_token: str, handed_over: list[str]
) -> None:
    code = market_grant.resource.code
    auth = {"Authorization": f"Bearer {market_token}", "X-Purpose": quote(PURPOSE)}
    answers = [
        lookup(code, **{**auth, "Authorization": ""}),  # no token
        lookup(code, **{**auth, "Authorization": "Bearer zw_not-a-token"}),
        lookup(code, **{**auth, "Authorization": f"Basic {market_token}"}),
        lookup(code, Authorization=auth["Authorization"]),  # no purpose
        lookup(code, **{**auth, "X-Purpose": quote("别的用途")}),  # no grant for it
        lookup("999999/001", **auth),  # no such resource
        lookup(code, key="110105194912310038", **auth),  # no such record
        serve(f"/api/v1/exchange/{code}/records", auth),  # the search
    ]
    assert [status for status, _, _ in answers] == [401, 401, 401, 400, 404, 404, 404, 400]
    assert len(handed_over) == len(answers)
    assert AccessLogPending.objects.count() == len(answers)  # each call logged once, by Django
    assert AccessLogPending.objects.filter(outcome="ok").count() == 0


def test_an_error_before_the_log_is_written_hands_the_call_over(
    market_grant: Grant, market_token: str, handed_over: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from zhengwu.exchange.store import tables as store

    get_record_with = store.get_record_with
    calls: list[str] = []

    def failing_once(resource: Any, key: str, *args: Any) -> Any:
        calls.append(key)
        if len(calls) == 1:
            raise RuntimeError("the table was briefly unreadable")
        return get_record_with(resource, key, *args)

    monkeypatch.setattr(store, "get_record_with", failing_once)
    status, _, _ = lookup(
        market_grant.resource.code, Authorization=f"Bearer {market_token}", **{"X-Purpose": quote(PURPOSE)}
    )
    assert status == 200 and len(calls) == 2 and len(handed_over) == 1
    assert AccessLogPending.objects.count() == 1


def test_an_error_after_the_log_is_written_is_not_answered_twice(
    market_grant: Grant, market_token: str, handed_over: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from zhengwu.exchange.sharing import fast_lookup

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("no response object today")

    monkeypatch.setattr(fast_lookup, "HttpResponse", broken)
    with pytest.raises(RuntimeError):
        lookup(market_grant.resource.code, Authorization=f"Bearer {market_token}", **{"X-Purpose": quote(PURPOSE)})
    assert handed_over == [] and AccessLogPending.objects.filter(outcome="ok").count() == 1


def test_an_https_redirect_of_the_middleware_applies_to_the_fast_path(
    settings: Any, market_grant: Grant, market_token: str
) -> None:
    from zhengwu.exchange.sharing.fast_lookup import FastLookup

    settings.SECURE_SSL_REDIRECT = True
    fast = FastLookup(fallback=lambda environ, start_response: [])
    environ: dict[str, Any] = {
        "PATH_INFO": f"/api/v1/exchange/{market_grant.resource.code}/records/{CITIZEN_ID}",
        "HTTP_AUTHORIZATION": f"Bearer {market_token}",
        "HTTP_X_PURPOSE": quote(PURPOSE),
        "wsgi.input": io.BytesIO(b""),
    }
    setup_testing_defaults(environ)
    response = fast.answer(environ)
    assert response is not None and response.status_code == 301
    assert response["Location"].startswith("https://")
    assert AccessLogPending.objects.count() == 0  # nothing looked up, nothing logged


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/exchange/101001/001/records/11010519491231002X",
        "/api/v1/exchange/a/records/b/records/c",
        "/api/v1/exchange/a/records/changes",
        "/api/v1/exchange/a/records",
        "/api/v1/exchange/a/records/",
        "/api/v1/exchange/a/records/k/",
        "/api/v1/exchange/a/changes",
        "/api/v1/exchange/a/records:upsert",
        "/api/v1/exchange//records/k",
        "/api/v1/exchange/吉林/records/键",
    ],
)
def test_the_fast_path_takes_exactly_the_routes_of_the_reads(path: str) -> None:
    from django.conf import settings
    from django.urls import Resolver404, resolve

    from zhengwu.exchange.sharing.fast_lookup import route_patterns

    names = {"record": "record_get", "search": "records_search", "changes": "changes"}
    found = next(
        (
            (operation, m)
            for operation, pattern in route_patterns(settings.MACHINE_API_PREFIX)
            if (m := pattern.match(path))
        ),
        None,
    )
    try:
        resolved = resolve(path)
    except Resolver404:
        resolved = None
    if resolved is not None and resolved.url_name in names.values():
        assert found is not None and names[found[0]] == resolved.url_name, path
        operation, match = found
        assert match["code"] == resolved.kwargs["resource_code"], path
        if operation == "record":
            assert match["key"] == resolved.kwargs["key"], path
    else:
        assert found is None, path


def test_a_change_committed_by_another_process_is_honoured_by_the_next_fast_call(
    market_grant: Grant, market_token: str, handed_over: list[str]
) -> None:
    from datetime import timedelta

    from django.db import connection
    from django.utils import timezone

    from zhengwu.exchange.sharing.models import QueryCacheVersion

    auth = {"Authorization": f"Bearer {market_token}", "X-Purpose": quote(PURPOSE)}
    assert lookup(market_grant.resource.code, **auth)[0] == 200
    assert lookup(market_grant.resource.code, **auth)[0] == 200  # from this process's caches
    assert handed_over == []
    # Another process expires the grant: its rows change and the version moves, no signal here.
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Grant._meta.db_table} SET valid_until = %s WHERE id = %s",  # noqa: S608
            [timezone.now() - timedelta(seconds=1), market_grant.pk],
        )
        cursor.execute(f"UPDATE {QueryCacheVersion._meta.db_table} SET value = value + 1 WHERE id = 1")  # noqa: S608
    status, _, body = lookup(market_grant.resource.code, **auth)
    assert status == 404 and json.loads(body)["code"] == "exchange.not_found"
    assert AccessLogPending.objects.filter(reason="grant_inactive").count() == 1


class ViewHookMiddleware:
    """A middleware whose check runs in process_view: the fast path would skip it."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        return self.get_response(request)

    def process_view(self, request: Any, view: Any, args: Any, kwargs: Any) -> None:
        return None


def test_a_middleware_with_a_view_hook_turns_the_fast_path_off(settings: Any) -> None:
    from zhengwu.exchange.sharing.fast_lookup import FastLookup

    assert FastLookup(fallback=lambda environ, start_response: []).enabled  # the chain as configured
    settings.MACHINE_API_MIDDLEWARE = [*settings.MACHINE_API_MIDDLEWARE, f"{__name__}.ViewHookMiddleware"]
    fast = FastLookup(fallback=lambda environ, start_response: [])
    environ: dict[str, Any] = {"PATH_INFO": "/api/v1/exchange/101001/001/records/k", "wsgi.input": io.BytesIO(b"")}
    setup_testing_defaults(environ)
    assert not fast.enabled and fast.answer(environ) is None


READS = [f"records/{CITIZEN_ID}", "records?xm=%E6%9D%8E%E5%9B%9B", "changes", "changes?since=99"]


@pytest.mark.parametrize("call", READS)
def test_the_fast_reads_honour_a_change_made_elsewhere_and_the_rate_limit(
    market_grant: Grant, market_token: str, handed_over: list[str], call: str
) -> None:
    """The search and the feed confirm the caches and the rate count in the statement that reads
    their rows (or in one statement beside it when there are none), as the keyed lookup does."""
    from datetime import timedelta

    from django.db import connection
    from django.utils import timezone

    from zhengwu.exchange.sharing.models import QueryCacheVersion

    path, auth = f"/api/v1/exchange/{market_grant.resource.code}/{call}", granted_headers(market_token)
    assert serve(path, auth)[0] == 200 and handed_over == []
    Grant.objects.filter(pk=market_grant.pk).update(rate_limit_per_minute=0)
    status, _, body = serve(path, auth)  # the rate count read with the rows is over the limit
    assert status == 429 and json.loads(body)["code"] == "exchange.rate_limited" and len(handed_over) == 1
    Grant.objects.filter(pk=market_grant.pk).update(rate_limit_per_minute=100)
    assert serve(path, auth)[0] == 200 and len(handed_over) == 1
    # Another process expires the grant: its rows change and the version moves, no signal here.
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Grant._meta.db_table} SET valid_until = %s WHERE id = %s",  # noqa: S608
            [timezone.now() - timedelta(seconds=1), market_grant.pk],
        )
        cursor.execute(f"UPDATE {QueryCacheVersion._meta.db_table} SET value = value + 1 WHERE id = 1")  # noqa: S608
    status, _, body = serve(path, auth)
    assert status == 404 and json.loads(body)["code"] == "exchange.not_found" and len(handed_over) == 2
    assert AccessLogPending.objects.filter(reason="grant_inactive").count() == 1


# --- the access log's group commit (core.group_commit in access_log._insert_pending) ----------------


def _committed_rows() -> int:
    """Staged rows as another connection sees them: committed ones only."""
    import threading

    from django.db import connection as thread_connection

    seen: list[int] = []

    def count() -> None:
        try:
            seen.append(AccessLogPending.objects.count())
        finally:
            thread_connection.close()

    thread = threading.Thread(target=count)
    thread.start()
    thread.join()
    return seen[0]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("call", [READS[0], READS[1], READS[2]])
def test_no_answer_is_sent_without_its_committed_log_row(
    market_grant: Grant, market_token: str, handed_over: list[str], monkeypatch: pytest.MonkeyPatch, call: str
) -> None:
    """The answer's body is built, then its log row is committed: if the commit fails, the call
    fails (the server answers 500) and no answer goes out; when it succeeds the row is committed
    (seen by another connection) before the answer is returned."""
    from django.db import OperationalError

    from zhengwu.exchange.sharing import access_log

    path, auth = f"/api/v1/exchange/{market_grant.resource.code}/{call}", granted_headers(market_token)
    attempts: list[int] = []

    def failing(rows: list[Any]) -> None:
        attempts.append(len(rows))
        raise OperationalError("disk I/O error")

    monkeypatch.setattr(access_log._staging, "_commit", failing)
    with pytest.raises(OperationalError):
        serve(path, auth)
    assert attempts == [1] and handed_over == [] and _committed_rows() == 0
    monkeypatch.undo()
    seen: list[int] = []
    commit = access_log._staging._commit

    def committing(rows: list[Any]) -> None:
        commit(rows)
        seen.append(_committed_rows())  # committed before the answer is returned

    monkeypatch.setattr(access_log._staging, "_commit", committing)
    status, _, _ = serve(path, auth)
    assert status == 200 and seen == [1] and _committed_rows() == 1


@pytest.mark.django_db(transaction=True)
def test_lookups_of_several_threads_commit_their_log_rows_together(market_grant: Grant, market_token: str) -> None:
    import threading

    from django.db import connection as thread_connection

    from zhengwu.exchange.sharing import access_log

    group = access_log._staging
    commit = group._commit
    release = threading.Event()
    batches: list[int] = []

    def holding_the_first(rows: list[Any]) -> None:
        if not batches:
            release.wait(10)  # until the other threads have queued their rows
        batches.append(len(rows))
        commit(rows)

    group._commit = holding_the_first
    statuses: list[int] = []

    def call() -> None:
        try:
            statuses.append(lookup(market_grant.resource.code, **granted_headers(market_token))[0])
        finally:
            thread_connection.close()

    try:
        first = threading.Thread(target=call)
        first.start()
        event = threading.Event()
        for _ in range(10000):
            if group._commit_lock.locked():
                break
            event.wait(0.001)
        others = [threading.Thread(target=call) for _ in range(3)]
        for thread in others:
            thread.start()
        for _ in range(10000):
            if len(group._queue) == 3:
                break
            event.wait(0.001)
        release.set()
        for thread in [first, *others]:
            thread.join(10)
    finally:
        group._commit = commit
    assert statuses == [200] * 4
    assert batches == [1, 3]  # the three that came during the first commit: one transaction
    assert AccessLogPending.objects.filter(outcome="ok").count() == 4
