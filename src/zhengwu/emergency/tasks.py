"""Huey tasks of the emergency app."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from zhengwu.core.actors import Actor
from zhengwu.emergency import services


@db_periodic_task(crontab(minute="*"))
def emergency_clocks_every_minute() -> dict[str, int]:
    """Every minute: start the next fixed-time 续报 clock of each responding incident whose last one
    is due, and lift the warnings whose time has ended (the portal drops them at once)."""
    actor = Actor.platform()
    return {
        "follow_up_clocks": services.clocks_tick(actor=actor),
        "warnings_expired": services.warnings_expire(actor=actor),
    }
