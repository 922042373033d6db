"""The hash of an audit event: SM3 over a canonical serialisation of all its fields.

The serialisation is JSON with sorted keys, `ensure_ascii=False`, no spaces, the time in UTC
ISO 8601 with microseconds. It is computed the same way when an event is written (from the
values about to be stored) and when the chain is verified (from the values read back), so
every value must survive the round trip through both databases unchanged; `services.record`
normalises IP addresses and `details` to make sure it does.

`mac` is SM3-HMAC of the hash under a key derived from the platform master key
(`ZHENGWU_DATA_KEY`), which is not stored in the database: a hash chain alone can be
recomputed by anyone who can write to the table; the MAC cannot.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.db.models import QuerySet

from zhengwu.core.crypto import derive_key, sm3_hex, sm3_hmac_hex

# Every stored field except `hash` and `mac` themselves. Changing this list changes every hash:
# never do it without a versioned migration of the verification.
HASHED_FIELDS: tuple[str, ...] = (
    "seq",
    "at",
    "actor_id",
    "actor_label",
    "actor_kind",
    "api_client_id",
    "api_client_label",
    "department_id",
    "department_label",
    "action",
    "target_type",
    "target_id",
    "target_label",
    "outcome",
    "zone",
    "ip",
    "details",
    "prev_hash",
)


def canonical_time(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


# One encoder for every call: json.dumps with options builds a new encoder each time, which cost
# as much as encoding a log entry (encoders keep no state between calls: safe across threads).
_canonical = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode


def canonical_json(value: Any) -> str:
    return _canonical(value)


def canonical_payload(fields: Mapping[str, Any]) -> str:
    """The text that is hashed, from a mapping holding (at least) HASHED_FIELDS."""
    payload: dict[str, Any] = {}
    for name in HASHED_FIELDS:
        value = fields[name]
        if name == "at":
            value = canonical_time(value)
        elif name == "ip" and value is not None:
            value = str(value)
        payload[name] = value
    return canonical_json(payload)


def event_hash(fields: Mapping[str, Any]) -> str:
    return sm3_hex(canonical_payload(fields).encode("utf-8"))


def _mac_key() -> bytes:
    return derive_key(bytes(settings.ZHENGWU_DATA_KEY), "audit-chain", 32)


def event_mac(hash_hex: str) -> str:
    return sm3_hmac_hex(_mac_key(), hash_hex)


def rows_in_seq_order(
    queryset: QuerySet[Any], columns: Sequence[str], *, after: int, last: int | None, batch_size: int
) -> Iterator[dict[str, Any]]:
    """Rows of a hash-chained table with seq > `after` (and <= `last`), in seq order, fetched in
    keyset batches so verifying a chain of any length takes constant memory."""
    while True:
        batch = queryset.filter(seq__gt=after)
        if last is not None:
            batch = batch.filter(seq__lte=last)
        rows = list(batch.order_by("seq").values(*columns)[:batch_size])
        yield from rows
        if len(rows) < batch_size:
            return
        after = rows[-1]["seq"]
