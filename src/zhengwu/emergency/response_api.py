"""HTTP API of the dispatch for departments' systems (under /api/v1/emergency):

    GET  /api/v1/emergency/tasks?state=&after=&limit=   the department's dispatch tasks (keyset pages)
    POST /api/v1/emergency/tasks/{task_id}/sign         签收
    POST /api/v1/emergency/tasks/{task_id}/progress     进展 (or 到达/反馈 with "arrived": true)

Callers: a department system with a bearer token holding scope `emergency:tasks`; it acts for its
department (as its clerk would on the workbench), on that department's tasks only.
"""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from zhengwu.accounts.api_auth import ApiClientAuth
from zhengwu.accounts.models import ApiClient
from zhengwu.core.actors import Actor
from zhengwu.core.errors import not_found
from zhengwu.core.keyset_api import KeysetQuery
from zhengwu.core.pagination import keyset_page
from zhengwu.core.schemas import ErrorOut
from zhengwu.emergency import response_selectors, services
from zhengwu.emergency.models import Task
from zhengwu.supervision.models import Timer

SCOPE = ApiClient.Scope.EMERGENCY_TASKS
router = Router(tags=["应急联动"], auth=[ApiClientAuth(SCOPE)])


class TaskOut(Schema):
    id: int
    incident_id: int
    incident: str
    level: str
    duty: str
    is_lead: bool
    state: str
    state_label: str
    issued_at: datetime
    sign_due_at: datetime | None = Field(description="签收截止：签收计时（监察计时）的当前截止时刻，含延长和暂停")
    arrive_due_at: datetime | None = Field(description="到达/反馈截止：到达计时的当前截止时刻，含延长和暂停")
    light: str = Field(description="任务灯：red 超时、yellow 临近、paused 暂停计时、green 正常、done 已结束")
    signed_at: datetime | None
    arrived_at: datetime | None
    done_at: datetime | None
    support_open: bool


class TaskPage(Schema):
    items: list[TaskOut]
    next_after: int | None


class TaskFilter(KeysetQuery):
    state: str = Field("", description="状态：issued（待签收）、signed、arrived、done、cancelled；空为全部")


class ProgressIn(Schema):
    text: str = Field(description="进展情况（或到达/反馈情况）")
    arrived: bool = Field(False, description="true：报告到达现场/首次反馈（停止到达计时）")


def _due(timer: Timer | None) -> datetime | None:
    return timer.deadline_at if timer is not None else None


def _rows(tasks: list[Task]) -> list[TaskOut]:
    """The tasks with their deadlines as the supervision timers hold them (one query for the page)."""
    return [_out(row) for row in response_selectors.task_rows(tasks)]


def _one(task: Task) -> TaskOut:
    return _rows([task])[0]


def _out(row: response_selectors.TaskRow) -> TaskOut:
    t = row.task
    return TaskOut(
        id=t.pk,
        incident_id=t.incident_id,
        incident=str(t.incident),
        level=t.level,
        duty=t.duty,
        is_lead=t.is_lead,
        state=t.state,
        state_label=t.get_state_display(),
        issued_at=t.issued_at,
        sign_due_at=_due(row.sign),
        arrive_due_at=_due(row.arrive),
        light=row.light,
        signed_at=t.signed_at,
        arrived_at=t.arrived_at,
        done_at=t.done_at,
        support_open=t.support_open,
    )


def _task(request: HttpRequest, task_id: int) -> Task:
    found = response_selectors.tasks_of(Actor.from_request(request)).filter(pk=task_id).first()
    if found is None:
        raise not_found("任务")
    return found


@router.get("/tasks", response={200: TaskPage, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut}, summary="本部门的联动任务")
def tasks(request: HttpRequest, filters: Query[TaskFilter]) -> dict[str, object]:
    rows = response_selectors.tasks_of(Actor.from_request(request))
    if filters.state in Task.State.values:
        rows = rows.filter(state=filters.state)
    items, next_after = keyset_page(rows, after=filters.after, limit=filters.limit)
    return {"items": _rows(list(items)), "next_after": next_after}


@router.post(
    "/tasks/{task_id}/sign",
    response={200: TaskOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    summary="签收联动任务",
)
def sign(request: HttpRequest, task_id: int) -> TaskOut:
    return _one(services.task_sign(actor=Actor.from_request(request), task=_task(request, task_id)))


@router.post(
    "/tasks/{task_id}/progress",
    response={200: TaskOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
    summary="报告进展或到达/反馈",
)
def progress(request: HttpRequest, task_id: int, payload: ProgressIn) -> TaskOut:
    actor = Actor.from_request(request)
    task = _task(request, task_id)
    if payload.arrived:
        task = services.task_arrive(actor=actor, task=task, text=payload.text)
    else:
        services.task_progress(actor=actor, task=task, text=payload.text)
        task.refresh_from_db()
    return _one(task)
