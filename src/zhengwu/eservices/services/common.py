"""What the services of 网上办事 share: deadline kinds, who handles a case, the case's history."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from zhengwu.accounts.models import Department, Role, User
from zhengwu.audit.write import Write
from zhengwu.core.actors import Actor
from zhengwu.core.errors import required_text
from zhengwu.eservices.errors import EservicesError
from zhengwu.eservices.models import Application, CaseEvent
from zhengwu.supervision import services as timers

TIMER_APPLICATION = "eservices.application"
TIMER_TASK = "eservices.task"
TIMER_RECTIFICATION = "eservices.rectification"
TIMER_LABELS = {
    TIMER_APPLICATION: "承诺办结时限",
    TIMER_TASK: "并联审批任务时限",
    TIMER_RECTIFICATION: "差评整改时限",
}

HANDLER_ROLES = (Role.CLERK, Role.DEPT_LEADER)


def rectification_days() -> int:
    return settings.ZHENGWU_RECTIFICATION_DAYS


def is_handler(actor: Actor, department_id: int | None) -> bool:
    """A clerk or leader of `department_id` (the window of an item, or a task's department)."""
    return actor.works_in(department_id, *HANDLER_ROLES)


def require_handler(write: Write, department: Department, message: str = "") -> None:
    """Staff handling for `department`, or the platform itself (the demo loader, commands)."""
    actor = write.actor
    write.require(
        actor.is_platform or is_handler(actor, department.pk), message or f"只有{department.name}的工作人员可以办理。"
    )


def require_applicant(write: Write, application: Application) -> User:
    """The applicant in person (nobody acts for them, the platform included)."""
    write.require(write.actor.is_user(application.applicant_id), "只有申请人本人可以办理此操作。")
    assert write.actor.user is not None
    return write.actor.user


def lock_application(write: Write, application: Application) -> Application:
    return write.lock(application, "item", "department")


def reason_text(text: str, what: str, field: str = "reason", limit: int = 2000) -> str:
    """A required free text, cut to `limit` characters as the pages always did."""
    return required_text(
        (text or "").strip()[:limit], field=field, what=what, code=EservicesError.REASON_REQUIRED, max_length=limit
    )


def event(application: Application, who: User | None, kind: str, text: str, at: datetime | None = None) -> None:
    """A line of the case's history (办理过程), shown to the applicant and the staff."""
    CaseEvent.objects.create(application=application, actor=who, kind=kind, text=text[:1000], at=at or timezone.now())


def staff_url(application: Application) -> str:
    return reverse("eservices_wb:case", args=[application.pk])


def start_clock(
    write: Write, kind: str, target: models.Model, title: str, department: Department, limit: int, **more: Any
) -> None:
    """Start the deadline `kind` of `target` (supervision's timer, `start` and `url` in `more`)."""
    timers.timer_start(
        actor=write.actor,
        kind=kind,
        kind_label=TIMER_LABELS[kind],
        target=target,
        title=title,
        department=department,
        limit=limit,
        **more,
    )


def json_value(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value
