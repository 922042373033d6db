"""HTTP API of the documents app for departments' OA systems (mounted at /api/v1/documents).

    POST /api/v1/documents/send                         send a document signed in the OA system
    GET  /api/v1/documents/sent/{document_id}           its per-recipient status
    GET  /api/v1/documents/received?state=&after=&limit= the department's 收文 list (keyset pages)
    POST /api/v1/documents/received/{delivery_id}/sign  签收
    POST /api/v1/documents/received/{delivery_id}/return 退回 with a reason
    GET  /api/v1/documents/{document_id}/file?which=pdf|seal  the sealed PDF or its seal file

Callers: a department system with a bearer token holding scope `documents:exchange`; it acts as
its department's 文书 (a clerk). A document with a 密级 is refused (422 `documents.secret_refused`).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema, Status

from zhengwu.accounts.api_auth import ApiClientAuth
from zhengwu.accounts.models import ApiClient, Department
from zhengwu.audit.services import record_action
from zhengwu.core.actors import Actor
from zhengwu.core.errors import ApplicationError, not_found
from zhengwu.core.keyset_api import KeysetQuery, keyset_response
from zhengwu.core.schemas import ErrorOut
from zhengwu.documents import selectors, services, storage
from zhengwu.documents.audit_actions import DocumentsAction
from zhengwu.documents.errors import DocumentsError
from zhengwu.documents.models import Delivery, Document
from zhengwu.documents.services import DocumentData

SCOPE = ApiClient.Scope.DOCUMENTS_EXCHANGE
router = Router(tags=["电子公文"], auth=[ApiClientAuth(SCOPE)])


class SendIn(Schema):
    kind: str = Field(description="文种代码：notice（通知）、request（请示）、letter（函）……")
    prefix: str = Field(description="机关代字，如“吉市监发”")
    title: str
    body: str
    signer_name: str = Field(description="签发人（在 OA 系统中签发）")
    main_to: list[str] = Field(description="主送机关的统一社会信用代码")
    copy_to: list[str] = Field(default_factory=list, description="抄送机关的统一社会信用代码")
    main_to_text: str = ""
    copy_to_text: str = ""
    attachment_note: str = ""
    signature_name: str = ""
    written_on: date | None = None
    remark: str = ""
    copy_number: str = ""
    secrecy: str = Field("", description="密级：空（非涉密）。平台只传输非涉密公文。")
    secrecy_period: str = ""
    urgency: str = Field("", description="紧急程度：空、urgent（加急）、extra_urgent（特急）")


class RecipientOut(Schema):
    delivery_id: int
    department: str
    credit_code: str
    role: str
    state: str
    state_label: str
    delivered_at: datetime
    signed_at: datetime | None
    signed_by: str
    returned_at: datetime | None
    return_reason: str
    return_comment: str
    done_at: datetime | None


class SentOut(Schema):
    id: int
    number: str
    title: str
    state: str
    issued_at: datetime | None
    file_sm3: str
    recipients: list[RecipientOut]


class ReceivedOut(Schema):
    delivery_id: int
    document_id: int
    number: str
    title: str
    kind: str
    urgency: str
    sender: str
    sender_credit_code: str
    state: str
    state_label: str
    delivered_at: datetime
    signed_at: datetime | None


class ReceivedPage(Schema):
    items: list[ReceivedOut]
    next_after: int | None


class ReceivedFilter(KeysetQuery):
    state: str = Field("", description="状态，如 delivered（待签收）")


class ReturnIn(Schema):
    reason: Literal["not_ours", "incomplete", "non_compliant"]
    comment: str = ""


def _actor(request: HttpRequest) -> Actor:
    return Actor.from_request(request)


def _departments(codes: list[str]) -> list[Department]:
    found = {d.credit_code: d for d in Department.objects.filter(credit_code__in=codes, is_active=True)}
    missing = [c for c in codes if c not in found]
    if missing:
        raise ApplicationError(
            DocumentsError.NO_RECIPIENTS, f"找不到收文机关：{'，'.join(missing)}。", {"main_to": "不存在"}
        )
    return [found[c] for c in codes]


def _recipient(d: Delivery) -> RecipientOut:
    return RecipientOut(
        delivery_id=d.pk,
        department=d.department.name,
        credit_code=d.department.credit_code,
        role=d.role,
        state=d.state,
        state_label=d.get_state_display(),
        delivered_at=d.delivered_at,
        signed_at=d.signed_at,
        signed_by=(d.signed_by.real_name or d.signed_by.username) if d.signed_by else "",
        returned_at=d.returned_at,
        return_reason=d.return_reason,
        return_comment=d.return_comment,
        done_at=d.done_at,
    )


def _sent(document: Document) -> SentOut:
    return SentOut(
        id=document.pk,
        number=document.number,
        title=document.title,
        state=document.state,
        issued_at=document.issued_at,
        file_sm3=document.file_digest,
        recipients=[_recipient(d) for d in selectors.recipient_status(document)],
    )


def _received(d: Delivery) -> ReceivedOut:
    return ReceivedOut(
        delivery_id=d.pk,
        document_id=d.document_id,
        number=d.number,
        title=d.title,
        kind=d.kind,
        urgency=d.urgency,
        sender=d.document.department.name,
        sender_credit_code=d.document.department.credit_code,
        state=d.state,
        state_label=d.get_state_display(),
        delivered_at=d.delivered_at,
        signed_at=d.signed_at,
    )


@router.post(
    "/send",
    response={201: SentOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut},
    summary="报送公文（OA 系统中已签发）：登记编号、加盖电子印章并核发",
)
def send(request: HttpRequest, payload: SendIn) -> Status:
    actor = _actor(request)
    department = actor.department
    if department is None:
        raise not_found("部门")
    data = DocumentData(
        kind=payload.kind,
        prefix=payload.prefix,
        title=payload.title,
        body=payload.body,
        main_to=payload.main_to_text,
        copy_to=payload.copy_to_text,
        attachment_note=payload.attachment_note,
        signature_name=payload.signature_name,
        written_on=payload.written_on,
        remark=payload.remark,
        copy_number=payload.copy_number,
        secrecy=payload.secrecy,
        secrecy_period=payload.secrecy_period,
        urgency=payload.urgency,
    )
    document = services.document_send(
        actor=actor,
        department=department,
        data=data,
        signer_name=payload.signer_name,
        main_departments=_departments(payload.main_to),
        copy_departments=_departments(payload.copy_to),
    )
    return Status(201, _sent(document))


@router.get(
    "/sent/{document_id}",
    response={200: SentOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="发文的分发情况",
)
def sent(request: HttpRequest, document_id: int) -> SentOut:
    document = selectors.sent_documents(_actor(request)).filter(pk=document_id).first()
    if document is None:
        raise not_found("公文")
    return _sent(document)


@router.get(
    "/received", response={200: ReceivedPage, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut}, summary="本单位收文列表"
)
def received(request: HttpRequest, filters: Query[ReceivedFilter]) -> dict[str, object]:
    rows = selectors.inbox(_actor(request), state=filters.state).select_related("document__department")
    return keyset_response(rows, filters, _received)


def _delivery(request: HttpRequest, delivery_id: int) -> Delivery:
    actor = _actor(request)
    found = selectors.inbox(actor, state="all").filter(pk=delivery_id).first()
    if found is None:
        raise not_found("收文")
    return found


@router.post(
    "/received/{delivery_id}/sign",
    response={200: ReceivedOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    summary="签收",
)
def sign(request: HttpRequest, delivery_id: int) -> ReceivedOut:
    done = services.delivery_sign(actor=_actor(request), delivery=_delivery(request, delivery_id))
    return _received(done)


@router.post(
    "/received/{delivery_id}/return",
    response={200: ReceivedOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    summary="退回（非本单位、内容不全、不符合规范）",
)
def return_(request: HttpRequest, delivery_id: int, payload: ReturnIn) -> ReceivedOut:
    done = services.delivery_return(
        actor=_actor(request),
        delivery=_delivery(request, delivery_id),
        reason=payload.reason,
        comment=payload.comment,
    )
    return _received(done)


@router.get(
    "/{document_id}/file",
    response={200: bytes, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="下载版式文件（PDF）或其电子印章文件",
)
def file(request: HttpRequest, document_id: int, which: Literal["pdf", "seal"] = "pdf") -> HttpResponse:
    actor = _actor(request)
    document = (
        Document.objects.filter(pk=document_id).filter(pk__in=selectors.sent_documents(actor).values("pk")).first()
        or Document.objects.filter(
            pk=document_id, deliveries__in=selectors.inbox(actor, state="all").values("pk")
        ).first()
    )
    relative = (document.seal_path if which == "seal" else document.file_path) if document else ""
    if document is None or not relative:
        raise not_found("公文")
    record_action(actor, DocumentsAction.FILE_FETCH, target=document, details={"which": which})
    return HttpResponse(
        storage.read(relative), content_type="application/json" if which == "seal" else "application/pdf"
    )
