"""Writes of the emergency app, split by entity (docs/design.md rule 1)."""

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
from zhengwu.emergency.services.plans import DutyData, PlanData, plan_create, plan_revise
from zhengwu.emergency.services.population import population_count
from zhengwu.emergency.services.resources import (
    ResourceData,
    resource_commit,
    resource_create,
    resource_release,
)

__all__ = [
    "DutyData",
    "PlanData",
    "ResourceData",
    "duty_set",
    "evaluation_create",
    "plan_activate",
    "plan_create",
    "plan_revise",
    "population_count",
    "resource_commit",
    "resource_create",
    "resource_release",
    "response_close",
    "task_add",
    "task_arrive",
    "task_cancel",
    "task_finish",
    "task_progress",
    "task_sign",
    "task_support",
]
