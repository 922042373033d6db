"""Reads of the certificates app: a holder's certificates, lookup by identifier, verification."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Q, QuerySet

from zhengwu.accounts.models import Department, User
from zhengwu.certificates import identifiers, signing
from zhengwu.certificates.models import Certificate, CertificateType, HolderKind, IssuerKey
from zhengwu.certificates.services import holder_indexes
from zhengwu.core.idnumbers import mask_middle
from zhengwu.core.workdays import today

STATUS_LABELS = {
    "valid": "有效",
    "revoked": "已注销",
    "expired": "已过期",
    "bad_signature": "签名无效",
    "not_found": "未找到",
}


def _base() -> QuerySet[Certificate]:
    return Certificate.objects.select_related("certificate_type", "issuer", "issuer_key")


def certificates_held_by(*, id_number: str = "", credit_code: str = "", type_code: str = "") -> QuerySet[Certificate]:
    """Every certificate (valid, revoked, expired) of the holder, newest first.

    Give the holder's 公民身份号码 or 统一社会信用代码; with neither the result is empty.
    Use `.filter(status="valid")` or `certificate.is_usable` for what may be reused.
    """
    codes = [c.strip().upper() for c in (id_number, credit_code) if c and c.strip()]
    if not codes:
        return Certificate.objects.none()
    rows = _base().filter(holder_index__in=[index for c in codes for index in holder_indexes(c)])
    if type_code:
        rows = rows.filter(certificate_type__code=type_code.strip().upper())
    return rows.order_by("-issued_at", "-id")


def certificates_of_user(user: User) -> QuerySet[Certificate]:
    """What the logged-in person holds: a citizen by ID number, an enterprise agent by credit code."""
    if not user.is_authenticated or user.kind == User.Kind.STAFF:
        return Certificate.objects.none()
    if user.kind == User.Kind.ENTERPRISE:
        return certificates_held_by(credit_code=user.enterprise_credit_code)
    return certificates_held_by(id_number=user.id_number)


def user_holds(user: User, certificate: Certificate) -> bool:
    if not user.is_authenticated or user.kind == User.Kind.STAFF:
        return False
    if user.kind == User.Kind.ENTERPRISE:
        code = user.enterprise_credit_code
        return (
            bool(code)
            and certificate.holder_kind == HolderKind.ORGANISATION
            and certificate.holder_index in holder_indexes(code)
        )
    code = user.id_number
    return (
        bool(code) and certificate.holder_kind == HolderKind.PERSON and certificate.holder_index in holder_indexes(code)
    )


def certificate_by_identifier(identifier: str) -> Certificate | None:
    if not isinstance(identifier, str) or identifiers.parse(identifier) is None:
        return None
    return _base().filter(identifier=identifier.strip().upper()).first()


def certificate_type_by_code(code: str) -> CertificateType | None:
    return CertificateType.objects.filter(code=(code or "").strip().upper()).first()


def certificate_types() -> QuerySet[CertificateType]:
    return CertificateType.objects.filter(is_active=True).order_by("code")


def certificates_issued_by(
    department: Department | None, *, query: str = "", status: str = ""
) -> QuerySet[Certificate]:
    """The issuing department's register (staff workbench), newest first."""
    if department is None:
        return Certificate.objects.none()
    rows = _base().filter(issuer=department)
    query = (query or "").strip()
    if query:
        rows = rows.filter(
            Q(identifier__icontains=query)
            | Q(certificate_type__name__icontains=query)
            | Q(holder_index__in=holder_indexes(query))
            | Q(source_label__icontains=query)
        )
    if status == "revoked":
        rows = rows.filter(status=Certificate.Status.REVOKED)
    elif status == "valid":
        rows = rows.filter(status=Certificate.Status.VALID).filter(
            Q(valid_until__isnull=True) | Q(valid_until__gte=today())
        )
    elif status == "expired":
        rows = rows.filter(status=Certificate.Status.VALID, valid_until__lt=today())
    return rows.order_by("-issued_at", "-id")


def issuer_keys(department: Department | None = None) -> QuerySet[IssuerKey]:
    """Signing keys, newest first (all departments when `department` is None)."""
    rows = IssuerKey.objects.select_related("department")
    if department is not None:
        rows = rows.filter(department=department)
    return rows.order_by("department__name", "-created_at")


def mask_holder_name(certificate: Certificate) -> str:
    """The holder's name partly hidden for public pages: 张*, 王**, 长春**********公司."""
    name = certificate.holder_name
    if certificate.holder_kind == HolderKind.PERSON:
        return name[:1] + "*" * (len(name) - 1) if len(name) > 1 else "*"
    return mask_middle(name, 2, 2) if len(name) > 4 else name[:1] + "*" * (len(name) - 1)


def mask_holder_code(certificate: Certificate) -> str:
    code = certificate.holder_code
    return mask_middle(code, 4, 4) if certificate.holder_kind == HolderKind.PERSON else mask_middle(code, 6, 4)


@dataclass(frozen=True)
class VerifyResult:
    """The answer to "is this certificate genuine and in force?" (public verify page and API)."""

    identifier: str
    found: bool
    certificate: Certificate | None
    status: str  # valid | revoked | expired | bad_signature | not_found
    signature_ok: bool
    check_char_ok: bool
    checked_on: date

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def is_valid(self) -> bool:
        return self.status == "valid"


def verify(identifier: str) -> VerifyResult:
    """Check the identifier's check character, the SM2 signature, revocation and expiry.

    A bad signature wins over everything (the data cannot be trusted), then revocation, then
    expiry.
    """
    text = identifier.strip().upper() if isinstance(identifier, str) else ""
    day = today()
    parsed = identifiers.parse(text)
    certificate = _base().filter(identifier=text).first() if parsed is not None else None
    if certificate is None:
        return VerifyResult(text, False, None, "not_found", False, parsed is not None, day)
    signature_ok = signing.signature_valid(certificate)
    if not signature_ok:
        status = "bad_signature"
    elif certificate.status == Certificate.Status.REVOKED:
        status = "revoked"
    elif certificate.is_expired(day):
        status = "expired"
    else:
        status = "valid"
    return VerifyResult(text, True, certificate, status, signature_ok, True, day)
