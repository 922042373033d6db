"""Verifying the access log (`zhengwu audit verify`) and what its anchors record (audit.anchors).

Three tables, three checks (docs/deployment.md, "日志锚点"):

- `exchange_accesslog`, the sealed chain: walked like the audit chain (`verify_chain`), and
  against its latest anchor: shorter than the anchor, or another hash at the anchored seq, is a
  cut or a rebuilt chain, even with the head moved back.
- `exchange_accesslogsubject`, the subject index behind a citizen's /my/data-use/ page: not
  hashed itself, but every sealed entry carries the very same blind indexes in its hashed
  `key_indexes`. So the index is recomputable from the verified chain, and `verify_chain`
  compares it row for row, batch by batch: a missing, added or changed subject row is reported
  with the entry it belongs to. Nothing is rebuilt silently. This costs the writers nothing.
- `exchange_accesslogpending`, the staged entries: each carries its own SM3-HMAC, so a changed
  or forged one fails it (a verbatim copy of a staged row under a new id does not: it cannot be
  told from two identical calls in the same microsecond, so it is not reported). A deleted
  one leaves no trace in the database (the query API's hot path stays one INSERT, no counter to
  lock), so the anchor records the staged rows' ids and a digest of their MACs: each of them
  must still be staged, or sealed into the chain (`AccessLog.pending_id`) with the same content.
  A staged row deleted before the first anchor after it (at most one anchor interval, while the
  sealer chains rows every minute) is not detected: docs/deployment.md says so.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import Any

from django.db.models import Q

from zhengwu.audit.chain import gap_reason, rows_in_seq_order, seq_chain_check, seq_chain_start, seq_chain_state
from zhengwu.audit.services import Starts, VerifyResult
from zhengwu.core.crypto import constant_time_equal, sm3_hex
from zhengwu.exchange.sharing.access_log import (
    HASHED_FIELDS,
    PENDING_FIELDS,
    log_hash,
    log_mac_key_id,
    pending_mac,
    pending_mac_matches,
)
from zhengwu.exchange.sharing.models import (
    ACCESS_LOG_ZERO_HASH,
    AccessLog,
    AccessLogHead,
    AccessLogPending,
    AccessLogSubject,
)

# --- the sealed chain and its subject index -------------------------------------------------


def chain_state() -> dict[str, Any]:
    head = AccessLogHead.objects.filter(pk=1).values("seq", "hash").first()
    return seq_chain_state(AccessLog.objects.all(), head, ACCESS_LOG_ZERO_HASH)


def _no_start(seq: int) -> str | None:
    return None


def chain_check(anchored: dict[str, Any], starts: Starts = _no_start) -> tuple[int, str] | None:
    # Entries before the first may be gone only where a signed anchor records the start that is
    # left: the one written before months past retention were dropped (audit.partitions).
    return seq_chain_check(anchored, AccessLog.objects.all(), purged_through=lambda seq: starts(seq + 1) is not None)


def _batches(rows: Iterable[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _subjects_mismatch(batch: list[dict[str, Any]]) -> tuple[int, str] | None:
    """The first entry of `batch` (verified rows, consecutive seqs) whose subject rows differ from
    its hashed `key_indexes`."""
    found: dict[int, list[str]] = defaultdict(list)
    rows = AccessLogSubject.objects.filter(log_id__gte=batch[0]["seq"], log_id__lte=batch[-1]["seq"])
    for log_id, key_index in rows.values_list("log_id", "key_index"):
        found[log_id].append(key_index)
    for row in batch:
        expected, actual = sorted(row["key_indexes"] or []), sorted(found.get(row["seq"], []))
        if expected == actual:
            continue
        missing = len([i for i in expected if i not in actual])
        added = len([i for i in actual if i not in expected])
        what = "、".join(
            part
            for part in (
                f"缺少 {missing} 行" if missing else "",
                f"多出 {added} 行" if added else "",
                "行数不符" if not missing and not added else "",
            )
            if part
        )
        return row["seq"], (
            f"主体索引（exchange_accesslogsubject）与该条记录所载的 {len(expected)} 个主键盲索引不符：{what}，"
            "索引行被删除、添加或修改（“我的数据被谁用了”页面据此显示）"
        )
    return None


def verify_chain(
    batch_size: int = 5000, anchor: dict[str, Any] | None = None, starts: Starts = _no_start
) -> VerifyResult:
    """Walk the access log in seq order; report the first entry missing, changed or moved, or
    whose subject-index rows differ from it; then check the chain against its anchor. The chain
    starts at 1, or where a signed anchor says months past retention were dropped (`starts`)."""
    size = max(1, batch_size)
    head = AccessLogHead.objects.filter(pk=1).values("seq", "hash").first()
    limit = head["seq"] if head else None

    def bad(seq: int, reason: str, checked: int) -> VerifyResult:
        return VerifyResult(ok=False, checked=checked, first_bad_seq=seq, reason=reason)

    first, start_hash, missing = seq_chain_start(AccessLog.objects.all(), ACCESS_LOG_ZERO_HASH, starts)
    if start_hash is None:
        return bad(1, missing, 0)
    if first is None and head is not None and head["seq"] > 0 and starts(head["seq"] + 1) == head["hash"]:
        first, start_hash = head["seq"] + 1, head["hash"]  # every entry dropped past retention, as anchored
    expected_prev, expected_seq, checked, previous_at = start_hash, first or 1, 0, None
    rows = rows_in_seq_order(
        AccessLog.objects.all(), (*HASHED_FIELDS, "hash", "mac"), after=expected_seq - 1, last=limit, batch_size=size
    )
    for batch in _batches(rows, size):
        for row in batch:
            seq = row["seq"]
            if seq != expected_seq:
                return bad(expected_seq, gap_reason(expected_seq, seq, previous_at, row["at"]), checked)
            if not constant_time_equal(log_hash(row), row["hash"]):
                return bad(seq, "记录内容与其哈希不符，记录被修改", checked)
            if not constant_time_equal(row["prev_hash"], expected_prev):
                return bad(seq, "前序哈希与上一条记录不符，记录被删除、插入或调换了顺序", checked)
            if log_mac_key_id(row["hash"], row["mac"]) is None:
                return bad(seq, "校验码（SM3-HMAC）不符，哈希链被重新计算过", checked)
            expected_prev, expected_seq, previous_at = row["hash"], seq + 1, row["at"]
        mismatch = _subjects_mismatch(batch)
        if mismatch is not None:
            return bad(mismatch[0], mismatch[1], checked + mismatch[0] - batch[0]["seq"])
        checked += len(batch)
    last = expected_seq - 1
    if head is None and last > 0:
        return bad(last + 1, "链头记录缺失，无法确认日志末尾是否完整", checked)
    if head is not None and head["seq"] != last:
        return bad(last + 1, f"日志末尾被截断：链头记录到第 {head['seq']} 条，实际只到第 {last} 条", checked)
    if head is not None and not constant_time_equal(head["hash"], expected_prev):
        return bad(last, "最后一条记录的哈希与链头记录不符", checked)
    outside = Q(log_id__lt=first or 1) | Q(log_id__gt=last)
    stray = AccessLogSubject.objects.filter(outside).values_list("log_id", flat=True)
    orphan = stray.first()
    if orphan is not None:
        return bad(orphan, f"主体索引（exchange_accesslogsubject）中有指向不存在的第 {orphan} 条记录的行", checked)
    if anchor is not None:
        mismatch = chain_check(anchor, starts)
        if mismatch is not None:
            return bad(mismatch[0], mismatch[1], checked)
    return VerifyResult(ok=True, checked=checked, first_bad_seq=None, reason="")


# --- the staged entries ---------------------------------------------------------------------


def _ranges(ids: list[int]) -> list[list[int]]:
    """Sorted ids as [first, last] runs (staged ids are nearly consecutive: a short list)."""
    runs: list[list[int]] = []
    for i in ids:
        if runs and runs[-1][1] == i - 1:
            runs[-1][1] = i
        else:
            runs.append([i, i])
    return runs


def _digest(pairs: Iterable[tuple[int, str]]) -> str:
    return sm3_hex("".join(f"{i}:{mac}\n" for i, mac in pairs))


def pending_state() -> dict[str, Any]:
    """What an anchor records of the staged entries: their ids (as runs) and a digest of id:MAC."""
    rows = list(AccessLogPending.objects.order_by("id").values_list("id", "mac"))
    return {"count": len(rows), "ids": _ranges([i for i, _ in rows]), "digest": _digest(rows)}


def _anchored_ids(anchored: dict[str, Any]) -> Iterator[list[int]]:
    chunk: list[int] = []
    for first, last in anchored.get("ids", []):
        for i in range(int(first), int(last) + 1):
            chunk.append(i)
            if len(chunk) >= 1000:
                yield chunk
                chunk = []
    if chunk:
        yield chunk


def _staged_mac(row: dict[str, Any]) -> str:
    """The MAC a sealed entry had while staged: the copy the sealer kept when it is the MAC of the
    entry's fields under a key of the ring (a rotation may have come between staging and sealing);
    else (sealed before the copy was kept, or changed) recomputed under the key of the entry's own
    MAC, which then matches the anchor only if nothing changed."""
    kept = row["pending_mac"]
    if kept and pending_mac_matches(row, kept):
        return str(kept)
    return pending_mac(row, key_id=log_mac_key_id(row["hash"], row["mac"]))


def pending_check(anchored: dict[str, Any]) -> tuple[int, str] | None:
    """Every entry staged when the anchor was written must be staged still, or sealed with the
    same content (its staged MAC recomputed from the sealed row), and the digest must match."""
    pairs: list[tuple[int, str]] = []
    gone: list[int] = []
    for chunk in _anchored_ids(anchored):
        staged = dict(AccessLogPending.objects.filter(id__in=chunk).values_list("id", "mac"))
        unstaged = [i for i in chunk if i not in staged]
        sealed = {
            row["pending_id"]: _staged_mac(row)
            for row in AccessLog.objects.filter(pending_id__in=unstaged).values(
                "pending_id", "pending_mac", "hash", "mac", *PENDING_FIELDS
            )
        }
        for i in chunk:
            mac = staged.get(i) or sealed.get(i)
            if mac is None:
                gone.append(i)
            else:
                pairs.append((i, mac))
    if gone:
        shown = "、".join(str(i) for i in gone[:5]) + ("等" if len(gone) > 5 else "")
        return gone[0], (
            f"待封存记录缺失：锚点写入时已暂存的 {len(gone)} 条（编号 {shown}）既不在暂存表"
            "（exchange_accesslogpending）中，也未封存进访问日志，记录被删除"
        )
    if len(pairs) != int(anchored.get("count", len(pairs))) or not constant_time_equal(
        _digest(pairs), str(anchored.get("digest", ""))
    ):
        return pairs[0][0] if pairs else 0, "待封存记录与锚点记录的摘要不符：暂存的记录被替换"
    return None


def verify_pending(
    batch_size: int = 5000, anchor: dict[str, Any] | None = None, starts: Starts = _no_start
) -> VerifyResult:
    """Check the MAC of every staged row, and that the anchored ones are all still there.

    Two rows with the same content (and so the same MAC) are not reported: two identical calls
    in the same microsecond give them too, and a false alarm of tampering is not acceptable."""
    after, checked = 0, 0
    size = max(1, batch_size)
    columns = ("id", *PENDING_FIELDS, "mac")

    def bad(at: int, reason: str) -> VerifyResult:
        return VerifyResult(ok=False, checked=checked, first_bad_seq=at, reason=reason)

    while True:
        rows = list(AccessLogPending.objects.filter(id__gt=after).order_by("id").values(*columns)[:size])
        for row in rows:
            if not pending_mac_matches(row, row["mac"]):
                return bad(row["id"], "待封存记录的内容与其校验码（SM3-HMAC）不符，记录被修改或伪造")
            checked += 1
        if len(rows) < size:
            break
        after = rows[-1]["id"]
    if anchor is not None:
        mismatch = pending_check(anchor)
        if mismatch is not None:
            return bad(*mismatch)
    return VerifyResult(ok=True, checked=checked, first_bad_seq=None, reason="")
