"""Writes of the emergency app, one module per area, all importable from here:

- `incidents`: the incident (突发事件) from 接报 to 评估, its level changes, a 12345 letter turned into one;
- `reports`: information reporting upward (信息报送) and its minute clocks;
- `warnings`: warnings (预警) and the subscriptions to them;
- `plans`, `dispatch`, `resources`, `population`, `duty`, `evaluation`: the response (预案, 联动任务,
  应急资源, 受影响人口, 值班表, 事后评估).
"""

from __future__ import annotations

from zhengwu.emergency.services.dispatch import (
    plan_activate,
    response_close,
    task_add,
    task_arrive,
    task_cancel,
    task_finish,
    task_progress,
    task_sign,
    task_support,
)
from zhengwu.emergency.services.duty import duty_set
from zhengwu.emergency.services.evaluation import evaluation_create
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
from zhengwu.emergency.services.plans import DutyData, PlanData, plan_create, plan_revise
from zhengwu.emergency.services.population import population_count
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
    report_receive,
    report_sign,
)
from zhengwu.emergency.services.resources import ResourceData, resource_commit, resource_create, resource_release
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
    "DutyData",
    "IncidentData",
    "PlanData",
    "ReportData",
    "ResourceData",
    "WarningData",
    "clocks_tick",
    "duty_set",
    "evaluation_create",
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
    "plan_activate",
    "plan_create",
    "plan_revise",
    "population_count",
    "report_draft",
    "report_edit",
    "report_receive",
    "report_sign",
    "resource_commit",
    "resource_create",
    "resource_release",
    "response_close",
    "subscription_add",
    "subscription_remove",
    "task_add",
    "task_arrive",
    "task_cancel",
    "task_finish",
    "task_progress",
    "task_sign",
    "task_support",
    "warning_adjust",
    "warning_issue",
    "warning_lift",
    "warnings_expire",
]
