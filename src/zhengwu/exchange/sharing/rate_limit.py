"""The per-grant rate limit of the query API: a counter per grant and minute, not a COUNT over
the access log.

The count is kept by the database: a trigger on the staged access log (migration 0005) adds
one to `RateCounter` whenever a call that was answered (a record or "no such record", with a
grant) is staged, in the same statement. On PostgreSQL each connection counts in its own row
(shard = backend pid) so connections do not queue on one row lock; `exceeded` sums the shards
of the current minute (a handful of rows, read through the unique index). Under concurrency a
grant may overshoot its limit by at most the number of calls in flight at that moment.
"""

from __future__ import annotations

import time

from zhengwu.core.rawsql import fetch_one
from zhengwu.exchange.sharing.models import Grant, RateCounter

KEEP_MINUTES = 5
# Calls of a grant (%s) in a minute (%s), over all shards.
USED_SQL = f"SELECT COALESCE(SUM(hits), 0) FROM {RateCounter._meta.db_table} WHERE grant_id = %s AND minute = %s"  # noqa: S608


def current_minute() -> int:
    return int(time.time() // 60)


def used(grant: Grant, minute: int | None = None) -> int:
    """Calls counted against the grant in this minute, over all processes."""
    row = fetch_one(USED_SQL, [grant.pk, current_minute() if minute is None else minute])
    return int(row[0]) if row else 0


def exceeded(grant: Grant) -> bool:
    return used(grant) >= grant.rate_limit_per_minute


def purge_old() -> int:
    """Drop the counters of minutes that no longer matter; returns how many rows went."""
    deleted, _ = RateCounter.objects.filter(minute__lt=current_minute() - KEEP_MINUTES).delete()
    return deleted
