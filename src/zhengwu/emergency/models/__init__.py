"""Models of the emergency app (tables `emergency_*`).

`incidents` holds the incident (突发事件), its level changes, its timeline, its reports upward
(信息报送) and the warnings (预警) with their subscriptions; `response` (plans, dispatch, resources,
duty) is added beside it.
"""

from __future__ import annotations

from zhengwu.emergency.models.incidents import (
    Category,
    EarlyWarning,
    Hazard,
    Incident,
    IncidentEvent,
    IncidentReport,
    Level,
    LevelChange,
    Source,
    Subscription,
    WarningColor,
)
from zhengwu.emergency.models.response import (
    Commitment,
    DutyShift,
    Evaluation,
    Plan,
    PlanDuty,
    PlanVersion,
    Resource,
    ResourceKind,
    ResponseLevel,
    Task,
    TaskEvent,
)

__all__ = [
    "Category",
    "Commitment",
    "DutyShift",
    "EarlyWarning",
    "Evaluation",
    "Hazard",
    "Incident",
    "IncidentEvent",
    "IncidentReport",
    "Level",
    "LevelChange",
    "Plan",
    "PlanDuty",
    "PlanVersion",
    "Resource",
    "ResourceKind",
    "ResponseLevel",
    "Source",
    "Subscription",
    "Task",
    "TaskEvent",
    "WarningColor",
]
