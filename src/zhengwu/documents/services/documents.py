"""Writes of the outgoing side (发文): draft, review, sign, check, register, print, issue.

A department's 文书 (clerk, or the department's OA system through the API) drafts, edits, submits
for review, submits for signing, checks, registers, prints and issues; any clerk or leader of the
department reviews (核稿); only a DEPT_LEADER of the issuing department signs (签发). Every save of
a draft keeps a version (`DocumentVersion`). A substantive change after signing (the signed
content's SM3 digest no longer matches) sends the document back to the signer (复核). The number
(发文字号) is taken at 登记 from the 代字's sequence under a row lock. 印制 renders the sealed PDF;
核发 delivers it to every 主送 and 抄送 department (non-secret documents only) and starts each
recipient's 签收 clock. Each write acts for an `Actor` through `audited_write`: a refusal writes
nothing but its audit record.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from zhengwu.accounts.models import Department, User
from zhengwu.audit.write import Write, audited_write
from zhengwu.core import workdays
from zhengwu.core.actors import Actor
from zhengwu.core.crypto import sm3_hex
from zhengwu.core.errors import ApplicationError, clean, required_text
from zhengwu.documents import storage
from zhengwu.documents.audit_actions import DocumentsAction
from zhengwu.documents.errors import DocumentsError
from zhengwu.documents.models import (
    Attachment,
    Delivery,
    Direction,
    Document,
    DocumentVersion,
    JointIssuer,
    Kind,
    Review,
    Secrecy,
    Urgency,
    format_number,
)
from zhengwu.documents.services.common import SIGN_TIMER, is_clerk, is_leader, is_staff_of, next_serial, sign_limit
from zhengwu.documents.states import DOCUMENT
from zhengwu.supervision import services as supervision_services

MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
CLASSIFIED_REFUSAL = (
    "电子公文交换平台只传输非涉密公文：本公文标有密级（{secrecy}），不能通过平台核发，"
    "请按涉密公文管理规定以纸质或涉密网络传递。"
)


@dataclass
class DocumentData:
    """What a clerk types into a draft (the 版头, 主体 and 版记 elements they choose)."""

    kind: str
    title: str
    body: str
    prefix: str = ""
    main_to: str = ""
    attachment_note: str = ""
    signature_name: str = ""
    written_on: date | None = None
    remark: str = ""
    copy_to: str = ""
    printer_name: str = ""
    copy_number: str = ""
    secrecy: str = ""
    secrecy_period: str = ""
    urgency: str = ""
    agency_mark: str = ""
    extra: dict[str, str] = field(default_factory=dict)
    # 联合行文: the co-issuing agencies, in the order they stand after the lead agency
    joint_departments: list[Department] = field(default_factory=list)


def content_digest(document: Document) -> str:
    """SM3 over the document's substance, whitespace at line ends ignored (what the signer signed)."""
    content = {
        k: "\n".join(line.rstrip() for line in str(v).strip().splitlines()) for k, v in document.content().items()
    }
    return sm3_hex(json.dumps(content, sort_keys=True, ensure_ascii=False))


def _apply(document: Document, data: DocumentData) -> None:
    if data.kind not in Kind.values:
        raise ApplicationError(DocumentsError.INVALID_INPUT, "请选择文种。", {"kind": "不支持"})
    if data.secrecy not in Secrecy.values:
        raise ApplicationError(DocumentsError.INVALID_INPUT, "密级不正确。", {"secrecy": "不支持"})
    if data.urgency not in Urgency.values:
        raise ApplicationError(DocumentsError.INVALID_INPUT, "紧急程度不正确。", {"urgency": "不支持"})
    copy_number = (data.copy_number or "").strip()
    if copy_number and (not copy_number.isdigit() or len(copy_number) != 6):
        raise ApplicationError(DocumentsError.INVALID_INPUT, "份号应为 6 位阿拉伯数字。", {"copy_number": "格式不正确"})
    document.kind = data.kind
    document.title = required_text(
        data.title, field="title", what="标题", code=DocumentsError.INVALID_INPUT, max_length=200
    )
    document.body = required_text(
        data.body, field="body", what="正文", code=DocumentsError.INVALID_INPUT, max_length=200000
    )
    prefix = (data.prefix or document.prefix or "").strip()
    if not prefix or any(c in prefix for c in "〔〕[]（）()第"):
        raise ApplicationError(
            DocumentsError.INVALID_INPUT,
            "请填写机关代字（如“吉政办发”，不含年份、括号和“第”）。",
            {"prefix": "格式不正确"},
        )
    document.prefix = prefix[:20]
    document.main_to = (data.main_to or "").strip()[:500]
    document.attachment_note = (data.attachment_note or "").strip()
    document.signature_name = (data.signature_name or "").strip()[:200] or document.department.name
    document.written_on = data.written_on
    document.remark = (data.remark or "").strip()[:300]
    document.copy_to = (data.copy_to or "").strip()[:500]
    document.printer_name = (data.printer_name or "").strip()[:200] or document.department.name
    document.copy_number = copy_number
    document.secrecy = data.secrecy
    document.secrecy_period = (data.secrecy_period or "").strip()[:20] if data.secrecy else ""
    document.urgency = data.urgency
    document.agency_mark = (data.agency_mark or "").strip()[:100] or f"{document.department.name}文件"
    document.updated_at = timezone.now()


def _new_version(document: Document, actor: Actor, note: str) -> DocumentVersion:
    last = document.versions.aggregate(n=Max("number"))["n"] or 0
    document.version = last + 1
    document.save(update_fields=["version"])
    return DocumentVersion.objects.create(
        document=document, number=document.version, content=document.content(), note=note[:300], created_by=actor.user
    )


MAX_JOINT_ISSUERS = 8


def _set_joint_issuers(document: Document, departments: list[Department]) -> None:
    """The co-issuing agencies of a joint document, in order; countersignatures of agencies that
    stay are kept (they are checked against the content's digest at signing)."""
    wanted: list[Department] = []
    for department in departments:
        if department.pk == document.department_id:
            raise ApplicationError(
                DocumentsError.INVALID_INPUT, "联署机关不能是主办机关本身。", {"joint_departments": "重复"}
            )
        if department.pk not in {d.pk for d in wanted}:
            wanted.append(department)
    if len(wanted) > MAX_JOINT_ISSUERS:
        raise ApplicationError(
            DocumentsError.INVALID_INPUT,
            f"联署机关最多 {MAX_JOINT_ISSUERS} 个。",
            {"joint_departments": f"不能超过 {MAX_JOINT_ISSUERS} 个"},
        )
    document.joint_issuers.exclude(department__in=wanted).delete()
    for position, department in enumerate(wanted, 1):
        JointIssuer.objects.update_or_create(document=document, department=department, defaults={"position": position})


def joint_departments_missing(document: Document) -> list[str]:
    """Co-issuing agencies that have not countersigned the document's present content."""
    digest = content_digest(document)
    return [
        joint.department.name
        for joint in document.joint_issuers.select_related("department")
        if joint.countersigned_digest != digest
    ]


def _locked(write: Write, document: Document, move: str, allowed: object, message: str) -> Document:
    locked = write.lock(document, "department")
    write.require(bool(allowed(locked) if callable(allowed) else allowed), message)
    DOCUMENT.check(locked, move)
    return locked


def _clerk(actor: Actor) -> object:
    return lambda d: is_clerk(actor, d.department_id)


def document_draft(*, actor: Actor, department: Department, data: DocumentData) -> Document:
    """A new draft (起草, version 1) of `department`, by its 文书."""
    with audited_write(actor, DocumentsAction.DOCUMENT_DRAFT, department=department) as write:
        write.require(is_clerk(actor, department.pk), "只有本部门的文书可以起草公文。")
        document = Document(department=department, created_by=actor.user)
        _apply(document, data)
        clean(document)
        document.save()
        write.set_target(document)
        _set_joint_issuers(document, data.joint_departments)
        _new_version(document, actor, "初稿")
        write.note(kind=document.kind, title=document.title, secrecy=document.secrecy)
    return document


def document_edit(*, actor: Actor, document: Document, data: DocumentData, note: str = "") -> Document:
    """Save a new version of a draft (起草, or after a send-back)."""
    with audited_write(actor, DocumentsAction.DOCUMENT_EDIT, document) as write:
        locked = _locked(write, document, "edit", _clerk(actor), "只有本部门的文书可以修改公文草稿。")
        _apply(locked, data)
        clean(locked)
        locked.save()
        _set_joint_issuers(locked, data.joint_departments)
        version = _new_version(locked, actor, note or "修改")
        write.note(version=version.number)
    return locked


def attachment_add(*, actor: Actor, document: Document, name: str, content: bytes) -> Attachment:
    """Attach a file to a draft (stored under media/documents/<id>/attachments/)."""
    with audited_write(actor, DocumentsAction.ATTACHMENT_ADD, document) as write:
        locked = _locked(write, document, "attach", _clerk(actor), "只有本部门的文书可以上传附件。")
        name = (name or "").strip().replace("/", "_").replace("\\", "_")[:200]
        if not name or not content:
            raise ApplicationError(DocumentsError.INVALID_INPUT, "请选择要上传的文件。", {"file": "必填"})
        if len(content) > MAX_ATTACHMENT_BYTES:
            raise ApplicationError(DocumentsError.FILE_TOO_LARGE, "附件不能超过 20 MB。", {"file": "过大"})
        position = (locked.attachments.aggregate(n=Max("position"))["n"] or 0) + 1
        digest = sm3_hex(content)
        relative = storage.store(f"{locked.pk}/attachments/{position}-{digest[:16]}.bin", content)
        attachment = Attachment.objects.create(
            document=locked, position=position, name=name, path=relative, size=len(content), digest=digest
        )
        write.note(name=name, size=len(content), sm3=digest)
    return attachment


def attachment_remove(*, actor: Actor, attachment: Attachment) -> None:
    with audited_write(actor, DocumentsAction.ATTACHMENT_REMOVE, attachment.document) as write:
        locked = _locked(write, attachment.document, "attach", _clerk(actor), "只有本部门的文书可以删除附件。")
        write.note(name=attachment.name, sm3=attachment.digest)
        Attachment.objects.filter(pk=attachment.pk, document=locked).delete()


def document_submit(*, actor: Actor, document: Document) -> Document:
    """Send the draft to 核稿."""
    with audited_write(actor, DocumentsAction.DOCUMENT_SUBMIT, document) as write:
        locked = _locked(write, document, "submit", _clerk(actor), "只有本部门的文书可以送核稿。")
        DOCUMENT.move(locked, "submit")
        locked.save(update_fields=["state"])
        write.note(version=locked.version)
    return locked


def document_review(*, actor: Actor, document: Document, approve: bool, comment: str = "") -> Review:
    """A reviewer's opinion on the current version (核稿); a send-back needs the reasons."""
    with audited_write(actor, DocumentsAction.DOCUMENT_REVIEW, document) as write:
        locked = _locked(
            write,
            document,
            "review",
            actor.is_person and is_staff_of(actor, document.department_id),
            "只有本部门的人员可以核稿。",
        )
        comment = (comment or "").strip()
        if not approve:
            comment = required_text(comment, field="comment", what="退回修改意见", code=DocumentsError.REASON_REQUIRED)
            DOCUMENT.move(locked, "send_back")
            locked.save(update_fields=["state"])
        assert actor.user is not None
        review = Review.objects.create(
            document=locked,
            version=locked.version,
            reviewer=actor.user,
            decision=Review.Decision.APPROVE if approve else Review.Decision.SEND_BACK,
            comment=comment,
        )
        write.note(version=locked.version, decision=review.decision, comment=comment[:200])
    return review


def document_submit_for_signing(*, actor: Actor, document: Document) -> Document:
    """After at least one reviewer approved the current version: to the signing leader."""
    with audited_write(actor, DocumentsAction.DOCUMENT_SUBMIT_FOR_SIGNING, document) as write:
        locked = _locked(write, document, "submit_for_signing", _clerk(actor), "只有本部门的文书可以送签发。")
        approved = locked.reviews.filter(version=locked.version, decision=Review.Decision.APPROVE).exists()
        if not approved:
            raise ApplicationError(DocumentsError.NOT_REVIEWED, "当前稿次尚未经核稿同意，不能送签发。")
        DOCUMENT.move(locked, "submit_for_signing")
        locked.save(update_fields=["state"])
    return locked


def _signature(actor: Actor, document: Document) -> tuple[User, str, datetime, str]:
    """Who signs, under which name, when, and the SM3 digest of the content they agreed to: what
    签发 and 会签 each record."""
    assert actor.user is not None
    return actor.user, str(actor.user), timezone.now(), content_digest(document)


def document_countersign(*, actor: Actor, document: Document) -> Document:
    """会签 of a joint document by an authorised leader of a co-issuing agency: it agrees to this
    content (its SM3 digest is recorded; a later substantive change needs a new countersignature)."""
    with audited_write(actor, DocumentsAction.DOCUMENT_COUNTERSIGN, document) as write:
        locked = _locked(
            write,
            document,
            "countersign",
            lambda d: any(is_leader(actor, j.department_id) for j in d.joint_issuers.all()),
            "只有联署机关经授权的负责人可以会签公文。",
        )
        joint = next(j for j in locked.joint_issuers.all() if is_leader(actor, j.department_id))
        joint.countersigned_by, joint.countersigner_name, joint.countersigned_at, joint.countersigned_digest = (
            _signature(actor, locked)
        )
        joint.save()
        write.note(department=joint.department.name, digest=joint.countersigned_digest)
    return locked


def document_sign(*, actor: Actor, document: Document) -> Document:
    """签发 by an authorised leader of the issuing department (签发人 and time recorded); a joint
    document only once every co-issuing agency has countersigned its present content."""
    with audited_write(actor, DocumentsAction.DOCUMENT_SIGN, document) as write:
        locked = _locked(
            write,
            document,
            "sign",
            lambda d: is_leader(actor, d.department_id),
            "只有本部门经授权的负责人可以签发公文。",
        )
        if missing := joint_departments_missing(locked):
            raise ApplicationError(
                DocumentsError.NOT_COUNTERSIGNED,
                f"联合行文须经各联署机关会签后才能签发，尚未会签：{'、'.join(missing)}。",
                {"joint_departments": "、".join(missing)},
                status=409,
            )
        DOCUMENT.move(locked, "sign")
        locked.signer, locked.signer_name, locked.signed_at, locked.signed_digest = _signature(actor, locked)
        locked.save()
        write.note(signer=locked.signer_name, version=locked.version, digest=locked.signed_digest)
    return locked


def document_amend(*, actor: Actor, document: Document, data: DocumentData, note: str = "") -> Document:
    """复核 found something to change after signing: saved as a new version; a substantive change
    (the substance's digest differs from what was signed) goes back to the signer."""
    with audited_write(actor, DocumentsAction.DOCUMENT_AMEND, document) as write:
        locked = _locked(write, document, "check", _clerk(actor), "只有本部门的文书可以复核公文。")
        _apply(locked, data)
        clean(locked)
        substantive = content_digest(locked) != locked.signed_digest
        if substantive:
            DOCUMENT.move(locked, "amend")
        locked.save()
        version = _new_version(locked, actor, note or "复核修改")
        write.note(version=version.number, substantive=substantive)
    return locked


def document_check(*, actor: Actor, document: Document) -> Document:
    """复核 passed: what is to be registered is what the leader signed."""
    with audited_write(actor, DocumentsAction.DOCUMENT_CHECK, document) as write:
        locked = _locked(write, document, "check", _clerk(actor), "只有本部门的文书可以复核公文。")
        if content_digest(locked) != locked.signed_digest:
            raise ApplicationError(DocumentsError.WRONG_STATE, "公文内容与签发时不一致，须重新签发。")
        if locked.direction == Direction.UP and not locked.signer_name:
            raise ApplicationError(DocumentsError.SIGNER_REQUIRED, "上行文须标注签发人。")
        DOCUMENT.move(locked, "check")
        locked.save(update_fields=["state"])
    return locked


def document_register(
    *,
    actor: Actor,
    document: Document,
    main_departments: list[Department],
    copy_departments: list[Department] | None = None,
    copies: int = 0,
) -> Document:
    """登记: the 发文字号 (next of the 代字 in the year written), the distribution and the copies."""
    copy_departments = copy_departments or []
    with audited_write(actor, DocumentsAction.DOCUMENT_REGISTER, document) as write:
        locked = _locked(write, document, "register", _clerk(actor), "只有本部门的文书可以登记公文。")
        if not main_departments:
            raise ApplicationError(DocumentsError.NO_RECIPIENTS, "请选择主送机关。", {"main_departments": "必填"})
        recipients = {d.pk for d in main_departments} | {d.pk for d in copy_departments}
        if locked.department_id in recipients:
            raise ApplicationError(DocumentsError.INVALID_INPUT, "主送、抄送机关不能是本机关。")
        if copies < 0 or copies > 100000:
            raise ApplicationError(DocumentsError.INVALID_INPUT, "印制份数不正确。", {"copies": "范围不对"})
        locked.written_on = locked.written_on or workdays.today()
        year = locked.written_on.year
        locked.year = year
        locked.serial = next_serial(locked.department, locked.prefix, year)
        locked.number = format_number(locked.prefix, year, locked.serial)
        locked.copies = copies
        locked.main_to = locked.main_to or "，".join(d.name for d in main_departments)
        locked.copy_to = locked.copy_to or "，".join(d.name for d in copy_departments)
        locked.registered_at = timezone.now()
        DOCUMENT.move(locked, "register")
        locked.save()
        locked.main_departments.set(main_departments)
        locked.copy_departments.set(copy_departments)
        write.note(
            number=locked.number,
            main=sorted(d.pk for d in main_departments),
            copy=sorted(d.pk for d in copy_departments),
        )
    return locked


def document_print(*, actor: Actor, document: Document) -> Document:
    """印制: the sealed PDF (GB/T 9704 layout, the department's seal) stored under media/documents/."""
    from zhengwu.documents import pdf, seal

    with audited_write(actor, DocumentsAction.DOCUMENT_PRINT, document) as write:
        locked = _locked(write, document, "print", _clerk(actor), "只有本部门的文书可以印制公文。")
        locked.printed_on = locked.printed_on or workdays.today()
        content = pdf.render(locked).content
        joint = [j.department for j in locked.joint_issuers.select_related("department")]
        sealed = seal.seal(locked.department, content, number=locked.number, joint=joint)
        base = f"{locked.pk}/{locked.year}-{locked.serial}"
        locked.file_path = storage.store(f"{base}.pdf", content)
        locked.seal_path = storage.store(f"{base}.pdf.seal.json", seal.dumps(sealed))
        locked.file_digest = sealed["digest"]
        DOCUMENT.move(locked, "print")
        locked.save()
        write.note(number=locked.number, sm3=locked.file_digest, key=sealed["key_fingerprint"])
    return locked


def refuse_secret(document: Document) -> None:
    """The exchange carries non-secret documents only (docs/rules.md §7)."""
    if document.secrecy:
        raise ApplicationError(
            DocumentsError.SECRET_REFUSED,
            CLASSIFIED_REFUSAL.format(secrecy=document.get_secrecy_display()),
            {"secrecy": "涉密"},
            status=422,
        )


def document_issue(*, actor: Actor, document: Document, when: datetime | None = None) -> Document:
    """核发: a delivery to every 主送 and 抄送 department, each with its 签收 clock."""
    with audited_write(actor, DocumentsAction.DOCUMENT_ISSUE, document) as write:
        locked = _locked(write, document, "issue", _clerk(actor), "只有本部门的文书可以核发公文。")
        write.note(number=locked.number, secrecy=locked.secrecy)
        refuse_secret(locked)
        now = when or timezone.now()
        DOCUMENT.move(locked, "issue")
        locked.issued_at = now
        locked.save()
        targets = [(d, Delivery.Role.MAIN) for d in locked.main_departments.all()]
        targets += [(d, Delivery.Role.COPY) for d in locked.copy_departments.all()]
        limit, unit = sign_limit(locked.urgency)
        for department, role in targets:
            delivery = Delivery.objects.create(
                document=locked,
                department=department,
                role=role,
                title=locked.title,
                number=locked.number,
                kind=locked.kind,
                urgency=locked.urgency,
                delivered_at=now,
            )
            supervision_services.timer_start(
                actor=actor,
                kind=SIGN_TIMER,
                kind_label="公文签收",
                target=delivery,
                title=f"签收 {locked.number} {locked.title}"[:200],
                department=department,
                limit=limit,
                unit=unit,
                start=now,
                url=reverse("documents_wb:delivery", args=[delivery.pk]),
            )
        write.note(recipients=[d.pk for d, _ in targets])
    return locked


def document_send(
    *,
    actor: Actor,
    department: Department,
    data: DocumentData,
    signer_name: str,
    main_departments: list[Department],
    copy_departments: list[Department] | None = None,
) -> Document:
    """A department's OA system sends a document it has drafted, reviewed and signed itself (its
    签发人 named): registered (number), printed (sealed) and issued here in one write. Secret
    documents are refused before anything is made."""
    with audited_write(actor, DocumentsAction.DOCUMENT_SEND, department=department) as write:
        write.require(
            actor.api_client is not None and is_clerk(actor, department.pk),
            "只有本部门的 OA 系统可以报送已签发的公文；在平台上起草的公文须经本部门负责人签发。",
        )
        write.note(title=(data.title or "")[:100], secrecy=data.secrecy)
        if data.secrecy:
            refuse_secret(Document(secrecy=data.secrecy))
        signer_name = required_text(
            signer_name, field="signer_name", what="签发人", code=DocumentsError.SIGNER_REQUIRED, max_length=64
        )
        document = document_draft(actor=actor, department=department, data=data)
        locked = write.lock(document, "department")
        DOCUMENT.move(locked, "import_signed")
        locked.signer_name = signer_name
        locked.signed_at = timezone.now()
        locked.signed_digest = content_digest(locked)
        locked.save()
        document_check(actor=actor, document=locked)
        document_register(
            actor=actor, document=locked, main_departments=main_departments, copy_departments=copy_departments
        )
        document_print(actor=actor, document=locked)
        issued = document_issue(actor=actor, document=locked)
        write.note(number=issued.number)
    return issued
