"""The access log of the query API: appended durably before every answer, SM3 hash-chained.

`append(...)` runs in its own transaction: called outside any transaction (as the API does)
the row is committed when it returns, so the answer is only sent once the read is on record.
Appends are serialised by a lock on the one-row `AccessLogHead` (on SQLite the IMMEDIATE
transactions admit one writer at a time anyway), so seq numbers are gapless.

`verify_chain()` walks the chain like `audit.services.verify_chain`; `zhengwu audit verify`
calls it (through `AccessLog.hash_chain_verifier`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from zhengwu.accounts.models import ApiClient, Department
from zhengwu.audit.chain import canonical_json, canonical_time, rows_in_seq_order
from zhengwu.audit.services import VerifyResult
from zhengwu.catalog.models import Resource
from zhengwu.core.crypto import constant_time_equal, derive_key, sm3_hex, sm3_hmac_hex
from zhengwu.exchange.sharing_models import ACCESS_LOG_ZERO_HASH, AccessLog, AccessLogHead, AccessLogSubject, Grant

# Every stored field except hash and mac. Changing this list changes every hash.
HASHED_FIELDS: tuple[str, ...] = (
    "seq",
    "at",
    "api_client_id",
    "api_client_label",
    "consumer_id",
    "consumer_label",
    "provider_id",
    "resource_id",
    "resource_code",
    "grant_id",
    "operation",
    "purpose",
    "keys",
    "filters",
    "key_indexes",
    "item_codes",
    "rows",
    "outcome",
    "reason",
    "latency_ms",
    "zone",
    "ip",
    "prev_hash",
)


def log_hash(fields: Mapping[str, Any]) -> str:
    payload: dict[str, Any] = {}
    for name in HASHED_FIELDS:
        value = fields[name]
        if name == "at":
            value = canonical_time(value)
        elif name == "ip" and value is not None:
            value = str(value)
        payload[name] = value
    return sm3_hex(canonical_json(payload).encode("utf-8"))


def log_mac(hash_hex: str) -> str:
    return sm3_hmac_hex(derive_key(bytes(settings.ZHENGWU_DATA_KEY), "access-log-chain", 32), hash_hex)


def _lock_head() -> AccessLogHead:
    head = AccessLogHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        last = AccessLog.objects.order_by("-seq").values("seq", "hash").first()
        defaults = {"seq": last["seq"], "hash": last["hash"]} if last else {"seq": 0, "hash": ACCESS_LOG_ZERO_HASH}
        head, _ = AccessLogHead.objects.select_for_update().get_or_create(pk=1, defaults=defaults)
    return head


def _text(value: object, limit: int) -> str:
    return str(value).replace("\x00", "")[:limit]


def append(
    *,
    operation: str,
    outcome: str,
    api_client: ApiClient | None = None,
    consumer: Department | None = None,
    resource: Resource | None = None,
    resource_code: str = "",
    grant: Grant | None = None,
    purpose: str = "",
    keys: Sequence[str] = (),
    filters: Mapping[str, str] | None = None,
    key_indexes: Sequence[str] = (),
    item_codes: Sequence[str] = (),
    rows: int = 0,
    reason: str = "",
    latency_ms: int = 0,
    ip: str | None = None,
) -> AccessLog:
    """Append one entry and commit it (when called outside a transaction). Returns the entry."""
    if consumer is None and api_client is not None:
        consumer = api_client.department
    indexes = sorted({i for i in key_indexes if i})
    with transaction.atomic():
        head = _lock_head()
        entry = AccessLog(
            seq=head.seq + 1,
            at=timezone.now(),
            api_client=api_client,
            api_client_label=_text(f"{api_client.name}({api_client.token_prefix})", 200) if api_client else "",
            consumer=consumer,
            consumer_label=_text(consumer.name, 200) if consumer else "",
            provider_id=resource.provider_id if resource is not None else None,
            resource=resource,
            resource_code=_text(resource.code if resource is not None else resource_code, 100),
            grant=grant,
            operation=operation,
            purpose=_text(purpose, 200),
            keys=[_text(k, 100) for k in keys][:500],
            filters={_text(k, 64): _text(v, 200) for k, v in (filters or {}).items()},
            key_indexes=indexes,
            item_codes=list(item_codes),
            rows=max(0, int(rows)),
            outcome=outcome,
            reason=_text(reason, 64),
            latency_ms=max(0, int(latency_ms)),
            zone=settings.ZHENGWU_ZONE,
            ip=ip,
            prev_hash=head.hash,
        )
        entry.hash = log_hash({name: getattr(entry, name) for name in HASHED_FIELDS})
        entry.mac = log_mac(entry.hash)
        entry._chain_append = True  # type: ignore[attr-defined]
        entry.save()
        if indexes:
            AccessLogSubject.objects.bulk_create([AccessLogSubject(log=entry, key_index=i) for i in indexes])
        head.seq, head.hash = entry.seq, entry.hash
        head.save(update_fields=["seq", "hash"])
    return entry


def _rows(batch_size: int, last: int | None) -> Iterator[dict[str, Any]]:
    return rows_in_seq_order(
        AccessLog.objects.all(), (*HASHED_FIELDS, "hash", "mac"), after=0, last=last, batch_size=batch_size
    )


def verify_chain(batch_size: int = 5000) -> VerifyResult:
    """Walk the access log in seq order; report the first entry missing, changed or moved."""
    head = AccessLogHead.objects.filter(pk=1).values("seq", "hash").first()
    limit = head["seq"] if head else None

    def bad(seq: int, reason: str, checked: int) -> VerifyResult:
        return VerifyResult(ok=False, checked=checked, first_bad_seq=seq, reason=reason)

    expected_prev, expected_seq, checked = ACCESS_LOG_ZERO_HASH, 1, 0
    for row in _rows(max(1, batch_size), limit):
        seq = row["seq"]
        if seq != expected_seq:
            return bad(expected_seq, f"记录缺失：第 {expected_seq} 条之后直接是第 {seq} 条", checked)
        if not constant_time_equal(log_hash(row), row["hash"]):
            return bad(seq, "记录内容与其哈希不符，记录被修改", checked)
        if not constant_time_equal(row["prev_hash"], expected_prev):
            return bad(seq, "前序哈希与上一条记录不符，记录被删除、插入或调换了顺序", checked)
        if not constant_time_equal(log_mac(row["hash"]), row["mac"]):
            return bad(seq, "校验码（SM3-HMAC）不符，哈希链被重新计算过", checked)
        expected_prev, expected_seq, checked = row["hash"], seq + 1, checked + 1
    last = expected_seq - 1
    if head is None:
        if last == 0:
            return VerifyResult(ok=True, checked=0, first_bad_seq=None, reason="")
        return bad(last + 1, "链头记录缺失，无法确认日志末尾是否完整", checked)
    if head["seq"] != last:
        return bad(last + 1, f"日志末尾被截断：链头记录到第 {head['seq']} 条，实际只到第 {last} 条", checked)
    if not constant_time_equal(head["hash"], expected_prev):
        return bad(last, "最后一条记录的哈希与链头记录不符", checked)
    return VerifyResult(ok=True, checked=checked, first_bad_seq=None, reason="")
