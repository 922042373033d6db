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
row with its own SM3-HMAC, chained by the sealer: see `exchange.access_log`). The client, the
resource and the grants are cached per process (`exchange.query_cache`, invalidated on every
change); the rate limit is a counter per grant and minute (`exchange.rate_limit`).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import unquote

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.responses import NinjaJSONEncoder
from ninja.security import HttpBearer

from zhengwu.accounts.models import ApiClient
from zhengwu.catalog.models import Resource, Zone
from zhengwu.core.actors import client_ip
from zhengwu.core.crypto import blind_index
from zhengwu.core.errors import ApplicationError, CoreError
from zhengwu.exchange import access_log, masking, query_cache, rate_limit
from zhengwu.exchange.errors import ExchangeError
from zhengwu.exchange.sharing_models import AccessLog, Grant

router = Router(tags=["共享数据查询"])

NOT_FOUND_MESSAGE = "资源或记录不存在，或未获得共享授权。"
PAGE_LIMIT = 100
JSON_CONTENT_TYPE = "application/json; charset=utf-8"
RESERVED_PARAMS = {"after", "limit"}


class ErrorOut(Schema):
    code: str
    message: str
    fields: dict[str, str]


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
    limit: int = Field(20, ge=1, le=PAGE_LIMIT, description="每页条数（1–100）")


class ChangesQuery(Schema):
    since: int = Field(0, ge=0, description="上次返回的 next_since；首次为 0")
    limit: int = Field(100, ge=1, le=500, description="每次条数（1–500）")


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


def _not_found() -> ApplicationError:
    return ApplicationError(ExchangeError.NOT_FOUND, NOT_FOUND_MESSAGE, status=404)


def purpose_header(request: HttpRequest) -> str:
    """X-Purpose as text: percent-decoded; raw UTF-8 bytes (seen as latin-1 by WSGI) also accepted."""
    return _purpose_text(request.META.get("HTTP_X_PURPOSE", ""))  # not request.headers: it copies every header


@lru_cache(maxsize=256)  # a department system sends the same few purposes on every call
def _purpose_text(raw: str) -> str:
    with contextlib.suppress(UnicodeEncodeError, UnicodeDecodeError):
        raw = raw.encode("latin-1").decode("utf-8")
    return unquote(raw).strip()[:200]


@dataclass
class Context:
    request: HttpRequest
    client: ApiClient
    operation: str
    resource_code: str
    started: float
    purpose: str = ""
    resource: Resource | None = None
    grant: Grant | None = None

    def log(
        self,
        outcome: str,
        *,
        reason: str = "",
        keys: list[str] | None = None,
        filters: dict[str, str] | None = None,
        key_indexes: list[str] | None = None,
        item_codes: list[str] | None = None,
        rows: int = 0,
    ) -> None:
        self.request._zw_access_logged = True  # type: ignore[attr-defined]
        access_log.stage(
            operation=self.operation,
            outcome=outcome,
            reason=reason,
            api_client=self.client,
            resource=self.resource,
            resource_code=self.resource_code[:100],
            grant=self.grant,
            purpose=self.purpose,
            keys=keys or [],
            filters=filters,
            key_indexes=key_indexes or [],
            item_codes=item_codes or [],
            rows=rows,
            latency_ms=int((time.perf_counter() - self.started) * 1000),
            ip=client_ip(self.request),
        )


@dataclass(frozen=True)
class ResourceShape:
    rules: dict[str, masking.ItemRule]
    key_item: str
    key_is_resident_id: bool


_SHAPES: dict[tuple[int, int, str], ResourceShape] = {}


def resource_shape(resource: Resource) -> ResourceShape:
    """Masking rules of the items (cached per resource version)."""
    cache_key = (resource.pk, resource.version, resource.key_item)
    shape = _SHAPES.get(cache_key)
    if shape is None:
        rules = {
            code: masking.rule_for(code, name, data_type, personal)
            for code, name, data_type, personal in resource.items.values_list(
                "code", "name", "data_type", "is_personal"
            )
        }
        key_rule = rules.get(resource.key_item)
        shape = ResourceShape(
            rules=rules,
            key_item=resource.key_item,
            key_is_resident_id=key_rule is not None and key_rule.kind == "resident_id",
        )
        if len(_SHAPES) > 1000:
            _SHAPES.clear()
        _SHAPES[cache_key] = shape
    return shape


def _zone_hides(resource: Resource) -> bool:
    return settings.ZHENGWU_ZONE == "external" and (resource.zone != Zone.EXTERNAL or resource.is_secret)


def refusal(ctx: Context, state: query_cache.State, *, rate_checked_by_caller: bool = False) -> str:
    """Why the call may not go on ("" when it may: `ctx.resource` and `ctx.grant` are then set):
    purpose, resource, zone, grant and rate limit (unless the caller checks it itself). Only
    reads: the caller logs and answers."""
    if not ctx.purpose:
        return "purpose_missing"
    resource = query_cache.published_resource(ctx.resource_code, state)
    if resource is None:
        return "unknown_resource"
    ctx.resource = resource
    if _zone_hides(resource):
        return "zone"
    now = timezone.now()
    grants = query_cache.grants_of(ctx.client.department_id, resource, state)
    grant = next((g for g in grants if g.purpose == ctx.purpose and g.is_active(now)), None)
    if grant is None:
        if any(g.purpose == ctx.purpose for g in grants):
            return "grant_inactive"
        return "purpose_mismatch" if grants else "no_grant"
    ctx.grant = grant
    if not rate_checked_by_caller and rate_limit.exceeded(grant):
        return "rate_limit"
    return ""


def _authorize(ctx: Context) -> Grant:
    """`refusal`, with the refusal logged and raised."""
    state = getattr(ctx.request, "_zw_cache", None) or query_cache.current()
    reason = refusal(ctx, state)
    if not reason:
        assert ctx.grant is not None
        return ctx.grant
    if reason == "purpose_missing":
        ctx.log(AccessLog.Outcome.INVALID, reason=reason)
        raise ApplicationError(
            ExchangeError.PURPOSE_REQUIRED, "请在 X-Purpose 请求头中说明用途。", {"X-Purpose": "必填"}
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
    raise _not_found()


def _granted_rules(shape: ResourceShape, grant: Grant) -> list[masking.ItemRule]:
    return [shape.rules[c] for c in grant.item_codes if c in shape.rules]


def _log_key(shape: ResourceShape, key: str) -> tuple[str, list[str]]:
    """The key as written to the log (masked if it is an ID number) and its blind index."""
    if shape.key_is_resident_id:
        return masking.mask_resident_id(key), [blind_index(key, purpose="resident-id")]
    return key, []


_encode_body = NinjaJSONEncoder().encode  # ninja's JSON, without an encoder built per call


def record_answer(ctx: Context, key: str, record: dict[str, Any] | None = None) -> bytes | None:
    """The body of the 200 answer to a permitted keyed lookup, logged (`ctx.resource` and
    `ctx.grant` set by `refusal`; `record` if the caller has read it); None, with nothing
    logged, when there is no such record."""
    from zhengwu.exchange import store

    assert ctx.resource is not None and ctx.grant is not None
    shape = resource_shape(ctx.resource)
    row = record if record is not None else store.get_record(ctx.resource, key)
    if row is None:
        return None
    out = masking.project(row, _granted_rules(shape, ctx.grant), plain_personal=ctx.grant.plain_personal)
    codes = list(out)
    if "_disputed" in row:
        out["_disputed"] = bool(row["_disputed"])
    # Rendered here rather than validated against RecordOut by ninja (the same JSON, with
    # ninja's encoder): this is the hot path, and the dict is built to that schema.
    body = _encode_body({"resource": ctx.resource.code, "record": out}).encode()
    logged_key, indexes = _log_key(shape, key)
    ctx.log(AccessLog.Outcome.OK, keys=[logged_key], key_indexes=indexes, item_codes=codes, rows=1)
    return body


def _run(request: HttpRequest, resource_code: str, operation: str, body: Callable[[Context], Any]) -> Any:
    ctx = Context(
        request=request,
        client=request.auth,  # type: ignore[attr-defined]
        operation=operation,
        resource_code=resource_code,
        started=time.perf_counter(),
        purpose=purpose_header(request),
    )
    try:
        return body(ctx)
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


@router.get(
    "/{path:resource_code}/records/{key}",
    response={200: RecordOut, **RESPONSES_COMMON},
    auth=AUTH,
    summary="按主键查询一条记录",
    operation_id="exchange_record_get",
)
def record_get(request: HttpRequest, resource_code: str, key: str) -> HttpResponse:
    def body(ctx: Context) -> HttpResponse:
        _authorize(ctx)
        answer = record_answer(ctx, key)
        if answer is None:
            assert ctx.resource is not None
            logged_key, indexes = _log_key(resource_shape(ctx.resource), key)
            ctx.log(AccessLog.Outcome.NOT_FOUND, keys=[logged_key], key_indexes=indexes)
            raise _not_found()
        return HttpResponse(answer, content_type=JSON_CONTENT_TYPE)

    result: HttpResponse = _run(request, resource_code, AccessLog.Operation.RECORD, body)
    return result


@router.get(
    "/{path:resource_code}/records",
    response={200: RecordPage, **RESPONSES_COMMON},
    auth=AUTH,
    summary="按信息项条件查询（键集分页）",
    description="除 after、limit 外的查询参数均为过滤条件：信息项编码=值（精确匹配），只能使用已授权的信息项。",
    operation_id="exchange_records_search",
)
def records_search(request: HttpRequest, resource_code: str, page: Query[SearchQuery]) -> dict[str, Any]:
    from zhengwu.exchange import store

    def body(ctx: Context) -> dict[str, Any]:
        grant = _authorize(ctx)
        assert ctx.resource is not None
        shape = resource_shape(ctx.resource)
        filters = {k: str(request.GET.get(k, "")) for k in request.GET if k not in RESERVED_PARAMS}
        logged_filters = {
            k: (masking.mask_value(v, shape.rules[k].kind) if k in shape.rules and shape.rules[k].personal else v)
            for k, v in filters.items()
        }
        outside = sorted(set(filters) - set(grant.item_codes))
        if not filters or outside:
            ctx.log(AccessLog.Outcome.INVALID, reason="filter", filters=logged_filters)
            message = "请至少给出一个查询条件。" if not filters else f"不能按未授权的信息项查询：{'、'.join(outside)}。"
            raise ApplicationError(ExchangeError.INVALID_FILTER, message, {k: "未授权" for k in outside})
        try:
            rows, next_after = store.find_records(ctx.resource, filters, after=page.after, limit=page.limit)
        except ApplicationError as error:
            ctx.log(AccessLog.Outcome.INVALID, reason=error.code[:64], filters=logged_filters)
            raise
        rules = _granted_rules(shape, grant)
        items = []
        keys: list[str] = []
        indexes: list[str] = []
        for row in rows:
            out = masking.project(row, rules, plain_personal=grant.plain_personal)
            if "_disputed" in row:
                out["_disputed"] = bool(row["_disputed"])
            items.append(out)
            key = row.get(shape.key_item)
            if key is not None:
                logged, idx = _log_key(shape, str(key))
                keys.append(logged)
                indexes.extend(idx)
        outcome = AccessLog.Outcome.OK if rows else AccessLog.Outcome.NOT_FOUND
        codes = [r.code for r in rules]
        ctx.log(outcome, keys=keys, filters=logged_filters, key_indexes=indexes, item_codes=codes, rows=len(rows))
        return {"resource": ctx.resource.code, "items": items, "next_after": next_after}

    result: dict[str, Any] = _run(request, resource_code, AccessLog.Operation.SEARCH, body)
    return result


CHANGE_META = ("_op", "_seq", "_updated_at", "_disputed")


def project_change(change: dict[str, Any], rules: list[masking.ItemRule], *, plain_personal: bool) -> dict[str, Any]:
    """A change of the store's feed (a flat record with `_op`, `_seq` …) reduced to the granted,
    masked items and its bookkeeping fields."""
    out = masking.project(change, rules, plain_personal=plain_personal)
    for field in CHANGE_META:
        if field in change:
            out[field] = change[field]
    return out


def change_key(change: dict[str, Any], key_item: str) -> str | None:
    value = change.get(key_item)
    return None if value is None else str(value)


@router.get(
    "/{path:resource_code}/changes",
    response={200: ChangePage, **RESPONSES_COMMON},
    auth=AUTH,
    summary="增量拉取（游标）",
    operation_id="exchange_changes",
)
def changes(request: HttpRequest, resource_code: str, query: Query[ChangesQuery]) -> dict[str, Any]:
    from zhengwu.exchange import store

    def body(ctx: Context) -> dict[str, Any]:
        grant = _authorize(ctx)
        assert ctx.resource is not None
        shape = resource_shape(ctx.resource)
        rows, next_since = store.changes_since(ctx.resource, query.since, limit=query.limit)
        rules = _granted_rules(shape, grant)
        out = [project_change(dict(c), rules, plain_personal=grant.plain_personal) for c in rows]
        keys: list[str] = []
        indexes: list[str] = []
        for c in rows:
            key = change_key(dict(c), shape.key_item)
            if key is not None:
                logged, idx = _log_key(shape, key)
                keys.append(logged)
                indexes.extend(idx)
        ctx.log(
            AccessLog.Outcome.OK,
            keys=keys,
            filters={"since": str(query.since)},
            key_indexes=indexes,
            item_codes=[r.code for r in rules],
            rows=len(rows),
        )
        return {"resource": ctx.resource.code, "changes": out, "next_since": next_since}

    result: dict[str, Any] = _run(request, resource_code, AccessLog.Operation.CHANGES, body)
    return result
