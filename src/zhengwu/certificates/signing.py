"""What an issuer signs, and how (SM2 with SM3, GM/T 0009; keys in `IssuerKey`).

The signed message is the UTF-8 encoding of a canonical JSON object:

    json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))

with exactly these keys (all values strings; `data` an object of strings):

    identifier     the full 证照标识 (1.2.156.3005.2.…)
    type_code      证照类型代码 (21 characters)
    type_name      证照名称
    issuer_code    颁发机构 unified social credit code
    issuer_name    颁发机构 name
    holder_kind    "person" | "organisation"
    holder_name    持证主体名称
    holder_code    公民身份号码 or 统一社会信用代码
    data           the 照面信息 items, {code: value}
    issued_on      YYYY-MM-DD
    valid_until    YYYY-MM-DD, or "" for 长期有效
    key            the signing key's fingerprint (first 16 hex of SM3 over the public key)

The status (revoked or not) is not signed: it changes after issue and is checked against the
platform's register. The signature is 128 hex characters (r | s), verified with the issuer's
public key published on the verify page (`/verify/<identifier>`).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from zhengwu.core.crypto import sm2_generate_keypair, sm2_sign, sm2_verify, sm3_hex

if TYPE_CHECKING:
    from zhengwu.certificates.models import Certificate


def fingerprint(public_key: str) -> str:
    return sm3_hex(public_key.lower())[:16]


def canonical_payload(certificate: Certificate) -> dict[str, object]:
    return {
        "identifier": certificate.identifier,
        "type_code": certificate.certificate_type.code,
        "type_name": certificate.certificate_type.name,
        "issuer_code": certificate.issuer.credit_code,
        "issuer_name": certificate.issuer.name,
        "holder_kind": certificate.holder_kind,
        "holder_name": certificate.holder_name,
        "holder_code": certificate.holder_code,
        "data": certificate.data,
        "issued_on": certificate.issued_on.isoformat(),
        "valid_until": certificate.valid_until.isoformat() if certificate.valid_until else "",
        "key": certificate.issuer_key.fingerprint,
    }


def canonical_bytes(certificate: Certificate) -> bytes:
    text = json.dumps(canonical_payload(certificate), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return text.encode("utf-8")


def sign(certificate: Certificate) -> str:
    key = certificate.issuer_key
    return sm2_sign(key.private_key, key.public_key, canonical_bytes(certificate))


def signature_valid(certificate: Certificate) -> bool:
    return sm2_verify(certificate.issuer_key.public_key, canonical_bytes(certificate), certificate.signature)


def new_keypair() -> tuple[str, str]:
    """(private_key, public_key) hex of a fresh SM2 key pair."""
    pair = sm2_generate_keypair()
    return pair.private_key, pair.public_key
