"""The dispatch (联动调度): starting a response from a plan gives every department named at that
response level its task with two minute clocks (签收 within N minutes of dispatch, 到达/反馈
within M minutes of dispatch; supervision timers `emergency.task_sign` and `emergency.task_arrive`).
The department signs, reports arrival, progress, asks for support and finishes; the commander may
add or cancel tasks; the tasks still open when the response ends are cancelled (docs/rules.md §15).
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from zhengwu.accounts.models import Department
from zhengwu.audit.write import Write, audited_write
from zhengwu.core.actors import Actor
from zhengwu.core.errors import ApplicationError, required_text
from zhengwu.emergency.audit_actions import EmergencyAction
from zhengwu.emergency.errors import EmergencyError
from zhengwu.emergency.models import Plan, PlanVersion, ResponseLevel, Task, TaskEvent
from zhengwu.emergency.services import incident_link
from zhengwu.emergency.services.common import (
    ARRIVE_TIMER,
    MAX_MINUTES,
    SIGN_TIMER,
    actor_label,
    is_task_staff,
)
from zhengwu.emergency.states import TASK
from zhengwu.supervision import services as supervision_services
from zhengwu.supervision.models import Timer

Incident = incident_link.Incident


def _event(task: Task, kind: str, actor: Actor, text: str = "", at: datetime | None = None) -> TaskEvent:
    return TaskEvent.objects.create(task=task, kind=kind, text=text, at=at or timezone.now(), by=actor_label(actor))


def _issue(
    actor: Actor,
    incident: Incident,
    department: Department,
    duty: str,
    level: str,
    *,
    version: PlanVersion | None,
    is_lead: bool,
    sign_minutes: int,
    arrive_minutes: int,
    when: datetime,
) -> Task:
    task = Task.objects.create(
        incident=incident,
        plan_version=version,
        level=level,
        department=department,
        duty=duty,
        is_lead=is_lead,
        sign_minutes=sign_minutes,
        arrive_minutes=arrive_minutes,
        issued_by=actor.user,
        issued_at=when,
    )
    url = reverse("emergency_wb:task", args=[task.pk])
    title = f"{incident}：{department.name}"[:200]
    # the timers are the only record of the deadlines: the board and the lists read them (docs/rules.md §15)
    for kind, label, limit in (
        (SIGN_TIMER, "应急任务签收", sign_minutes),
        (ARRIVE_TIMER, "应急任务到达/反馈", arrive_minutes),
    ):
        supervision_services.timer_start(
            actor=actor,
            kind=kind,
            kind_label=label,
            target=task,
            title=title,
            department=department,
            limit=limit,
            unit=Timer.Unit.MINUTE,
            start=when,
            url=url,
        )
    _event(task, TaskEvent.Kind.ISSUE, actor, duty, at=when)
    return task


def _default(value: int | None, setting: str) -> int:
    return value if value is not None else int(getattr(settings, setting))


def plan_activate(
    *, actor: Actor, plan: Plan, incident: Incident, level: str, when: datetime | None = None
) -> list[Task]:
    """启动响应: the incident moves to 响应 and every department the plan's current version names at
    `level` gets its task (the lead department's marked 牵头); a department that already has an
    open task on the incident is not given a second one."""
    with audited_write(actor, EmergencyAction.PLAN_ACTIVATE, incident) as write:
        locked = write.lock(incident, "region")
        # the duty room's 值班员 starts it as the issue's journey has it (on the 指挥长's word); adding
        # and cancelling tasks stay the 指挥长's (docs/rules.md §15)
        write.require(
            incident_link.is_duty_for(actor, locked), "只有事发地应急管理部门的值班员或指挥长可以启动预案响应。"
        )
        if level not in ResponseLevel.values:
            raise ApplicationError(EmergencyError.INVALID_INPUT, "请选择响应级别。", {"level": "必选"})
        if not plan.is_active:
            raise ApplicationError(EmergencyError.WRONG_STATE, f"预案“{plan.name}”已停用。")
        version = plan.current
        duties = list(version.duties.filter(level=level).select_related("department"))
        if not duties:
            raise ApplicationError(
                EmergencyError.NO_DUTIES,
                f"预案“{plan.name}”第{version.number}版没有{ResponseLevel(level).label}的部门职责。",
                {"level": "无职责"},
            )
        moment = when or timezone.now()
        incident_link.start_response(actor=actor, incident=locked, level=level, plan_name=plan.name, when=moment)
        busy = set(
            Task.objects.filter(incident=locked, state__in=Task.OPEN_STATES).values_list("department_id", flat=True)
        )
        tasks = [
            _issue(
                actor,
                locked,
                d.department,
                d.duty,
                level,
                version=version,
                is_lead=d.department_id == version.lead_department_id,
                sign_minutes=_default(d.sign_minutes, "ZHENGWU_EMERGENCY_TASK_SIGN_MINUTES"),
                arrive_minutes=_default(d.arrive_minutes, "ZHENGWU_EMERGENCY_TASK_ARRIVE_MINUTES"),
                when=moment,
            )
            for d in duties
            if d.department_id not in busy
        ]
        write.note(plan=plan.name, version=version.number, level=level, tasks=len(tasks))
    return tasks


def task_add(
    *,
    actor: Actor,
    incident: Incident,
    department: Department,
    duty: str,
    sign_minutes: int | None = None,
    arrive_minutes: int | None = None,
    when: datetime | None = None,
) -> Task:
    """The commander adds a task for a department (one open task per department and incident)."""
    with audited_write(actor, EmergencyAction.TASK_ADD, incident) as write:
        locked = write.lock(incident, "region")
        write.require(incident_link.is_commander_for(actor, locked), "只有事发地应急管理部门的指挥长可以增派任务。")
        if not incident_link.is_responding(locked):
            raise ApplicationError(EmergencyError.WRONG_STATE, "事件不在响应或处置阶段，不能增派任务。")
        duty = required_text(duty, field="duty", what="任务内容", code=EmergencyError.INVALID_INPUT, max_length=1000)
        for value, name, what in (
            (sign_minutes, "sign_minutes", "签收时限"),
            (arrive_minutes, "arrive_minutes", "到达/反馈时限"),
        ):
            if value is not None and not 1 <= value <= MAX_MINUTES:
                raise ApplicationError(
                    EmergencyError.INVALID_INPUT, f"{what}应为 1 至 {MAX_MINUTES} 分钟。", {name: "超出范围"}
                )
        if Task.objects.filter(incident=locked, department=department, state__in=Task.OPEN_STATES).exists():
            raise ApplicationError(
                EmergencyError.TASK_EXISTS, f"{department.name}已有未完成的任务。", {"department": "已有任务"}
            )
        last = Task.objects.filter(incident=locked).exclude(plan_version=None).order_by("-id").first()
        task = _issue(
            actor,
            locked,
            department,
            duty,
            last.level if last else incident_link.response_level_of(locked),
            version=None,
            is_lead=False,
            sign_minutes=_default(sign_minutes, "ZHENGWU_EMERGENCY_TASK_SIGN_MINUTES"),
            arrive_minutes=_default(arrive_minutes, "ZHENGWU_EMERGENCY_TASK_ARRIVE_MINUTES"),
            when=when or timezone.now(),
        )
        write.note(department=department.name, task=task.pk)
    return task


def _locked(write: Write, task: Task, move: str) -> Task:
    locked = write.lock(task, "department")
    write.require(is_task_staff(write.actor, locked.department_id), f"只有{locked.department.name}可以办理该任务。")
    TASK.check(locked, move)
    return locked


def task_sign(*, actor: Actor, task: Task, when: datetime | None = None) -> Task:
    """签收: the time and who; the 签收 clock stops."""
    with audited_write(actor, EmergencyAction.TASK_SIGN, task) as write:
        locked = _locked(write, task, "sign")
        TASK.move(locked, "sign")
        locked.signed_at = when or timezone.now()
        locked.signed_by = actor_label(actor)
        locked.save()
        supervision_services.live_timer_finish(actor=actor, target=locked, kind=SIGN_TIMER, when=locked.signed_at)
        _event(locked, TaskEvent.Kind.SIGN, actor, at=locked.signed_at)
        write.note(signed_at=locked.signed_at.isoformat())
    return locked


def task_arrive(*, actor: Actor, task: Task, text: str = "", when: datetime | None = None) -> Task:
    """到达/反馈: on site (or first feedback given); the second clock stops."""
    with audited_write(actor, EmergencyAction.TASK_ARRIVE, task) as write:
        locked = _locked(write, task, "arrive")
        TASK.move(locked, "arrive")
        locked.arrived_at = when or timezone.now()
        locked.save()
        supervision_services.live_timer_finish(actor=actor, target=locked, kind=ARRIVE_TIMER, when=locked.arrived_at)
        _event(locked, TaskEvent.Kind.ARRIVE, actor, (text or "").strip()[:2000], at=locked.arrived_at)
        write.note(arrived_at=locked.arrived_at.isoformat())
    return locked


def _report(actor: Actor, task: Task, action: EmergencyAction, move: str, kind: str, text: str, what: str) -> TaskEvent:
    with audited_write(actor, action, task) as write:
        locked = _locked(write, task, move)
        text = required_text(text, field="text", what=what, code=EmergencyError.INVALID_INPUT, max_length=2000)
        if kind == TaskEvent.Kind.SUPPORT and not locked.support_open:
            locked.support_open = True
            locked.save(update_fields=["support_open"])
        event = _event(locked, kind, actor, text)
        write.note(text=text[:200])
    return event


def task_progress(*, actor: Actor, task: Task, text: str) -> TaskEvent:
    """报告进展 (a 续报 of the department's own part)."""
    return _report(actor, task, EmergencyAction.TASK_PROGRESS, "progress", TaskEvent.Kind.PROGRESS, text, "进展情况")


def task_support(*, actor: Actor, task: Task, text: str) -> TaskEvent:
    """请求支援: what is needed; the task shows it on the board until it is finished."""
    return _report(actor, task, EmergencyAction.TASK_SUPPORT, "support", TaskEvent.Kind.SUPPORT, text, "支援需求")


def task_finish(*, actor: Actor, task: Task, result: str) -> Task:
    """完成, with the result."""
    with audited_write(actor, EmergencyAction.TASK_FINISH, task) as write:
        locked = _locked(write, task, "finish")
        locked.result = required_text(
            result, field="result", what="完成情况", code=EmergencyError.INVALID_INPUT, max_length=2000
        )
        TASK.move(locked, "finish")
        locked.done_at = timezone.now()
        locked.support_open = False
        locked.save()
        _event(locked, TaskEvent.Kind.FINISH, actor, locked.result)
        write.note(result=locked.result[:200])
    return locked


def _cancel(actor: Actor, task: Task, reason: str) -> None:
    TASK.move(task, "cancel")
    task.support_open = False
    task.save()
    for kind in (SIGN_TIMER, ARRIVE_TIMER):
        supervision_services.live_timer_cancel(actor=actor, target=task, kind=kind, reason=reason)
    _event(task, TaskEvent.Kind.CANCEL, actor, reason)


def task_cancel(*, actor: Actor, task: Task, reason: str) -> Task:
    """The commander withdraws a task (its clocks are cancelled)."""
    with audited_write(actor, EmergencyAction.TASK_CANCEL, task) as write:
        locked = write.lock(task, "incident__region")
        write.require(
            incident_link.is_commander_for(actor, locked.incident), "只有事发地应急管理部门的指挥长可以撤销任务。"
        )
        TASK.check(locked, "cancel")
        reason = required_text(
            reason, field="reason", what="撤销原因", code=EmergencyError.INVALID_INPUT, max_length=500
        )
        _cancel(actor, locked, reason)
        write.note(reason=reason[:200])
    return locked


def response_close(*, actor: Actor, incident: Incident) -> int:
    """When the incident's response ends (终止): open tasks are cancelled and committed resources
    released. Called inside the incident's own write; returns the number of tasks cancelled."""
    from zhengwu.emergency.services.resources import release_all

    count = 0
    for task in Task.objects.select_for_update().filter(incident=incident, state__in=Task.OPEN_STATES):
        _cancel(actor, task, "应急响应终止")
        count += 1
    release_all(actor=actor, incident=incident)
    return count
