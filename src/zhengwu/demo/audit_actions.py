"""Audit action names of the demo loader (events already in the chain keep their names)."""

from __future__ import annotations

from zhengwu.audit.write import AuditAction


class DemoAction(AuditAction):
    LOAD = "demo.load"
