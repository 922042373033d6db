"""Is this the key the database was written with? (issue 16: restoring without `data_key`).

The data key (`ZHENGWU_DATA_KEY` or `<data dir>/data_key`) encrypts personal data and keys the
blind indexes and the audit MACs. Its fingerprint — an SM3-HMAC of a fixed label under the key,
which reveals nothing of the key — is stored in `core_keyfingerprint` the first time a database
is used with it (after `migrate`). From then on a different key is refused:
- at start-up of every management command, `zhengwu serve` and the Huey worker included
  (a Django system check, `core.E001`), with a message saying exactly what is wrong;
- by `/healthz`, which reports `"keys": {"data_key": "mismatch"}` and answers 503.

After a rotation (`zhengwu keys rotate-data-key`) the older keys stay in the keyring
(`core.crypto.data_keyring`) and the database records every key it holds rows under
(`data_key:<id>`): a restore that brings the current key but not the older ones is refused too.
"""

from __future__ import annotations

from typing import Any

from django.core import checks
from django.db import DatabaseError, connection

from zhengwu.core.crypto import data_keyring, key_fingerprint

DATA_KEY = "data_key"  # the current data key's fingerprint (replaced by `keys rotate-data-key`)
RING_PREFIX = "data_key:"  # + key id: every data key rows were written with since the first rotation


def fingerprint(key: bytes) -> str:
    return key_fingerprint(key)


def data_key_fingerprint() -> str:
    """The current data key's (the configured one, or the keyring's current after a rotation)."""
    return fingerprint(data_keyring().current)


def stored_fingerprint(name: str = DATA_KEY) -> str | None:
    """The recorded fingerprint, or None when none is recorded or the table does not exist yet."""
    from zhengwu.core.models import KeyFingerprint

    try:
        return KeyFingerprint.objects.filter(name=name).values_list("fingerprint", flat=True).first()
    except DatabaseError:  # before the first migrate, or the database is unreachable
        if connection.in_atomic_block:
            raise
        return None


def recorded_data_keys() -> dict[str, str]:
    """Every data key the database says it was written with: record name → fingerprint."""
    from zhengwu.core.models import KeyFingerprint

    try:
        rows = KeyFingerprint.objects.filter(name__startswith=DATA_KEY).values_list("name", "fingerprint")
        return {name: fp for name, fp in rows if name == DATA_KEY or name.startswith(RING_PREFIX)}
    except DatabaseError:
        if connection.in_atomic_block:
            raise
        return {}


def record_data_key(**_: Any) -> None:
    """Remember the data key's fingerprint if none is recorded (post_migrate; `keys rotate` replaces it)."""
    from zhengwu.core.models import KeyFingerprint

    KeyFingerprint.objects.get_or_create(name=DATA_KEY, defaults={"fingerprint": data_key_fingerprint()})


def record_rotation(old: bytes, new: bytes) -> None:
    """A rotation began: the database now holds rows under both keys, and the new one is current."""
    from zhengwu.core.models import KeyFingerprint

    for key in (old, new):
        KeyFingerprint.objects.update_or_create(
            name=RING_PREFIX + fingerprint(key)[:8], defaults={"fingerprint": fingerprint(key)}
        )
    KeyFingerprint.objects.update_or_create(name=DATA_KEY, defaults={"fingerprint": fingerprint(new)})


def missing_data_keys() -> list[str]:
    """Fingerprints of keys the database was written with that this installation does not have."""
    have = {fingerprint(key) for key in data_keyring().keys.values()}
    return sorted({fp for fp in recorded_data_keys().values() if fp not in have})


def data_key_status() -> str:
    """ "ok", "mismatch", or "unrecorded" (a database not yet migrated).

    A mismatch: a key the database was written with is missing from the keyring, or the current
    key is one the database has never seen (a key generated afresh beside a restored database)."""
    recorded = recorded_data_keys()
    if not recorded:
        return "unrecorded"
    if missing_data_keys() or data_key_fingerprint() not in recorded.values():
        return "mismatch"
    return "ok"


MISMATCH_MESSAGE = (
    "数据密钥与数据库不匹配：数据库是用指纹为 {stored} 的数据密钥写入的，当前密钥的指纹为 {current}。"
    "恢复数据时必须同时恢复备份中的密钥（ZHENGWU_DATA_KEY 或数据目录下的 data_key 文件，"
    "以及密钥环目录 {keyring}），"
    "否则加密的个人信息无法解密，审计日志的校验码也对不上。"
    "The data key does not match the database: restore the data_key and the keyring that belong to this database."
)


@checks.register()
def check_data_key(**_: Any) -> list[checks.CheckMessage]:
    if data_key_status() != "mismatch":
        return []
    from zhengwu.core.crypto import keyring_dir

    stored = "、".join(missing_data_keys()) or stored_fingerprint()
    message = MISMATCH_MESSAGE.format(stored=stored, current=data_key_fingerprint(), keyring=keyring_dir())
    return [checks.Critical(message, id="core.E001")]
