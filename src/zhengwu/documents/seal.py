"""The electronic seal (电子印章) of an issued document: a detached SM2 signature over the SM3 digest
of the PDF's bytes, by the issuing department's key (the certificates app's `IssuerKey`, reused).

The seal is a JSON object stored beside the PDF (`<file>.pdf.seal.json`):

    format            "zhengwu-document-seal/1"
    algorithm         "SM2-with-SM3" (GM/T 0009; the signature is r‖s, 128 hex characters)
    digest_algorithm  "SM3"
    digest            SM3 of the PDF's bytes, 64 hex characters
    department        the issuing department's name
    credit_code       its unified social credit code
    public_key        its SM2 public key (hex, uncompressed point without the 04 prefix)
    key_fingerprint   first 16 hex of SM3 over the public key
    number            the 发文字号
    signed_at         ISO 8601 time of sealing
    signature         SM2 signature over the canonical JSON of all the other keys

The canonical JSON is `json.dumps(obj, sort_keys=True, ensure_ascii=False, separators=(",", ":"))`
in UTF-8. Anyone holding the PDF and its seal file can check it with the department's published
public key (the verify page shows the platform's keys), with `zhengwu documents verify FILE`, or with
any SM2 implementation. Why not the ASN.1 structure of GB/T 38540: see docs/documents.md.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from zhengwu.accounts.models import Department
from zhengwu.certificates import signing
from zhengwu.certificates.services import issuer_key_for
from zhengwu.core.actors import Actor
from zhengwu.core.crypto import sm2_sign, sm2_verify, sm3_hex

FORMAT = "zhengwu-document-seal/1"
ALGORITHM = "SM2-with-SM3"


def _canonical(seal_data: dict[str, Any]) -> bytes:
    unsigned = {k: v for k, v in seal_data.items() if k != "signature"}
    return json.dumps(unsigned, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def seal(department: Department, content: bytes, *, number: str) -> dict[str, Any]:
    """Sign `content` (the PDF) with the department's active key (made by the platform on first use)."""
    key = issuer_key_for(actor=Actor.platform(), department=department)
    data: dict[str, Any] = {
        "format": FORMAT,
        "algorithm": ALGORITHM,
        "digest_algorithm": "SM3",
        "digest": sm3_hex(content),
        "department": department.name,
        "credit_code": department.credit_code,
        "public_key": key.public_key,
        "key_fingerprint": key.fingerprint,
        "number": number,
        "signed_at": timezone.now().isoformat(),
    }
    data["signature"] = sm2_sign(key.private_key, key.public_key, _canonical(data))
    return data


def dumps(seal_data: dict[str, Any]) -> bytes:
    return json.dumps(seal_data, ensure_ascii=False, indent=2, sort_keys=True).encode("utf-8")


@dataclass(frozen=True)
class Verdict:
    valid: bool
    reason: str
    seal: dict[str, Any]


def verify(content: bytes, seal_bytes: bytes) -> Verdict:
    """Does the seal hold for these bytes? (digest, then signature, then key fingerprint)."""
    try:
        data = json.loads(seal_bytes.decode("utf-8"))
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            return Verdict(False, "不是本平台的电子公文印章文件。", {})
        if data.get("algorithm") != ALGORITHM:
            return Verdict(False, "不支持的签名算法。", data)
        if signing.fingerprint(str(data["public_key"])) != data.get("key_fingerprint"):
            return Verdict(False, "公钥与指纹不符。", data)
        if sm3_hex(content) != data.get("digest"):
            return Verdict(False, "文件内容已被改动：SM3 摘要与印章不符。", data)
        if not sm2_verify(str(data["public_key"]), _canonical(data), str(data.get("signature", ""))):
            return Verdict(False, "签名无效。", data)
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        return Verdict(False, "印章文件无法读取。", {})
    return Verdict(
        True, f"印章有效：{data['department']}（{data['credit_code']}）签章，发文字号 {data['number']}。", data
    )


def key_is_published(seal_data: dict[str, Any]) -> bool:
    """The seal's key is (or was) the signing key this platform published for that department."""
    from zhengwu.certificates.models import IssuerKey

    return IssuerKey.objects.filter(
        department__credit_code=seal_data.get("credit_code", ""),
        public_key=str(seal_data.get("public_key", "")),
    ).exists()
