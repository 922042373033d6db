"""HTTP API of the systems inventory (信息系统清单), under /api/v1/governance (docs/rules.md §11).

    GET  /api/v1/governance/systems?state=&after=&limit=   the department's systems (keyset pages)
    GET  /api/v1/governance/systems/{system_id}            one system, with its measured usage
    POST /api/v1/governance/systems                        register a system
    POST /api/v1/governance/systems/{system_id}            update what the department declared

Callers: a department's system with a bearer token holding scope `governance:inventory`; it acts
for its own department (as its 信息化管理员). Usage figures are measured by the platform and
read-only: calls of the system's API clients through the exchange, logins of its users.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from zhengwu.accounts.api_auth import ApiClientAuth
from zhengwu.core.actors import Actor
from zhengwu.core.errors import permission_denied
from zhengwu.core.keyset_api import KeysetQuery, keyset_response
from zhengwu.core.schemas import ErrorOut
from zhengwu.governance import selectors, services
from zhengwu.governance.models import InformationSystem
from zhengwu.governance.permissions import SCOPE

router = Router(tags=["信息系统清单"])
AUTH = [ApiClientAuth(SCOPE)]
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


class SystemIn(Schema):
    name: str = Field(description="系统名称（本部门内唯一）")
    functions: str = Field(description="主要功能")
    users_scope: str = Field(description="使用对象与范围")
    contact_name: str
    contact_phone: str
    network_zone: str = Field(description="网络区域：intranet（内网）、extranet（外网）、internet（互联网）")
    funding_source: str = Field(description="经费来源：fiscal、special、self、other")
    short_name: str = ""
    deployments: int = Field(1, description="数量（部署套数）")
    purpose: str = ""
    usage_frequency: str = Field("daily", description="使用频度：daily、weekly、monthly、rarely、never")
    home_url: str = ""
    legal_basis: str = ""
    approved_by: str = Field("", description="审批部门")
    approved_on: date | None = Field(None, description="审批时间")
    funding_ends_on: date | None = Field(None, description="运维经费截止")
    om_cost_yearly: Decimal = Field(Decimal(0), description="年度运维费用（万元）")
    mlps_level: int = Field(0, description="等级保护级别 0（未定级）至 4")
    mlps_filing_number: str = Field("", description="等保备案编号（第二级及以上必填）")
    mlps_assessed_on: date | None = None
    mlps_result: str = Field("", description="最近测评结论：pass、basic、fail 或空")
    should_connect: bool = Field(True, description="应接入共享交换平台")
    no_connect_reason: str = ""
    state: str = Field("running", description="登记时状态：running（运行）或 building（建设中）；更新时不变")
    resources_provided: list[str] = Field(default_factory=list, description="提供的信息资源代码（本部门已发布）")
    resources_used: list[str] = Field(default_factory=list, description="使用的信息资源代码")
    users: list[str] = Field(default_factory=list, description="系统用户（工作人员账号）")


class UsageOut(Schema):
    months: list[str]
    calls: list[int]
    last_call: datetime | None
    last_login: datetime | None
    resources_used: int
    provided_calls: int
    users: int
    active_users: int


class SystemOut(Schema):
    id: int
    name: str
    short_name: str
    department: str
    state: str
    state_label: str
    network_zone: str
    functions: str
    users_scope: str
    om_cost_yearly: Decimal
    mlps_level: int
    should_connect: bool
    api_clients: list[str]
    resources_provided: list[str]
    resources_used: list[str]
    consolidated_into: int | None
    updated_at: datetime


class SystemDetailOut(SystemOut):
    usage: UsageOut
    unconnected: bool


class SystemPage(Schema):
    items: list[SystemOut]
    next_after: int | None


class SystemFilter(KeysetQuery):
    state: str = Field("", description="生命周期状态，如 running（运行）")


def _actor(request: HttpRequest) -> Actor:
    actor = Actor.from_request(request)
    if actor.department is None:
        raise permission_denied("该凭证未归属任何部门。")
    return actor


def _out(system: InformationSystem) -> dict[str, object]:
    return {
        "id": system.pk,
        "name": system.name,
        "short_name": system.short_name,
        "department": system.department.name,
        "state": system.state,
        "state_label": system.get_state_display(),
        "network_zone": system.network_zone,
        "functions": system.functions,
        "users_scope": system.users_scope,
        "om_cost_yearly": system.om_cost_yearly,
        "mlps_level": system.mlps_level,
        "should_connect": system.should_connect,
        "api_clients": [link.api_client.name for link in system.client_links.select_related("api_client")],
        "resources_provided": [r.code or "" for r in system.resources_provided.all()],
        "resources_used": [r.code or "" for r in system.resources_used.all()],
        "consolidated_into": system.consolidated_into_id,
        "updated_at": system.updated_at,
    }


def _detail(system: InformationSystem) -> dict[str, object]:
    usage = selectors.usage_of([system])[system.pk]
    return {
        **_out(system),
        "usage": {
            "months": usage.sparkline()["labels"],
            "calls": usage.calls,
            "last_call": usage.last_call,
            "last_login": usage.last_login,
            "resources_used": usage.resources_used,
            "provided_calls": usage.provided_calls,
            "users": usage.users,
            "active_users": usage.active_users,
        },
        "unconnected": selectors.is_unconnected(system, usage),
    }


def _data(payload: SystemIn) -> services.SystemData:
    return services.SystemData(**payload.dict())


@router.get("/systems", auth=AUTH, response={200: SystemPage, **ERRORS}, summary="本部门信息系统清单")
def systems_list(request: HttpRequest, filters: Query[SystemFilter]) -> dict[str, object]:
    rows = selectors.systems_filter(selectors.systems_visible(_actor(request)), state=filters.state)
    return keyset_response(rows, filters, _out)


@router.get(
    "/systems/{system_id}", auth=AUTH, response={200: SystemDetailOut, **ERRORS}, summary="信息系统详情与实测使用情况"
)
def system_detail(request: HttpRequest, system_id: int) -> dict[str, object]:
    return _detail(selectors.system_get_visible(_actor(request), system_id))


@router.post("/systems", auth=AUTH, response={201: SystemDetailOut, **ERRORS}, summary="登记信息系统")
def system_register(request: HttpRequest, payload: SystemIn) -> Status:
    actor = _actor(request)
    assert actor.department is not None
    system = services.system_register(actor=actor, department=actor.department, data=_data(payload))
    return Status(201, _detail(system))


@router.post(
    "/systems/{system_id}", auth=AUTH, response={200: SystemDetailOut, **ERRORS}, summary="修改信息系统登记信息"
)
def system_update(request: HttpRequest, system_id: int, payload: SystemIn) -> dict[str, object]:
    actor = _actor(request)
    system = services.system_update(
        actor=actor, system=selectors.system_get_visible(actor, system_id), data=_data(payload)
    )
    return _detail(system)
