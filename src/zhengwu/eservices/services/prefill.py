"""Once-only (一次提交): what the platform already holds for an applicant is read, not asked for.

Each read goes through `exchange.sharing.fetch` and is written to the exchange access log with the item's
department as consumer, the purpose "办理《事项》…" and the acting person's IP.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from zhengwu.accounts.models import User
from zhengwu.certificates import base_resource as certificate_base
from zhengwu.certificates import selectors as certificate_selectors
from zhengwu.core.actors import Actor
from zhengwu.core.errors import permission_denied
from zhengwu.eservices.models import MaterialSource, ServiceItem
from zhengwu.eservices.services.common import json_value
from zhengwu.exchange.sharing import fetch

PERSON_BASE = "101001/001"  # 人口基础信息 (公安厅), keyed by 公民身份号码
LEGAL_BASE = "102001/001"  # 法人单位基本信息 (市场监管厅), keyed by 统一社会信用代码
PREFILL_SOURCES = {"person": PERSON_BASE, "legal": LEGAL_BASE}


@dataclass
class Prefill:
    """What the platform already holds for this applicant and item (once-only)."""

    values: dict[str, Any] = field(default_factory=dict)  # form field code → value from base data
    records: dict[str, fetch.Fetched] = field(default_factory=dict)  # resource code → record
    certificates: dict[int, Any] = field(default_factory=dict)  # ItemMaterial id → held certificate


def _applicant_key(applicant: User, resource_code: str) -> str:
    if resource_code == PERSON_BASE:
        return applicant.id_number if applicant.kind == User.Kind.CITIZEN else ""
    if resource_code == LEGAL_BASE:
        return applicant.enterprise_credit_code if applicant.kind == User.Kind.ENTERPRISE else ""
    return ""


def _certificates_held(applicant: User, type_code: str) -> Any | None:
    """The applicant's usable (valid, not expired) certificate of `type_code` in the 电子证照 base."""
    if applicant.kind == User.Kind.ENTERPRISE:
        held = certificate_selectors.certificates_held_by(
            credit_code=applicant.enterprise_credit_code, type_code=type_code
        )
    elif applicant.id_number:
        held = certificate_selectors.certificates_held_by(id_number=applicant.id_number, type_code=type_code)
    else:
        return None
    return next((c for c in held.filter(status="valid")[:20] if c.is_usable), None)


def _valid_in_base(*, item: ServiceItem, certificate: Any, purpose: str, ip: str | None) -> bool:
    """Whether the 电子证照 base shows `certificate` as valid, read through the exchange (so the
    read is in the access log the holder can see); only then is it reused instead of asked for."""
    base = certificate_base.base_resource()
    if base is None or not base.code:
        return False
    got = fetch.fetch_own_record(
        consumer=item.department, resource_code=base.code, key=certificate.identifier, purpose=purpose, ip=ip
    )
    return got is not None and got.record.get("status") == certificate_base.BASE_STATUS["valid"]


def prefill_for(*, actor: Actor, item: ServiceItem, purpose_suffix: str = "") -> Prefill:
    """Read the acting applicant's own base records that the item's form and materials name."""
    applicant = actor.user
    if applicant is None:
        raise permission_denied("请先登录再申请。")
    wanted: set[str] = set()
    for form_field in item.fields.all():
        source = form_field.prefill.partition(":")[0]
        if source in PREFILL_SOURCES:
            wanted.add(PREFILL_SOURCES[source])
    for material in item.materials.all():
        if material.source == MaterialSource.BASE:
            wanted.add(material.base_resource_code)
    result = Prefill()
    purpose = f"办理《{item.name}》{purpose_suffix}（申请人本人授权，一次提交共享获取）"
    for code in sorted(wanted):
        key = _applicant_key(applicant, code)
        if not key:
            continue
        got = fetch.fetch_own_record(
            consumer=item.department, resource_code=code, key=key, purpose=purpose, ip=actor.ip
        )
        if got is not None:
            result.records[code] = got
    for form_field in item.fields.all():
        source, _, code = form_field.prefill.partition(":")
        got = result.records.get(PREFILL_SOURCES.get(source, ""))
        if got is not None and got.record.get(code) not in (None, ""):
            result.values[form_field.code] = json_value(got.record[code])
    for material in item.materials.all():
        if material.source == MaterialSource.CERTIFICATE:
            certificate = _certificates_held(applicant, material.certificate_type_code)
            if certificate is not None and _valid_in_base(
                item=item, certificate=certificate, purpose=purpose, ip=actor.ip
            ):
                result.certificates[material.pk] = certificate
    return result
