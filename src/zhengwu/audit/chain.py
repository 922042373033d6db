"""The hash of an audit event: SM3 over a canonical serialisation of all its fields.

The serialisation is JSON with sorted keys, `ensure_ascii=False`, no spaces, the time in UTC
ISO 8601 with microseconds. It is computed the same way when an event is written (from the
values about to be stored) and when the chain is verified (from the values read back), so
every value must survive the round trip through both databases unchanged; `services.record`
normalises IP addresses and `details` to make sure it does.

`mac` is SM3-HMAC of the hash under a key derived from the data key (`ZHENGWU_DATA_KEY`; after
a rotation, the key current when the event was written), which is not stored in the database: a hash chain alone can be
recomputed by anyone who can write to the table; the MAC cannot.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

from django.db.models import Model, QuerySet

from zhengwu.core.crypto import constant_time_equal, data_mac, data_mac_matches, sm3_hex

H = TypeVar("H", bound=Model)

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


MAC_PURPOSE = "audit-chain"


def event_mac(hash_hex: str) -> str:
    """The MAC a new event gets: under the current data key."""
    return data_mac(MAC_PURPOSE, hash_hex)


def event_mac_matches(hash_hex: str, mac: str) -> bool:
    """Whether `mac` is the event's MAC under any key of the ring: events written before a data-key
    rotation keep the MAC of the key they were written with (the log is never rewritten)."""
    return data_mac_matches(MAC_PURPOSE, hash_hex, mac)


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


def lock_seq_chain_head(heads: type[H], events: QuerySet[Any], zero_hash: str) -> H:
    """Lock a seq chain's one-row head (pk 1) FOR UPDATE, as every writer appending to the chain
    must. Normally created by a migration; gone only after the whole log was flushed, when it is
    created again from the last entry of `events` (or empty)."""
    manager = heads._default_manager
    head = manager.select_for_update().filter(pk=1).first()
    if head is None:
        last = events.order_by("-seq").values("seq", "hash").first()
        defaults = {"seq": last["seq"], "hash": last["hash"]} if last else {"seq": 0, "hash": zero_hash}
        head, _ = manager.select_for_update().get_or_create(pk=1, defaults=defaults)
    return head


# --- anchors (audit.anchors): a seq chain's head as signed outside the database -------------


def seq_chain_state(events: QuerySet[Any], head: Mapping[str, Any] | None, zero_hash: str) -> dict[str, Any]:
    """What an anchor records of a hash chain: its first and last seq, the last hash, the number
    of entries and the time of the last one. `head` is the chain head row (seq, hash) or None.
    Raises ValueError when the head and the entry it names disagree (never anchor a broken end)."""
    seq, last_hash = (int(head["seq"]), str(head["hash"])) if head else (0, zero_hash)
    if seq == 0:
        if events.exists():
            raise ValueError("链头记录缺失或为零，但日志中有记录")
        return {"first_seq": 1, "seq": 0, "hash": zero_hash, "count": 0, "at": None}
    last = events.filter(seq=seq).values("hash", "at").first()
    if last is None or last["hash"] != last_hash:
        raise ValueError(f"链头记录的第 {seq} 条与日志中的该条记录不符")
    first = events.order_by("seq").values("seq", "prev_hash", "at")[0]
    count = seq - int(first["seq"]) + 1
    return {
        "first_seq": int(first["seq"]),
        # What the first entry links to (ZERO_HASH for seq 1): after a purge or a dropped partition,
        # the signed record of where the remaining chain starts (audit.partitions).
        "first_prev_hash": str(first["prev_hash"]),
        "first_at": canonical_time(first["at"]),
        "seq": seq,
        "hash": last_hash,
        "count": count,
        "at": canonical_time(last["at"]),
    }


def when(moment: datetime) -> str:
    """A moment as people read it in a message: Beijing time to the second."""
    from django.utils import timezone

    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M:%S}"


def seq_chain_start(
    events: QuerySet[Any], zero_hash: str, accepted: Callable[[int], str | None]
) -> tuple[int | None, str | None, str]:
    """Where a chain's walk starts: (first seq, the hash its first entry must link to, "") or, when
    the entries before the first one are gone without a record of it, (first, None, why).

    The chain may start after 1 only where `accepted(first)` returns the hash that a signed record
    gives for that start: a purge recorded in the chain, or the anchor written before a partition
    was dropped (audit.partitions). (None, zero_hash, "") for an empty chain."""
    first = events.order_by("seq").values("seq", "at").first()
    if first is None:
        return None, zero_hash, ""
    seq = int(first["seq"])
    if seq == 1:
        return 1, zero_hash, ""
    expected = accepted(seq)
    if expected is not None:
        return seq, expected, ""
    return (
        seq,
        None,
        (
            f"第 1 至第 {seq - 1} 条缺失（现存最早的第 {seq} 条记录时间为 {when(first['at'])}，此前的记录被删除），"
            "且没有相应的到期清理记录或删除分区前签署的锚点"
        ),
    )


def gap_reason(expected_seq: int, seq: int, before: datetime | None, after: datetime) -> str:
    """Why a walk stopped at a gap in the sequence numbers, naming the time window of the missing entries."""
    window = f"，缺失的记录在 {when(before)} 之后、{when(after)} 之前" if before is not None else ""
    missing = f"第 {expected_seq} 条" if seq == expected_seq + 1 else f"第 {expected_seq} 至第 {seq - 1} 条"
    return f"记录缺失：序号不连续，第 {expected_seq - 1} 条之后直接是第 {seq} 条（{missing}缺失）{window}"


def seq_chain_check(
    anchored: Mapping[str, Any], events: QuerySet[Any], *, purged_through: Callable[[int], bool]
) -> tuple[int, str] | None:
    """Where and why the chain in the database does not extend the anchored one (None: it does).

    The entry at the anchored seq must still be there with the anchored hash, and the chain must
    reach at least that far; entries before it may be gone only where `purged_through(seq)` says
    a purge removed everything through `seq` (a signed, in-chain record of it)."""
    seq, first_anchored = int(anchored["seq"]), int(anchored["first_seq"])
    if seq == 0:
        return None
    first = events.order_by("seq").values_list("seq", flat=True).first()
    if first_anchored > seq:  # every entry was dropped with the anchor's consent (audit.partitions)
        if first is None or first <= first_anchored or purged_through(first - 1):
            return None
        return first_anchored, f"锚点之后第 {first_anchored} 至第 {first - 1} 条被删除，且没有相应的清理记录"
    row = events.filter(seq=seq).values("hash").first()
    if row is None:
        last = events.order_by("-seq").values_list("seq", flat=True).first()
        if last is None:
            return first_anchored, f"日志被清空：锚点记录到第 {seq} 条（共 {anchored['count']} 条），数据库中一条也没有"
        if last < seq:
            return last + 1, f"日志末尾被截断：锚点记录到第 {seq} 条，数据库中只到第 {last} 条"
        assert first is not None
        if purged_through(first - 1):
            return None  # the anchored entry was purged legitimately after the anchor
        return first_anchored, f"第 {first_anchored} 至第 {first - 1} 条缺失，且没有相应的到期清理记录"
    if not constant_time_equal(str(row["hash"]), str(anchored["hash"])):
        return seq, f"第 {seq} 条的哈希与锚点记录不符：记录被替换，或哈希链被重新计算过"
    if first is not None and first > first_anchored and not purged_through(first - 1):
        return first_anchored, f"锚点之后第 {first_anchored} 至第 {first - 1} 条被删除，且没有相应的到期清理记录"
    return None
