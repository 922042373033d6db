"""Huey tasks of the exchange. djhuey discovers an app's `tasks` module only: the tasks of the data
store (`store.tasks`: load jobs) and of sharing (`sharing.tasks`: webhook deliveries, the sealer of
the access log) are registered by importing them here."""

from __future__ import annotations

from zhengwu.exchange.sharing import tasks as sharing_tasks
from zhengwu.exchange.store import tasks as store_tasks

__all__ = ["sharing_tasks", "store_tasks"]
