"""Audit action names of emergency (`app.entity.verb`)."""

from __future__ import annotations

from zhengwu.audit.write import AuditAction


class EmergencyAction(AuditAction):
    INCIDENT_REPORT = "emergency.incident.report"
    INCIDENT_FROM_LETTER = "emergency.incident.from_letter"
    INCIDENT_UPDATE = "emergency.incident.update"
    INCIDENT_VERIFY = "emergency.incident.verify"
    INCIDENT_GRADE = "emergency.incident.grade"
    INCIDENT_CHANGE_LEVEL = "emergency.incident.change_level"
    INCIDENT_RESPOND = "emergency.incident.respond"
    INCIDENT_HANDLE = "emergency.incident.handle"
    INCIDENT_TERMINATE = "emergency.incident.terminate"
    INCIDENT_EVALUATE = "emergency.incident.evaluate"
    REPORT_DRAFT = "emergency.report.draft"
    REPORT_EDIT = "emergency.report.edit"
    REPORT_SIGN = "emergency.report.sign"
    REPORT_CLOCK = "emergency.report.clock"
    WARNING_ISSUE = "emergency.warning.issue"
    WARNING_ADJUST = "emergency.warning.adjust"
    WARNING_LIFT = "emergency.warning.lift"
    WARNING_EXPIRE = "emergency.warning.expire"
    SUBSCRIPTION_ADD = "emergency.subscription.add"
    SUBSCRIPTION_REMOVE = "emergency.subscription.remove"
    INCIDENT_EXPORT = "emergency.incident.export"
