"""Audit action names of operations (backup, restore)."""

from __future__ import annotations

from zhengwu.audit.write import AuditAction


class OpsAction(AuditAction):
    BACKUP_CREATE = "ops.backup.create"
    BACKUP_RESTORE = "ops.backup.restore"
    BACKUP_PRUNE = "ops.backup.prune"
    WATCH_ALERT = "ops.watch.alert"
    WATCH_RECOVERED = "ops.watch.recovered"
