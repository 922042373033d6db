"""National cryptography (国密): SM3 hashing and HMAC, SM4 encryption, SM2 signatures.

SM3 and SM4 come from OpenSSL through `cryptography`; SM2 from `gmssl` (pure Python; it
is used for signatures, which are rare, not for bulk work).

Personal data at rest is encrypted with SM4-GCM under a key derived from the platform's
data key (`ZHENGWU_DATA_KEY`, one of a keyring once it has been rotated); an SM3-HMAC "blind
index" of the normalised value lets an ID number be found by exact match without storing it in
clear.
"""

from __future__ import annotations

import base64
import hmac as std_hmac
import os
import secrets
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from gmssl import sm2

from zhengwu.core.errors import ApplicationError, CoreError

ENVELOPE_PREFIX = "sm4g1:"  # SM4-GCM under the first data key, layout nonce(12) | tag(16) | ciphertext


def sm3_hex(data: bytes | str) -> str:
    """SM3 digest as 64 hex characters."""
    digest = hashes.Hash(hashes.SM3())
    digest.update(data.encode() if isinstance(data, str) else data)
    return digest.finalize().hex()


def sm3_hmac(key: bytes, data: bytes | str) -> bytes:
    mac = crypto_hmac.HMAC(key, hashes.SM3())
    mac.update(data.encode() if isinstance(data, str) else data)
    return mac.finalize()


def sm3_hmac_hex(key: bytes, data: bytes | str) -> str:
    return sm3_hmac(key, data).hex()


def constant_time_equal(a: str | bytes, b: str | bytes) -> bool:
    left = a.encode() if isinstance(a, str) else a
    right = b.encode() if isinstance(b, str) else b
    return std_hmac.compare_digest(left, right)


def derive_key(master: bytes, purpose: str, length: int = 16) -> bytes:
    """Derive a purpose-bound key from the master key (HMAC-SM3 as a PRF)."""
    return sm3_hmac(master, b"zhengwu:" + purpose.encode())[:length]


def sm4_encrypt(key: bytes, plaintext: bytes, *, associated_data: bytes | None = None) -> bytes:
    nonce = os.urandom(12)
    encryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce)).encryptor()
    if associated_data:
        encryptor.authenticate_additional_data(associated_data)
    ciphertext = encryptor.update(plaintext) + encryptor.finalize()
    return nonce + encryptor.tag + ciphertext


def sm4_decrypt(key: bytes, blob: bytes, *, associated_data: bytes | None = None) -> bytes:
    if len(blob) < 28:
        raise ApplicationError(CoreError.CRYPTO_FAILURE, "密文格式错误，无法解密。")
    nonce, tag, ciphertext = blob[:12], blob[12:28], blob[28:]
    decryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce, tag)).decryptor()
    if associated_data:
        decryptor.authenticate_additional_data(associated_data)
    try:
        return decryptor.update(ciphertext) + decryptor.finalize()
    except InvalidTag:
        raise ApplicationError(CoreError.CRYPTO_FAILURE, "密文校验失败：数据已被篡改或密钥不符。") from None


# --- the data keyring (issue 16: `zhengwu keys rotate-data-key`) ----------------------------
#
# Before any rotation the one data key is `ZHENGWU_DATA_KEY` or `<data dir>/data_key`, as ever.
# A rotation keeps every key in the keyring directory (`ZHENGWU_DATA_KEYRING`, default
# `<data dir>/data_keys/`: one `<key id>.key` file of 64 hex characters per key, mode 0600) and
# names the current one in its `current` file; `ZHENGWU_DATA_KEY` / `data_key` stay as they are
# (one key of the ring), so a key given in the environment need not change. A key's id is the
# first 8 hex characters of its fingerprint (`key_fingerprint`), which reveals nothing of it.
# Ciphertexts carry the id of their key (`sm4g2:<id>:<base64>`); those written before the
# keyring (`sm4g1:<base64>`) belong to the key its `first` file names (the configured key while
# there is none). New writes use the current key; reads use the key their ciphertext names; MACs
# and the blind indexes that cannot be rewritten are checked under every key of the ring
# (docs/rules.md §9, "Data keys").

ENVELOPE_V2 = "sm4g2:"  # SM4-GCM, the key id, then the layout of sm4g1
KEY_ID_LENGTH = 8
CURRENT_FILE = "current"  # in the keyring directory: the id of the current key
FIRST_FILE = "first"  # in the keyring directory: the id of the key of `sm4g1:` envelopes
_FINGERPRINT_LABEL = b"zhengwu key fingerprint v1"


def key_fingerprint(key: bytes) -> str:
    """A key's fingerprint: SM3-HMAC of a fixed label under the key (reveals nothing of it)."""
    return sm3_hmac_hex(key, _FINGERPRINT_LABEL)[:32]


def key_id(key: bytes) -> str:
    return key_fingerprint(key)[:KEY_ID_LENGTH]


@dataclass(frozen=True)
class DataKeyring:
    current_id: str
    keys: dict[str, bytes]  # id → key, the current one first
    first_id: str  # the key of `sm4g1:` envelopes (written before the keyring)

    @property
    def current(self) -> bytes:
        return self.keys[self.current_id]

    def key(self, kid: str) -> bytes:
        found = self.keys.get(kid)
        if found is None:
            raise ApplicationError(
                CoreError.CRYPTO_FAILURE,
                f"密钥环中没有编号为 {kid} 的数据密钥：请从备份中恢复密钥环（{keyring_dir()}）。",
            )
        return found


def keyring_dir() -> Path:
    from django.conf import settings

    return _keyring_dir_of(getattr(settings, "ZHENGWU_DATA_KEYRING", None), settings.DATA_DIR)


@lru_cache(maxsize=16)
def _keyring_dir_of(configured: str | Path | None, data_dir: str | Path) -> Path:
    # Cached (a Path does not change): `data_keyring` asks for the directory on every MAC and
    # blind index (docs/benchmarks.md, issue 21).
    return Path(configured) if configured else Path(data_dir) / "data_keys"


def _stamp(path: Path) -> int | None:
    try:
        return os.stat(path).st_mtime_ns
    except OSError:
        return None


_ring_cache: list[tuple[tuple[bytes, str, int | None], DataKeyring]] = []
# The directory is looked at (one stat call) at most this often: a rotation by another process
# is noticed within this time (`core.rotation` waits twice as long before it rewrites any row).
KEYRING_CHECK_SECONDS = 1.0
_checked_at = [float("-inf")]


def forget_keyring() -> None:
    """Look at the keyring directory again at the next use (after changing it)."""
    _ring_cache.clear()
    _derived.cache_clear()
    _checked_at[0] = float("-inf")


def _named(directory: Path, name: str) -> str | None:
    path = directory / name
    try:
        return path.read_text().strip() or None
    except OSError:
        return None


def read_keyring_dir(directory: Path) -> dict[str, bytes]:
    """The keys kept in a keyring directory, id → key."""
    keys: dict[str, bytes] = {}
    if directory.is_dir():
        for path in sorted(directory.glob("*.key")):
            try:
                key = bytes.fromhex(path.read_text().strip())
            except (OSError, ValueError):
                continue
            if len(key) == 32:
                keys[key_id(key)] = key
    return keys


def data_keyring() -> DataKeyring:
    """The data keys this process can use: the configured one and the keyring directory's, re-read
    when the directory changes (looked at once a second at most: this is on the path of every
    encrypted value and MAC)."""
    from django.conf import settings

    configured = bytes(settings.ZHENGWU_DATA_KEY)
    directory = keyring_dir()
    now = time.monotonic()
    if _ring_cache and now - _checked_at[0] < KEYRING_CHECK_SECONDS:
        stamp, ring = _ring_cache[0]
        if stamp[0] == configured and stamp[1] == str(directory):
            return ring
    _checked_at[0] = now
    stamp = (configured, str(directory), _stamp(directory))
    if _ring_cache and _ring_cache[0][0] == stamp:
        return _ring_cache[0][1]
    configured_id = key_id(configured)
    kept = {configured_id: configured, **read_keyring_dir(directory)}
    named = _named(directory, CURRENT_FILE)
    current_id = named if named is not None and named in kept else configured_id
    keys = {current_id: kept[current_id], **{kid: key for kid, key in kept.items() if kid != current_id}}
    first = _named(directory, FIRST_FILE)
    first_id = first if first is not None and first in keys else configured_id
    ring = DataKeyring(current_id=current_id, keys=keys, first_id=first_id)
    _ring_cache[:] = [(stamp, ring)]
    return ring


@lru_cache(maxsize=256)
def _derived(master: bytes, purpose: str, length: int) -> bytes:
    return derive_key(master, purpose, length)


def encrypt_text(value: str) -> str:
    """Encrypt a text value for storage under the current key: `sm4g2:<key id>:` + base64."""
    ring = data_keyring()
    blob = sm4_encrypt(_derived(ring.current, "field-encryption", 16), value.encode())
    return f"{ENVELOPE_V2}{ring.current_id}:" + base64.b64encode(blob).decode()


def is_envelope(value: str) -> bool:
    return value.startswith(ENVELOPE_V2) or value.startswith(ENVELOPE_PREFIX)


def envelope_key_id(stored: str, ring: DataKeyring | None = None) -> str:
    """The id of the key a stored envelope was written with."""
    if stored.startswith(ENVELOPE_V2):
        return stored[len(ENVELOPE_V2) : len(ENVELOPE_V2) + KEY_ID_LENGTH]
    return (ring or data_keyring()).first_id


def _key_named(kid: str) -> bytes:
    """The key of that id; a key another process just made is looked for once more on disk."""
    ring = data_keyring()
    if kid not in ring.keys:
        forget_keyring()
        ring = data_keyring()
    return ring.key(kid)


def decrypt_text(stored: str) -> str:
    ring = data_keyring()
    if stored.startswith(ENVELOPE_V2):
        start = len(ENVELOPE_V2) + KEY_ID_LENGTH
        if stored[start : start + 1] != ":":
            raise ApplicationError(CoreError.CRYPTO_FAILURE, "存储的数据不是有效的加密格式。")
        key, body = _key_named(stored[len(ENVELOPE_V2) : start]), stored[start + 1 :]
    elif stored.startswith(ENVELOPE_PREFIX):
        key, body = ring.key(ring.first_id), stored[len(ENVELOPE_PREFIX) :]
    else:
        raise ApplicationError(CoreError.CRYPTO_FAILURE, "存储的数据不是有效的加密格式。")
    return sm4_decrypt(_derived(key, "field-encryption", 16), base64.b64decode(body)).decode()


def _normalised(value: str) -> str:
    return value.strip().upper()


def blind_index(value: str, *, purpose: str) -> str:
    """SM3-HMAC of the normalised value under the current key: what a new row stores, so that an
    encrypted column can be searched by exact match."""
    normalised = _normalised(value)
    if not normalised:
        return ""
    return sm3_hmac_hex(_derived(data_keyring().current, "blind-index:" + purpose, 32), normalised)


def blind_indexes(value: str, *, purpose: str) -> list[str]:
    """The value's blind index under every key of the ring, the current one first: what a lookup
    searches for, as rows keep indexes made under older keys (those that cannot be recomputed)."""
    normalised = _normalised(value)
    if not normalised:
        return []
    keys = data_keyring().keys.values()
    return [sm3_hmac_hex(_derived(key, "blind-index:" + purpose, 32), normalised) for key in keys]


def data_mac(purpose: str, data: bytes | str) -> str:
    """SM3-HMAC under the current key's subkey for `purpose` (the audit and access-log MACs)."""
    return sm3_hmac_hex(_derived(data_keyring().current, purpose, 32), data)


def data_mac_subkeys(purpose: str) -> dict[str, bytes]:
    """The ring's subkeys for `purpose`, key id → subkey, the current key's first. For a caller
    that makes or checks many MACs at once (the access log's sealer): one look at the ring for
    all of them, not one each (docs/benchmarks.md, issue 21)."""
    return {kid: _derived(key, purpose, 32) for kid, key in data_keyring().keys.items()}


def data_mac_key_id(purpose: str, data: bytes | str, mac: str, subkeys: dict[str, bytes] | None = None) -> str | None:
    """The id of the ring's key under which `mac` is the MAC of `data`, or None: a MAC made
    before a rotation is checked with the key it was made with. `subkeys`: `data_mac_subkeys`
    of `purpose`, if the caller has them at hand."""
    for kid, subkey in (subkeys if subkeys is not None else data_mac_subkeys(purpose)).items():
        if constant_time_equal(sm3_hmac_hex(subkey, data), mac):
            return kid
    return None


def data_mac_matches(purpose: str, data: bytes | str, mac: str, subkeys: dict[str, bytes] | None = None) -> bool:
    return data_mac_key_id(purpose, data, mac, subkeys) is not None


def data_mac_under(kid: str, purpose: str, data: bytes | str) -> str:
    return sm3_hmac_hex(_derived(_key_named(kid), purpose, 32), data)


@dataclass(frozen=True)
class Sm2KeyPair:
    private_key: str  # 64 hex characters
    public_key: str  # 128 hex characters (x | y), uncompressed without the 04 prefix


def _sm2(private_key: str, public_key: str) -> sm2.CryptSM2:
    """gmssl's CryptSM2 with the public key set as given.

    Its constructor strips a "04" prefix with `lstrip("04")`, which also eats every leading
    0 and 4 of the x coordinate: one key in 256 (those whose hex starts with "04") became a
    different, invalid key, so its signatures never verified. Our keys carry no prefix.
    """
    instance = sm2.CryptSM2(private_key=private_key, public_key="")
    instance.public_key = public_key
    return instance


def sm2_generate_keypair() -> Sm2KeyPair:
    curve = sm2.default_ecc_table
    n = int(curve["n"], 16)
    d = secrets.randbelow(n - 2) + 1
    private_hex = f"{d:064x}"
    public_hex = _sm2(private_hex, "")._kg(d, curve["g"])
    return Sm2KeyPair(private_key=private_hex, public_key=public_hex)


def sm2_public_key(private_key: str) -> str:
    """The public key (128 hex, x | y) of an SM2 private key (64 hex); CoreError if it is not one."""
    try:
        d = int(private_key, 16)
    except ValueError:
        d = 0
    curve = sm2.default_ecc_table
    if len(private_key) != 64 or not 0 < d < int(curve["n"], 16) - 1:
        raise ApplicationError(CoreError.CRYPTO_FAILURE, "SM2 私钥应为 64 位十六进制数，且在曲线阶以内。")
    return str(_sm2(private_key, "")._kg(d, curve["g"]))


def sm2_fingerprint(public_key: str) -> str:
    """A public key's short name: the first 16 hex of SM3 over its hex (as certificates.signing)."""
    return sm3_hex(public_key.lower())[:16]


SM2_DEFAULT_UID = "1234567812345678"  # GM/T 0009 default user identity


def sm2_sign(private_key: str, public_key: str, message: bytes) -> str:
    """SM2 signature (with the SM3 Z-value, as GM/T 0009 asks) as 128 hex characters."""
    signer = _sm2(private_key, public_key)
    n = int(signer.ecc_table["n"], 16)
    while True:
        # k uniform in [1, n-1]; gmssl returns None for the rare k that gives r = 0, r + k = n
        # or s = 0, and then the standard says: pick another k.
        k = secrets.randbelow(n - 1) + 1
        signature = signer.sign_with_sm3(message, f"{k:064x}")
        if signature is not None:
            return str(signature)


def sm2_verify(public_key: str, message: bytes, signature: str) -> bool:
    if len(signature) != 128 or any(c not in "0123456789abcdefABCDEF" for c in signature):
        return False
    if len(public_key) != 128:
        return False
    verifier = _sm2("", public_key)
    try:
        return bool(verifier.verify_with_sm3(signature, message))
    except Exception:  # gmssl raises assorted errors on malformed points
        return False
    verifier = sm2.CryptSM2(private_key="", public_key=public_key)
    try:
        return bool(verifier.verify_with_sm3(signature, message))
    except Exception:  # gmssl raises assorted errors on malformed points
        return False
