"""/api/v1/disclosure — published items (anyone) and the applicant's own requests (session).

- `GET /publications`: published items, newest first with keyset pagination (`after`), or ranked
  by relevance with `q` (one page of at most `limit`, `next_after` null).
- `GET /publications/{id}`: one published item.
- `POST /requests`: a logged-in citizen or enterprise files a request online.
- `GET /requests`, `GET /requests/{id}`: the caller's own requests with their history.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from zhengwu.accounts.api_auth import PersonSessionAuth, session_person
from zhengwu.accounts.models import Department
from zhengwu.core.actors import Actor
from zhengwu.core.errors import ApplicationError, CoreError, not_found
from zhengwu.core.keyset_api import KeysetQuery, keyset_response
from zhengwu.core.schemas import ErrorOut, RowId
from zhengwu.disclosure import selectors, services
from zhengwu.disclosure.models import ApplicantKind, Category, DisclosureRequest, Publication, Validity

router = Router(tags=["政府信息公开"])


class PublicationOut(Schema):
    id: int
    index_number: str
    title: str
    agency: str
    agency_code: str = Field(description="发布机构统一社会信用代码")
    category: str
    document_number: str
    subject_words: str
    date_written: date
    validity: str
    published_at: datetime | None
    url: str
    score: float | None = Field(None, description="检索相关度（仅带 q 时）")


class PublicationDetailOut(PublicationOut):
    body: str
    attachments: list[dict[str, Any]]
    interprets: str | None = Field(None, description="政策解读：所解读的已发布政策的索引号")
    interpretations: list[str] = Field(description="本信息的已发布政策解读的索引号")


class PublicationPage(Schema):
    items: list[PublicationOut]
    next_after: int | None = Field(description="下一页的 after；带 q 时按相关度排序、只返回一页，恒为 null")


class PublicationFilter(KeysetQuery):
    q: str | None = Field(None, max_length=100, description="中文全文检索（标题、主题词、文号、正文）")
    agency: RowId | None = Field(None, description="发布机构 id")
    category: Category | None = None
    year: int | None = Field(None, ge=1949, le=2100, description="成文年份")
    validity: Validity | None = None


def _out(p: Publication) -> dict[str, Any]:
    return {
        "id": p.pk,
        "index_number": p.index_number or "",
        "title": p.title,
        "agency": p.department.name,
        "agency_code": p.department.credit_code,
        "category": p.category,
        "document_number": p.document_number,
        "subject_words": p.subject_words,
        "date_written": p.date_written,
        "validity": p.validity,
        "published_at": p.published_at,
        "url": f"/disclosure/{p.url_key}/",
        "score": getattr(p, "score", None),
    }


@router.get("/publications", response={200: PublicationPage, 400: ErrorOut}, auth=None)
def list_publications(request: HttpRequest, filters: Query[PublicationFilter]) -> dict[str, Any]:
    chosen = selectors.Filters(
        department_id=filters.agency,
        category=filters.category or "",
        year=filters.year,
        validity=filters.validity or "",
    )
    if filters.q and filters.q.strip():
        found = selectors.search_publications(filters.q, chosen)
        return {"items": [_out(p) for p in list(found[: filters.limit])], "next_after": None}
    rows = selectors.published().filter(chosen.q())
    return keyset_response(rows, filters, _out)


@router.get(
    "/publications/{publication_id}", response={200: PublicationDetailOut, 400: ErrorOut, 404: ErrorOut}, auth=None
)
def get_publication(request: HttpRequest, publication_id: int) -> dict[str, Any]:
    found = selectors.publication_get_public(str(publication_id))
    attachments = [
        {"name": a.name, "size": a.size, "sm3": a.sm3, "url": f"/disclosure/attachments/{a.pk}/"}
        for a in found.attachments.order_by("id")
    ]
    explained, interpretations = selectors.related_policies(found)
    return {
        **_out(found),
        "body": found.body,
        "attachments": attachments,
        "interprets": explained.index_number if explained else None,
        "interpretations": [i.index_number for i in interpretations],
    }


class RequestIn(Schema):
    agency: RowId = Field(description="受理机关 id")
    description: str = Field(min_length=1, max_length=4000, description="所需信息的名称、文号或内容描述")
    applicant_kind: ApplicantKind = ApplicantKind.CITIZEN
    applicant_name: str = Field("", max_length=100, description="默认为账号实名")
    phone: str = Field("", max_length=30)
    email: str = Field("", max_length=254)
    address: str = Field("", max_length=200)
    purpose: str = Field("", max_length=500)
    delivery: str = Field("电子邮件", max_length=100)


class RequestEventOut(Schema):
    at: datetime
    action: str
    text: str


class RequestOut(Schema):
    id: int
    number: str
    agency: str
    state: str
    channel: str
    description: str
    submitted_at: datetime
    received_on: date | None
    deadline: date | None
    answer_kind: str
    answered_on: date | None
    fee: Decimal
    events: list[RequestEventOut]


class RequestPage(Schema):
    items: list[RequestOut]
    next_after: int | None


def _request_out(r: DisclosureRequest) -> dict[str, Any]:
    return {
        "id": r.pk,
        "number": r.number,
        "agency": r.department.name,
        "state": r.state,
        "channel": r.channel,
        "description": r.description,
        "submitted_at": r.submitted_at,
        "received_on": r.received_on,
        "deadline": services.deadline_of(r),
        "answer_kind": r.answer_kind,
        "answered_on": r.answered_on,
        "fee": r.fee,
        "events": [{"at": e.at, "action": e.action, "text": e.text} for e in r.events.order_by("at", "id")],
    }


@router.post(
    "/requests",
    response={201: RequestOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut},
    auth=PersonSessionAuth(),
)
def create_request(request: HttpRequest, payload: RequestIn) -> Status[dict[str, Any]]:
    department = Department.objects.filter(pk=payload.agency, is_active=True).first()
    if department is None:
        raise ApplicationError(CoreError.INVALID_INPUT, "受理机关不存在。", {"agency": "无效"})
    # The body's fields are the service's arguments by name; only the agency is looked up first.
    created = services.request_submit_online(
        actor=Actor.from_request(request), department=department, **payload.dict(exclude={"agency"})
    )
    return Status(201, _request_out(created))


@router.get("/requests", response={200: RequestPage, 400: ErrorOut, 401: ErrorOut}, auth=PersonSessionAuth())
def list_requests(request: HttpRequest, page: Query[KeysetQuery]) -> dict[str, Any]:
    rows = DisclosureRequest.objects.filter(applicant=session_person(request)).select_related("department")
    return keyset_response(rows, page, _request_out)


@router.get(
    "/requests/{request_id}",
    response={200: RequestOut, 400: ErrorOut, 401: ErrorOut, 404: ErrorOut},
    auth=PersonSessionAuth(),
)
def get_request(request: HttpRequest, request_id: int) -> dict[str, Any]:
    found = DisclosureRequest.objects.filter(pk=request_id, applicant=session_person(request))
    item = found.select_related("department").first()
    if item is None:
        raise not_found("公开申请")
    return _request_out(item)
