"""/api/v1/exchange — the query API for department systems (查询共享数据).

    GET /api/v1/exchange/{resource_code}/records/{key}
    GET /api/v1/exchange/{resource_code}/records?{item}={value}&…&after=&limit=
    GET /api/v1/exchange/{resource_code}/changes?since=&limit=

Resource codes contain "/" (`101001/001`): send it as is (`/exchange/101001/001/records/…`) or
percent-encoded (`101001%2F001`); both reach the same route (a `path` converter).

Authentication: `Authorization: Bearer zw_…` of an API client with scope `exchange:query`.
`X-Purpose` is required: the purpose of an active grant of the client's department for that
resource (non-ASCII text percent-encoded as UTF-8, e.g. `%E5%B8%82%E5%9C%BA%E7%9B%91%E7%AE%A1`).

Deny by default, and say nothing: an unknown resource, a resource without an active grant for
that purpose (none, expired, revoked, another purpose), a resource of the internal network on an
external instance, and an unknown key all answer the same 404 `exchange.not_found`. Only the
granted items come back; personal items are masked unless the grant allows plain values.

Every call is written to the access log and committed before the answer is sent (a staged
row with its own SM3-HMAC, chained by the sealer: see `exchange.sharing.access_log`). The client, the
resource and the grants are cached per process (`exchange.sharing.query_cache`, invalidated on every
change); the rate limit is a counter per grant and minute (`exchange.sharing.rate_limit`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema
from ninja.security import HttpBearer

from zhengwu.accounts.models import ApiClient
from zhengwu.core.actors import client_ip
from zhengwu.core.errors import ApplicationError, CoreError
from zhengwu.core.schemas import ErrorOut
from zhengwu.exchange.errors import ExchangeError
from zhengwu.exchange.sharing import access_log, query_cache
from zhengwu.exchange.sharing import query as query_rules
from zhengwu.exchange.sharing.models import AccessLog, Grant

router = Router(tags=["共享数据查询"])

# The web server (granian) passes a header value outside ASCII on as empty: a purpose written in
# raw UTF-8 arrives as none, so the answer says how to send Chinese text.
PURPOSE_REQUIRED_MESSAGE = (
    "请在 X-Purpose 请求头中说明用途；中文须按 UTF-8 百分号编码（URL 编码），"
    "例如“案件协查”写作 %E6%A1%88%E4%BB%B6%E5%8D%8F%E6%9F%A5。"
)
# X-Purpose, declared for the OpenAPI (read by `query.purpose_header`; issue 16).
PURPOSE_PARAMETER = {
    "in": "header",
    "name": "X-Purpose",
    "required": True,
    "description": "用途：须与本部门有效授权的用途一致；非 ASCII 文字按 UTF-8 百分号编码",
    "schema": {"type": "string", "maxLength": 200},
}
WITH_PURPOSE = {"parameters": [PURPOSE_PARAMETER]}


class RecordOut(Schema):
    resource: str = Field(description="资源代码")
    record: dict[str, Any] = Field(description="已授权信息项；个人信息按授权脱敏")


class RecordPage(Schema):
    resource: str
    items: list[dict[str, Any]]
    next_after: str | None = Field(description="下一页游标；无更多时为 null")


class ChangePage(Schema):
    resource: str
    changes: list[dict[str, Any]]
    next_since: int = Field(description="下次拉取时作为 since")


class SearchQuery(Schema):
    after: str | None = Field(None, description="上一页返回的 next_after")
    limit: int = Field(
        query_rules.SEARCH_LIMIT_DEFAULT, ge=1, le=query_rules.SEARCH_LIMIT_MAX, description="每页条数（1–100）"
    )


class ChangesQuery(Schema):
    since: int = Field(0, ge=0, description="上次返回的 next_since；首次为 0")
    limit: int = Field(
        query_rules.CHANGES_LIMIT_DEFAULT, ge=1, le=query_rules.CHANGES_LIMIT_MAX, description="每次条数（1–500）"
    )


# --- authentication that is itself logged -----------------------------------------------------


def _resource_code_of(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    return str(match.kwargs.get("resource_code", "")) if match else ""


class QueryAuth(HttpBearer):
    """Bearer token with scope exchange:query; failed attempts are written to the access log too."""

    def __call__(self, request: HttpRequest) -> Any:
        started = time.perf_counter()
        try:
            result = super().__call__(request)
        except ApplicationError as error:
            _log_failure(request, started, AccessLog.Outcome.DENIED, "scope", client=None)
            raise error
        if result is None:
            _log_failure(request, started, AccessLog.Outcome.DENIED, "unauthenticated", client=None)
        return result

    def authenticate(self, request: HttpRequest, token: str) -> ApiClient | None:
        state = query_cache.current()
        request._zw_cache = state  # type: ignore[attr-defined]
        client = query_cache.client_for_token(token, state)
        if client is None:
            return None
        if ApiClient.Scope.EXCHANGE_QUERY not in client.scopes:
            _log_failure(request, time.perf_counter(), AccessLog.Outcome.DENIED, "scope", client=client)
            raise ApplicationError(CoreError.PERMISSION_DENIED, "该凭证未获得此接口的授权范围。")
        request.api_client = client  # type: ignore[attr-defined]
        return client


def _log_failure(request: HttpRequest, started: float, outcome: str, reason: str, *, client: ApiClient | None) -> None:
    if getattr(request, "_zw_access_logged", False):
        return
    request._zw_access_logged = True  # type: ignore[attr-defined]
    access_log.stage(
        operation=_operation_of(request),
        outcome=outcome,
        reason=reason,
        api_client=client,
        resource_code=_resource_code_of(request)[:100],
        latency_ms=int((time.perf_counter() - started) * 1000),
        ip=client_ip(request),
    )


def _operation_of(request: HttpRequest) -> str:
    path = request.path
    if path.endswith("/changes"):
        return AccessLog.Operation.CHANGES
    if path.rstrip("/").endswith("/records"):
        return AccessLog.Operation.SEARCH
    return AccessLog.Operation.RECORD


# --- the pipeline of one call -------------------------------------------------------------


def _authorize(ctx: query_rules.Context) -> Grant:
    """`query_rules.refusal`, with the refusal logged and raised."""
    state = getattr(ctx.request, "_zw_cache", None) or query_cache.current()
    reason = query_rules.refusal(ctx, state)
    if not reason:
        assert ctx.grant is not None
        return ctx.grant
    if reason == "purpose_missing":
        ctx.log(AccessLog.Outcome.INVALID, reason=reason)
        raise ApplicationError(
            ExchangeError.PURPOSE_REQUIRED, PURPOSE_REQUIRED_MESSAGE, {"X-Purpose": "必填，中文须百分号编码"}
        )
    if reason == "rate_limit":
        assert ctx.grant is not None
        ctx.log(AccessLog.Outcome.RATE_LIMITED, reason=reason)
        raise ApplicationError(
            ExchangeError.RATE_LIMITED,
            f"调用过于频繁：该授权每分钟最多 {ctx.grant.rate_limit_per_minute} 次。",
            status=429,
        )
    ctx.log(AccessLog.Outcome.DENIED, reason=reason)
    raise query_rules.not_found()


def _answer(
    request: HttpRequest, resource_code: str, operation: str, body: Callable[[query_rules.Context], bytes]
) -> HttpResponse:
    """One read: its context, the grant checked (`_authorize`), then `body`'s JSON answer. A refusal or
    failure that no step logged is logged here, so every call leaves one access-log entry."""
    ctx = query_rules.Context(
        request=request,
        client=request.auth,  # type: ignore[attr-defined]
        operation=operation,
        resource_code=resource_code,
        started=time.perf_counter(),
        purpose=query_rules.purpose_header(request),
    )
    try:
        _authorize(ctx)
        return HttpResponse(body(ctx), content_type=query_rules.JSON_CONTENT_TYPE)
    except ApplicationError as error:
        if not getattr(request, "_zw_access_logged", False):
            ctx.log(AccessLog.Outcome.INVALID, reason=error.code[:64])
        raise
    except Exception:
        if not getattr(request, "_zw_access_logged", False):
            ctx.log(AccessLog.Outcome.INVALID, reason="server_error")
        raise


AUTH = [QueryAuth()]
RESPONSES_COMMON = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 429: ErrorOut}


def _query_get(
    path: str, answer: type[Schema], *, summary: str, description: str | None = None
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """A GET of the query API: the client's token, the X-Purpose header and the refusals every
    read shares, around `answer`, what it returns; its operation id is `exchange_<view name>`."""

    def route(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        return router.get(
            path,
            response={200: answer, **RESPONSES_COMMON},
            auth=AUTH,
            summary=summary,
            description=description,
            operation_id=f"exchange_{view.__name__}",
            openapi_extra=WITH_PURPOSE,
        )(view)

    return route


@_query_get("/{path:resource_code}/records/{key}", RecordOut, summary="按主键查询一条记录")
def record_get(request: HttpRequest, resource_code: str, key: str) -> HttpResponse:
    def body(ctx: query_rules.Context) -> bytes:
        answer = query_rules.record_answer(ctx, key)
        if answer is None:
            assert ctx.resource is not None
            logged_key, indexes = query_rules.log_key(query_rules.resource_shape(ctx.resource), key)
            ctx.log(AccessLog.Outcome.NOT_FOUND, keys=[logged_key], key_indexes=indexes)
            raise query_rules.not_found()
        return answer

    return _answer(request, resource_code, AccessLog.Operation.RECORD, body)


@_query_get(
    "/{path:resource_code}/records",
    RecordPage,
    summary="按信息项条件查询（键集分页）",
    description=(
        "除 after、limit 外的查询参数均为过滤条件：信息项编码=值（精确匹配），只能使用已授权的、"
        "目录中声明为可查询数据项的信息项（及主键）。各资源的可查询信息项见目录接口"
        " GET /api/v1/catalog/resources/{code} 的 items[].queryable 与 query_combinations，"
        "及资源页“信息项”表的“可查询”列。按不可查询的信息项过滤返回 400 exchange.not_queryable，"
        "错误说明列出可查询的信息项。"
    ),
)
def records_search(request: HttpRequest, resource_code: str, page: Query[SearchQuery]) -> HttpResponse:

    def body(ctx: query_rules.Context) -> bytes:
        assert ctx.resource is not None
        filters = query_rules.search_filters(request)
        try:
            return query_rules.search_answer(ctx, filters, after=page.after, limit=page.limit)
        except ApplicationError as error:
            logged = query_rules.logged_filters(query_rules.resource_shape(ctx.resource), filters)
            ctx.log(AccessLog.Outcome.INVALID, reason=error.code[:64], filters=logged)
            raise

    return _answer(request, resource_code, AccessLog.Operation.SEARCH, body)


@_query_get("/{path:resource_code}/changes", ChangePage, summary="增量拉取（游标）")
def changes(request: HttpRequest, resource_code: str, query: Query[ChangesQuery]) -> HttpResponse:
    def body(ctx: query_rules.Context) -> bytes:
        return query_rules.changes_answer(ctx, since=query.since, limit=query.limit)

    return _answer(request, resource_code, AccessLog.Operation.CHANGES, body)
