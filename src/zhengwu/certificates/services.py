"""Writes of the certificates app: issue and revoke electronic certificates (电子证照).

`certificate_issue` is called by eservices when an approved case's result is a certificate (for
the approving staff member, or the platform), and by staff tools and the demo. `certificate_revoke`
is for staff (clerk or department leader) of the issuing department. Every write acts for an
`Actor` through `audited_write` (docs/design.md rules 1 and 5): a refusal writes nothing but its
audit record.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from typing import Any

from django.db import IntegrityError
from django.db.models import Max
from django.utils import timezone

from zhengwu.accounts.models import Department, Role
from zhengwu.audit.write import audited_write
from zhengwu.certificates import identifiers, signing
from zhengwu.certificates.audit_actions import CertificatesAction
from zhengwu.certificates.base_resource import write_to_base
from zhengwu.certificates.errors import CertificateError
from zhengwu.certificates.models import HOLDER_INDEX_PURPOSE, Certificate, CertificateType, HolderKind, IssuerKey
from zhengwu.certificates.states import CERTIFICATE
from zhengwu.core.actors import Actor
from zhengwu.core.crypto import blind_index, blind_indexes
from zhengwu.core.errors import ApplicationError, clean, required_text
from zhengwu.core.idnumbers import validate_credit_code, validate_resident_id
from zhengwu.core.workdays import today

ISSUER_ROLES = (Role.CLERK, Role.DEPT_LEADER)
KEY_ROTATORS = (Role.DEPT_LEADER,)
MAX_VALUE_LENGTH = 500


def holder_index(code: str) -> str:
    return blind_index(code, purpose=HOLDER_INDEX_PURPOSE)


def holder_indexes(code: str) -> list[str]:
    """The holder index under every data key (a rotation recomputes them; one in progress has not yet)."""
    return blind_indexes(code, purpose=HOLDER_INDEX_PURPOSE)


def is_issuer_staff(actor: Actor, department: Department) -> bool:
    """A clerk or leader of the issuing department."""
    return actor.works_in(department.pk, *ISSUER_ROLES)


# --- issuer keys ---------------------------------------------------------------------------------


def _new_key(department: Department) -> IssuerKey:
    private_key, public_key = signing.new_keypair()
    return IssuerKey.objects.create(
        department=department,
        public_key=public_key,
        private_key=private_key,
        fingerprint=signing.fingerprint(public_key),
    )


def issuer_key_for(*, actor: Actor, department: Department) -> IssuerKey:
    """The department's active SM2 key, generated (and audited) on first use.

    Only the platform makes keys this way (on the first issue of a department); a person asks for a
    new key with `issuer_key_rotate`."""
    key = IssuerKey.objects.filter(department=department, retired_at__isnull=True).first()
    if key is not None:
        return key
    try:
        with audited_write(actor, CertificatesAction.ISSUER_KEY_CREATE, department=department) as write:
            write.require(actor.is_platform, "签发密钥由平台在首次签发时生成。")
            key = _new_key(department)
            write.set_target(key)
            write.note(fingerprint=key.fingerprint)
    except IntegrityError:  # another process created it at the same moment
        key = IssuerKey.objects.get(department=department, retired_at__isnull=True)
    return key


def issuer_key_rotate(*, actor: Actor, department: Department) -> IssuerKey:
    """Retire the department's signing key and make a new one (e.g. after a suspected leak).

    Certificates already issued keep their key and still verify; new ones use the new key.
    For the department's leader, or the security administrator (安全管理员).
    """
    with audited_write(actor, CertificatesAction.ISSUER_KEY_ROTATE, department=department) as write:
        write.require(
            actor.works_in(department.pk, *KEY_ROTATORS) or actor.has_role(Role.SEC_ADMIN),
            "只有本部门负责人或安全管理员可以更换签发密钥。",
        )
        old = IssuerKey.objects.select_for_update().filter(department=department, retired_at__isnull=True).first()
        if old is not None:
            old.retired_at = timezone.now()
            old.save(update_fields=["retired_at"])
        key = _new_key(department)
        write.set_target(key)
        write.note(fingerprint=key.fingerprint, retired=old.fingerprint if old else "")
    return key


# --- issue -------------------------------------------------------------------------------------


def _resolve_type(certificate_type: str | CertificateType) -> CertificateType:
    if isinstance(certificate_type, CertificateType):
        found: CertificateType | None = certificate_type
    else:
        found = CertificateType.objects.filter(code=str(certificate_type).strip().upper()).first()
    if found is None or not found.is_active:
        raise ApplicationError(
            CertificateError.UNKNOWN_TYPE,
            f"证照类型“{certificate_type}”不存在或已停用。",
            {"certificate_type": "不存在"},
        )
    return found


def _holder(kind: str, name: str, id_number: str, credit_code: str) -> tuple[str, str, str]:
    name = (name or "").strip()
    id_number, credit_code = (id_number or "").strip().upper(), (credit_code or "").strip().upper()
    if not name or len(name) > 200:
        raise ApplicationError(
            CertificateError.INVALID_HOLDER, "持证主体名称不能为空，且不超过 200 字。", {"holder_name": "无效"}
        )
    if bool(id_number) == bool(credit_code):
        raise ApplicationError(
            CertificateError.INVALID_HOLDER,
            "持证主体须提供公民身份号码或统一社会信用代码中的一项。",
            {"holder_id_number": "二选一", "holder_credit_code": "二选一"},
        )
    if id_number:
        if kind != HolderKind.PERSON:
            raise ApplicationError(
                CertificateError.INVALID_HOLDER,
                "该类证照的持证主体应为法人或其他组织。",
                {"holder_credit_code": "必填"},
            )
        return HolderKind.PERSON, name, _holder_code(validate_resident_id, id_number, "holder_id_number")
    if kind != HolderKind.ORGANISATION:
        raise ApplicationError(
            CertificateError.INVALID_HOLDER, "该类证照的持证主体应为自然人。", {"holder_id_number": "必填"}
        )
    return HolderKind.ORGANISATION, name, _holder_code(validate_credit_code, credit_code, "holder_credit_code")


def _holder_code(validate: Callable[[str], object], code: str, field: str) -> str:
    """`code` once `validate` accepts it; its complaint becomes the holder's, on `field`."""
    try:
        validate(code)
    except ApplicationError as error:
        raise ApplicationError(CertificateError.INVALID_HOLDER, error.message, {field: error.message}) from None
    return code


def _data(kind: CertificateType, data: dict[str, Any]) -> dict[str, str]:
    if not isinstance(data, dict):
        raise ApplicationError(
            CertificateError.INVALID_DATA, "照面信息应为“信息项代码: 值”的对象。", {"data": "格式错误"}
        )
    names = kind.item_names()
    problems: dict[str, str] = {}
    values: dict[str, str] = {}
    for code, value in data.items():
        if code not in names:
            problems[str(code)] = f"“{kind.name}”没有此信息项"
            continue
        text = "" if value is None else str(value).strip()
        if len(text) > MAX_VALUE_LENGTH:
            problems[code] = f"不超过 {MAX_VALUE_LENGTH} 字"
        elif text:
            values[code] = text
    for item in kind.items:
        if item.get("required") and str(item["code"]) not in values and str(item["code"]) not in problems:
            problems[str(item["code"])] = f"“{item['name']}”必填"
    if problems:
        listed = "；".join(f"{names.get(code, code)}：{text}" for code, text in problems.items())
        raise ApplicationError(CertificateError.INVALID_DATA, f"照面信息有误：{listed}", problems)
    return values


def certificate_issue(
    *,
    actor: Actor,
    department: Department,
    certificate_type: str | CertificateType,
    holder_name: str,
    holder_id_number: str = "",
    holder_credit_code: str = "",
    data: dict[str, Any],
    valid_until: date | None = None,
    source_label: str = "",
) -> Certificate:
    """Issue a signed certificate and write it into the 电子证照 base resource (staff of the
    issuing department, or the platform)."""
    with audited_write(actor, CertificatesAction.CERTIFICATE_ISSUE, department=department) as write:
        write.require(
            actor.is_platform or is_issuer_staff(actor, department),
            "只有颁发机构的业务办理人员或负责人可以签发电子证照。",
        )
        if not department.is_active:
            raise ApplicationError(
                CertificateError.ISSUER_INACTIVE,
                f"部门“{department.name}”已停用，不能签发电子证照。",
                {"department": "已停用"},
            )
        kind = _resolve_type(certificate_type)
        holder_kind, name, code = _holder(kind.holder_kind, holder_name, holder_id_number, holder_credit_code)
        items = _data(kind, data)
        issued_on = today()
        if valid_until is not None and valid_until < issued_on:
            raise ApplicationError(
                CertificateError.INVALID_VALIDITY, "有效期至不能早于签发日期。", {"valid_until": "早于签发日期"}
            )
        if len(source_label) > 200:
            raise ApplicationError(
                CertificateError.INVALID_DATA, "来源说明不超过 200 字。", {"source_label": "不能超过 200 字"}
            )
        # The key is the platform's to make (audited as such), whoever issues the first certificate.
        issuer_key_for(actor=Actor.platform(), department=department)
        # The active key row serialises serial numbers of one issuer (and a rotation meanwhile).
        key = IssuerKey.objects.select_for_update().get(department=department, retired_at__isnull=True)
        last = Certificate.objects.filter(certificate_type=kind, issuer=department).aggregate(m=Max("serial"))["m"]
        ident = identifiers.build(type_code=kind.code, issuer_code=department.credit_code, serial=int(last or 0) + 1)
        certificate = Certificate(
            identifier=str(ident),
            certificate_type=kind,
            issuer=department,
            issuer_key=key,
            serial=ident.serial,
            version=ident.version,
            holder_kind=holder_kind,
            holder_name=name,
            holder_code=code,
            holder_index=holder_index(code),
            data_json=json.dumps(items, sort_keys=True, ensure_ascii=False),
            issued_on=issued_on,
            valid_until=valid_until,
            issued_by=actor.user,
            source_label=source_label.strip(),
        )
        certificate.signature = signing.sign(certificate)
        clean(certificate)
        certificate.save()
        base_problem = write_to_base([certificate])
        write.set_target(certificate)
        write.note(
            identifier=certificate.identifier,
            type=kind.code,
            source=certificate.source_label,
            base=base_problem or "已写入电子证照库",
        )
    certificate.refresh_from_db(fields=["base_synced_at"])
    return certificate


# --- revoke ------------------------------------------------------------------------------------


def certificate_revoke(*, actor: Actor, certificate: Certificate, reason: str) -> Certificate:
    """Revoke (注销) a valid certificate; the verify page shows 已注销 from then on."""
    with audited_write(
        actor, CertificatesAction.CERTIFICATE_REVOKE, certificate, department=certificate.issuer
    ) as write:
        locked = write.lock(certificate, "issuer")
        write.require(is_issuer_staff(actor, locked.issuer), "只有颁发机构的业务办理人员或负责人可以注销电子证照。")
        reason = required_text(
            reason, field="reason", what="注销原因", code=CertificateError.REASON_REQUIRED, max_length=500
        )
        if not CERTIFICATE.can(locked, "revoke"):
            raise ApplicationError(
                CertificateError.WRONG_STATE, "该证照已注销，不能重复注销。", {"certificate": "已注销"}
            )
        CERTIFICATE.move(locked, "revoke")
        locked.revoked_at = timezone.now()
        locked.revoked_by = actor.user
        locked.revoke_reason = reason
        clean(locked)
        locked.save(update_fields=["status", "revoked_at", "revoked_by", "revoke_reason"])
        base_problem = write_to_base([locked])
        write.note(identifier=locked.identifier, reason=reason, base=base_problem or "已写入电子证照库")
    locked.refresh_from_db()
    return locked


# --- the 电子证照 base resource --------------------------------------------------------------------


def certificates_resync(*, actor: Actor, certificates: list[Certificate] | None = None) -> str:
    """Write (again) the given certificates, or all not yet written, into the base resource
    (the platform: the demo loader and commands)."""
    rows = (
        certificates
        if certificates is not None
        else list(Certificate.objects.filter(base_synced_at__isnull=True).select_related("certificate_type", "issuer"))
    )
    if not rows:
        return ""
    with audited_write(actor, CertificatesAction.BASE_RESYNC) as write:
        write.require(actor.is_platform, "只有平台可以重新写入电子证照库。")
        problem = write_to_base(rows)
        write.note(count=len(rows), base=problem or "已写入电子证照库")
    return problem


def certificates_expire_in_base(*, actor: Actor, batch: int = 500) -> int:
    """Mark certificates that ran out since the last write as 过期 in the base resource.

    Run daily by the platform (tasks.certificates_expiry_tick). Returns how many records were written.
    """
    due = list(
        Certificate.objects.filter(
            status=Certificate.Status.VALID, valid_until__lt=today(), base_synced_at__isnull=False
        )
        .exclude(base_state="expired")
        .select_related("certificate_type", "issuer")
        .order_by("pk")[:batch]
    )
    if not due:
        return 0
    with audited_write(actor, CertificatesAction.BASE_EXPIRE) as write:
        write.require(actor.is_platform, "只有平台可以更新电子证照库中的过期状态。")
        problem = write_to_base(due)
        write.note(count=len(due), base=problem or "已写入电子证照库")
    return 0 if problem else len(due)
