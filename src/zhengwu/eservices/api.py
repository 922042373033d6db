"""/api/v1/eservices — 办事指南 (public), 一号查询 (public, rate-limited) and the applicant's own
cases (session of the citizen or enterprise agent). Staff handle cases on the workbench pages."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from zhengwu.accounts.api_auth import PersonSessionAuth, session_person
from zhengwu.core.actors import Actor, client_ip
from zhengwu.core.errors import not_found
from zhengwu.core.keyset_api import KeysetQuery, keyset_response
from zhengwu.core.ratelimit import subject_of
from zhengwu.core.schemas import ErrorOut
from zhengwu.eservices import rules, selectors, services
from zhengwu.eservices.models import Application, ServiceItem

router = Router(tags=["网上办事"])


class MaterialOut(Schema):
    name: str
    required: bool
    source: str = Field(description="applicant 申请人提交 | base 共享获取 | certificate 电子证照库获取")


class StageOut(Schema):
    position: int
    name: str
    tasks: list[str] = Field(description="并联审批的部门与任务")


class ItemOut(Schema):
    id: int
    name: str
    impl_code: str
    basic_code: str
    item_type: str
    department: str
    department_code: str
    audience: str
    legal_limit: int = Field(description="法定办结时限（工作日）")
    promised_limit: int = Field(description="承诺办结时限（工作日）")
    visits: int = Field(description="到办事现场次数，0 = 全程网办")
    charged: bool


class QAOut(Schema):
    q: str = Field(description="问")
    a: str = Field(description="答")


class RemedyOut(Schema):
    name: str = Field(description="申请行政复议 | 提起行政诉讼")
    where: str
    limit: str
    basis: str


class ItemDetailOut(ItemOut):
    basis: str
    conditions: str
    materials: list[MaterialOut]
    stages: list[StageOut]
    themes: list[str] = Field(description="主题分类（国家政务服务平台的个人、法人主题）")
    region: str | None = Field(description="所属区划代码（无则为实施主体所在区划）")
    place_time: str = Field(description="办理地点和时间")
    fee_table: str = Field(description="收费标准")
    fee_basis: str = Field(description="收费依据")
    faq: list[QAOut] = Field(description="常见问题")
    remedies: list[RemedyOut] = Field(description="救济途径")


class BundleItemOut(Schema):
    id: int
    name: str
    department: str


class BundleOut(Schema):
    id: int
    code: str
    name: str
    audience: str
    description: str
    items: list[BundleItemOut]


class BundlePartOut(Schema):
    number: str
    item: str
    department: str
    state: str
    state_label: str
    decided_at: datetime | None


class BundleCaseOut(Schema):
    number: str
    bundle: str
    state: str = Field(description="办理中 | 已办结（由各事项的状态得出）")
    submitted_at: datetime
    rated: bool
    parts: list[BundlePartOut]


class ItemPage(Schema):
    items: list[ItemOut]
    next_after: int | None


class LookupIn(Schema):
    number: str = Field(max_length=32, description="办件编号，如 2026-SCJG-000123")
    code: str = Field(max_length=8, description="查询码")


class CaseEventOut(Schema):
    at: datetime
    text: str


class LookupOut(Schema):
    number: str
    item: str
    department: str
    state: str
    submitted_at: datetime
    decided_at: datetime | None
    events: list[CaseEventOut]


class CaseOut(Schema):
    id: int
    number: str
    item: str
    department: str
    state: str
    state_label: str
    submitted_at: datetime
    decided_at: datetime | None


class CasePage(Schema):
    items: list[CaseOut]
    next_after: int | None


class WithdrawIn(Schema):
    reason: str = Field("", max_length=500)


def _item(item: ServiceItem) -> dict[str, Any]:
    return {
        "id": item.pk,
        "name": item.name,
        "impl_code": item.impl_code,
        "basic_code": item.basic_code,
        "item_type": item.get_item_type_display(),
        "department": item.department.name,
        "department_code": item.department.credit_code,
        "audience": item.get_audience_display(),
        "legal_limit": item.legal_limit,
        "promised_limit": item.promised_limit,
        "visits": item.visits,
        "charged": item.charged,
    }


def _case(a: Application) -> dict[str, Any]:
    return {
        "id": a.pk,
        "number": a.number,
        "item": a.item.name,
        "department": a.department.name,
        "state": a.state,
        "state_label": a.get_state_display(),
        "submitted_at": a.submitted_at,
        "decided_at": a.decided_at,
    }


@router.get("/items", response={200: ItemPage, 400: ErrorOut}, auth=None, summary="办事指南列表（已发布事项）")
def items_list(request: HttpRequest, page: Query[KeysetQuery]) -> dict[str, Any]:
    return keyset_response(selectors.published_items(), page, _item)


@router.get(
    "/items/{item_id}", response={200: ItemDetailOut, 400: ErrorOut, 404: ErrorOut}, auth=None, summary="办事指南"
)
def item_detail(request: HttpRequest, item_id: int) -> dict[str, Any]:
    item = selectors.published_items().select_related("region").filter(pk=item_id).first()
    if item is None:
        raise not_found("事项")
    stages = [
        {
            "position": s.position,
            "name": s.name,
            "tasks": [f"{t.department.name}：{t.name}（{t.limit} 个工作日）" for t in s.tasks.all()],
        }
        for s in item.stages.prefetch_related("tasks__department")
    ]
    return {
        **_item(item),
        "basis": item.basis,
        "conditions": item.conditions,
        "materials": [{"name": m.name, "required": m.required, "source": m.source} for m in item.materials.all()],
        "stages": stages,
        "themes": selectors.theme_names([item]).get(item.pk, []),
        "region": item.region.code if item.region_id and item.region else None,
        "place_time": item.place_time,
        "fee_table": item.fee_table,
        "fee_basis": item.fee_basis,
        "faq": item.faq,
        "remedies": [r.__dict__ for r in rules.remedies(item)],
    }


@router.get("/bundles", response={200: list[BundleOut]}, auth=None, summary="一件事一次办列表")
def bundles_list(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {
            "id": b.pk,
            "code": b.code,
            "name": b.name,
            "audience": b.get_audience_display(),
            "description": b.description,
            "items": [
                {"id": e.item.pk, "name": e.item.name, "department": e.item.department.name} for e in b.entries.all()
            ],
        }
        for b in selectors.active_bundles()
    ]


@router.get(
    "/bundle-cases/{number}",
    response={200: BundleCaseOut, 400: ErrorOut, 401: ErrorOut, 404: ErrorOut},
    auth=PersonSessionAuth(),
    summary="我的一件事办理情况（各部门办件的状态）",
)
def bundle_case(request: HttpRequest, number: str) -> dict[str, Any]:
    user = session_person(request)
    case = selectors.bundle_cases_of(user).filter(number=number).first()
    if case is None:
        raise not_found("一件事办件")
    parts = [
        {
            "number": p.number,
            "item": p.item.name,
            "department": p.department.name,
            "state": p.state,
            "state_label": p.get_state_display(),
            "decided_at": p.decided_at,
        }
        for p in selectors.bundle_parts(case)
    ]
    return {
        "number": case.number,
        "bundle": case.bundle.name,
        "state": selectors.bundle_case_state(case),
        "submitted_at": case.submitted_at,
        "rated": case.rated_at is not None,
        "parts": parts,
    }


@router.post(
    "/lookup",
    response={200: LookupOut, 400: ErrorOut, 404: ErrorOut, 429: ErrorOut},
    auth=None,
    summary="一号查询（办件编号 + 查询码；每个来源每分钟最多 10 次）",
)
def lookup(request: HttpRequest, body: LookupIn) -> dict[str, Any]:
    user = request.user if request.user.is_authenticated else None
    result = selectors.lookup(body.number, body.code, client=subject_of(user.pk if user else None, client_ip(request)))
    return {**asdict(result), "events": [{"at": at, "text": text} for at, text in result.events]}


@router.get(
    "/applications",
    response={200: CasePage, 400: ErrorOut, 401: ErrorOut},
    auth=PersonSessionAuth(),
    summary="我的办件",
)
def my_applications(request: HttpRequest, page: Query[KeysetQuery]) -> dict[str, Any]:
    user = session_person(request)
    return keyset_response(selectors.applications_of(user), page, _case)


@router.post(
    "/applications/{number}/withdraw",
    response={200: CaseOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    auth=PersonSessionAuth(),
    summary="撤回申请（作出决定前）",
)
def withdraw(request: HttpRequest, number: str, body: WithdrawIn) -> dict[str, Any]:
    user = session_person(request)
    application = selectors.applications_of(user).filter(number=number).first()
    if application is None:
        raise not_found("办件")
    return _case(
        services.application_withdraw(actor=Actor.from_request(request), application=application, reason=body.reason)
    )
