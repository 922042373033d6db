"""Freshness of a resource: is its data updated on the cycle its catalog entry promises?

The expected interval comes from `update_cycle` (实时 and 每日: 1 day, 每周: 7, 每月: 31, 每季度:
92, 每年: 366 days). With `age` = now − `last_loaded_at` (set by the exchange on every load) and
`ratio` = age / interval:

| ratio        | score                       | label    |
|--------------|-----------------------------|----------|
| no data yet  | 0                           | 尚无数据 |
| ≤ 1          | 100                         | 按期更新 |
| 1 < r ≤ 3    | 100 − 30·(r − 1) (100 → 40) | 更新滞后 |
| > 3          | max(0, 40 − 10·(r − 3))     | 长期未更新 |
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from zhengwu.catalog.models import UpdateCycle

EXPECTED_INTERVAL = {
    UpdateCycle.REALTIME: timedelta(days=1),
    UpdateCycle.DAILY: timedelta(days=1),
    UpdateCycle.WEEKLY: timedelta(days=7),
    UpdateCycle.MONTHLY: timedelta(days=31),
    UpdateCycle.QUARTERLY: timedelta(days=92),
    UpdateCycle.YEARLY: timedelta(days=366),
}


@dataclass(frozen=True)
class Freshness:
    score: int
    label: str
    level: str  # ok, late, stale, empty — a CSS hook

    @property
    def light(self) -> str:
        """The CSS class of the site's traffic lights."""
        return {"ok": "green", "late": "yellow", "stale": "red"}.get(self.level, "paused")

    def __str__(self) -> str:
        return f"{self.label}（{self.score}）"


def freshness(*, update_cycle: str, last_loaded_at: datetime | None, now: datetime | None = None) -> Freshness:
    if last_loaded_at is None:
        return Freshness(0, "尚无数据", "empty")
    interval = EXPECTED_INTERVAL.get(UpdateCycle(update_cycle), timedelta(days=1))
    age = max((now or timezone.now()) - last_loaded_at, timedelta(0))
    ratio = age / interval
    if ratio <= 1:
        return Freshness(100, "按期更新", "ok")
    if ratio <= 3:
        return Freshness(round(100 - 30 * (ratio - 1)), "更新滞后", "late")
    return Freshness(max(0, round(40 - 10 * (ratio - 3))), "长期未更新", "stale")
