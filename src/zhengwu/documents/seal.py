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
    joint_seals       (joint documents only) each co-issuing agency's seal, an object of the same
                      keys over the same digest, in the order the agencies stand
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


def seal(
    department: Department, content: bytes, *, number: str, joint: list[Department] | None = None
) -> dict[str, Any]:
    """Sign `content` (the PDF) with the department's active key (made by the platform on first use).

    A joint document (联合行文) carries each co-issuing agency's own seal over the same digest under
    `joint_seals`, in order; the lead agency's signature covers them too."""
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
    if joint:
        data["joint_seals"] = [seal(agency, content, number=number) for agency in joint]
    data["signature"] = sm2_sign(key.private_key, key.public_key, _canonical(data))
    return data


def dumps(seal_data: dict[str, Any]) -> bytes:
    return json.dumps(seal_data, ensure_ascii=False, indent=2, sort_keys=True).encode("utf-8")


@dataclass(frozen=True)
class Verdict:
    valid: bool
    reason: str
    seal: dict[str, Any]


def _problem(content: bytes, data: Any) -> str:
    """Why one seal does not hold for `content`, or "" when it holds (digest, signature, key)."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        return "不是本平台的电子公文印章文件。"
    if data.get("algorithm") != ALGORITHM:
        return "不支持的签名算法。"
    if signing.fingerprint(str(data["public_key"])) != data.get("key_fingerprint"):
        return "公钥与指纹不符。"
    if sm3_hex(content) != data.get("digest"):
        return "文件内容已被改动：SM3 摘要与印章不符。"
    if not sm2_verify(str(data["public_key"]), _canonical(data), str(data.get("signature", ""))):
        return "签名无效。"
    return ""


def verify(content: bytes, seal_bytes: bytes) -> Verdict:
    """Does the seal hold for these bytes, and, on a joint document, every co-issuer's seal too?"""
    try:
        data = json.loads(seal_bytes.decode("utf-8"))
        if problem := _problem(content, data):
            return Verdict(False, problem, data if isinstance(data, dict) else {})
        sealed_by = [data]
        for joint in data.get("joint_seals", []):
            if problem := _problem(content, joint):
                name = joint.get("department", "联署机关") if isinstance(joint, dict) else "联署机关"
                return Verdict(False, f"{name}的印章无效：{problem}", data)
            sealed_by.append(joint)
    except (ValueError, KeyError, TypeError, UnicodeDecodeError, AttributeError):
        return Verdict(False, "印章文件无法读取。", {})
    names = "、".join(f"{s['department']}（{s['credit_code']}）" for s in sealed_by)
    return Verdict(True, f"印章有效：{names}签章，发文字号 {data['number']}。", data)


def key_is_published(seal_data: dict[str, Any]) -> bool:
    """Each seal's key (the lead's and any co-issuer's) is, or was, the signing key this platform
    published for that department."""
    from zhengwu.certificates.models import IssuerKey

    return all(
        IssuerKey.objects.filter(
            department__credit_code=one.get("credit_code", ""), public_key=str(one.get("public_key", ""))
        ).exists()
        for one in [seal_data, *seal_data.get("joint_seals", [])]
    )
