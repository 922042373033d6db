"""Audit action names of the audit log itself (events already in the chain keep their names).

Named `AuditLogAction`, not `AuditAction`: that is the base class every app's enum derives from."""

from __future__ import annotations

from zhengwu.audit.write import AuditAction


class AuditLogAction(AuditAction):
    VIEW = "audit.view"  # the administrator read the log (a page or one event)
    EXPORT = "audit.export"
    VERIFY = "audit.verify"
    PURGE = "audit.purge"
    ANCHOR = "audit.anchor"
    PLATFORM_KEY_ROTATE = "audit.platform_key.rotate"
    PARTITIONS_ENSURE = "audit.partitions.ensure"  # monthly partitions created ahead (audit.partitions)
    PARTITIONS_DROP = "audit.partitions.drop"  # whole months past retention dropped, after a signed anchor
    DATA_KEY_ROTATE = "audit.data_key.rotate"  # `zhengwu keys rotate-data-key` (finished, resumed or refused)
    REQUEST_REFUSED = "audit.request.refused"  # a write refused before any service ran (core.refusals)
    WITNESS_RECEIVE = "audit.witness.receive"  # a peer's signed anchor kept in <witness>/peers/ (audit.witness_peers)
    WITNESS_PEER_REGISTER = "audit.witness.peer_register"
    RESTORED = "audit.restored"  # a backup restored: the logs rolled back, then a "restored" anchor (audit.restores)
