"""Audit action names of emergency (`app.entity.verb`)."""

from __future__ import annotations

from zhengwu.audit.write import AuditAction


class EmergencyAction(AuditAction):
    pass
