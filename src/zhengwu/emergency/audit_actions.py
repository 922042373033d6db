"""Audit action names of emergency (`app.entity.verb`)."""

from __future__ import annotations

from zhengwu.audit.write import AuditAction


class EmergencyAction(AuditAction):
    PLAN_CREATE = "emergency.plan.create"
    PLAN_REVISE = "emergency.plan.revise"
    PLAN_ACTIVATE = "emergency.plan.activate"
    TASK_ADD = "emergency.task.add"
    TASK_SIGN = "emergency.task.sign"
    TASK_ARRIVE = "emergency.task.arrive"
    TASK_PROGRESS = "emergency.task.progress"
    TASK_SUPPORT = "emergency.task.support"
    TASK_FINISH = "emergency.task.finish"
    TASK_CANCEL = "emergency.task.cancel"
    RESOURCE_CREATE = "emergency.resource.create"
    RESOURCE_COMMIT = "emergency.resource.commit"
    RESOURCE_RELEASE = "emergency.resource.release"
    POPULATION_COUNT = "emergency.population.count"
    DUTY_SET = "emergency.duty.set"
    EVALUATION_CREATE = "emergency.evaluation.create"
