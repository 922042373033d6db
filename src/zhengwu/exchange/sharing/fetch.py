"""Once-only fetch (一次提交、共享获取): a service platform reads an applicant's own record from a
base resource on the applicant's behalf, instead of asking for it again.

Used by the eservices app when a citizen or enterprise applies: the 人口 base record of the
citizen (keyed by their ID number) or the 法人 base record of the enterprise (keyed by its credit
code) pre-fills the form and stands in for a material. The read is authorised by the data
subject (the key must be the applicant's own identifier — the caller guarantees that), so it
needs no share grant; when the handling department does hold an active grant on the resource, the
log entry names it. Every read — found, not found, refused — is appended to the exchange's
hash-chained access log with the handling department as consumer and the stated purpose, so the
citizen sees it on "谁用了我的数据".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from zhengwu.accounts.models import Department
from zhengwu.catalog.models import DataType, Resource
from zhengwu.core.crypto import blind_index
from zhengwu.exchange.sharing import access_log, masking
from zhengwu.exchange.sharing.grants import grant_in_force
from zhengwu.exchange.sharing.models import AccessLog, Grant
from zhengwu.exchange.store import tables as store

PURPOSE_MAX = 200


@dataclass(frozen=True)
class Fetched:
    resource_code: str
    resource_name: str
    provider: str
    key: str
    record: dict[str, Any]  # item code → value (without the store's "_" bookkeeping columns)
    disputed: bool


def _read_logged(
    resource: Resource,
    key: str,
    *,
    resident_id: bool,
    purpose: str,
    item_codes: Sequence[str],
    ip: str | None,
    consumer: Department | None = None,
    grant: Grant | None = None,
    consumer_label: str = "",
) -> dict[str, Any] | None:
    """The live record `key` of `resource`, the read appended to the access log either way (成功
    with `item_codes`, or 无记录); an ID number key (`resident_id`) is logged masked, with its blind
    index, so the person finds the read on "谁用了我的数据"."""
    if resident_id:
        logged_key, indexes = masking.mask_resident_id(key), [blind_index(key, purpose="resident-id")]
    else:
        logged_key, indexes = key, []
    record = store.get_record(resource, key)
    found = record is not None
    access_log.append(
        operation=AccessLog.Operation.RECORD,
        outcome=AccessLog.Outcome.OK if found else AccessLog.Outcome.NOT_FOUND,
        consumer=consumer,
        consumer_label=consumer_label,
        resource=resource,
        grant=grant,
        purpose=purpose,
        keys=[logged_key],
        key_indexes=indexes,
        item_codes=item_codes if found else [],
        rows=1 if found else 0,
        ip=ip,
    )
    return record


def fetch_own_record(
    *,
    consumer: Department,
    resource_code: str,
    key: str,
    purpose: str,
    item_codes: Sequence[str] | None = None,
    ip: str | None = None,
) -> Fetched | None:
    """The live record of `resource_code` whose key is `key` (the applicant's own ID number or
    credit code), or None when the resource is not published or holds no such record.

    Logged either way (operation "按主键查询", outcome 成功 / 无记录 / 拒绝) with the purpose; an ID
    number key is logged masked with its blind index.
    """
    purpose = (purpose or "").strip()[:PURPOSE_MAX] or "政务服务办理"
    resource = (
        Resource.objects.select_related("provider").filter(code=resource_code, state=Resource.State.PUBLISHED).first()
    )
    if resource is None:
        access_log.append(
            operation=AccessLog.Operation.RECORD,
            outcome=AccessLog.Outcome.DENIED,
            consumer=consumer,
            resource_code=resource_code,
            purpose=purpose,
            reason="unknown_resource",
            ip=ip,
        )
        return None
    items = list(resource.items.values_list("code", "name", "data_type", "is_personal"))
    rules = {code: masking.rule_for(code, name, data_type, personal) for code, name, data_type, personal in items}
    key_type = next((data_type for code, _, data_type, _ in items if code == resource.key_item), "")
    wanted = [c for c in (item_codes if item_codes is not None else rules) if c in rules]
    record = _read_logged(
        resource,
        key,
        resident_id=key_type == DataType.RESIDENT_ID,
        purpose=purpose,
        item_codes=wanted,
        ip=ip,
        consumer=consumer,
        grant=grant_in_force(consumer, resource),
    )
    if record is None:
        return None
    values = masking.project(record, [rules[c] for c in wanted], plain_personal=True)
    return Fetched(
        resource_code=resource.code or resource_code,
        resource_name=resource.name,
        provider=resource.provider.name,
        key=key,
        record=values,
        disputed=bool(record.get("_disputed")),
    )


PERSON_BASE = "101001/001"  # 人口基础信息 (公安厅), keyed by 公民身份号码
PLATFORM_LABEL = "政务服务平台（实名注册核验）"
IDENTITY_PURPOSE = "实名注册身份核验（核对姓名与公民身份号码，不读取其他信息项）"


def person_matches(id_number: str, name: str, ip: str | None = None) -> bool:
    """Whether the 人口基础信息 base holds a live record of `id_number` under exactly `name`.

    Registration's real-name check (registered with `accounts.identity` by this app's config):
    a read, never a write (一数一源). Logged as a use by the platform, the key masked with its blind
    index, so the person sees the check on "谁用了我的数据"; only the name item is compared and
    nothing is returned but the answer."""
    resource = Resource.objects.filter(code=PERSON_BASE, state=Resource.State.PUBLISHED).first()
    if resource is None or not id_number:
        return False
    record = _read_logged(
        resource,
        id_number,
        resident_id=True,
        purpose=IDENTITY_PURPOSE,
        item_codes=["name"],
        ip=ip,
        consumer_label=PLATFORM_LABEL,
    )
    if record is None or record.get("_deleted"):
        return False
    return str(record.get("name") or "").strip() == name.strip() != ""
