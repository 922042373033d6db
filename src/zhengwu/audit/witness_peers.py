"""Being the witness of another zhengwu instance (issue 16; docs/deployment.md, "日志锚点").

A peer sends each anchor it writes (audit.remote_witness) to `POST /api/v1/audit/witness/anchors`
with its API client's token (scope `audit:witness`). The client must be registered as a
`WitnessPeer` with the peer's platform public key (`zhengwu audit witness-peer`); the anchor must
be signed by exactly that key (SM2 over SM3, as audit.anchors signs it) and be newer than the
latest one kept for the peer, so that neither a forged line nor a replayed old one is kept.
An accepted line is appended to `<witness dir>/peers/<fingerprint>/YYYY-MM.jsonl`, never
rewritten; a refusal is recorded in the audit log (audit.write) and nothing is written.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from zhengwu.accounts.models import ApiClient
from zhengwu.audit import anchors
from zhengwu.audit.audit_actions import AuditLogAction
from zhengwu.audit.chain import canonical_json
from zhengwu.audit.errors import AuditError
from zhengwu.audit.models import WitnessPeer
from zhengwu.audit.write import audited_write
from zhengwu.core.actors import Actor
from zhengwu.core.crypto import sm2_fingerprint, sm2_verify
from zhengwu.core.errors import ApplicationError

MAX_LINE = 64 * 1024  # an anchor of a few chains and staged entries is a few KiB


def _refused(message: str) -> ApplicationError:
    return ApplicationError(AuditError.WITNESS_REFUSED, message, {"line": message})


def peer_dir(fingerprint: str) -> Path:
    return anchors.witness_dir() / "peers" / fingerprint


def register_peer(*, actor: Actor, client: ApiClient, public_key: str) -> WitnessPeer:
    """Let `client` deposit the anchors signed by `public_key` (the peer's `zhengwu keys show`)."""
    key = public_key.strip().lower()
    with audited_write(actor, AuditLogAction.WITNESS_PEER_REGISTER, client) as write:
        if len(key) != 128 or any(c not in "0123456789abcdef" for c in key):
            raise ApplicationError(
                AuditError.WITNESS_REFUSED, "平台签名公钥应为 128 位十六进制。", {"public_key": "格式不符"}
            )
        peer, _ = WitnessPeer.objects.update_or_create(
            client=client, defaults={"public_key": key, "fingerprint": sm2_fingerprint(key)}
        )
        write.note(fingerprint=peer.fingerprint)
    return peer


def _peer_of(actor: Actor) -> WitnessPeer:
    peer = WitnessPeer.objects.filter(client=actor.api_client).first() if actor.api_client else None
    if peer is None:
        raise ApplicationError(
            AuditError.WITNESS_UNKNOWN_PEER,
            "该凭证未登记为见证对端：请由本平台管理员运行 zhengwu audit witness-peer 登记对端的平台签名公钥。",
            status=403,
        )
    return peer


def _check(peer: WitnessPeer, line: str) -> dict[str, Any]:
    """The anchor in `line` if the peer's registered key signed it, else the refusal."""
    if len(line.encode("utf-8")) > MAX_LINE:
        raise _refused("锚点过长。")
    try:
        record = json.loads(line)
    except ValueError:
        raise _refused("锚点不是有效的 JSON。") from None
    if not isinstance(record, dict) or record.get("v") != anchors.ANCHOR_VERSION:
        raise _refused("锚点格式或版本不符。")
    if not isinstance(record.get("chains"), dict) or parse_datetime(str(record.get("at"))) is None:
        raise _refused("锚点缺少链状态或时间。")
    if record.get("key") != peer.fingerprint or record.get("public_key") != peer.public_key:
        raise _refused(f"锚点的签名密钥 {record.get('key')} 不是本平台为该对端登记的公钥 {peer.fingerprint}。")
    if not sm2_verify(peer.public_key, anchors.signed_bytes(record), str(record.get("signature", ""))):
        raise _refused("锚点的 SM2 签名无效（内容被修改或签名伪造）。")
    return record


def receive_anchor(*, actor: Actor, line: str) -> dict[str, Any]:
    """Keep a peer's signed anchor (see the module's docstring); returns it."""
    with audited_write(actor, AuditLogAction.WITNESS_RECEIVE) as write:
        peer = write.lock(_peer_of(actor))
        write.set_target(peer)
        record = _check(peer, line)
        held = latest_held(peer)
        if held is not None and _moment(record) <= _moment(held):
            raise _refused(f"锚点时间 {record['at']} 不晚于已存证的最新锚点 {held['at']}：不接受旧锚点或重放。")
        write.note(at=record["at"], reason=str(record.get("reason", "")), fingerprint=peer.fingerprint)
        # Written last, inside the transaction: a refusal above leaves the files untouched.
        path = peer_dir(peer.fingerprint) / f"{timezone.now():%Y-%m}.jsonl"
        anchors.append_line(path, canonical_json(record))
    return record


def _moment(record: dict[str, Any]) -> Any:
    return parse_datetime(str(record["at"]))


def latest_held(peer: WitnessPeer) -> dict[str, Any] | None:
    """The newest anchor kept for `peer`: the last line (lines are appended in time order)."""
    directory = peer_dir(peer.fingerprint)
    for path in sorted(directory.glob("*.jsonl"), reverse=True) if directory.is_dir() else []:
        for raw in reversed(path.read_bytes().splitlines()):
            try:
                return dict(json.loads(raw))
            except ValueError:  # an empty or torn line (a crash mid-write): the one before it counts
                continue
    return None


def latest_for(actor: Actor) -> dict[str, Any] | None:
    """For the peer calling: the newest of its anchors kept here (None: none yet)."""
    peer = _peer_of(actor)
    return latest_held(peer)
