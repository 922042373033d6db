"""Audit action names of governance (`app.entity.verb`)."""

from __future__ import annotations

from zhengwu.audit.write import AuditAction


class GovernanceAction(AuditAction):
    pass
