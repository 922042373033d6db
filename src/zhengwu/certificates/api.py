"""HTTP API of the certificates app (mounted at /api/v1/certificates in zhengwu/api.py).

    GET /api/v1/certificates/mine?after=&limit=
    GET /api/v1/certificates/{identifier}/verify

`mine`: the logged-in person's own certificates (session; a citizen by ID number, an enterprise
account by its credit code), unmasked, in keyset pages by id.

Public, without credentials, like the verify page the QR code opens: it tells whether a
certificate is genuine (SM2 signature), revoked or expired, and shows the holder only masked.
A malformed identifier or a wrong check character answers 400 `certificates.invalid_identifier`;
a well-formed identifier the platform never issued answers 404 `core.not_found`.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from zhengwu.accounts.api_auth import PersonSessionAuth, session_person
from zhengwu.certificates import identifiers, selectors
from zhengwu.certificates.errors import CertificateError
from zhengwu.certificates.models import Certificate
from zhengwu.core.errors import ApplicationError, not_found
from zhengwu.core.keyset_api import KeysetQuery, keyset_response
from zhengwu.core.schemas import ErrorOut

router = Router(tags=["certificates"])


class VerifyOut(Schema):
    identifier: str
    status: str
    status_label: str
    signature_valid: bool
    type_code: str
    type_name: str
    issuer_name: str
    issuer_code: str
    holder_name_masked: str
    issued_on: date
    valid_until: date | None
    revoked_at: datetime | None
    public_key: str
    key_fingerprint: str
    checked_on: date


class CertificateOut(Schema):
    id: int
    identifier: str
    type_code: str
    type_name: str
    issuer_name: str
    holder_name: str
    holder_code: str
    data: dict[str, str]
    item_names: dict[str, str] = Field(description="照面信息项代码 → 中文名")
    issued_on: date
    valid_until: date | None
    status: str
    status_label: str
    revoked_at: datetime | None
    revoke_reason: str


class CertificatePage(Schema):
    items: list[CertificateOut]
    next_after: int | None


def _certificate_out(certificate: Certificate) -> dict[str, Any]:
    return {
        "id": certificate.pk,
        "identifier": certificate.identifier,
        "type_code": certificate.certificate_type.code,
        "type_name": certificate.certificate_type.name,
        "issuer_name": certificate.issuer.name,
        "holder_name": certificate.holder_name,
        "holder_code": certificate.holder_code,
        "data": certificate.data,
        "item_names": certificate.certificate_type.item_names(),
        "issued_on": certificate.issued_on,
        "valid_until": certificate.valid_until,
        "status": certificate.state_code,
        "status_label": certificate.state_label,
        "revoked_at": certificate.revoked_at,
        "revoke_reason": certificate.revoke_reason,
    }


@router.get(
    "/mine",
    response={200: CertificatePage, 400: ErrorOut, 401: ErrorOut},
    auth=PersonSessionAuth(),
    summary="我的电子证照",
    description="登录的自然人按公民身份号码、法人账号按统一社会信用代码查看本人（本单位）持有的电子证照。",
)
def my_certificates(request: HttpRequest, filters: Query[KeysetQuery]) -> dict[str, object]:
    user = session_person(request)
    return keyset_response(selectors.certificates_of_user(user), filters, _certificate_out)


@router.get(
    "/{identifier}/verify",
    response={200: VerifyOut, 400: ErrorOut, 404: ErrorOut},
    auth=None,
    summary="核验电子证照（签名、注销、有效期）",
    description=(
        "公开接口，无需凭证。status 为 valid（有效）、revoked（已注销）、expired（已过期）"
        "或 bad_signature（签名无效）。"
    ),
)
def verify_certificate(request: HttpRequest, identifier: str) -> dict[str, object]:
    if identifiers.parse(identifier) is None:
        raise ApplicationError(
            CertificateError.INVALID_IDENTIFIER,
            "证照标识格式不正确或校验位不符。",
            {"identifier": "格式应为 1.2.156.3005.2.{类型代码}.{颁发机构代码}.{流水号}.{版本号}.{校验位}"},
        )
    result = selectors.verify(identifier)
    certificate = result.certificate
    if certificate is None:
        raise not_found("电子证照")
    return {
        "identifier": certificate.identifier,
        "status": result.status,
        "status_label": result.status_label,
        "signature_valid": result.signature_ok,
        "type_code": certificate.certificate_type.code,
        "type_name": certificate.certificate_type.name,
        "issuer_name": certificate.issuer.name,
        "issuer_code": certificate.issuer.credit_code,
        "holder_name_masked": selectors.mask_holder_name(certificate),
        "issued_on": certificate.issued_on,
        "valid_until": certificate.valid_until,
        "revoked_at": certificate.revoked_at,
        "public_key": certificate.issuer_key.public_key,
        "key_fingerprint": certificate.issuer_key.fingerprint,
        "checked_on": result.checked_on,
    }
