"""/api/v1/supervision — read-only figures of the e-supervision centre (电子监察).

    GET /api/v1/supervision/dashboard            live timers by light, department and kind
    GET /api/v1/supervision/red-list?after=&limit=&department=&kind=   overdue live timers

Callers: a department system with a bearer token holding scope `supervision:read` (the whole
platform), or a person with a session: supervisors and the e-government office see the whole
platform, a department leader only their own department; anyone else gets 403.
The red list pages by timer id (keyset: pass `next_after` as `after`).
"""

from __future__ import annotations

from datetime import date, datetime

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from zhengwu.accounts.api_auth import ApiClientAuth, PersonSessionAuth
from zhengwu.accounts.models import ApiClient, Department, User
from zhengwu.core.errors import ApplicationError, CoreError
from zhengwu.core.keyset_api import KeysetQuery, keyset_response
from zhengwu.core.schemas import ErrorOut
from zhengwu.supervision import selectors as sel

router = Router(tags=["电子监察"])

SCOPE = ApiClient.Scope.SUPERVISION_READ
supervision_auth = [ApiClientAuth(SCOPE), PersonSessionAuth()]


class LightCountsOut(Schema):
    key: str = Field(description="部门 id、时限类型代码或 all")
    label: str = Field(description="部门名称、时限类型名称或 全部")
    red: int = Field(description="红灯：已超期")
    yellow: int = Field(description="黄灯：临近时限")
    green: int = Field(description="绿灯：正常")
    paused: int = Field(description="暂停计时（补正、听证等特别程序）")
    total: int


class DashboardOut(Schema):
    today: date = Field(description="统计日（北京时间）")
    scope: str = Field(description="all（全平台）或部门名称")
    totals: LightCountsOut
    by_department: list[LightCountsOut]
    by_kind: list[LightCountsOut]


class RedTimerOut(Schema):
    id: int
    kind: str
    kind_label: str
    title: str
    department_id: int
    department: str
    state: str = Field(description="running 或 paused（暂停前已超期）")
    start_date: date
    deadline: date
    deadline_at: datetime | None = Field(description="分钟计时的截止时刻")
    limit: int
    unit: str


class RedListOut(Schema):
    items: list[RedTimerOut]
    next_after: int | None = Field(description="下一页游标；无更多时为 null")


class RedListQuery(KeysetQuery):
    after: int | None = Field(None, ge=0, description="上一页返回的 next_after")
    limit: int = Field(50, ge=1, le=500, description="每页条数（1–500）")
    department: int | None = Field(None, ge=1, description="只看某一责任单位（部门 id）")
    kind: str | None = Field(None, max_length=64, description="只看某一时限类型，如 exchange.share_request")


def _scope(request: HttpRequest) -> Department | None:
    """None for the whole platform; a department leader's own department; else 403."""
    auth = request.auth  # type: ignore[attr-defined]
    if isinstance(auth, User):
        return sel.watched_department(auth)
    return None  # an API client holding supervision:read


def _row(row: sel.LightRow) -> dict[str, object]:
    return {
        "key": str(row.key),
        "label": row.label,
        "red": row.red,
        "yellow": row.yellow,
        "green": row.green,
        "paused": row.paused,
        "total": row.total,
    }


@router.get(
    "/dashboard",
    response={200: DashboardOut, 401: ErrorOut, 403: ErrorOut},
    auth=supervision_auth,
    summary="在办计时红黄绿灯统计（按部门、按类型）",
)
def dashboard(request: HttpRequest) -> dict[str, object]:
    from zhengwu.core import workdays

    department = _scope(request)
    board = sel.dashboard(department)
    return {
        "today": workdays.today(),
        "scope": department.name if department else "all",
        "totals": _row(board.totals),
        "by_department": [_row(r) for r in board.by_department],
        "by_kind": [_row(r) for r in board.by_kind],
    }


@router.get(
    "/red-list",
    response={200: RedListOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut},
    auth=supervision_auth,
    summary="红灯清单（已超期的在办计时）",
)
def red_list(request: HttpRequest, filters: Query[RedListQuery]) -> dict[str, object]:
    department = _scope(request)
    if filters.department is not None:
        if department is not None and filters.department != department.pk:
            raise ApplicationError(CoreError.PERMISSION_DENIED, "部门负责人只能查看本部门的计时。")
        department = Department.objects.filter(pk=filters.department).first()
        if department is None:
            raise ApplicationError(CoreError.INVALID_INPUT, "部门不存在。", {"department": "不存在"})
    rows = sel.red_list(department, kind=filters.kind or None)
    return keyset_response(
        rows,
        filters,
        lambda t: {
            "id": t.pk,
            "kind": t.kind,
            "kind_label": t.kind_label,
            "title": t.title,
            "department_id": t.department_id,
            "department": t.department.name,
            "state": t.state,
            "start_date": t.start_date,
            "deadline": t.deadline,
            "deadline_at": t.deadline_at,
            "limit": t.limit,
            "unit": t.unit,
        },
    )
