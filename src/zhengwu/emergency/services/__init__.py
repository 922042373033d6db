"""Writes of the emergency app, one module per area, all importable from here:

- `incidents`: the incident (突发事件) from 接报 to 评估, its level changes, a 12345 letter turned into one;
- `reports`: information reporting upward (信息报送) and its minute clocks;
- `warnings`: warnings (预警) and the subscriptions to them.
"""

from __future__ import annotations

from zhengwu.emergency.services.incidents import (
    IncidentData,
    incident_change_level,
    incident_evaluate,
    incident_from_letter,
    incident_grade,
    incident_handle,
    incident_report,
    incident_start_response,
    incident_terminate,
    incident_verify,
    letter_for_conversion,
    letter_prefill,
)
from zhengwu.emergency.services.reports import (
    FINAL_CLOCK,
    FIRST_CLOCK,
    FOLLOW_UP_CLOCK,
    ReportData,
    clocks_tick,
    first_report_minutes,
    next_fixed_time,
    report_draft,
    report_edit,
    report_sign,
)
from zhengwu.emergency.services.warnings import (
    WarningData,
    subscription_add,
    subscription_remove,
    warning_adjust,
    warning_issue,
    warning_lift,
    warnings_expire,
)

__all__ = [
    "FINAL_CLOCK",
    "FIRST_CLOCK",
    "FOLLOW_UP_CLOCK",
    "IncidentData",
    "ReportData",
    "WarningData",
    "clocks_tick",
    "first_report_minutes",
    "incident_change_level",
    "incident_evaluate",
    "incident_from_letter",
    "incident_grade",
    "incident_handle",
    "incident_report",
    "incident_start_response",
    "incident_terminate",
    "incident_verify",
    "letter_for_conversion",
    "letter_prefill",
    "next_fixed_time",
    "report_draft",
    "report_edit",
    "report_sign",
    "subscription_add",
    "subscription_remove",
    "warning_adjust",
    "warning_issue",
    "warning_lift",
    "warnings_expire",
]
