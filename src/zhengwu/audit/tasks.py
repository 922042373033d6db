"""Huey tasks of the audit log: the periodic anchor (audit.anchors).

`audit_anchor` runs every ZHENGWU_AUDIT_ANCHOR_MINUTES (default 10): it signs the heads of the
audit and access-log chains and the staged access-log entries with the platform key and appends
them to the witness. A refusal (a chain that no longer extends the previous anchor) is logged as
an error and raised, so the failed task shows in Huey's log; `zhengwu audit verify` names it.
"""

from __future__ import annotations

from django.conf import settings
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from zhengwu.audit import anchors


@db_periodic_task(crontab(minute=f"*/{settings.ZHENGWU_AUDIT_ANCHOR_MINUTES}"))
def audit_anchor() -> str:
    try:
        anchor = anchors.write_anchor("periodic")
    except Exception:
        anchors.logger.exception("audit: the periodic anchor was not written")
        raise
    return anchor.describe()
