"""Anchors: the heads of the hash-chained logs, signed and written outside the database.

A hash chain with a MAC (audit.chain) stops someone who can write to the database from changing
or removing an entry in the middle, but not from cutting off its end and moving the head back,
nor from emptying a log together with its head: what remains is a valid, shorter chain. An
anchor is the missing outside reference: at a fixed interval (`audit.tasks.audit_anchor`), on
demand (`zhengwu audit anchor`), after a purge and at the end of `zhengwu demo`, the state of
every chain (first and last seq, last hash, count, time of the last entry; for the staged
access-log entries, their ids, a digest and the highest number of each writer stream) is signed
with the platform's SM2 key (SM2 over SM3, GM/T 0009) and appended as one JSON line to the
witness, an append-only directory outside the database (`ZHENGWU_AUDIT_WITNESS`, default
`<data dir>/witness/`, one file per month).

`zhengwu audit verify` checks every chain against the latest valid anchor (`latest_anchor`):
a chain shorter than its anchor, or whose entry at the anchored seq has another hash, was
tampered with. A new anchor is written only over chains that extend the previous one, so an
anchor never launders a cut.

The platform signing key is kept outside the database like the data key: `ZHENGWU_PLATFORM_KEY`
(64 hex) or `<data dir>/platform_key`, generated on first use. Every public key that has signed
is kept in `<data dir>/platform_keys/<fingerprint>.pub`, and each anchor names the key that
signed it, so anchors signed before a rotation (`zhengwu keys rotate-platform-key`) still verify.
Which chains exist is asked of the models (`hash_chain_state` / `hash_chain_check` dotted paths):
the audit app does not import the apps above it.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.apps import apps as django_apps
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.module_loading import import_string

from zhengwu.audit import remote_witness, services
from zhengwu.audit.chain import canonical_json, canonical_time
from zhengwu.audit.errors import AuditError
from zhengwu.core.crypto import (
    sm2_fingerprint,
    sm2_generate_keypair,
    sm2_public_key,
    sm2_sign,
    sm2_verify,
)
from zhengwu.core.env import write_private
from zhengwu.core.errors import ApplicationError

logger = logging.getLogger(__name__)

ANCHOR_VERSION = 1
AUDIT_CHAIN = "audit.auditevent"
REASONS = {
    "periodic": "定时",
    "manual": "手动",
    "purge": "到期清理后",
    "demo": "演示数据",
    "rotate": "密钥轮换后",
    "partition_drop": "删除到期分区前",
    "rotate-data-key": "数据密钥轮换后",
    "restored": "恢复备份后",
}


# --- the platform signing key ------------------------------------------------------------


@dataclass(frozen=True)
class PlatformKey:
    private_key: str
    public_key: str
    fingerprint: str
    source: str  # where it comes from, for `zhengwu keys show`


def key_file() -> Path:
    return Path(settings.DATA_DIR) / "platform_key"


def keys_dir() -> Path:
    """Every public key that has signed anchors, one `<fingerprint>.pub` file each."""
    return Path(settings.DATA_DIR) / "platform_keys"


@lru_cache(maxsize=8)
def _public(private_key: str) -> str:
    return sm2_public_key(private_key)  # a point multiplication in pure Python: once per key


def _key_error(message: str) -> ApplicationError:
    return ApplicationError(AuditError.PLATFORM_KEY, message)


def platform_key() -> PlatformKey:
    """The current platform signing key (generated into `<data dir>/platform_key` on first use)."""
    configured: bytes | None = settings.ZHENGWU_PLATFORM_KEY
    if configured is not None:
        private, source = configured.hex(), "环境变量 ZHENGWU_PLATFORM_KEY"
    else:
        path = key_file()
        source = str(path)
        if not path.exists():
            with contextlib.suppress(FileExistsError):  # another process was first: use theirs
                write_private(path, sm2_generate_keypair().private_key + "\n")
        private = path.read_text().strip()
    try:
        public = _public(private.lower())
    except ApplicationError:
        raise _key_error(f"平台签名密钥无效（{source}）：应为 64 位十六进制的 SM2 私钥。") from None
    key = PlatformKey(private.lower(), public, sm2_fingerprint(public), source)
    _remember(key.public_key)
    return key


def _remember(public_key: str) -> None:
    path = keys_dir() / f"{sm2_fingerprint(public_key)}.pub"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(public_key + "\n")


def trusted_keys() -> dict[str, str]:
    """Fingerprint → public key of every key whose anchors are accepted (the current one and all
    that signed before a rotation)."""
    found: dict[str, str] = {}
    directory = keys_dir()
    if directory.is_dir():
        for path in sorted(directory.glob("*.pub")):
            public = path.read_text().strip().lower()
            if len(public) == 128 and sm2_fingerprint(public) == path.stem:
                found[path.stem] = public
    current = platform_key()
    found[current.fingerprint] = current.public_key
    return found


def rotate_platform_key() -> tuple[PlatformKey, PlatformKey]:
    """Replace the key in `<data dir>/platform_key` by a new one; the old public key stays trusted."""
    if settings.ZHENGWU_PLATFORM_KEY is not None:
        raise _key_error(
            "平台签名密钥由环境变量 ZHENGWU_PLATFORM_KEY 提供，不能在此轮换：请生成新的 64 位十六进制 SM2 私钥，"
            "先运行一次 zhengwu keys show（旧公钥已记入受信任列表），再改环境变量并重启。"
        )
    old = platform_key()  # also records its public key among the trusted ones
    path = key_file()
    fresh = path.with_name(path.name + ".new")
    write_private(fresh, sm2_generate_keypair().private_key + "\n", replace=True)
    os.replace(fresh, path)  # atomic: a crash leaves the old key or the new one, never neither
    return old, platform_key()


# --- anchors -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Chain:
    name: str
    label: str
    state: Callable[[], dict[str, Any]]
    check: Callable[[dict[str, Any]], tuple[int, str] | None]


def chains() -> list[Chain]:
    """The audit chain, and every other log whose model names its anchor functions."""
    found = [Chain(AUDIT_CHAIN, "审计日志", services.chain_state, services.chain_check)]
    for model in django_apps.get_models():
        state, check = getattr(model, "hash_chain_state", None), getattr(model, "hash_chain_check", None)
        if state and check:
            label = str(getattr(model, "hash_chain_label", model._meta.verbose_name))
            found.append(Chain(model._meta.label_lower, label, import_string(state), import_string(check)))
    return found


@dataclass(frozen=True)
class Anchor:
    at: str
    reason: str
    chains: dict[str, dict[str, Any]]
    key: str
    line: str  # where it is: file and line number

    def describe(self) -> str:
        moment = parse_datetime(self.at)
        when = f"{timezone.localtime(moment):%Y-%m-%d %H:%M:%S}" if moment else self.at
        return f"{when} 的锚点（{REASONS.get(self.reason, self.reason)}，签名密钥 {self.key}，{self.line}）"


def witness_dir() -> Path:
    return Path(settings.ZHENGWU_AUDIT_WITNESS)


def _signed_bytes(record: dict[str, Any]) -> bytes:
    return canonical_json({name: value for name, value in record.items() if name != "signature"}).encode("utf-8")


def _refused(message: str) -> ApplicationError:
    return ApplicationError(AuditError.ANCHOR_REFUSED, f"{message}。请运行 zhengwu audit verify 查明原因。")


def write_anchor(reason: str = "manual", cuts: dict[str, dict[str, Any]] | None = None) -> Anchor:
    """Sign the state of every chain and append it to the witness.

    Refused (AuditError.ANCHOR_REFUSED) when a chain does not extend the latest valid anchor or
    its head disagrees with its last entry: an anchor must never make a cut look legitimate.

    `cuts` (chain name → first_seq, first_prev_hash, dropped) are the entries about to be removed
    from the start of a chain (audit.partitions, before it drops a month): the anchor records the
    chain as starting at `first_seq`, linked to `first_prev_hash`, and what is dropped, so that
    `audit verify` accepts that start (`anchored_starts`) and nothing shorter."""
    previous, _ = latest_anchor()
    found = chains()
    if previous is not None:
        for chain in found:
            anchored = previous.chains.get(chain.name)
            mismatch = chain.check(anchored) if anchored is not None else None
            if mismatch is not None:
                raise _refused(f"{chain.label}与{previous.describe()}不符，未写入新锚点：{mismatch[1]}")
    key = platform_key()
    try:
        # One transaction: on SQLite the chains are read at one moment.
        with transaction.atomic():
            states = {chain.name: chain.state() for chain in found}
    except ValueError as error:
        raise _refused(f"未写入锚点：{error}") from None
    for name, cut in (cuts or {}).items():
        state = states[name]
        state.update(cut)
        state["count"] = max(0, int(state["seq"]) - int(cut["first_seq"]) + 1)
        state.pop("first_at", None)  # the first remaining entry's time is not read again here
    now = timezone.now()
    record: dict[str, Any] = {
        "v": ANCHOR_VERSION,
        "at": canonical_time(now),
        "reason": reason,
        "chains": states,
        "key": key.fingerprint,
        "public_key": key.public_key,
    }
    record["signature"] = sm2_sign(key.private_key, key.public_key, _signed_bytes(record))
    path = witness_dir() / f"anchors-{now:%Y-%m}.jsonl"
    _append_line(path, canonical_json(record))
    remote_witness.send_soon(canonical_json(record))
    return Anchor(record["at"], reason, states, key.fingerprint, f"{path.name} 末行")


def _append_line(path: Path, line: str) -> None:
    """Append one line durably (O_APPEND: concurrent writers do not overwrite each other)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    created = not path.exists()
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        os.write(fd, (line + "\n").encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)
    if created:  # make the new file's name durable too
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def _lines_newest_first() -> Iterator[tuple[str, int, bytes]]:
    directory = witness_dir()
    if not directory.is_dir():
        return
    for path in sorted(directory.glob("anchors-*.jsonl"), reverse=True):
        lines = path.read_bytes().splitlines()
        for number in range(len(lines), 0, -1):
            if lines[number - 1].strip():
                yield path.name, number, lines[number - 1]


def _parse(raw: bytes, trusted: dict[str, str]) -> tuple[dict[str, Any] | None, str]:
    try:
        record = json.loads(raw)
    except ValueError:
        return None, "不是有效的 JSON"
    if not isinstance(record, dict) or record.get("v") != ANCHOR_VERSION:
        return None, "格式或版本不符"
    if not isinstance(record.get("chains"), dict) or not isinstance(record.get("at"), str):
        return None, "缺少链状态或时间"
    public = trusted.get(str(record.get("key")))
    if public is None or public != record.get("public_key"):
        return None, f"签名密钥 {record.get('key')} 不在受信任的平台公钥之列"
    if not sm2_verify(public, _signed_bytes(record), str(record.get("signature", ""))):
        return None, "SM2 签名无效（内容被修改）"
    return record, ""


def latest_anchor() -> tuple[Anchor | None, list[str]]:
    """The newest anchor in the witness whose signature verifies under a trusted key, and what
    was wrong with the lines after it (each named by file and line)."""
    problems: list[str] = []
    trusted = trusted_keys()
    for name, number, raw in _lines_newest_first():
        record, why = _parse(raw, trusted)
        if record is None:
            problems.append(f"见证文件 {name} 第 {number} 行：{why}，已跳过")
            continue
        where = f"{name} 第 {number} 行"
        return Anchor(record["at"], str(record.get("reason", "")), record["chains"], record["key"], where), problems
    return None, problems


def write_anchor_quietly(reason: str) -> None:
    """`write_anchor` where a failure must not undo what was done (after a purge's commit): the
    failure is logged, and the next periodic anchor or `zhengwu audit verify` reports it."""
    try:
        write_anchor(reason)
    except (ApplicationError, OSError):
        logger.exception("audit: writing the anchor (%s) failed", reason)


def anchored_starts(chain: str) -> Callable[[int], str | None]:
    """For `audit verify`: given the first seq left in `chain`, the hash that entry must link to
    as a signed anchor records it (an anchor written before partitions were dropped, or any later
    one carrying that start), or None. The latest anchor answers the common case; older ones are
    looked up only when it does not, and a line's signature is checked only when its content
    names that start (a witness holds tens of thousands of anchors a year)."""
    found: dict[int, str | None] = {}
    trusted: dict[str, str] | None = None

    def start(seq: int) -> str | None:
        nonlocal trusted
        if seq in found:
            return found[seq]
        found[seq] = None
        if trusted is None:
            trusted = trusted_keys()
        for _, _, raw in _lines_newest_first():
            try:
                state = json.loads(raw).get("chains", {}).get(chain, {})
            except (ValueError, AttributeError):
                continue
            if not isinstance(state, dict) or state.get("first_seq") != seq or "first_prev_hash" not in state:
                continue
            record, _ = _parse(raw, trusted)
            if record is not None:
                found[seq] = str(record["chains"][chain]["first_prev_hash"])
                break
        return found[seq]

    return start


# --- for the remote witness (audit.remote_witness, audit.witness_peers) ----------------------


def signed_bytes(record: dict[str, Any]) -> bytes:
    """What an anchor's signature covers: the record without its signature, canonical."""
    return _signed_bytes(record)


def append_line(path: Path, line: str) -> None:
    _append_line(path, line)


def parse_own(line: str, where: str) -> Anchor:
    """An anchor of this platform read back from elsewhere (the remote witness): it must be
    signed by one of our trusted keys, like a line of the local witness."""
    record, why = _parse(line.encode("utf-8"), trusted_keys())
    if record is None:
        raise _refused(f"{where}的锚点无效：{why}")
    return Anchor(record["at"], str(record.get("reason", "")), record["chains"], record["key"], where)
