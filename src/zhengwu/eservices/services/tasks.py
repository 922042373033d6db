"""Parallel approval (并联审批): the department tasks of a case's stages.

认领 (`task_claim`): a clerk of the task's department claims a live task; two claiming at once →
one succeeds, the other gets `eservices.task_claimed`. A claimed task is acted on (办理, 特别程序)
only by its claimer; others get `eservices.task_claimed` naming who holds it.

Every service locks the case row, then the task row, and checks the states on the fresh rows: of
two clerks acting at once exactly one succeeds, the other gets `eservices.wrong_state`.

Deadlines: `eservices.task` (审批任务时限), one per department task, started when its stage opens,
with the task's own limit; paused during that task's special procedure (特别程序), as is the case's
own clock while any of its tasks is in one; finished when the task is done.
"""

from __future__ import annotations

from datetime import datetime

from django.urls import reverse
from django.utils import timezone

from zhengwu.audit.write import Write, audited_write
from zhengwu.core.actors import Actor
from zhengwu.core.errors import ApplicationError
from zhengwu.eservices import notify
from zhengwu.eservices.audit_actions import EservicesAction
from zhengwu.eservices.errors import EservicesError
from zhengwu.eservices.models import Application, CaseTask
from zhengwu.eservices.services.common import (
    TIMER_APPLICATION,
    TIMER_TASK,
    event,
    is_handler,
    lock_application,
    reason_text,
    require_handler,
    start_clock,
)
from zhengwu.eservices.states import APPLICATION_STATES, TASK_STATES
from zhengwu.supervision import services as timers


def open_stage(write: Write, application: Application, position: int, when: datetime) -> None:
    """Open the department tasks of stage `position`, each with its clock; past the last stage the
    review is over and the case waits for the decision (待决定)."""
    actor = write.actor
    stage = application.item.stages.filter(position=position).prefetch_related("tasks__department").first()
    if stage is None:
        APPLICATION_STATES.move(application, "conclude")
        application.current_stage = None
        application.save(update_fields=["state", "current_stage", "updated_at"])
        event(application, actor.user, "deciding", "审查完毕，待作出决定", at=when)
        return
    application.current_stage = position
    application.save(update_fields=["current_stage", "updated_at"])
    names = []
    for spec in stage.tasks.all():
        task = CaseTask.objects.create(
            application=application,
            spec=spec,
            stage_position=position,
            department=spec.department,
            name=spec.name,
            opened_at=when,
        )
        names.append(spec.department.name)
        url = reverse("eservices_wb:task", args=[task.pk])
        title = f"{application.number} {spec.name}"
        start_clock(write, TIMER_TASK, task, title, spec.department, spec.limit, start=when, url=url)
    joined = "、".join(names)
    text = f"进入“{stage.name}”环节：{joined}" + ("并联审查" if len(names) > 1 else "审查")
    event(application, actor.user, "stage", text, at=when)


def _lock_task(write: Write, task: CaseTask) -> tuple[Application, CaseTask]:
    application = lock_application(write, task.application)
    return application, write.lock(task, "department", "claimed_by")


def _check_live(application: Application, task: CaseTask, move: str) -> None:
    """The task may take `move`, and its case is still under review."""
    TASK_STATES.check(task, move)
    APPLICATION_STATES.check(application, "review")


def _claimer_name(task: CaseTask) -> str:
    claimer = task.claimed_by
    return str(claimer) if claimer is not None else "其他工作人员"


def _require_claimer(write: Write, task: CaseTask, action: str) -> None:
    """A claimed task is acted on only by the clerk who claimed it (认领人), or by the platform."""
    actor = write.actor
    if not actor.is_platform and task.claimed_by_id is not None and not actor.is_user(task.claimed_by_id):
        raise ApplicationError(
            EservicesError.TASK_CLAIMED,
            f"任务“{task.name}”已由{_claimer_name(task)}认领，只有认领人可以{action}。",
            {"claimed_by": _claimer_name(task)},
            status=409,
        )


def _require_task_handler(write: Write, task: CaseTask, action: str) -> None:
    require_handler(write, task.department)
    _require_claimer(write, task, action)


def task_claim(*, actor: Actor, task: CaseTask) -> CaseTask:
    """认领: a clerk (or the leader) of the task's department takes a live task; from then on only
    they act on it. The task row is locked and checked fresh: of two clerks claiming at once exactly
    one succeeds, the other is told who holds it."""
    with audited_write(actor, EservicesAction.TASK_CLAIM, task) as write:
        application, locked = _lock_task(write, task)
        write.require(
            is_handler(actor, locked.department_id), f"只有{locked.department.name}的工作人员可以认领该任务。"
        )
        _check_live(application, locked, "claim")
        if locked.claimed_by_id is not None:
            who = "您" if actor.is_user(locked.claimed_by_id) else _claimer_name(locked)
            raise ApplicationError(
                EservicesError.TASK_CLAIMED,
                f"任务“{locked.name}”已由{who}认领，不能重复认领。",
                {"claimed_by": str(locked.claimed_by)},
                status=409,
            )
        locked.claimed_by = actor.user
        locked.claimed_at = timezone.now()
        locked.save(update_fields=["claimed_by", "claimed_at"])
        write.note(application=application.number, task=locked.name)
    task.refresh_from_db()
    return locked


def task_complete(
    *, actor: Actor, task: CaseTask, approve: bool, opinion: str, when: datetime | None = None
) -> CaseTask:
    """A department approves (同意) or objects (不同意, with reasons) in its task. When every task
    of the stage has agreed the next stage opens; an objection ends the review (待决定)."""
    with audited_write(actor, EservicesAction.TASK_COMPLETE, task) as write:
        opinion = (opinion or "").strip()[:2000]
        if not approve:
            opinion = reason_text(opinion, "不同意的理由", "opinion")
        application, locked = _lock_task(write, task)
        _require_task_handler(write, locked, "办理")
        _check_live(application, locked, "approve" if approve else "reject")
        now = when or timezone.now()
        TASK_STATES.move(locked, "approve" if approve else "reject")
        locked.opinion = opinion
        locked.handled_by = actor.user
        locked.handled_at = now
        locked.save(update_fields=["state", "opinion", "handled_by", "handled_at"])
        timers.live_timer_finish(actor=actor, target=locked, kind=TIMER_TASK, when=now)
        verdict = "同意" if approve else "不同意"
        text = f"{locked.department.name}：{verdict}" + (f"（{opinion}）" if opinion else "")
        event(application, actor.user, "task", text, at=now)
        write.note(application=application.number, approve=approve)
        stage_tasks = application.tasks.filter(stage_position=locked.stage_position)
        if not approve:
            for other in stage_tasks.filter(state__in=CaseTask.LIVE_STATES):
                TASK_STATES.move(other, "cancel")
                other.save(update_fields=["state"])
                timers.live_timer_cancel(
                    actor=actor, target=other, kind=TIMER_TASK, reason=f"{locked.department.name}不同意，审查终止"
                )
            resume_case_if_no_special(write, application, now)
            APPLICATION_STATES.move(application, "conclude")
            application.save(update_fields=["state", "updated_at"])
            event(application, None, "deciding", "审查终止，待作出决定", at=now)
        elif not stage_tasks.exclude(state=CaseTask.State.APPROVED).exists():
            open_stage(write, application, locked.stage_position + 1, now)
        if application.state == Application.State.DECIDING:
            notify.staff(application.department, application, f"办件 {application.number} 审查完毕，请作出决定。")
    task.refresh_from_db()
    return locked


def resume_case_if_no_special(write: Write, application: Application, when: datetime) -> None:
    """The case's clock runs again once none of its tasks is in a special procedure."""
    if not application.tasks.filter(state=CaseTask.State.SPECIAL).exists():
        timers.live_timer_resume(actor=write.actor, target=application, kind=TIMER_APPLICATION, when=when)
        if application.special_reason:
            application.special_reason = ""
            application.save(update_fields=["special_reason", "updated_at"])


def task_special_start(*, actor: Actor, task: CaseTask, reason: str, when: datetime | None = None) -> CaseTask:
    """特别程序 (听证、专家评审、检验检测、公示 …): the task's and the case's clocks stop."""
    with audited_write(actor, EservicesAction.TASK_SPECIAL_START, task) as write:
        reason = reason_text(reason, "特别程序事由", limit=300)
        application, locked = _lock_task(write, task)
        _require_task_handler(write, locked, "启动特别程序")
        _check_live(application, locked, "special_start")
        now = when or timezone.now()
        TASK_STATES.move(locked, "special_start")
        locked.special_reason = reason
        locked.save(update_fields=["state", "special_reason"])
        pause = f"特别程序：{reason}"
        timers.live_timer_pause(actor=actor, target=locked, kind=TIMER_TASK, reason=pause, when=now)
        timers.live_timer_pause(actor=actor, target=application, kind=TIMER_APPLICATION, reason=pause, when=now)
        application.special_reason = reason
        application.save(update_fields=["special_reason", "updated_at"])
        event(
            application,
            actor.user,
            "special",
            f"{locked.department.name}启动特别程序：{reason}（不计入办理时限）",
            at=now,
        )
        write.note(reason=reason)
        notify.send(application.applicant, application, f"您的办件 {application.number} 进入特别程序：{reason}")
    task.refresh_from_db()
    return locked


def task_special_end(*, actor: Actor, task: CaseTask, when: datetime | None = None) -> CaseTask:
    """The special procedure is over: the clocks run again (the case's once no task is still in one)."""
    with audited_write(actor, EservicesAction.TASK_SPECIAL_END, task) as write:
        application, locked = _lock_task(write, task)
        _require_task_handler(write, locked, "结束特别程序")
        TASK_STATES.move(locked, "special_end")
        now = when or timezone.now()
        locked.save(update_fields=["state"])
        timers.live_timer_resume(actor=actor, target=locked, kind=TIMER_TASK, when=now)
        resume_case_if_no_special(write, application, now)
        event(application, actor.user, "special_end", f"{locked.department.name}特别程序结束，恢复计时", at=now)
    task.refresh_from_db()
    return locked
