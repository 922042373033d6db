"""/api/v1/participation — 公众参与 for apps and department systems.

- `GET /letters/published`: letters published with the writer's consent (masked), keyset pages; public.
- `POST /letters`: a logged-in person writes a letter (same service and timers as the portal);
  the answer carries the verification code, shown once.
- `GET /letters/mine`: the logged-in person's letters with state and (once completed) the reply.
- `GET /consultations`, `GET /surveys/{id}/results`: public lists and published results.

Department systems that collect letters from citizens (12345 apps) use Open311 GeoReport v2 at
/open311/v2/ instead (see `participation/open311.py`).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from zhengwu.accounts.api_auth import PersonSessionAuth, session_person
from zhengwu.core.actors import Actor
from zhengwu.core.errors import not_found
from zhengwu.core.keyset_api import KeysetQuery, keyset_response
from zhengwu.core.schemas import ErrorOut
from zhengwu.participation import selectors, services
from zhengwu.participation.models import Channel, LetterKind, Survey

router = Router(tags=["公众参与"])


class PageIn(KeysetQuery):
    limit: int = Field(20, ge=1, le=200, description="每页条数")


class PublishedLetterOut(Schema):
    number: str
    title: str = Field(description="公开标题（已隐去个人信息）")
    kind: str
    content: str
    reply: str
    department: str
    submitted_at: datetime
    published_at: datetime


class PublishedLetterPage(Schema):
    items: list[PublishedLetterOut]
    next_after: int | None


class LetterIn(Schema):
    channel: Channel = Field(Channel.MAYOR, description="mayor 市长信箱、hotline 12345 网上、petition 网上信访")
    kind: LetterKind = Field(description="consult 咨询、suggest 建议、complain 投诉、help 求助、report 举报")
    title: str = Field(max_length=100)
    content: str = Field(max_length=5000)
    writer_phone: str = Field("", max_length=20, description="留空则使用账号绑定的手机号")
    writer_address: str = Field("", max_length=200)
    location: str = Field("", max_length=200, description="事发地点")
    consent_publish: bool = Field(False, description="同意隐去个人信息后公开")


class LetterCreatedOut(Schema):
    number: str
    code: str = Field(description="查询码，只返回这一次")
    state: str


class MyLetterOut(Schema):
    id: int
    number: str
    title: str
    kind: str
    state: str
    state_label: str
    department: str | None
    submitted_at: datetime
    reply: str | None = Field(description="办结后的答复意见")
    rating: str | None


class MyLetterPage(Schema):
    items: list[MyLetterOut]
    next_after: int | None


class ConsultationOut(Schema):
    id: int
    title: str
    department: str
    state: str
    opens_on: date
    closes_on: date
    is_open: bool
    comments: int
    summary: str | None = Field(description="已公布的意见采纳情况")


class QuestionResultOut(Schema):
    position: int
    kind: str
    text: str
    answered: int
    labels: list[str] | None = None
    counts: list[int] | None = None
    mean: float | None = None


class SurveyResultsOut(Schema):
    id: int
    title: str
    total: int
    questions: list[QuestionResultOut]


@router.get(
    "/letters/published", response={200: PublishedLetterPage, 400: ErrorOut}, summary="来信选登（已公开的来信与答复）"
)
def letters_published(request: HttpRequest, page: Query[PageIn]) -> dict[str, Any]:
    return keyset_response(
        selectors.published_letters(),
        page,
        lambda letter: {
            "number": letter.number,
            "title": letter.public_title,
            "kind": letter.kind,
            "content": letter.public_content,
            "reply": letter.public_reply,
            "department": letter.department.name if letter.department else "",
            "submitted_at": letter.submitted_at,
            "published_at": letter.published_at,
        },
    )


@router.post(
    "/letters",
    response={201: LetterCreatedOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut},
    auth=PersonSessionAuth(),
    summary="写信（个人或法人账号）",
)
def letter_create(request: HttpRequest, payload: LetterIn) -> Status[dict[str, Any]]:
    letter, code = services.letter_submit(actor=Actor.from_request(request), **payload.dict())
    return Status(201, {"number": letter.number, "code": code, "state": letter.state})


@router.get(
    "/letters/mine",
    response={200: MyLetterPage, 400: ErrorOut, 401: ErrorOut},
    auth=PersonSessionAuth(),
    summary="我的来信",
)
def letters_mine(request: HttpRequest, page: Query[PageIn]) -> dict[str, Any]:
    return keyset_response(
        selectors.my_letters(session_person(request)),
        page,
        lambda letter: {
            "id": letter.pk,
            "number": letter.number,
            "title": letter.title,
            "kind": letter.kind,
            "state": letter.state,
            "state_label": letter.get_state_display(),
            "department": letter.department.name if letter.department else None,
            "submitted_at": letter.submitted_at,
            "reply": letter.reply if letter.state in ("completed", "visited") else None,
            "rating": letter.rating or None,
        },
    )


@router.get("/consultations", response={200: list[ConsultationOut]}, summary="意见征集（已发布）")
def consultations(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {
            "id": c.pk,
            "title": c.title,
            "department": c.department.name,
            "state": c.state,
            "opens_on": c.opens_on,
            "closes_on": c.closes_on,
            "is_open": selectors.consultation_is_open(c),
            "comments": c.comment_count,  # type: ignore[attr-defined]
            "summary": c.summary if c.summary_published_at else None,
        }
        for c in selectors.public_consultations()[:200]
    ]


@router.get(
    "/surveys/{survey_id}/results",
    response={200: SurveyResultsOut, 400: ErrorOut, 404: ErrorOut},
    summary="问卷调查结果",
)
def survey_results(request: HttpRequest, survey_id: int) -> dict[str, Any]:
    survey = Survey.objects.filter(pk=survey_id, results_public=True).exclude(state=Survey.State.DRAFT).first()
    if survey is None:
        raise not_found("问卷")
    results = selectors.survey_results(survey)
    return {"id": survey.pk, "title": survey.title, **results}
