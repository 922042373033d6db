"""The query rules of the exchange: who may read which records of a resource, and what they see.

Used by both ways into the keyed lookup, the ninja API (`sharing.api`) and the fast path in front of
it (`sharing.fast_lookup`), so that the two cannot drift apart: the purpose header, the refusal of
a call (purpose, resource, zone, grant, rate limit), the masking of the granted items, the key as
written to the access log, and the body of a keyed lookup's answer with its access-log row.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any
from urllib.parse import unquote

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest
from django.utils import timezone
from ninja.responses import NinjaJSONEncoder

from zhengwu.accounts.models import ApiClient
from zhengwu.catalog.models import DataType, Resource, Zone
from zhengwu.core.actors import client_ip
from zhengwu.core.crypto import blind_index
from zhengwu.core.errors import ApplicationError
from zhengwu.exchange.errors import ExchangeError
from zhengwu.exchange.sharing import access_log, masking, query_cache, rate_limit
from zhengwu.exchange.sharing.models import AccessLog, Grant
from zhengwu.exchange.store import tables

NOT_FOUND_MESSAGE = "资源或记录不存在，或未获得共享授权。"
JSON_CONTENT_TYPE = "application/json; charset=utf-8"


def not_found() -> ApplicationError:
    return ApplicationError(ExchangeError.NOT_FOUND, NOT_FOUND_MESSAGE, status=404)


def purpose_header(request: HttpRequest) -> str:
    """X-Purpose as text: percent-decoded; raw UTF-8 bytes (seen as latin-1 by WSGI) also accepted
    where the server passes them on (granian passes a value outside ASCII on as empty)."""
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
    typed: tuple[str, ...] = ()  # items whose values are Decimal, date or datetime (`typed_as_text`)


_SHAPES: dict[tuple[int, int, str], ResourceShape] = {}
_TYPED = frozenset({DataType.DECIMAL, DataType.DATE, DataType.DATETIME})


def resource_shape(resource: Resource) -> ResourceShape:
    """Masking rules of the items (cached per resource version)."""
    cache_key = (resource.pk, resource.version, resource.key_item)
    shape = _SHAPES.get(cache_key)
    if shape is None:
        items = list(resource.items.values_list("code", "name", "data_type", "is_personal"))
        rules = {code: masking.rule_for(code, name, data_type, personal) for code, name, data_type, personal in items}
        key_rule = rules.get(resource.key_item)
        shape = ResourceShape(
            rules=rules,
            key_item=resource.key_item,
            key_is_resident_id=key_rule is not None and key_rule.kind == "resident_id",
            typed=tuple(code for code, _, data_type, _ in items if data_type in _TYPED),
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


def granted_rules(shape: ResourceShape, grant: Grant) -> list[masking.ItemRule]:
    return [shape.rules[c] for c in grant.item_codes if c in shape.rules]


def log_key(shape: ResourceShape, key: str) -> tuple[str, list[str]]:
    """The key as written to the log (masked if it is an ID number) and its blind index."""
    if shape.key_is_resident_id:
        return masking.mask_resident_id(key), [blind_index(key, purpose="resident-id")]
    return key, []


def log_keys(shape: ResourceShape, keys: Iterable[object]) -> tuple[list[str], list[str]]:
    """`log_key` of each key that is not None: the keys as logged and all their blind indexes."""
    logged: list[str] = []
    indexes: list[str] = []
    for key in keys:
        if key is not None:
            one, idx = log_key(shape, str(key))
            logged.append(one)
            indexes.extend(idx)
    return logged, indexes


_encode_body = NinjaJSONEncoder().encode  # ninja's JSON, without an encoder built per call
_TEXT_OF: dict[type, Callable[[Any], str]] = {
    Decimal: str,
    date: date.isoformat,
    datetime: DjangoJSONEncoder().default,
}


def typed_as_text(out: dict[str, Any], codes: Iterable[str]) -> dict[str, Any]:
    """`out` with the Decimal, date and datetime values of `codes` turned into the text the
    body's JSON shows for them (Django's: `str` of a Decimal, a date's `isoformat`, a datetime as
    `DjangoJSONEncoder` writes it), here by their exact type, not in the encoder's `default`
    callback: ninja's tries pydantic models, URLs, addresses and enums first, and the callback
    for the 300 such values of a change-feed page was most of the page's encoding
    (docs/benchmarks.md, issue 21). The body's bytes are the same."""
    for code in codes:
        convert = _TEXT_OF.get(type(out.get(code)))
        if convert is not None:
            out[code] = convert(out[code])
    return out


def record_answer(ctx: Context, key: str, record: dict[str, Any] | None = None) -> bytes | None:
    """The body of the 200 answer to a permitted keyed lookup, logged (`ctx.resource` and
    `ctx.grant` set by `refusal`; `record` if the caller has read it); None, with nothing
    logged, when there is no such record."""

    assert ctx.resource is not None and ctx.grant is not None
    shape = resource_shape(ctx.resource)
    row = record if record is not None else tables.get_record(ctx.resource, key)
    if row is None:
        return None
    out = typed_as_text(
        masking.project(row, granted_rules(shape, ctx.grant), plain_personal=ctx.grant.plain_personal), shape.typed
    )
    codes = list(out)
    if "_disputed" in row:
        out["_disputed"] = bool(row["_disputed"])
    # Rendered here rather than validated against RecordOut by ninja (the same JSON, with
    # ninja's encoder): this is the hot path, and the dict is built to that schema.
    body = _encode_body({"resource": ctx.resource.code, "record": out}).encode()
    logged_key, indexes = log_key(shape, key)
    ctx.log(AccessLog.Outcome.OK, keys=[logged_key], key_indexes=indexes, item_codes=codes, rows=1)
    return body


# --- filtered search: only on queryable items (docs/rules.md, 可查询数据项) --------------------

# Paging of the search and the change feed (the ninja schemas and the fast path both use these).
SEARCH_LIMIT_DEFAULT, SEARCH_LIMIT_MAX = 20, 100
CHANGES_LIMIT_DEFAULT, CHANGES_LIMIT_MAX = 100, 500
RESERVED_PARAMS = frozenset({"after", "limit"})  # the search's paging; every other parameter is a filter


def queryable_items(resource: Resource) -> list[str]:
    """The item codes a filter may use, in the catalog's order: the key, and each item declared
    queryable whose index the store has built."""
    codes = tables.queryable_codes(resource)
    return [code for code in resource_shape(resource).rules if code in codes]


def check_filter(resource: Resource, filters: Mapping[str, str], *, granted: Collection[str] | None = None) -> None:
    """Refuse a filter the store would answer with a scan, or that reaches outside the grant:
    `INVALID_FILTER` when there is no condition or an item is not granted (`granted` given),
    `NOT_QUERYABLE` (naming the queryable items) when an item is not queryable. For every
    filtered read of a resource's records (the query API, and any other app's selector)."""
    if not filters:
        raise ApplicationError(ExchangeError.INVALID_FILTER, "请至少给出一个查询条件。", {"filter": "必填"})
    if granted is not None:
        outside = sorted(set(filters) - set(granted))
        if outside:
            raise ApplicationError(
                ExchangeError.INVALID_FILTER,
                f"不能按未授权的信息项查询：{'、'.join(outside)}。",
                dict.fromkeys(outside, "未授权"),
            )
    allowed = queryable_items(resource)
    refused = [code for code in filters if code not in allowed]
    if refused:
        names = "、".join(allowed) if allowed else "无"
        raise ApplicationError(
            ExchangeError.NOT_QUERYABLE,
            f"信息项 {'、'.join(refused)} 不是可查询数据项，不能按其查询（可查询的信息项：{names}）。",
            dict.fromkeys(refused, f"不可查询；可查询：{names}"),
        )


def search_filters(request: HttpRequest) -> dict[str, str]:
    """The filters of a search call: every query parameter but the paging ones."""
    return {k: str(request.GET.get(k, "")) for k in request.GET if k not in RESERVED_PARAMS}


def logged_filters(shape: ResourceShape, filters: Mapping[str, str]) -> dict[str, str]:
    """The filters as written to the access log: values of personal items masked."""
    rules = shape.rules
    return {
        k: (masking.mask_value(v, rules[k].kind) if k in rules and rules[k].personal else v) for k, v in filters.items()
    }


Page = tuple[list[dict[str, Any]], Any]  # the records or changes of a page, and the next cursor


def search_answer(
    ctx: Context, filters: Mapping[str, str], *, after: str | None, limit: int, found: Page | None = None
) -> bytes:
    """The body of the 200 answer to a permitted search (`refusal` passed), logged; or an
    ApplicationError raised before anything is logged (the caller logs the refusal). `found`:
    the page as `tables.find_records` returns it, if the caller has read it (after `check_filter`)."""
    grant, resource = ctx.grant, ctx.resource
    assert grant is not None and resource is not None
    shape = resource_shape(resource)
    check_filter(resource, filters, granted=grant.item_codes)
    rows, next_after = found or tables.find_records(resource, dict(filters), after=after, limit=limit)
    rules = granted_rules(shape, grant)
    items = []
    for row in rows:
        out = typed_as_text(masking.project(row, rules, plain_personal=grant.plain_personal), shape.typed)
        if "_disputed" in row:
            out["_disputed"] = bool(row["_disputed"])
        items.append(out)
    body = _encode_body({"resource": resource.code, "items": items, "next_after": next_after}).encode()
    keys, indexes = log_keys(shape, (row.get(shape.key_item) for row in rows))
    outcome = AccessLog.Outcome.OK if rows else AccessLog.Outcome.NOT_FOUND
    ctx.log(
        outcome,
        keys=keys,
        filters=logged_filters(shape, filters),
        key_indexes=indexes,
        item_codes=[r.code for r in rules],
        rows=len(rows),
    )
    return body


def changes_answer(ctx: Context, *, since: int, limit: int, found: Page | None = None) -> bytes:
    """The body of the 200 answer to a permitted change-feed call (`refusal` passed), logged
    (`found`: the page as `tables.changes_since` returns it, if the caller has read it)."""
    grant, resource = ctx.grant, ctx.resource
    assert grant is not None and resource is not None
    shape = resource_shape(resource)
    rows, next_since = found or tables.changes_since(resource, since, limit=limit)
    rules = granted_rules(shape, grant)
    typed = (*shape.typed, "_updated_at")
    out = [typed_as_text(project_change(c, rules, plain_personal=grant.plain_personal), typed) for c in rows]
    body = _encode_body({"resource": resource.code, "changes": out, "next_since": next_since}).encode()
    keys, indexes = log_keys(shape, (change_key(c, shape.key_item) for c in rows))
    ctx.log(
        AccessLog.Outcome.OK,
        keys=keys,
        filters={"since": str(since)},
        key_indexes=indexes,
        item_codes=[r.code for r in rules],
        rows=len(rows),
    )
    return body


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
