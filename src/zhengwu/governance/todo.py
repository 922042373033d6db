"""The governance app's share of the workbench to-do list (`todo_items(user)`, docs/rules.md §11–13):
every step of 信息化统筹 that waits for a person, on that person's list until it is done.

- A department's 信息化管理员 and its leader: the 自查 of a system the e-gov office confirmed as a
  zombie candidate (with the light of its ZHENGWU_ZOMBIE_SELF_CHECK_DAYS clock, linked to the form).
- A department's project staff (信息化管理员, clerk, leader): a project sent back (退回修改), one held
  at the sharing gate (共建共享整改: its reasons are on the project's page), one established and not yet
  being built (开工建设).
- The e-gov office: zombie candidates to confirm or dismiss and answered 自查 to decide (审核);
  projects waiting for 技术审核, 批准, 备案确认, 立项, 验收 or 绩效评价 (each with its clock's light
  where it has one); evaluation runs waiting for review (or whose computation failed).

A module of its own rather than `selectors.todo_items`: it names the services' timer kinds, and the
services import the selectors.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.urls import reverse

from zhengwu.accounts.models import Role, User
from zhengwu.core.contracts import TodoItem
from zhengwu.governance.models import EvaluationRun, Project, ZombieCase
from zhengwu.governance.permissions import MANAGER_ROLES
from zhengwu.governance.services.projects import (
    ACCEPTANCE_TIMER,
    APPROVAL_TIMER,
    DEPARTMENT_ROLES,
    EVALUATION_TIMER,
    FILING_TIMER,
    REVIEW_TIMER,
    sharing_gate,
)
from zhengwu.governance.services.zombies import SELF_CHECK_TIMER
from zhengwu.supervision.models import Timer
from zhengwu.supervision.selectors import live_timers_of

LIMIT = 200  # a to-do list is read, not paged through by the thousand

_P = Project.State
# the office's project steps: state → (label, the clock of that step or "")
OFFICE_STEPS: dict[str, tuple[str, str]] = {
    _P.SUBMITTED: ("项目技术审核", REVIEW_TIMER),
    _P.REVIEWED: ("项目批准", APPROVAL_TIMER),
    _P.FILING: ("项目备案确认", FILING_TIMER),
    _P.APPROVED: ("项目立项", ""),
    _P.ACCEPTING: ("项目验收", ACCEPTANCE_TIMER),
    _P.OPERATING: ("项目绩效评价", EVALUATION_TIMER),
}
GATED = (_P.REVIEWED, _P.FILING, _P.ACCEPTING)  # the steps the sharing gate guards


def _zombie_items(rows: QuerySet[ZombieCase], label: str, title: str, anchor: str) -> list[TodoItem]:
    cases = list(rows.select_related("system", "system__department").order_by("found_at", "id")[:LIMIT])
    timers = live_timers_of(cases, SELF_CHECK_TIMER)
    return [
        TodoItem.timed(
            label,
            title.format(system=case.system.name, department=case.system.department.name),
            reverse("governance_wb:zombie_detail", args=[case.pk]) + anchor,
            timers.get(str(case.pk)),
        )
        for case in cases
    ]


def _project_url(project: Project) -> str:
    return reverse("governance_wb:project", args=[project.pk])


def _office_projects() -> list[TodoItem]:
    projects = list(
        Project.objects.filter(state__in=list(OFFICE_STEPS)).select_related("department").order_by("created_at")[:LIMIT]
    )
    timers: dict[str, dict[str, Timer]] = {
        kind: live_timers_of([p for p in projects if OFFICE_STEPS[p.state][1] == kind], kind)
        for kind in {kind for _, kind in OFFICE_STEPS.values() if kind}
    }
    items = []
    for project in projects:
        label, kind = OFFICE_STEPS[project.state]
        timer = timers[kind].get(str(project.pk)) if kind else None
        items.append(
            TodoItem.timed(label, f"{project.name}（{project.department.name}）", _project_url(project), timer)
        )
    return items


def _department_projects(department_id: int) -> list[TodoItem]:
    mine = Project.objects.filter(department_id=department_id).order_by("created_at")
    items = [
        TodoItem("项目退回修改", f"{p.name}：{p.tech_opinion[:60]}", _project_url(p))
        for p in mine.filter(state=_P.DRAFT, submitted_at__isnull=False)[:LIMIT]
    ]
    items += [
        TodoItem("共建共享整改", f"{p.name}：{len(reasons)} 项不符合共建共享要求", _project_url(p))
        for p in mine.filter(state__in=GATED)[:LIMIT]
        if (reasons := sharing_gate(p))
    ]
    items += [TodoItem("项目开工建设", p.name, _project_url(p)) for p in mine.filter(state=_P.ESTABLISHED)[:LIMIT]]
    return items


def _office_runs() -> list[TodoItem]:
    waiting = EvaluationRun.objects.filter(state__in=[EvaluationRun.State.REVIEWING, EvaluationRun.State.FAILED])
    return [
        TodoItem(
            "考核结果审核" if run.state == EvaluationRun.State.REVIEWING else "考核重新计算",
            run.title,
            reverse("governance_wb:run", args=[run.pk]),
        )
        for run in waiting.order_by("period_end", "id")[:LIMIT]
    ]


def todo_items(user: User) -> list[TodoItem]:
    items: list[TodoItem] = []
    department_id = user.department_id
    if department_id is not None and user.has_role(*MANAGER_ROLES):
        own = ZombieCase.objects.filter(system__department_id=department_id, state=ZombieCase.State.SELF_CHECK)
        items += _zombie_items(own, "僵尸系统自查", "自查 {system}", "#self-check")
    if department_id is not None and user.has_role(*DEPARTMENT_ROLES):
        items += _department_projects(department_id)
    if user.has_role(Role.EGOV_OFFICE):
        candidates = ZombieCase.objects.filter(state=ZombieCase.State.CANDIDATE)
        items += _zombie_items(candidates, "僵尸系统确认", "{system}（{department}）", "")
        answered = ZombieCase.objects.filter(state=ZombieCase.State.REVIEW)
        items += _zombie_items(answered, "僵尸系统审核", "{system}（{department}）", "")
        items += _office_projects()
        items += _office_runs()
    return items
