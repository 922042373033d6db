"""Health check for load balancers, monitoring and `zhengwu serve` smoke tests.

`GET /healthz` answers 200 with `"status": "ok"` when the default database answers
`SELECT 1`, the Huey queue storage is reachable and the data key is the one the database was
written with (`core.keys`), and 503 with `"status": "degraded"` otherwise. It touches no domain
table, so it is cheap enough to poll every few seconds, and it is served in every zone (an
external instance needs a health check as much as an internal one).
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable
from importlib import metadata
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from huey import RedisHuey
from huey.api import Huey

logger = logging.getLogger(__name__)


@functools.cache
def version() -> str:
    try:
        return metadata.version("zhengwu")
    except metadata.PackageNotFoundError:  # running from a source tree that was not installed
        return "unknown"


def _elapsed_ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 2)


def _failure(component: str, started: float, error: Exception) -> dict[str, Any]:
    logger.warning("health: %s check failed: %s", component, error, exc_info=error)
    return {"status": "error", "error": f"{type(error).__name__}: {error}", "latency_ms": _elapsed_ms(started)}


def database_status(alias: str = DEFAULT_DB_ALIAS) -> dict[str, Any]:
    """Run `SELECT 1` through the connection `alias` and time it."""
    connection = connections[alias]
    started = time.perf_counter()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            row = cursor.fetchone()
        if row is None or row[0] != 1:
            raise RuntimeError(f"SELECT 1 returned {row!r}")
    except Exception as error:
        return {"vendor": connection.vendor, **_failure("database", started, error)}
    return {"status": "ok", "vendor": connection.vendor, "latency_ms": _elapsed_ms(started)}


def default_huey() -> Huey:
    from huey.contrib.djhuey import HUEY

    return HUEY


def queue_status(huey: Huey | None = None) -> dict[str, Any]:
    """Check that the Huey storage answers: PING for Redis, a count of pending tasks otherwise."""
    huey = default_huey() if huey is None else huey
    backend = type(huey).__name__
    started = time.perf_counter()
    try:
        if isinstance(huey, RedisHuey):
            huey.storage.conn.ping()
            result: dict[str, Any] = {}
        else:
            result = {"pending": huey.pending_count()}
    except Exception as error:
        return {"backend": backend, **_failure("queue", started, error)}
    return {"status": "ok", "backend": backend, **result, "latency_ms": _elapsed_ms(started)}


def keys_status() -> dict[str, Any]:
    """Whether the data key is the one the database was written with (core.keys)."""
    from zhengwu.core.keys import data_key_status

    try:
        data_key = data_key_status()
    except Exception as error:  # the database check reports the cause
        logger.warning("health: key check failed: %s", error)
        data_key = "unknown"
    return {"status": "error" if data_key == "mismatch" else "ok", "data_key": data_key}


# Reports of apps above core (the operations watch), registered at start-up; shown, never failing the node.
EXTRA_COMPONENTS: dict[str, Callable[[], dict[str, Any]]] = {}


def register_component(name: str, report: Callable[[], dict[str, Any]]) -> None:
    EXTRA_COMPONENTS[name] = report


def health_status() -> dict[str, Any]:
    database = database_status()
    queue = queue_status()
    keys = keys_status()
    healthy = database["status"] == "ok" and queue["status"] == "ok" and keys["status"] == "ok"
    return {
        "status": "ok" if healthy else "degraded",
        "database": database,
        "queue": queue,
        "keys": keys,
        "zone": settings.ZHENGWU_ZONE,
        "version": version(),
        **{name: _extra(name, report) for name, report in EXTRA_COMPONENTS.items()},
    }


def _extra(name: str, report: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    started = time.perf_counter()
    try:
        return report()
    except Exception as error:
        return _failure(name, started, error)


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    status = health_status()
    return JsonResponse(
        status, status=200 if status["status"] == "ok" else 503, json_dumps_params={"ensure_ascii": False}
    )
