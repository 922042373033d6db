"""Models of the emergency app (tables `emergency_*`): incidents (`incidents`) and the response
to them (`response`: plans, dispatch tasks, resources, the duty roster, evaluations)."""

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
    "Commitment",
    "DutyShift",
    "Evaluation",
    "Plan",
    "PlanDuty",
    "PlanVersion",
    "Resource",
    "ResourceKind",
    "ResponseLevel",
    "Task",
    "TaskEvent",
]
