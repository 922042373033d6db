"""Backups as audited operations: who made or restored which backup, and every refusal (docs/design.md rule 5)."""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings

from zhengwu.audit.services import record_action
from zhengwu.audit.write import record_refusal
from zhengwu.core.actors import Actor
from zhengwu.core.errors import ApplicationError, CoreError
from zhengwu.ops import backup
from zhengwu.ops.audit_actions import OpsAction
from zhengwu.ops.errors import OpsError

PASSPHRASE_ENV = "ZHENGWU_BACKUP_PASSPHRASE"  # noqa: S105 - the variable's name, not a secret


def passphrase_from_env() -> str:
    value = os.environ.get(PASSPHRASE_ENV, "")
    if not value:
        raise ApplicationError(
            OpsError.NO_PASSPHRASE,
            f"缺少备份口令：请设置环境变量 {PASSPHRASE_ENV}，或在终端上运行以输入口令。",
            {"passphrase": "必填"},
        )
    return value


def _refuse_unless_platform(actor: Actor, action: OpsAction) -> None:
    if not actor.is_platform:
        error = ApplicationError(CoreError.PERMISSION_DENIED, "只有服务器上的运维命令可以创建或恢复备份。")
        record_refusal(actor, action, error)
        raise error


def backup_create(
    *, actor: Actor, passphrase: str, to: Path | None = None, progress: backup.Progress = backup.quiet
) -> backup.BackupInfo:
    """A backup of this installation, audited. No transaction is held while it is copied (the copy is
    made while the platform serves), so success and failure are recorded after it."""
    _refuse_unless_platform(actor, OpsAction.BACKUP_CREATE)
    try:
        made = backup.backup_create(passphrase=passphrase, to=to, progress=progress)
    except ApplicationError as error:
        record_refusal(actor, OpsAction.BACKUP_CREATE, error)
        raise
    record_action(
        actor, OpsAction.BACKUP_CREATE, details={"to": str(made.path), "files": made.files, "bytes": made.bytes}
    )
    return made


def backup_restore(
    *, actor: Actor, directory: Path, passphrase: str, progress: backup.Progress = backup.quiet
) -> backup.BackupInfo:
    """Restore, then record the restore in the restored audit log (its chain goes on from the backup's).
    A refused restore changed nothing and is recorded in the log as it was."""
    _refuse_unless_platform(actor, OpsAction.BACKUP_RESTORE)
    try:
        restored = backup.backup_restore(directory, passphrase=passphrase, progress=progress)
    except ApplicationError as error:
        record_refusal(actor, OpsAction.BACKUP_RESTORE, error)
        raise
    record_action(
        actor,
        OpsAction.BACKUP_RESTORE,
        details={"from": str(directory), "created_at": restored.created_at.isoformat(), "files": restored.files},
    )
    return restored


def backup_scheduled(*, actor: Actor) -> backup.BackupInfo | None:
    """The daily backup: into ZHENGWU_BACKUP_DIR, keeping ZHENGWU_BACKUP_KEEP; skipped without a passphrase."""
    passphrase = os.environ.get(PASSPHRASE_ENV, "")
    if not passphrase:
        return None
    made = backup_create(actor=actor, passphrase=passphrase)
    removed = backup.prune(settings.ZHENGWU_BACKUP_KEEP)
    if removed:
        record_action(actor, OpsAction.BACKUP_PRUNE, details={"removed": [str(p) for p in removed]})
    return made
