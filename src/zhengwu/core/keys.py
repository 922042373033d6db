"""Is this the key the database was written with? (issue 16: restoring without `data_key`).

The data key (`ZHENGWU_DATA_KEY` or `<data dir>/data_key`) encrypts personal data and keys the
blind indexes and the audit MACs. Its fingerprint — an SM3-HMAC of a fixed label under the key,
which reveals nothing of the key — is stored in `core_keyfingerprint` the first time a database
is used with it (after `migrate`). From then on a different key is refused:
- at start-up of every management command, `zhengwu serve` and the Huey worker included
  (a Django system check, `core.E001`), with a message saying exactly what is wrong;
- by `/healthz`, which reports `"keys": {"data_key": "mismatch"}` and answers 503.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks
from django.db import DatabaseError, connection

from zhengwu.core.crypto import sm3_hmac_hex

DATA_KEY = "data_key"
_LABEL = b"zhengwu key fingerprint v1"


def fingerprint(key: bytes) -> str:
    return sm3_hmac_hex(key, _LABEL)[:32]


def data_key_fingerprint() -> str:
    return fingerprint(settings.ZHENGWU_DATA_KEY)


def stored_fingerprint(name: str = DATA_KEY) -> str | None:
    """The recorded fingerprint, or None when none is recorded or the table does not exist yet."""
    from zhengwu.core.models import KeyFingerprint

    try:
        return KeyFingerprint.objects.filter(name=name).values_list("fingerprint", flat=True).first()
    except DatabaseError:  # before the first migrate, or the database is unreachable
        if connection.in_atomic_block:
            raise
        return None


def record_data_key(**_: Any) -> None:
    """Remember the data key's fingerprint if none is recorded (post_migrate; `keys rotate` replaces it)."""
    from zhengwu.core.models import KeyFingerprint

    KeyFingerprint.objects.get_or_create(name=DATA_KEY, defaults={"fingerprint": data_key_fingerprint()})


def data_key_status() -> str:
    """ "ok", "mismatch", or "unrecorded" (a database not yet migrated)."""
    stored = stored_fingerprint()
    if stored is None:
        return "unrecorded"
    return "ok" if stored == data_key_fingerprint() else "mismatch"


MISMATCH_MESSAGE = (
    "数据密钥与数据库不匹配：数据库是用指纹为 {stored} 的数据密钥写入的，当前密钥的指纹为 {current}。"
    "恢复数据时必须同时恢复备份中的密钥（ZHENGWU_DATA_KEY 或数据目录下的 data_key 文件），"
    "否则加密的个人信息无法解密，审计日志的校验码也对不上。"
    "The data key does not match the database: restore the data_key that belongs to this database."
)


@checks.register()
def check_data_key(**_: Any) -> list[checks.CheckMessage]:
    if data_key_status() != "mismatch":
        return []
    message = MISMATCH_MESSAGE.format(stored=stored_fingerprint(), current=data_key_fingerprint())
    return [checks.Critical(message, id="core.E001")]
