"""The Huey queue really carries work: a task is enqueued, a consumer runs it, the result comes
back. SqliteHuey (the one-machine default) in a temporary file, and RedisHuey against the
Redis server on 127.0.0.1:6379 (database 15) when one is reachable."""

from __future__ import annotations

import socket
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from huey import RedisHuey, SqliteHuey
from huey.api import Huey, TaskWrapper
from huey.contrib.djhuey import HUEY
from huey.storage import SqliteStorage

from zhengwu.core.tasks import ping_task

REDIS_HOST, REDIS_PORT, REDIS_DB = "127.0.0.1", 6379, 15


def redis_reachable() -> bool:
    try:
        with socket.create_connection((REDIS_HOST, REDIS_PORT), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.fixture
def settings_huey(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Huey]:
    """The Huey instance the settings configure, with its SQLite file moved into tmp_path."""
    storage = SqliteStorage(name=HUEY.name, filename=str(tmp_path / "huey.sqlite3"))
    monkeypatch.setattr(HUEY, "storage", storage)
    yield HUEY
    storage.close()


def consume_in_thread(huey: Huey, until: float = 20.0) -> tuple[threading.Thread, threading.Event]:
    """Start a one-worker consumer in threads; the caller sets the returned event to stop it."""
    consumer = huey.create_consumer(workers=1, worker_type="thread", periodic=False, initial_delay=0.05)
    stop = threading.Event()

    def run() -> None:
        consumer.start()  # starts the worker and scheduler threads; no signal handlers in a thread
        stop.wait(until)
        consumer.stop(graceful=True)

    # Consumer.start() installs signal handlers, which only works in the main thread; skip them.
    consumer._set_signal_handlers = lambda: None  # type: ignore[method-assign]
    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, stop


def test_settings_configure_sqlite_huey_by_default() -> None:
    if settings.REDIS_URL:
        pytest.skip("REDIS_URL is set: the settings choose RedisHuey")
    assert isinstance(HUEY, SqliteHuey)
    assert HUEY.immediate is False
    assert settings.HUEY["filename"] == str(settings.DATA_DIR / "huey.sqlite3")


def test_ping_task_is_registered_under_its_module_name() -> None:
    assert isinstance(ping_task, TaskWrapper)
    assert ping_task.huey is HUEY
    # The consumer finds a queued task by "<module>.<function>": the same name on every node.
    assert HUEY._registry.task_to_string(ping_task.task_class) == "zhengwu.core.tasks.ping_task"
    assert ping_task.call_local("直接调用") == "直接调用"


def test_sqlite_enqueue_then_dequeue_and_execute(settings_huey: Huey) -> None:
    result = ping_task({"办件": "2026-0001"})
    assert settings_huey.pending_count() == 1
    assert result.get() is None  # nothing has run it yet

    task = settings_huey.dequeue()
    assert task is not None
    settings_huey.execute(task)

    assert result.get() == {"办件": "2026-0001"}
    assert settings_huey.pending_count() == 0


def test_sqlite_consumer_runs_the_task(settings_huey: Huey) -> None:
    results = [ping_task(n) for n in range(3)]
    thread, stop = consume_in_thread(settings_huey)
    try:
        assert [r.get(blocking=True, timeout=20) for r in results] == [0, 1, 2]
    finally:
        stop.set()
        thread.join(timeout=20)
    assert not thread.is_alive()
    assert settings_huey.pending_count() == 0


@pytest.fixture
def redis_huey() -> Iterator[RedisHuey]:
    if not redis_reachable():
        pytest.skip(f"Redis 不可达：{REDIS_HOST}:{REDIS_PORT} refuses connections (start redis-server to run this)")
    # A queue name of its own, so parallel runs and a real deployment on db 15 do not collide.
    huey = RedisHuey(f"zhengwu-test-{uuid.uuid4().hex[:8]}", url=f"redis://{REDIS_HOST}:{REDIS_PORT}/{REDIS_DB}")
    huey.storage.conn.ping()
    yield huey
    huey.storage.flush_all()
    huey.storage.pool.disconnect()


@pytest.mark.redis
def test_redis_enqueue_then_dequeue_and_execute(redis_huey: RedisHuey) -> None:
    ping = redis_huey.task()(ping_task)
    result = ping("通过 Redis")
    assert redis_huey.pending_count() == 1

    task = redis_huey.dequeue()
    assert task is not None
    assert task.name == "ping_task"
    redis_huey.execute(task)

    assert result.get() == "通过 Redis"
    assert redis_huey.pending_count() == 0


@pytest.mark.redis
def test_redis_consumer_runs_the_task(redis_huey: RedisHuey) -> None:
    ping = redis_huey.task()(ping_task)
    results = [ping(f"第{n}件") for n in range(3)]
    started = time.monotonic()
    thread, stop = consume_in_thread(redis_huey)
    try:
        assert [r.get(blocking=True, timeout=20) for r in results] == ["第0件", "第1件", "第2件"]
    finally:
        stop.set()
        thread.join(timeout=20)
    assert not thread.is_alive()
    assert time.monotonic() - started < 20
