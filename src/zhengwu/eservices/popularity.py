"""Views of the 办事指南 pages, counted cheaply for 热门服务 (docs/rules.md §5 “热门服务”).

A page view is not a write. Each process adds views to a counter in its own memory and, at most
every `PUSH_SECONDS`, adds them to one counter per item and day in the "shared" cache (Redis when
REDIS_URL is set, else a table of the database; core/ratelimit.py). The periodic job (`flush`,
eservices/tasks.py, every 5 minutes) moves the shared counters into `ItemViewDay`, one row per item
and day. Nothing about the visitor is kept: an item, a day and a number. A process that stops loses
at most its last `PUSH_SECONDS` of views; a popularity measure can afford it.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections import Counter
from datetime import date, timedelta

from django.core.cache import BaseCache, caches
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from zhengwu.core.ratelimit import SHARED
from zhengwu.eservices.models import ItemViewDay, ServiceItem

PUSH_SECONDS = 10
KEEP_DAYS = 3  # a shared counter lives this long: a day the job missed is still flushed
FLUSH_DAYS = 2  # the job looks at today and yesterday (a view just before midnight)

_lock = threading.Lock()
_local: Counter[tuple[date, int]] = Counter()
_pushed_at = time.monotonic()


def _cache() -> BaseCache:
    return caches[SHARED]


def _key(day: date, item_id: int) -> str:
    return f"esvc:views:{day.isoformat()}:{item_id}"


def record_view(item_id: int) -> None:
    """Count one view of the item's guide (in memory; pushed to the shared cache now and then)."""
    global _pushed_at
    with _lock:
        _local[(timezone.localdate(), item_id)] += 1
        due = time.monotonic() - _pushed_at >= PUSH_SECONDS
        if due:
            _pushed_at = time.monotonic()
    if due:
        push()


def push() -> None:
    """Add this process's counted views to the shared counters."""
    with _lock:
        counts = dict(_local)
        _local.clear()
    cache = _cache()
    for (day, item_id), n in counts.items():
        key = _key(day, item_id)
        cache.add(key, 0, KEEP_DAYS * 86400)
        try:
            cache.incr(key, n)
        except ValueError:  # expired between add and incr
            cache.set(key, n, KEEP_DAYS * 86400)


def flush(today: date | None = None) -> int:
    """Move the shared counters of the last `FLUSH_DAYS` days into `ItemViewDay`; the views moved.
    A counter is decreased by what was moved, so views counted meanwhile wait for the next run."""
    today = today or timezone.localdate()
    cache = _cache()
    item_ids = list(ServiceItem.objects.values_list("pk", flat=True))
    moved = 0
    for back in range(FLUSH_DAYS):
        day = today - timedelta(days=back)
        keys = {_key(day, item_id): item_id for item_id in item_ids}
        for key, n in cache.get_many(list(keys)).items():
            if not n:
                continue
            _add(keys[key], day, int(n))
            with contextlib.suppress(ValueError):  # expired meanwhile: nothing more to move
                cache.decr(key, int(n))
            moved += int(n)
    return moved


def _add(item_id: int, day: date, n: int) -> None:
    if ItemViewDay.objects.filter(item_id=item_id, day=day).update(views=F("views") + n):
        return
    try:
        with transaction.atomic():
            ItemViewDay.objects.create(item_id=item_id, day=day, views=n)
    except IntegrityError:  # created meanwhile
        ItemViewDay.objects.filter(item_id=item_id, day=day).update(views=F("views") + n)
