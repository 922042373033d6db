"""National cryptography (国密): SM3 hashing and HMAC, SM4 encryption, SM2 signatures.

SM3 and SM4 come from OpenSSL through `cryptography`; SM2 from `gmssl` (pure Python; it
is used for signatures, which are rare, not for bulk work).

Personal data at rest is encrypted with SM4-GCM under a key derived from the platform's
master key (`ZHENGWU_DATA_KEY`); an SM3-HMAC "blind index" of the normalised value lets an
ID number be found by exact match without storing it in clear.
"""

from __future__ import annotations

import base64
import hmac as std_hmac
import os
import secrets
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from gmssl import sm2

from zhengwu.core.errors import ApplicationError, CoreError

ENVELOPE_PREFIX = "sm4g1:"  # version tag: SM4-GCM, layout nonce(12) | tag(16) | ciphertext


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


def _master_key() -> bytes:
    from django.conf import settings

    return bytes(settings.ZHENGWU_DATA_KEY)


def encrypt_text(value: str) -> str:
    """Encrypt a text value for storage: `sm4g1:` + base64 envelope."""
    blob = sm4_encrypt(derive_key(_master_key(), "field-encryption"), value.encode())
    return ENVELOPE_PREFIX + base64.b64encode(blob).decode()


def decrypt_text(stored: str) -> str:
    if not stored.startswith(ENVELOPE_PREFIX):
        raise ApplicationError(CoreError.CRYPTO_FAILURE, "存储的数据不是有效的加密格式。")
    blob = base64.b64decode(stored[len(ENVELOPE_PREFIX) :])
    return sm4_decrypt(derive_key(_master_key(), "field-encryption"), blob).decode()


def blind_index(value: str, *, purpose: str) -> str:
    """SM3-HMAC of the normalised value: lets an encrypted column be searched by exact match."""
    normalised = value.strip().upper()
    if not normalised:
        return ""
    return sm3_hmac_hex(derive_key(_master_key(), "blind-index:" + purpose, 32), normalised)


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
