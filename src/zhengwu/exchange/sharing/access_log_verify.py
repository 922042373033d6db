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
  or forged one fails it. Each names its writer stream and its number in it (`access_log.stage`),
  under the MAC and, once sealed, under the chain's hash, so across both tables every stream must
  hold the numbers 1, 2, 3 … once each (`streams_check`): a verbatim copy under a new id repeats
  a number, a deleted entry leaves a gap as soon as a later entry of its stream is staged or
  sealed. The anchor records the staged rows' ids, a digest of their MACs and the highest number
  of each stream that has staged rows: each anchored row must still be staged, or sealed into the
  chain (`AccessLog.pending_id`) with the same content, and no stream may end before its anchored
  number. What remains undetected is the tail of a stream whose process stages nothing more,
  deleted before the next anchor (docs/deployment.md, "日志锚点"). Entries staged before streams
  existed have none: their MACs and the anchors cover them as before.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

from django.db import connection
from django.db.models import Q
from django.utils import timezone

from zhengwu.audit.chain import (
    gap_reason,
    rows_in_seq_order,
    seq_chain_check,
    seq_chain_start,
    seq_chain_state,
    when,
)
from zhengwu.audit.services import Starts, VerifyResult
from zhengwu.core.crypto import constant_time_equal, sm3_hex
from zhengwu.exchange.sharing.access_log import (
    HASHED_FIELDS,
    STAGED_FIELDS,
    STREAM_FIELDS,
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
        AccessLog.objects.all(),
        (*HASHED_FIELDS, *STREAM_FIELDS, "hash", "mac"),
        after=expected_seq - 1,
        last=limit,
        batch_size=size,
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
    """What an anchor records of the staged entries: their ids (as runs), a digest of id:MAC, and
    the highest number of each writer stream that has staged entries (a stream's entries are
    sealed in number order, so its highest is staged; the others are under the chain's anchor)."""
    rows = list(AccessLogPending.objects.order_by("id").values_list("id", "mac", "stream", "stream_n"))
    streams: dict[str, int] = {}
    for _, _, stream, n in rows:
        if stream and n is not None:
            streams[stream] = max(streams.get(stream, 0), n)
    return {
        "count": len(rows),
        "ids": _ranges([row[0] for row in rows]),
        "digest": _digest((i, mac) for i, mac, _, _ in rows),
        "streams": streams,
    }


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
                "pending_id", "pending_mac", "hash", "mac", *STAGED_FIELDS
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
    return _streams_reach(anchored.get("streams", {}))


# --- the writer streams -----------------------------------------------------------------------


# Every numbered entry, staged or sealed, as (stream, n, sealed, id or seq, at), in one statement:
# a batch sealed meanwhile is seen once, staged or sealed. Constant text (the tables' names are
# fixed, issue 16), put together once: `{stream}` is a condition on the stream, in both halves.
_NUMBERED = (
    'SELECT stream, stream_n AS n, 0 AS sealed, id AS place, "at" FROM exchange_accesslogpending '
    "WHERE stream IS NOT NULL AND stream <> '' {stream} "
    'UNION ALL SELECT stream, stream_n, 1, seq, "at" FROM exchange_accesslog '
    "WHERE stream IS NOT NULL AND stream <> '' {stream}"
)
_ALL_NUMBERED = _NUMBERED.replace("{stream}", "")
_STREAM_NUMBERED = _NUMBERED.replace("{stream}", "AND stream = %s")
STREAM_COUNTS_SQL = (
    "SELECT s.stream, COUNT(*), COUNT(DISTINCT s.n), MIN(s.n), MAX(s.n), "
    "MIN(CASE WHEN s.sealed = 1 THEN s.n END) FROM (NUMBERED) s GROUP BY s.stream ORDER BY s.stream"
).replace("NUMBERED", _ALL_NUMBERED)
STREAM_ROWS_SQL = (
    'SELECT s.n, s.sealed, s.place, s."at" FROM (NUMBERED) s ORDER BY s.n, s.sealed DESC, s.place'.replace(
        "NUMBERED", _STREAM_NUMBERED
    )
)
STREAM_HIGHEST_SQL = "SELECT MAX(s.n) FROM (NUMBERED) s".replace("NUMBERED", _STREAM_NUMBERED)


def _streams_reach(anchored: dict[str, Any]) -> tuple[int, str] | None:
    """Every stream the anchor names (those that had staged entries then: a few) must still reach
    its anchored number: else its tail was deleted."""
    with connection.cursor() as cursor:
        for stream in sorted(anchored):
            cursor.execute(STREAM_HIGHEST_SQL, [stream, stream])
            (highest,) = cursor.fetchone() or (None,)
            expected, found = int(anchored[stream]), int(highest or 0)
            if found < expected:
                return found + 1, (
                    f"写入流 {stream} 在锚点写入时已写到第 {expected} 条，现只到第 {found} 条："
                    f"其后的 {expected - found} 条待封存记录被删除"
                )
    return None


def _aware(at: Any) -> datetime:
    """A time read by a raw statement (naive UTC on SQLite)."""
    moment = at if isinstance(at, datetime) else datetime.fromisoformat(str(at))
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment, UTC)


def _place(sealed: int, place: int) -> str:
    return f"已封存的第 {place} 条" if sealed else f"暂存编号 {place}"


def _stream_fault(stream: str, start_free: bool) -> tuple[int, str] | None:
    """The first repeated or missing number of `stream`, read in number order (of a number held
    twice, the sealed entry or the older staged row first: the other is named, the copy)."""
    with connection.cursor() as cursor:
        cursor.execute(STREAM_ROWS_SQL, [stream, stream])
        previous: tuple[int, int, int, Any] | None = None
        for n, sealed, place, at in cursor.fetchall():
            n = int(n)
            if previous is not None and n == previous[0]:
                return int(place), (
                    f"待封存记录重复：写入流 {stream} 的第 {n} 条出现不止一次（{_place(previous[1], previous[2])}、"
                    f"{_place(sealed, place)}），记录被复制"
                )
            expected = previous[0] + 1 if previous is not None else (n if start_free else 1)
            if n != expected:
                after = f"{when(previous[3])} 之后、" if previous is not None else ""
                missing = f"第 {expected} 条" if n - 1 == expected else f"第 {expected} 至第 {n - 1} 条"
                return int(place), (
                    f"待封存记录缺失：写入流 {stream} 的{missing}不在暂存表中，也未封存进访问日志"
                    f"（缺失的记录在 {after}{when(_aware(at))} 之前），记录在封存前被删除"
                )
            previous = (n, int(sealed), int(place), _aware(at))
    return None


def _chain_purged() -> bool:
    """Whether the sealed chain starts after 1 (months dropped past retention, checked against
    their anchor by `verify_chain`): a stream's first numbers may have gone with them."""
    first = AccessLog.objects.order_by("seq").values_list("seq", flat=True).first()
    if first is not None:
        return int(first) > 1
    head = AccessLogHead.objects.filter(pk=1).values_list("seq", flat=True).first()
    return bool(head)


def streams_check() -> tuple[int, str] | None:
    """Every writer stream holds the numbers 1 … its highest once each, staged or sealed: counted
    per stream in one statement; only a stream that fails is read row by row, to name the fault.

    After a purge a stream may start later, where its lowest entry left is a sealed one."""
    with connection.cursor() as cursor:
        cursor.execute(STREAM_COUNTS_SQL)
        counts = cursor.fetchall()
    purged: bool | None = None
    for stream, count, distinct, low, high, sealed_low in counts:
        start_free = False
        if low != 1:
            purged = _chain_purged() if purged is None else purged
            start_free = purged and sealed_low == low
        if count == distinct and high - low + 1 == count and (low == 1 or start_free):
            continue
        fault = _stream_fault(str(stream), start_free)
        if fault is not None:
            return fault
    return None


def verify_pending(
    batch_size: int = 5000, anchor: dict[str, Any] | None = None, starts: Starts = _no_start
) -> VerifyResult:
    """Check the MAC of every staged row, every writer stream's numbers (staged and sealed), and
    that the anchored rows are all still there.

    Two rows with the same content but without a stream (staged before streams existed) are not
    reported: two identical calls in the same microsecond gave them too, and a false alarm of
    tampering is not acceptable."""
    after, checked = 0, 0
    size = max(1, batch_size)
    columns = ("id", *STAGED_FIELDS, "mac")

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
    fault = streams_check()
    if fault is not None:
        return bad(*fault)
    return VerifyResult(ok=True, checked=checked, first_bad_seq=None, reason="")
