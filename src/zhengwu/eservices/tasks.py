"""Huey tasks of the eservices app."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from zhengwu.eservices import popularity


@db_periodic_task(crontab(minute="*/5"))
def guide_views_flush() -> int:
    """Every 5 minutes: the guide views counted in the shared cache into `ItemViewDay` (热门服务)."""
    return popularity.flush()
