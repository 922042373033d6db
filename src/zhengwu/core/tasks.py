"""Huey tasks of the bottom layer.

`ping_task` is the smallest real task: it returns its argument. The queue tests and the
deployment smoke test use it to prove that a consumer takes work off the configured queue
(SqliteHuey by default, RedisHuey when `REDIS_URL` is set) and stores the result.
"""

from __future__ import annotations

from typing import Any

from huey.contrib.djhuey import task


@task()
def ping_task(value: Any) -> Any:
    return value
