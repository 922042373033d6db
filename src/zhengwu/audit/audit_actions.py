"""Audit action names of the audit log's own operations (events already in the chain keep their names)."""

from __future__ import annotations

from zhengwu.audit.write import AuditAction


class AuditLogAction(AuditAction):
    VERIFY = "audit.verify"
    EXPORT = "audit.export"
    ANCHOR = "audit.anchor"
    PLATFORM_KEY_ROTATE = "audit.platform_key.rotate"
