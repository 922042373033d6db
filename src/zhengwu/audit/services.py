"""Writing to the audit log (docs/design.md rule 5): `record_action`, `verify_chain`, `purge_expired`.

`record_action` appends one event to the SM3 hash chain. Services do not call it for their writes:
`audit.write.audited_write` does, inside the transaction of the write (so the event and the write
commit or roll back together) and, for a refusal, after that transaction was rolled back. Events
that are not writes (a login, an export, a verification) are recorded with it directly.

Appending is serialised by a lock on the one-row `AuditChainHead` (`SELECT … FOR UPDATE` on
PostgreSQL; on SQLite the IMMEDIATE transactions of our settings already admit one writer at a
time), so sequence numbers are gapless and every event links to its predecessor.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from zhengwu.accounts.models import ApiClient, Department, Role, User
from zhengwu.audit.chain import (
    HASHED_FIELDS,
    event_hash,
    event_mac,
    event_mac_matches,
    gap_reason,
    lock_seq_chain_head,
    rows_in_seq_order,
    seq_chain_check,
    seq_chain_start,
    seq_chain_state,
)
from zhengwu.audit.errors import AuditError
from zhengwu.audit.models import ZERO_HASH, AuditChainHead, AuditEvent, retention_cutoff
from zhengwu.core.actors import Actor, ActorKind
from zhengwu.core.crypto import constant_time_equal
from zhengwu.core.errors import ApplicationError

ACTION_PATTERN = re.compile(r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_.]*$")
MAX_DETAILS_CHARS = 64 * 1024
# Above this magnitude Python writes floats with an exponent, which PostgreSQL's jsonb gives back
# as an integer: the hash would no longer match. Such numbers must be recorded as strings.
MAX_SAFE_FLOAT = 1e16
PURGE_ACTION = "audit.purge"


def _invalid(message: str, field: str = "details") -> ApplicationError:
    return ApplicationError(AuditError.INVALID_EVENT, message, {field: message})


def _clean_text(value: object, limit: int) -> str:
    """A label as it will be stored: no NUL (PostgreSQL refuses it), valid UTF-8, cut to size."""
    text = str(value).replace("\x00", "")
    text = text.encode("utf-8", "replace").decode("utf-8")
    return text[:limit]


def _check_json_value(value: Any, path: str) -> Any:
    """Reject what would not come back unchanged from both databases; return the value to store."""
    if isinstance(value, str):
        if "\x00" in value:
            raise _invalid(f"审计详情 {path} 含有空字符（\\u0000），不能记录。")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise _invalid(f"审计详情 {path} 不是有效的 UTF-8 文本。") from None
        return value
    if isinstance(value, float):
        if not math.isfinite(value) or abs(value) >= MAX_SAFE_FLOAT:
            raise _invalid(f"审计详情 {path} 的数值 {value!r} 超出可记录范围，请以字符串记录。")
        return 0.0 if value == 0 else value  # PostgreSQL numeric has no negative zero
    if isinstance(value, dict):
        return {_check_json_value(k, f"{path}的键"): _check_json_value(v, f"{path}.{k}") for k, v in value.items()}
    if isinstance(value, list):
        return [_check_json_value(v, f"{path}[{i}]") for i, v in enumerate(value)]
    return value  # int, bool, None


def normalise_details(details: dict[str, Any] | None) -> dict[str, Any]:
    """`details` as it will be stored and hashed; ApplicationError if it is not plain JSON."""
    if details is None:
        return {}
    if not isinstance(details, dict):
        raise _invalid("审计详情必须是 JSON 对象（dict）。")
    try:
        text = json.dumps(details, ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError) as error:
        raise _invalid(f"审计详情无法序列化为 JSON：{error}") from None
    if len(text) > MAX_DETAILS_CHARS:
        raise _invalid(f"审计详情过长（{len(text)} 字符，上限 {MAX_DETAILS_CHARS}）。")
    # The round trip turns tuples into lists and non-string keys into strings, as storage will.
    result: dict[str, Any] = _check_json_value(json.loads(text), "details")
    return result


def actor_label(user: User) -> str:
    return f"{user.real_name or user.username}({user.username})"


def _lock_head() -> AuditChainHead:
    return lock_seq_chain_head(AuditChainHead, AuditEvent.objects.all(), ZERO_HASH)


def record_action(
    actor: Actor,
    action: StrEnum,
    *,
    target: models.Model | None = None,
    outcome: str = AuditEvent.Outcome.SUCCESS,
    details: dict[str, Any] | None = None,
    department: Department | None = None,
    target_type: str = "",
    target_id: str = "",
    target_label: str = "",
) -> AuditEvent:
    """Append an event for `actor`; `action` is a member of an app's action enum (`app.entity.verb`)."""
    if not isinstance(action, StrEnum):
        raise TypeError(f"audit action must be a member of an app's action enum, not {action!r}")
    user = actor.user
    return _append(
        user=user,
        api_client=actor.api_client,
        kind=_ACTOR_KINDS[actor.kind] if user is None else user.kind,
        ip=actor.ip,
        action=str(action),
        target=target,
        outcome=outcome,
        details=details,
        department=department,
        target_type=target_type,
        target_id=target_id,
        target_label=target_label,
    )


_ACTOR_KINDS = {
    ActorKind.API_CLIENT: AuditEvent.ActorKind.API_CLIENT,
    ActorKind.PLATFORM: AuditEvent.ActorKind.SYSTEM,
    ActorKind.ANONYMOUS: AuditEvent.ActorKind.ANONYMOUS,
}


def _append(
    *,
    user: User | None,
    api_client: ApiClient | None,
    kind: str,
    ip: str | None,
    action: str,
    target: models.Model | None,
    outcome: str,
    details: dict[str, Any] | None,
    department: Department | None,
    target_type: str,
    target_id: str,
    target_label: str,
) -> AuditEvent:
    if not isinstance(action, str) or len(action) > 100 or not ACTION_PATTERN.match(action):
        raise _invalid(f"事件类型 {action!r} 无效，应为“应用.动作”格式，如 accounts.login。", "action")
    if outcome not in AuditEvent.Outcome.values:
        raise _invalid(f"结果 {outcome!r} 无效，应为 success、failure 或 denied。", "outcome")
    clean_details = normalise_details(details)
    if target is not None:
        if target.pk is None:
            raise _invalid("审计对象必须是已保存的记录。", "target")
        target_type = target_type or f"{target._meta.app_label}.{target._meta.model_name}"
        target_id = target_id or str(target.pk)
        target_label = target_label or str(target)
    if department is None:
        if user is not None and user.department_id is not None:
            department = user.department
        elif api_client is not None:
            department = api_client.department

    with transaction.atomic():
        head = _lock_head()
        event = AuditEvent(
            seq=head.seq + 1,
            at=timezone.now(),
            actor=user,
            actor_label=_clean_text(actor_label(user), 200) if user is not None else "",
            actor_kind=kind,
            api_client=api_client,
            api_client_label=_clean_text(f"{api_client.name}({api_client.token_prefix})", 200) if api_client else "",
            department=department,
            department_label=_clean_text(department.name, 200) if department is not None else "",
            action=action,
            target_type=_clean_text(target_type, 100),
            target_id=_clean_text(target_id, 64),
            target_label=_clean_text(target_label, 200),
            outcome=outcome,
            zone=settings.ZHENGWU_ZONE,
            ip=ip,
            details=clean_details,
            prev_hash=head.hash,
        )
        event.hash = event_hash({name: getattr(event, name) for name in HASHED_FIELDS})
        event.mac = event_mac(event.hash)
        event._chain_append = True  # type: ignore[attr-defined]
        event.save()
        head.seq, head.hash = event.seq, event.hash
        head.save(update_fields=["seq", "hash"])
    return event


# --- verification ----------------------------------------------------------------------


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    first_bad_seq: int | None
    reason: str

    def message(self) -> str:
        if self.ok:
            return f"审计日志完整：共校验 {self.checked} 条。"
        return f"审计日志在第 {self.first_bad_seq} 条处被篡改：{self.reason}（此前已校验 {self.checked} 条）"


def _rows(first: int, last: int | None, batch_size: int) -> Iterator[dict[str, Any]]:
    return rows_in_seq_order(
        AuditEvent.objects.all(), (*HASHED_FIELDS, "hash", "mac"), after=first - 1, last=last, batch_size=batch_size
    )


def _purge_anchor(through_seq: int) -> str | None:
    """The hash of event `through_seq` as recorded by the purge that removed it, if any."""
    anchor = (
        AuditEvent.objects.filter(action=PURGE_ACTION, outcome=AuditEvent.Outcome.SUCCESS)
        .filter(details__through_seq=through_seq)
        .order_by("-seq")
        .values_list("details", flat=True)
        .first()
    )
    return str(anchor["through_hash"]) if isinstance(anchor, dict) and "through_hash" in anchor else None


def chain_state() -> dict[str, Any]:
    """The audit chain's head as an anchor records it (`audit.anchors`); ValueError if it is broken."""
    head = AuditChainHead.objects.filter(pk=1).values("seq", "hash").first()
    return seq_chain_state(AuditEvent.objects.all(), head, ZERO_HASH)


Starts = Callable[[int], str | None]


def _no_start(seq: int) -> str | None:
    return None


def _accepted_start(starts: Starts) -> Starts:
    """The hash a chain starting at `seq` must link to: recorded by a purge (in the chain) or by
    the anchor signed before a partition was dropped (`starts`, from the witness)."""
    return lambda seq: _purge_anchor(seq - 1) or starts(seq)


def chain_check(anchored: dict[str, Any], starts: Starts = _no_start) -> tuple[int, str] | None:
    """Where and why the audit chain does not extend its anchored state (None: it does)."""
    accepted = _accepted_start(starts)
    return seq_chain_check(anchored, AuditEvent.objects.all(), purged_through=lambda seq: accepted(seq + 1) is not None)


def verify_chain(
    batch_size: int = 5000, anchor: dict[str, Any] | None = None, starts: Starts = _no_start
) -> VerifyResult:
    """Walk the chain in seq order and report the first event that is missing, changed or moved.

    Checks, for each event: its seq follows the previous one (a gap means a deletion), its hash
    matches its content (a change), its prev_hash is the previous hash (a deletion, insertion or
    reordering), and its MAC matches its hash (the chain was recomputed). The chain may start
    after 1 only where `purge_expired` recorded the hash of the last event it removed, or where
    a signed anchor (`starts`, audit.anchors.anchored_starts) records that start: the anchor
    written before a monthly partition was dropped (audit.partitions). It must end where the
    chain head says (otherwise the end was cut off).

    With `anchor` (this chain's state in the latest signed anchor, `audit.anchors`), the chain
    must also extend it: a chain shorter than its anchor, or whose event at the anchored seq has
    another hash, was cut or rebuilt, even if the head was moved back to match.
    """
    if batch_size < 1:
        raise ApplicationError(AuditError.INVALID_FILTER, "每批条数必须为正数。")
    result = _verify_walk(batch_size, starts)
    if result.ok and anchor is not None:
        mismatch = chain_check(anchor, starts)
        if mismatch is not None:
            return VerifyResult(ok=False, checked=result.checked, first_bad_seq=mismatch[0], reason=mismatch[1])
    return result


def _verify_walk(batch_size: int, starts: Starts) -> VerifyResult:
    head = AuditChainHead.objects.filter(pk=1).values("seq", "hash").first()
    limit = head["seq"] if head else None
    accepted = _accepted_start(starts)
    first, expected_prev, missing = seq_chain_start(AuditEvent.objects.all(), ZERO_HASH, accepted)

    def bad(seq: int, reason: str, checked: int) -> VerifyResult:
        return VerifyResult(ok=False, checked=checked, first_bad_seq=seq, reason=reason)

    if first is None or (limit is not None and first > limit):
        if head and head["seq"] > 0 and accepted(head["seq"] + 1) != head["hash"]:
            return bad(1, f"链头记录显示已有 {head['seq']} 条，但日志中没有记录：日志被整体删除", 0)
        return VerifyResult(ok=True, checked=0, first_bad_seq=None, reason="")
    if expected_prev is None:
        return bad(1, missing, 0)

    expected_seq, checked, previous_at = first, 0, None
    for row in _rows(first, limit, batch_size):
        seq = row["seq"]
        if seq != expected_seq:
            return bad(expected_seq, gap_reason(expected_seq, seq, previous_at, row["at"]), checked)
        if not constant_time_equal(event_hash(row), row["hash"]):
            return bad(seq, "记录内容与其哈希不符，记录被修改", checked)
        if not constant_time_equal(row["prev_hash"], expected_prev or ""):
            return bad(seq, "前序哈希与上一条记录不符，记录被删除、插入或调换了顺序", checked)
        if not event_mac_matches(row["hash"], row["mac"]):
            return bad(seq, "校验码（SM3-HMAC）不符，哈希链被重新计算过", checked)
        expected_prev, expected_seq, checked, previous_at = row["hash"], seq + 1, checked + 1, row["at"]

    last = expected_seq - 1
    if head is None:
        return bad(last + 1, "链头记录缺失，无法确认日志末尾是否完整", checked)
    if head["seq"] != last:
        return bad(last + 1, f"日志末尾被截断：链头记录到第 {head['seq']} 条，实际只到第 {last} 条", checked)
    if not constant_time_equal(head["hash"], expected_prev or ""):
        return bad(last, "最后一条记录的哈希与链头记录不符", checked)
    return VerifyResult(ok=True, checked=checked, first_bad_seq=None, reason="")


# --- retention -------------------------------------------------------------------------


def purge_expired(*, actor: Actor, before: datetime) -> int:
    """Delete events older than `before`, which must lie outside the retention period.

    Only the audit administrator (or the platform itself, e.g. a scheduled task or the command)
    may purge. The purge is recorded, with the seq and hash of the last event removed, so that
    `verify_chain` can still check the chain from its new first event; a refused purge is recorded
    too. Returns the number deleted.
    """
    # Imported here: audit.write records through this module (record_action).
    from zhengwu.audit.audit_actions import AuditLogAction
    from zhengwu.audit.write import audited_write

    with audited_write(actor, AuditLogAction.PURGE) as write:
        write.require(actor.is_platform or actor.has_role(Role.AUDIT_ADMIN), "只有审计管理员可以清理到期的审计日志。")
        if timezone.is_naive(before):
            before = timezone.make_aware(before)
        cutoff = retention_cutoff()
        if before > cutoff:
            days, earliest = settings.AUDIT_RETENTION_DAYS, f"{timezone.localtime(cutoff):%Y-%m-%d %H:%M}"
            raise ApplicationError(
                AuditError.WITHIN_RETENTION,
                f"审计日志须至少保存 {days} 天，只能清理 {earliest} 之前的记录。",
                {"before": "在保存期内"},
            )
        _lock_head()  # no event is appended while the prefix is cut
        last = AuditEvent.objects.filter(at__lt=before).order_by("-seq").values("seq", "hash").first()
        details: dict[str, Any] = {"before": before.isoformat(), "deleted": 0}
        if last is not None:
            # Delete a prefix of the chain by seq, so the remaining chain stays contiguous.
            details["deleted"], _ = AuditEvent.objects.filter(seq__lte=last["seq"]).delete()
            details.update(through_seq=last["seq"], through_hash=last["hash"])
        write.note(**details)
        # A signed anchor with the new first seq, once the purge is committed (audit.anchors).
        transaction.on_commit(_anchor_after_purge)
    return int(details["deleted"])


def _anchor_after_purge() -> None:
    from zhengwu.audit import anchors  # anchors builds on this module

    anchors.write_anchor_quietly("purge")
