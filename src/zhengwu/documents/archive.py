"""The archive package (归档) of a finished received document: one zip holding the sealed PDF and
its seal, the attachments, and `record.json` (the document's elements, every version with its
diff, the reviews, the signing, the receipt and handling record), with `manifest.json` listing the
SM3 digest of every other file in the package.
"""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

from zhengwu.core.crypto import sm3_hex
from zhengwu.documents import storage
from zhengwu.documents.models import Delivery


def _time(value: Any) -> str:
    return value.isoformat() if value else ""


def record_of(delivery: Delivery) -> dict[str, Any]:
    document = delivery.document
    versions = list(document.versions.order_by("number"))
    return {
        "document": {
            "number": document.number,
            "title": document.title,
            "kind": document.kind,
            "issuer": document.department.name,
            "issuer_credit_code": document.department.credit_code,
            "signer": document.signer_name,
            "signed_at": _time(document.signed_at),
            "written_on": _time(document.written_on),
            "issued_at": _time(document.issued_at),
            **document.content(),
        },
        "versions": [
            {
                "number": v.number,
                "note": v.note,
                "created_at": _time(v.created_at),
                "diff": v.diff(versions[i - 1] if i else None),
            }
            for i, v in enumerate(versions)
        ],
        "reviews": [
            {
                "version": r.version,
                "reviewer": r.reviewer.real_name,
                "decision": r.decision,
                "comment": r.comment,
                "at": _time(r.created_at),
            }
            for r in document.reviews.select_related("reviewer")
        ],
        "receipt": {
            "department": delivery.department.name,
            "role": delivery.role,
            "delivered_at": _time(delivery.delivered_at),
            "signed_at": _time(delivery.signed_at),
            "signed_by": delivery.signed_by.real_name if delivery.signed_by else "",
            "receipt_number": delivery.receipt_number,
            "registered_at": _time(delivery.registered_at),
            "reviewed_at": _time(delivery.reviewed_at),
            "proposal": delivery.proposal,
            "instruction": delivery.instruction,
            "instructed_by": delivery.instructed_by.real_name if delivery.instructed_by else "",
            "instructed_at": _time(delivery.instructed_at),
            "deadline": _time(delivery.deadline),
            "done_at": _time(delivery.done_at),
            "answer": delivery.answer,
        },
        "handlers": [
            {
                "user": h.user.real_name,
                "role": h.role,
                "deadline": _time(h.deadline),
                "done_at": _time(h.done_at),
                "note": h.note,
            }
            for h in delivery.handlers.select_related("user")
        ],
        "readings": [
            {"user": r.user.real_name, "read_at": _time(r.read_at)} for r in delivery.readings.select_related("user")
        ],
        "urgings": [
            {"by": u.by.real_name if u.by else "", "message": u.message, "at": _time(u.created_at)}
            for u in delivery.urgings.select_related("by")
        ],
    }


def build(delivery: Delivery) -> bytes:
    document = delivery.document
    files: dict[str, bytes] = {}
    if document.file_path:
        files["document.pdf"] = storage.read(document.file_path)
    if document.seal_path:
        files["document.pdf.seal.json"] = storage.read(document.seal_path)
    for attachment in document.attachments.order_by("position"):
        files[f"attachments/{attachment.position}-{attachment.name}"] = storage.read(attachment.path)
    files["record.json"] = json.dumps(record_of(delivery), ensure_ascii=False, indent=2).encode("utf-8")
    manifest = {
        "number": document.number,
        "department": delivery.department.name,
        "digest_algorithm": "SM3",
        "files": [{"name": name, "size": len(data), "sm3": sm3_hex(data)} for name, data in sorted(files.items())],
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in sorted(files.items()):
            package.writestr(name, data)
        package.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2))
    return buffer.getvalue()


def check(package: bytes) -> bool:
    """Every file listed in the manifest is there with its SM3 digest."""
    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        return all(sm3_hex(archive.read(f["name"])) == f["sm3"] for f in manifest["files"])
