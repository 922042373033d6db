"""Rotating the data key (`zhengwu keys rotate-data-key`, issue 16; docs/rules.md §9, "Data keys").

1. A new key is made current: every key of the ring (the configured one included) is kept in
   the keyring directory, the new one is written there too, a `rotating` marker names it, the
   database records both fingerprints (`core.keys.record_rotation`), then the directory's
   `current` file is replaced (atomically) by the new key's id. `ZHENGWU_DATA_KEY` / `data_key`
   are not touched. Other processes look at the directory once a second
   (`core.crypto.data_keyring`); the rotation waits twice that, and from then on every process
   writes under the new key and reads under either.
2. Every encrypted column of every model (`EncryptedTextField`, found through the app registry)
   whose value is not under the current key is re-encrypted, table by table, in batches of rows
   locked and rewritten in one transaction each (committed per batch). Blind indexes computed from
   an encrypted column of the same row (`recomputed_index`) are recomputed in the same statement.
3. When no row is left under an older key, the marker is removed.

A crash at any point leaves rows under the old key and rows under the new one, each of which
reads correctly (the ciphertext names its key); running the command again finds the marker and
finishes the same rotation instead of starting another. Two rotations never run at once (a lock
file in the keyring directory, held by the running process and released by the system when it dies).
"""

from __future__ import annotations

import fcntl
import os
import secrets
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.apps import apps
from django.db import connection, models, transaction

from zhengwu.core import crypto
from zhengwu.core.env import write_private
from zhengwu.core.errors import ApplicationError, CoreError
from zhengwu.core.fields import EncryptedTextField

MARKER = "rotating"  # in the keyring directory: the ids of the key a rotation moves rows to, and of the one before
LOCK = ".rotation.lock"
BATCH = 500

Progress = Callable[[str], None]


@dataclass(frozen=True)
class RecomputedIndex:
    """A blind-index column computed from the row's own encrypted values (decrypted)."""

    column: str
    compute: Callable[[dict[str, str]], str]


_RECOMPUTED: dict[str, list[RecomputedIndex]] = {}
_ENCRYPTED_BY_HAND: dict[str, list[str]] = {}  # model label → attribute names


def recomputed_index(model: type[models.Model], column: str, compute: Callable[[dict[str, str]], str]) -> None:
    """Declare that `column` of `model` is a blind index recomputable from the row's encrypted
    fields (attribute name → clear text): a rotation rewrites it under the new key."""
    _RECOMPUTED.setdefault(model._meta.label, []).append(RecomputedIndex(column, compute))


def encrypted_column(model: type[models.Model], name: str) -> None:
    """Declare a text column the model's code encrypts itself (`core.crypto.encrypt_text`) rather
    than through an EncryptedTextField: a rotation re-encrypts it too."""
    _ENCRYPTED_BY_HAND.setdefault(model._meta.label, []).append(name)


@dataclass(frozen=True)
class EncryptedTable:
    model: type[models.Model]
    columns: tuple[tuple[str, str], ...]  # (attribute name, column)
    indexes: tuple[RecomputedIndex, ...]

    @property
    def table(self) -> str:
        return self.model._meta.db_table

    @property
    def label(self) -> str:
        names = "、".join(
            str(getattr(self.model._meta.get_field(name), "verbose_name", name)) for name, _ in self.columns
        )
        return f"{self.model._meta.verbose_name}（{self.table}：{names}）"


def encrypted_tables() -> list[EncryptedTable]:
    """Every table with an encrypted column, in a stable order."""
    found = []
    for model in apps.get_models():
        meta = model._meta
        if meta.proxy or not meta.managed:
            continue
        by_hand = _ENCRYPTED_BY_HAND.get(meta.label, [])
        columns = tuple(
            (f.attname, f.column)
            for f in meta.local_concrete_fields
            if isinstance(f, EncryptedTextField) or f.attname in by_hand
        )
        if columns:
            found.append(EncryptedTable(model, columns, tuple(_RECOMPUTED.get(meta.label, ()))))
    return sorted(found, key=lambda t: t.table)


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _stale_condition(table: EncryptedTable, current_id: str) -> tuple[str, list[str]]:
    """SQL true for a row with a value that is not under the current key (and its parameters)."""
    prefix = f"{crypto.ENVELOPE_V2}{current_id}:%"
    parts = [f"({_q(c)} IS NOT NULL AND {_q(c)} <> '' AND {_q(c)} NOT LIKE %s)" for _, c in table.columns]
    return "(" + " OR ".join(parts) + ")", [prefix] * len(table.columns)


def stale_rows(table: EncryptedTable, current_id: str) -> int:
    condition, params = _stale_condition(table, current_id)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {_q(table.table)} WHERE {condition}", params)  # noqa: S608 - ours
        row = cursor.fetchone()
    return int(row[0]) if row else 0


def values_by_key() -> dict[str, int]:
    """How many stored encrypted values each data key holds (key id → count), every table."""
    ring = crypto.data_keyring()
    counts: dict[str, int] = {}
    v1 = crypto.ENVELOPE_PREFIX
    for table in encrypted_tables():
        for _, column in table.columns:
            c = _q(column)
            sql = (
                f"SELECT CASE WHEN {c} LIKE %s THEN %s ELSE SUBSTR({c}, %s, %s) END AS kid, COUNT(*) "  # noqa: S608
                f"FROM {_q(table.table)} WHERE {c} IS NOT NULL AND {c} <> '' GROUP BY 1"
            )
            params: list[str | int] = [v1 + "%", ring.first_id, len(crypto.ENVELOPE_V2) + 1, crypto.KEY_ID_LENGTH]
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                for kid, count in cursor.fetchall():
                    counts[str(kid)] = counts.get(str(kid), 0) + int(count)
    return counts


@dataclass
class RotationResult:
    old_id: str
    new_id: str
    resumed: bool
    rewritten: int = 0
    remaining: int = 0
    tables: dict[str, int] = field(default_factory=dict)


@contextmanager
def rotation_lock() -> Iterator[None]:
    """Held for the whole rotation; a second one is refused at once (not queued)."""
    directory = crypto.keyring_dir()
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    handle = open(directory / LOCK, "a+")  # noqa: SIM115 - held open for the lock's lifetime
    try:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ApplicationError(
                CoreError.KEY_ROTATION_RUNNING,
                f"另一个数据密钥轮换正在进行（锁文件 {directory / LOCK} 被占用）：请等它完成后再运行。",
            ) from None
        yield
    finally:
        handle.close()


def pending_rotation() -> str | None:
    """The id of the key an unfinished rotation is moving rows to, if any."""
    return _marker()[0]


def _marker() -> tuple[str | None, str | None]:
    marker = crypto.keyring_dir() / MARKER
    words = marker.read_text().split() if marker.is_file() else []
    return (words[0] if words else None), (words[1] if len(words) > 1 else None)


def _keep(directory: Path, kid: str, key: bytes) -> None:
    path = directory / f"{kid}.key"
    if not path.exists():
        write_private(path, key.hex() + "\n")


def _make_current(kid: str, settle: float) -> None:
    """Name the key current in the keyring (atomically), and give the other processes the time to
    notice (`crypto.KEYRING_CHECK_SECONDS`) before any row is rewritten: a lookup by blind index
    then always knows the key a row's index is under."""
    directory = crypto.keyring_dir()
    fresh = directory / (crypto.CURRENT_FILE + ".new")
    write_private(fresh, kid + "\n", replace=True)
    os.replace(fresh, directory / crypto.CURRENT_FILE)
    crypto.forget_keyring()
    time.sleep(settle)


def _start(progress: Progress, settle: float) -> tuple[str, str]:
    """Make a new key current (step 1); returns (old id, new id)."""
    from zhengwu.core.keys import record_rotation

    directory = crypto.keyring_dir()
    ring = crypto.data_keyring()
    for kid, key in ring.keys.items():
        _keep(directory, kid, key)
    if not (directory / crypto.FIRST_FILE).exists():
        write_private(directory / crypto.FIRST_FILE, ring.first_id + "\n")
    new = secrets.token_bytes(32)
    while crypto.key_id(new) in ring.keys:  # ids are 8 hex characters: never reuse one
        new = secrets.token_bytes(32)
    new_id = crypto.key_id(new)
    _keep(directory, new_id, new)
    write_private(directory / MARKER, f"{new_id} {ring.current_id}\n", replace=True)
    record_rotation(ring.current, new)
    _make_current(new_id, settle)
    progress(f"新的数据密钥 {new_id} 已成为当前密钥（旧密钥 {ring.current_id} 保留在 {directory}）。")
    return ring.current_id, new_id


def _resume(target: str, progress: Progress, settle: float) -> str:
    """Finish step 1 of an interrupted rotation (it may have stopped anywhere in it); returns the
    id of the key that was current before."""
    from zhengwu.core.keys import record_rotation

    ring = crypto.data_keyring()
    old_id = _marker()[1] or ring.current_id
    if target not in ring.keys or old_id not in ring.keys:
        raise ApplicationError(
            CoreError.KEY_MISSING,
            f"未完成的轮换所用的密钥 {target}（或原密钥 {old_id}）不在密钥环 {crypto.keyring_dir()} 中："
            "请从备份恢复密钥环。",
        )
    record_rotation(ring.keys[old_id], ring.keys[target])
    if ring.current_id != target:
        _make_current(target, settle)
    progress(f"继续未完成的数据密钥轮换：目标密钥 {target}。")
    return old_id


SETTLE_SECONDS = 2 * crypto.KEYRING_CHECK_SECONDS


def rotate_data_key(
    *,
    progress: Progress = lambda _: None,
    batch_size: int = BATCH,
    after_batch: Callable[[int], None] | None = None,
    settle: float | None = None,
) -> RotationResult:
    """Rotate the data key, or finish an interrupted rotation (module docstring).

    `after_batch(rows)` is called after each committed batch (tests stop a rotation there);
    `settle` is how long the other processes are given to take the new key before rows move."""
    settle = SETTLE_SECONDS if settle is None else settle
    with rotation_lock():
        target = pending_rotation()
        if target is None:
            old_id, new_id = _start(progress, settle)
            result = RotationResult(old_id=old_id, new_id=new_id, resumed=False)
        else:
            result = RotationResult(old_id=_resume(target, progress, settle), new_id=target, resumed=True)
        for _ in range(3):  # again if a process still writing under the old key added rows meanwhile
            for table in encrypted_tables():
                done = _reencrypt(table, result.new_id, batch_size, progress, after_batch)
                if done:
                    result.tables[table.table] = result.tables.get(table.table, 0) + done
                    result.rewritten += done
            result.remaining = sum(stale_rows(t, result.new_id) for t in encrypted_tables())
            if not result.remaining:
                break
        if not result.remaining:
            (crypto.keyring_dir() / MARKER).unlink(missing_ok=True)
        return result


def _reencrypt(
    table: EncryptedTable,
    current_id: str,
    batch_size: int,
    progress: Progress,
    after_batch: Callable[[int], None] | None,
) -> int:
    total = stale_rows(table, current_id)
    if not total:
        return 0
    condition, params = _stale_condition(table, current_id)
    pk = table.model._meta.pk
    assert pk is not None
    columns = [c for _, c in table.columns]
    lock = " FOR UPDATE" if connection.vendor == "postgresql" else ""
    select = (
        f"SELECT {_q(pk.column)}, {', '.join(_q(c) for c in columns)} FROM {_q(table.table)} "  # noqa: S608 - ours
        f"WHERE {condition} AND {_q(pk.column)} > %s ORDER BY {_q(pk.column)} LIMIT {int(batch_size)}{lock}"
    )
    written = [*columns, *(index.column for index in table.indexes)]
    update = (
        f"UPDATE {_q(table.table)} SET {', '.join(f'{_q(c)} = %s' for c in written)} "  # noqa: S608 - ours
        f"WHERE {_q(pk.column)} = %s"
    )
    done, last = 0, _lowest(pk)
    while True:
        # On SQLite: BEGIN IMMEDIATE; on PostgreSQL: FOR UPDATE. The rows cannot change under us.
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(select, [*params, last])
            rows = cursor.fetchall()
            if not rows:
                break
            cursor.executemany(update, [_rewritten(table, current_id, row) for row in rows])
        done, last = done + len(rows), rows[-1][0]
        progress(f"  {table.label}：{done}/{total}")
        if after_batch is not None:
            after_batch(len(rows))
    return done


def _lowest(pk: models.Field[Any, Any]) -> Any:
    return "" if isinstance(pk, models.CharField | models.TextField) else -(2**62)


def _rewritten(table: EncryptedTable, current_id: str, row: tuple[Any, ...]) -> list[Any]:
    """New values of one row: each value under the current key, then the recomputed indexes, then the pk."""
    stored = dict(zip((name for name, _ in table.columns), row[1:], strict=True))
    clear = {name: crypto.decrypt_text(value) if value else (value or "") for name, value in stored.items()}
    values: list[Any] = []
    current = f"{crypto.ENVELOPE_V2}{current_id}:"
    for name, value in stored.items():
        values.append(value if not value or value.startswith(current) else crypto.encrypt_text(clear[name]))
    values += [index.compute(clear) for index in table.indexes]
    values.append(row[0])
    return values
