"""Huey tasks of the audit log: the periodic anchor (audit.anchors), and the monthly partitions
of the logs on PostgreSQL kept ahead (audit.partitions), daily and when a worker starts.

`audit_anchor` runs every ZHENGWU_AUDIT_ANCHOR_MINUTES (default 10): it signs the heads of the
audit and access-log chains and the staged access-log entries with the platform key and appends
them to the witness. A refusal (a chain that no longer extends the previous anchor) is logged as
an error and raised, so the failed task shows in Huey's log; `zhengwu audit verify` names it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import close_old_connections
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, on_startup

from zhengwu.audit import anchors, partitions


@db_periodic_task(crontab(minute=f"*/{settings.ZHENGWU_AUDIT_ANCHOR_MINUTES}"))
def audit_anchor() -> str:
    try:
        anchor = anchors.write_anchor("periodic")
    except Exception:
        anchors.logger.exception("audit: the periodic anchor was not written")
        raise
    return anchor.describe()


@db_periodic_task(crontab(hour="3", minute="17"))
def audit_partitions_ensure() -> list[str]:
    """This month's partitions and the next ZHENGWU_LOG_PARTITIONS_AHEAD, and rows in a DEFAULT
    partition moved into their months (nothing on SQLite)."""
    return partitions.ensure()


@on_startup()
def audit_partitions_at_start() -> None:
    """A worker that starts makes sure the partitions exist (a node that was down at month's end)."""
    close_old_connections()
    try:
        partitions.ensure()
    except Exception:  # the worker must start even if the database is not ready yet; the daily task retries
        anchors.logger.exception("audit: ensuring the log partitions at start failed")
    finally:
        close_old_connections()
