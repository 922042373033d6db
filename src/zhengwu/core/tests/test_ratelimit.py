"""Rate limits are counted where every process sees them (core.ratelimit)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.cache.backends.db import DatabaseCache
from django.core.cache.backends.locmem import LocMemCache

from zhengwu.core.ratelimit import RateLimiter, subject_of

pytestmark = pytest.mark.django_db


def _process_cache() -> DatabaseCache:
    """What another worker process builds from the same settings: its own cache object."""
    return DatabaseCache(settings.SHARED_CACHE_TABLE, {})


def test_two_processes_share_one_count() -> None:
    first = RateLimiter("test-shared", 10, cache=_process_cache())
    second = RateLimiter("test-shared", 10, cache=_process_cache())
    assert [first.hit("user:7") for _ in range(6)] == [True] * 6
    assert [second.hit("user:7") for _ in range(4)] == [True] * 4
    assert not second.hit("user:7") and not first.hit("user:7")  # 11th and 12th, whichever process
    assert first.used("user:7") == second.used("user:7") == 12
    assert second.hit("user:8")  # someone else has a count of their own


def test_per_process_memory_would_not_share() -> None:
    """Why not the local-memory cache: each process would allow the whole limit again."""
    first = RateLimiter("test-local", 3, cache=LocMemCache("a", {}))
    second = RateLimiter("test-local", 3, cache=LocMemCache("b", {}))
    assert all(first.hit("x") for _ in range(3)) and all(second.hit("x") for _ in range(3))


def test_the_shared_cache_is_redis_or_the_database() -> None:
    backend = settings.CACHES["shared"]["BACKEND"]
    assert backend.endswith("RedisCache" if settings.REDIS_URL else "DatabaseCache")
    assert RateLimiter("test-default", 1).hit("ip:192.0.2.1")


def test_subject_is_the_person_else_the_address() -> None:
    assert subject_of(5, "192.0.2.1") == "user:5"
    assert subject_of(None, "192.0.2.1") == "ip:192.0.2.1"
