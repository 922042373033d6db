"""HTTP API of the emergency app for department systems (mounted at /api/v1/emergency).

    POST /api/v1/emergency/incidents                         report an incident (接报 at the duty room)
    GET  /api/v1/emergency/incidents/{incident_id}           its state, level, clocks and reports
    POST /api/v1/emergency/incidents/{incident_id}/reports   post a 续报 (signed off on the platform)

Callers: a department system with a bearer token holding scope `emergency:report` (granted like
any scope, `accounts.ApiClient.Scope`). It reports as its department (报告单位); it sees the
incidents its department reported, or those its department (an 应急 department) answers for. A
续报 it posts is a draft: a leader of the 应急 department signs it off before it goes up.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from zhengwu.accounts.api_auth import ApiClientAuth
from zhengwu.accounts.models import ApiClient
from zhengwu.core.actors import Actor
from zhengwu.core.errors import not_found
from zhengwu.core.schemas import ErrorOut
from zhengwu.emergency import selectors, services
from zhengwu.emergency.models import Incident, IncidentReport
from zhengwu.emergency.services import IncidentData, ReportData

SCOPE = ApiClient.Scope.EMERGENCY_REPORT
router = Router(tags=["应急联动"], auth=[ApiClientAuth(SCOPE)])


class IncidentIn(Schema):
    title: str = Field(description="事件名称")
    category: str = Field(
        description="事件类别：natural（自然灾害）、accident（事故灾难）、health（公共卫生事件）、social（社会安全事件）"
    )
    subcategory: str = Field("", description="事件子类，如 洪涝灾害")
    level: int | None = Field(None, ge=1, le=4, description="初判级别 1（特别重大）至 4（一般），可不填")
    occurred_at: datetime | None = Field(None, description="发生时间（ISO 8601，含时区）；不填为接报时间")
    region_code: str = Field(description="事发地 6 位 GB/T 2260 行政区划代码")
    place: str = Field(description="事发地点")
    lat: Decimal | None = Field(None, description="纬度（十进制度）")
    lng: Decimal | None = Field(None, description="经度（十进制度）")
    description: str = Field(description="事件经过")
    dead: int = Field(0, ge=0)
    injured: int = Field(0, ge=0)
    missing: int = Field(0, ge=0)
    trapped: int = Field(0, ge=0)
    losses: str = ""
    trend: str = ""
    measures: str = ""
    help_requested: str = ""
    site_commander: str = ""
    site_commander_phone: str = ""
    reporter_name: str = ""
    reporter_phone: str = ""


class FollowUpIn(Schema):
    content: str = Field(description="续报内容：事件进展、处置情况、下一步措施")
    dead: int | None = Field(None, ge=0, description="最新死亡人数；不填沿用")
    injured: int | None = Field(None, ge=0)
    missing: int | None = Field(None, ge=0)
    trapped: int | None = Field(None, ge=0)


class ClockOut(Schema):
    kind: str
    title: str
    limit_minutes: int
    deadline_at: datetime | None
    light: str
    state: str


class ReportOut(Schema):
    id: int
    kind: str
    title: str
    sequence: int
    state: str
    recipient: str
    skip_level: bool
    sent_at: datetime | None
    on_time: bool | None
    received_at: datetime | None = Field(description="接收单位值班室签收的时间；未签收为空")
    received_by: str = Field(description="签收人姓名；未签收为空")


class IncidentOut(Schema):
    id: int
    number: str
    title: str
    category: str
    level: int | None
    level_label: str
    state: str
    state_label: str
    region_code: str
    department: str
    received_at: datetime
    dead: int
    injured: int
    missing: int
    trapped: int
    clocks: list[ClockOut]
    reports: list[ReportOut]


def _report(r: IncidentReport) -> ReportOut:
    return ReportOut(
        id=r.pk,
        kind=r.kind,
        title=r.title,
        sequence=r.sequence,
        state=r.state,
        recipient=r.recipient.name if r.recipient_id and r.recipient else "",
        skip_level=r.skip_level,
        sent_at=r.sent_at,
        on_time=r.on_time,
        received_at=r.received_at,
        received_by=r.receiver_name,
    )


def _incident(i: Incident) -> IncidentOut:
    return IncidentOut(
        id=i.pk,
        number=i.number,
        title=i.title,
        category=i.category,
        level=i.level,
        level_label=i.get_level_display() if i.level else "未定级",
        state=i.state,
        state_label=i.get_state_display(),
        region_code=i.region.code,
        department=i.department.name,
        received_at=i.received_at,
        dead=i.dead,
        injured=i.injured,
        missing=i.missing,
        trapped=i.trapped,
        clocks=[
            ClockOut(
                kind=t.kind,
                title=t.title,
                limit_minutes=t.limit,
                deadline_at=t.deadline_at,
                light=str(getattr(t, "current_light", "")),
                state=t.state,
            )
            for t in selectors.clocks_of(i)
        ],
        reports=[_report(r) for r in selectors.reports_of(i)],
    )


def _found(actor: Actor, incident_id: int) -> Incident:
    found = selectors.incident_for(actor, incident_id)
    if found is None:
        raise not_found("突发事件")
    return found


@router.post(
    "/incidents",
    response={201: IncidentOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut},
    summary="报告突发事件（报告单位为本系统所属部门）",
)
def report_incident(request: HttpRequest, payload: IncidentIn) -> Status:
    data = IncidentData(**payload.dict())
    incident = services.incident_report(actor=Actor.from_request(request), data=data)
    return Status(201, _incident(incident))


@router.get(
    "/incidents/{incident_id}",
    response={200: IncidentOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="突发事件的状态、级别、报送时限与报送情况",
)
def incident_status(request: HttpRequest, incident_id: int) -> IncidentOut:
    return _incident(_found(Actor.from_request(request), incident_id))


@router.post(
    "/incidents/{incident_id}/reports",
    response={201: ReportOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
    summary="续报（待应急管理部门领导签发后报送）",
)
def post_follow_up(request: HttpRequest, incident_id: int, payload: FollowUpIn) -> Status:
    actor = Actor.from_request(request)
    report = services.report_draft(
        actor=actor,
        incident=_found(actor, incident_id),
        kind=IncidentReport.Kind.FOLLOW_UP,
        data=ReportData(**payload.dict()),
    )
    return Status(201, _report(report))


# The dispatch (联动任务) for departments' systems: its own scope, under the same prefix.
from zhengwu.emergency.response_api import router as response_router  # noqa: E402

router.add_router("", response_router)
