"""A restore rolls the logs back: recorded in the log and signed, never silent (issue 16).

`zhengwu backup restore` puts back the database and the witness directory of the backup: the
chains then extend the local witness again, but not the later anchors a remote witness already
holds (audit.remote_witness). So after a restore the platform records an `audit.restored` event
(the backup's time, and what the remote witness held: the anchor that is being rolled back) and
then signs an anchor of reason "restored" over the restored chains, which is written locally and
sent to the remote witness like any other. That anchor is newer than everything the remote held,
so the chains extend it; and `zhengwu audit verify` requires the audit entry at a restored
anchor's head to be that `audit.restored` event, and names the latest restore on every run.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone

from zhengwu.audit import anchors, remote_witness
from zhengwu.audit.audit_actions import AuditLogAction
from zhengwu.audit.models import AuditEvent
from zhengwu.audit.services import record_action
from zhengwu.core.actors import Actor
from zhengwu.core.errors import ApplicationError

REASON = "restored"


def _remote_held() -> dict[str, Any]:
    """What the remote witness held before this restore: the anchor being rolled back."""
    if not remote_witness.configured():
        return {"remote": "未配置远程见证"}
    try:
        line = remote_witness.fetch_latest()
        held = anchors.parse_own(line, "远程见证") if line is not None else None
    except ApplicationError as error:
        return {"remote": f"未能读取：{error.message}"}
    if held is None:
        return {"remote": "远程见证尚无锚点"}
    heads = {name: state.get("seq", state.get("count")) for name, state in held.chains.items()}
    return {"remote": held.at, "remote_heads": heads}


def record_restore(*, actor: Actor, backup_created_at: datetime) -> anchors.Anchor:
    """After a restore: the `audit.restored` event, then the signed anchor over it."""
    details = {"backup_created_at": backup_created_at.isoformat(), **_remote_held()}
    record_action(actor, AuditLogAction.RESTORED, details=details)
    return anchors.write_anchor(REASON)


def check_restored_anchor(anchor: anchors.Anchor) -> str | None:
    """A restored anchor must head the audit chain with the `audit.restored` event: an anchor
    that only says "restored" cannot pass a rollback off as one. Why not (None: it does)."""
    if anchor.reason != REASON:
        return None
    seq = int(anchor.chains.get(anchors.AUDIT_CHAIN, {}).get("seq") or 0)
    action = AuditEvent.objects.filter(seq=seq).values_list("action", flat=True).first()
    if action != AuditLogAction.RESTORED:
        return f"恢复备份后的锚点所记录的审计日志第 {seq} 条不是恢复记录（{AuditLogAction.RESTORED}）"
    return None


def latest_restore() -> str | None:
    """The latest restore recorded in the audit log, for people (None: never restored)."""
    event = AuditEvent.objects.filter(action=AuditLogAction.RESTORED).order_by("-seq").first()
    if event is None:
        return None
    details = event.details
    when = f"{timezone.localtime(event.at):%Y-%m-%d %H:%M:%S}"
    remote = f"{details.get('remote', '?')}，链头 {details.get('remote_heads', '-')}"
    return (
        f"审计日志第 {event.seq} 条：{when} 从 {details.get('backup_created_at', '?')} 的备份恢复，"
        f"此后的日志已回滚（恢复前远程见证最新锚点：{remote}）"
    )
