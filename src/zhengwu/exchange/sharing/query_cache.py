"""Per-process caches of the query API: the API client of a token, the published resource of a
code, and the grants of a consumer department on a resource.

Invalidation — a revoked or changed grant, client or resource must take effect at once:

- every save or delete of an API client, department, resource, data item or grant, and every
  queryset `update()` of resources and grants (`catalog.signals.rows_updated`), bumps a
  version counter, both in this process (immediately) and in the one-row table
  `QueryCacheVersion` (in the writer's transaction, so other processes see it when it commits);
- every call reads that row (one primary-key lookup) and drops everything cached when the
  version moved. So a change made by any process is honoured by the next call that starts after
  it committed.
- expiry needs no invalidation: the cached client's `expires_at` and the grant's validity are
  compared with the clock on every call.
- the client's `last_used_at` stays coarse: a cached client is re-authenticated (which records
  the use) once `accounts.services.LAST_USED_RESOLUTION` has passed since its last recorded use.

Failed token checks are never cached (a random token must not grow the cache); the caches are
bounded and simply cleared when full.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from zhengwu.accounts.models import ApiClient, Department
from zhengwu.accounts.services import LAST_USED_RESOLUTION, apiclient_authenticate
from zhengwu.catalog.models import DataItem, Resource
from zhengwu.catalog.signals import rows_updated
from zhengwu.core.rawsql import fetch_one
from zhengwu.exchange.sharing.models import Grant, QueryCacheVersion

MAX_ENTRIES = 10_000


@dataclass
class State:
    tag: tuple[int, int]
    clients: dict[str, ApiClient] = field(default_factory=dict)
    resources: dict[str, Resource | None] = field(default_factory=dict)
    grants: dict[tuple[int, int], tuple[Grant, ...]] = field(default_factory=dict)


_local_version = 0
_lock = threading.Lock()
_state = State(tag=(-1, -1))


VERSION_SQL = f"SELECT value FROM {QueryCacheVersion._meta.db_table} WHERE id = 1"  # noqa: S608


def _db_version() -> int:
    row = fetch_one(VERSION_SQL)
    return int(row[0]) if row else -1


def cached() -> State:
    """The caches as last confirmed, without reading the version: the caller confirms them with
    `still_valid` and a version it reads itself (the fast path, in the statement that reads the
    rate count: one round trip less)."""
    return _state


def still_valid(state: State, db_version: int | None) -> bool:
    """Nothing changed since `state` was built, given the version read now."""
    return db_version is not None and state.tag == (_local_version, int(db_version))


def current() -> State:
    """The caches valid for this call (a fresh, empty set when anything changed)."""
    global _state
    tag = (_local_version, _db_version())
    state = _state
    if state.tag != tag:
        state = State(tag=tag)
        _state = state
    return state


def bump(**kwargs: Any) -> None:
    """Signal receiver: something the caches hold changed."""
    global _local_version, _state
    with _lock:
        _local_version += 1
        _state = State(tag=(-1, -1))
    table = connection.ops.quote_name(QueryCacheVersion._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET value = value + 1 WHERE id = 1")  # noqa: S608
        if cursor.rowcount == 0:
            QueryCacheVersion.objects.get_or_create(pk=1, defaults={"value": 1})


def connect_signals() -> None:
    rows_updated.connect(bump, dispatch_uid="zhengwu.exchange.sharing.query_cache.rows_updated")
    for model in (ApiClient, Department, Resource, DataItem, Grant):
        uid = f"zhengwu.exchange.sharing.query_cache.{model.__name__}"
        post_save.connect(bump, sender=model, dispatch_uid=uid + ".save")
        post_delete.connect(bump, sender=model, dispatch_uid=uid + ".delete")


def _bounded(mapping: dict[Any, Any]) -> dict[Any, Any]:
    if len(mapping) >= MAX_ENTRIES:
        mapping.clear()
    return mapping


def client_for_token(token: str, state: State | None = None) -> ApiClient | None:
    """Like `accounts.services.apiclient_authenticate`, cached by the token's digest."""
    state = state or current()
    digest = hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()
    client = state.clients.get(digest)
    now = timezone.now()
    if (
        client is not None
        and client.is_usable(now)
        and client.last_used_at is not None
        and now - client.last_used_at <= LAST_USED_RESOLUTION
    ):
        return client
    client = apiclient_authenticate(token)
    if client is not None:
        _bounded(state.clients)[digest] = client
    else:
        state.clients.pop(digest, None)
    return client


def published_resource(code: str, state: State | None = None) -> Resource | None:
    state = state or current()
    if code in state.resources:
        return state.resources[code]
    resource = Resource.objects.filter(code=code, state=Resource.State.PUBLISHED).first()
    _bounded(state.resources)[code] = resource
    return resource


def grants_of(consumer_id: int | None, resource: Resource, state: State | None = None) -> tuple[Grant, ...]:
    """Every grant of the department on the resource, newest first (active or not)."""
    if consumer_id is None:
        return ()
    state = state or current()
    cache_key = (int(consumer_id), int(resource.pk))
    grants = state.grants.get(cache_key)
    if grants is None:
        grants = tuple(Grant.objects.filter(consumer_id=consumer_id, resource=resource).order_by("-created_at", "-id"))
        _bounded(state.grants)[cache_key] = grants
    return grants
