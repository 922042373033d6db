"""Backups as audited operations: who made or restored which backup, and every refusal (docs/design.md rule 5)."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from django.conf import settings
from django.core import mail
from django.utils import timezone

from zhengwu.accounts import sms
from zhengwu.accounts.models import Role, User
from zhengwu.audit import restores
from zhengwu.audit.services import record_action
from zhengwu.audit.write import record_refusal
from zhengwu.core.actors import Actor
from zhengwu.core.errors import ApplicationError, CoreError
from zhengwu.ops import backup, watch
from zhengwu.ops.audit_actions import OpsAction
from zhengwu.ops.errors import OpsError
from zhengwu.ops.models import WatchState

logger = logging.getLogger(__name__)

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
    # The logs are back at the backup: say so in the log and in a signed anchor (local and remote
    # witness). The data is restored by now whatever happens here: a refused anchor is logged,
    # and the `audit verify` that follows every restore names why.
    try:
        restores.record_restore(actor=actor, backup_created_at=restored.created_at)
    except (ApplicationError, OSError):
        logger.exception("ops: the restored anchor was not written after the restore")
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


def watch_alert(*, actor: Actor) -> list[str]:
    """Compare every watch reading with what was last said; alert the system administrators about
    each check that turned bad (SMS, e-mail, the log, the audit log) and record each recovery.
    Returns the names alerted. Run by the platform every ten minutes."""
    if not actor.is_platform:
        raise ApplicationError(CoreError.PERMISSION_DENIED, "运行监测告警由平台定时执行。")
    alerted = []
    for reading in watch.readings():
        if reading.status == watch.UNKNOWN:
            continue
        state = WatchState.objects.filter(name=reading.name).first()
        if state is not None and state.status == reading.status:
            continue
        WatchState.objects.update_or_create(
            name=reading.name,
            defaults={"status": reading.status, "value": reading.value[:300], "since": timezone.now()},
        )
        details = {"check": reading.name, "value": reading.value, "threshold": reading.threshold}
        if reading.status == watch.BAD:
            logger.warning("运行监测：%s 异常：%s（阈值 %s）", reading.label, reading.value, reading.threshold)
            record_action(actor, OpsAction.WATCH_ALERT, details=details)
            _tell_system_administrators(
                f"【政务平台运行告警】{reading.label}：{reading.value}（阈值：{reading.threshold}）"
            )
            alerted.append(reading.name)
        elif state is not None:  # good again after a bad spell
            record_action(actor, OpsAction.WATCH_RECOVERED, details=details)
    return alerted


def _tell_system_administrators(text: str) -> None:
    people = User.objects.filter(is_active=True, role_assignments__role=Role.SYS_ADMIN).distinct()
    for person in people:
        if person.phone:
            try:
                sms.send(person.phone, text)
            except Exception:  # a gateway failure must not stop the other alerts
                logger.exception("运行监测告警短信发送失败")
        if person.email:
            try:
                mail.send_mail("【政务平台】运行告警", text, settings.DEFAULT_FROM_EMAIL, [person.email])
            except Exception:
                logger.exception("运行监测告警邮件发送失败")
