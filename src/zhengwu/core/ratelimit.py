"""Rate limits counted in a cache every process shares (docs/rules.md §9).

A per-process count (Django's default local-memory cache) lets N processes allow N times the
limit, and a restart forgets it. `RateLimiter` counts in a fixed window per scope and subject
(a person, or an address when nobody is logged in) in the "shared" cache of settings.CACHES:
Redis when REDIS_URL is set, else a table of the database. Redis increments atomically; the
database cache may overshoot by the calls in flight at one moment, never by a process's worth.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.core.cache import BaseCache, caches

SHARED = "shared"


@dataclass(frozen=True)
class RateLimiter:
    scope: str
    limit: int
    window_seconds: int = 60
    cache: BaseCache | None = None  # None: the "shared" cache

    def _cache(self) -> BaseCache:
        return self.cache if self.cache is not None else caches[SHARED]

    def _key(self, subject: str) -> str:
        window = int(time.time() // self.window_seconds)
        return f"rate:{self.scope}:{subject}:{window}"

    def hit(self, subject: str) -> bool:
        """Count one call of `subject`; False once the window's limit is used up."""
        cache, key = self._cache(), self._key(subject)
        cache.add(key, 0, self.window_seconds * 2)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, self.window_seconds * 2)
            count = 1
        return count <= self.limit

    def used(self, subject: str) -> int:
        return int(self._cache().get(self._key(subject), 0) or 0)


def subject_of(user_id: int | None, ip: str | None) -> str:
    """Whom a limit counts: the person when logged in, else the address."""
    return f"user:{user_id}" if user_id else f"ip:{ip or '-'}"
