"""`/healthz`: 200 "ok" when the database and the queue answer, 503 "degraded" otherwise."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from django.db import OperationalError, connections
from django.http import JsonResponse
from django.test import Client, RequestFactory
from huey import RedisHuey
from huey.api import Huey
from huey.contrib.djhuey import HUEY
from huey.storage import SqliteStorage

from zhengwu.core import health
from zhengwu.core.health import database_status, health_status, healthz, queue_status

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def settings_huey(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Huey]:
    """The configured Huey instance, with its SQLite file in tmp_path (not the shared ./var)."""
    storage = SqliteStorage(name=HUEY.name, filename=str(tmp_path / "huey.sqlite3"))
    monkeypatch.setattr(HUEY, "storage", storage)
    yield HUEY
    storage.close()


def call_view(method: str = "get") -> tuple[int, dict[str, Any]]:
    request = getattr(RequestFactory(), method)("/healthz")
    response = healthz(request)
    assert isinstance(response, JsonResponse)
    assert response["Content-Type"] == "application/json"
    return response.status_code, json.loads(response.content)


def test_healthy(settings: Any) -> None:
    status, body = call_view()
    assert status == 200
    assert body["status"] == "ok"
    assert body["database"]["status"] == "ok"
    assert body["database"]["vendor"] in {"sqlite", "postgresql"}
    assert 0 <= body["database"]["latency_ms"] < 5000
    assert body["queue"] == {
        "status": "ok",
        "backend": "SqliteHuey",
        "pending": 0,
        "latency_ms": body["queue"]["latency_ms"],
    }
    assert body["zone"] == settings.ZHENGWU_ZONE
    assert body["version"] == metadata.version("zhengwu")


def test_pending_tasks_are_counted() -> None:
    from zhengwu.core.tasks import ping_task

    ping_task(1)
    ping_task(2)
    assert queue_status()["pending"] == 2


def test_healthz_url_in_every_zone(settings: Any) -> None:
    for zone in ("all", "internal", "external"):
        settings.ZHENGWU_ZONE = zone
        response = Client().get("/healthz")
        assert response.status_code == 200, zone
        assert response.json()["zone"] == zone
        assert "no-cache" in response["Cache-Control"]
    assert Client().head("/healthz").status_code == 200
    assert Client().post("/healthz").status_code == 405


def test_database_failure_is_degraded() -> None:
    failure = OperationalError("could not connect to server: 拒绝连接")
    with mock.patch.object(connections["default"], "cursor", side_effect=failure):
        status, body = call_view()
    assert status == 503
    assert body["status"] == "degraded"
    assert body["database"]["status"] == "error"
    assert body["database"]["error"] == "OperationalError: could not connect to server: 拒绝连接"
    assert body["queue"]["status"] == "ok"  # the other component is still reported


def test_database_failure_while_executing() -> None:
    cursor = mock.MagicMock()
    cursor.__enter__.return_value.execute.side_effect = OperationalError("database is locked")
    with mock.patch.object(connections["default"], "cursor", return_value=cursor):
        result = database_status()
    assert result["status"] == "error"
    assert "database is locked" in result["error"]


def test_queue_failure_is_degraded(settings_huey: Huey) -> None:
    with mock.patch.object(settings_huey, "pending_count", side_effect=OSError("disk I/O error")):
        status, body = call_view()
    assert status == 503
    assert body["status"] == "degraded"
    assert body["database"]["status"] == "ok"
    assert body["queue"]["status"] == "error"
    assert body["queue"]["backend"] == "SqliteHuey"
    assert "disk I/O error" in body["queue"]["error"]


def unused_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_unreachable_redis_is_degraded(monkeypatch: pytest.MonkeyPatch) -> None:
    unreachable = RedisHuey("zhengwu-health", url=f"redis://127.0.0.1:{unused_port()}/15")
    monkeypatch.setattr(health, "default_huey", lambda: unreachable)
    status, body = call_view()
    assert status == 503
    assert body["queue"]["status"] == "error"
    assert body["queue"]["backend"] == "RedisHuey"
    assert "ConnectionError" in body["queue"]["error"]


@pytest.mark.redis
def test_reachable_redis_is_ok() -> None:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
    except OSError:
        pytest.skip("Redis 不可达：127.0.0.1:6379 refuses connections")
    huey = RedisHuey("zhengwu-health", url="redis://127.0.0.1:6379/15")
    result = queue_status(huey)
    assert result["status"] == "ok"
    assert result["backend"] == "RedisHuey"
    huey.storage.pool.disconnect()


def test_health_status_is_plain_data() -> None:
    body = health_status()
    assert json.loads(json.dumps(body)) == body
    assert set(body) == {"status", "database", "queue", "keys", "zone", "version", "watch"}
