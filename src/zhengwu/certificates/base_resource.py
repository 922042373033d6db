"""Writing certificates into the 电子证照 base resource of the exchange (电子证照目录信息).

The base resource is the catalog's `电子证照目录信息` (key item `license_number`), provided by
the 政务服务和数字化建设管理局 and published by the catalog. Each issue or revocation upserts one
record through the exchange's own loader (`exchange.store.ingest.ingest_file`, mode "upsert", actor
None = the platform), so the record is validated and logged like any other load, and a later
application can reuse the certificate through the exchange (once-only, 免证办).

The write is best effort: when the resource is not catalogued/published (a fresh install) or the
loader refuses the record, the certificate stays issued, `base_synced_at` stays empty, and the
reason is returned for the audit record; `certificates_resync` (demo and command line) can write
it later.
"""

from __future__ import annotations

import json
import logging
import tempfile
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from zhengwu.catalog.models import Resource
from zhengwu.certificates.models import Certificate
from zhengwu.core.actors import Actor
from zhengwu.core.errors import ApplicationError
from zhengwu.exchange.store.ingest import ingest_file
from zhengwu.exchange.store.models import LoadJob
from zhengwu.exchange.store.tables import STRUCTURED_FORMATS, get_record

logger = logging.getLogger(__name__)

BASE_RESOURCE_NAME = "电子证照目录信息"
BASE_STATUS = {"valid": "有效", "revoked": "注销", "expired": "过期"}


def base_resource() -> Resource | None:
    return (
        Resource.objects.filter(
            name=BASE_RESOURCE_NAME,
            state=Resource.State.PUBLISHED,
            revision_of__isnull=True,
            format_class__in=STRUCTURED_FORMATS,
        )
        .order_by("pk")
        .first()
    )


def base_record(certificate: Certificate) -> dict[str, str]:
    status = BASE_STATUS[certificate.state_code]
    return {
        "license_number": certificate.identifier,
        "license_type": certificate.certificate_type.name,
        "holder_name": certificate.holder_name,
        "holder_code": certificate.holder_code,
        "issuer": certificate.issuer.name,
        "issued_on": certificate.issued_on.isoformat(),
        "valid_until": certificate.valid_until.isoformat() if certificate.valid_until else "",
        "status": status,
    }


def missing_from_base(certificates: list[Certificate]) -> list[Certificate]:
    """Those whose record in the base resource is absent or shows another state (e.g. after the
    base records demo replaced the resource's rows)."""
    resource = base_resource()
    if resource is None:
        return list(certificates)
    missing = []
    for certificate in certificates:
        row = get_record(resource, certificate.identifier)
        if row is None or row.get("status") != BASE_STATUS[certificate.state_code]:
            missing.append(certificate)
    return missing


def write_to_base(certificates: list[Certificate]) -> str:
    """Upsert the certificates' records; "" when written, else why not (in Chinese)."""
    if not certificates:
        return ""
    resource = base_resource()
    if resource is None:
        return f"未找到已发布的“{BASE_RESOURCE_NAME}”资源，未写入电子证照库。"
    codes = set(resource.items.values_list("code", flat=True))
    records = [{k: v for k, v in base_record(c).items() if k in codes} for c in certificates]
    with tempfile.TemporaryDirectory(prefix="zhengwu-certificates-") as folder:
        path = Path(folder) / "certificates.json"
        path.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
        try:
            with transaction.atomic():
                result = ingest_file(
                    actor=Actor.platform(),
                    resource=resource,
                    path=path,
                    mode=LoadJob.Mode.UPSERT,
                    file_name=f"电子证照签发-{certificates[0].identifier}"[:200],
                    source=LoadJob.Source.COMMAND,
                )
        except ApplicationError as error:
            logger.warning("certificates not written to the base resource: %s", error.message)
            return error.message
    if not result.ok:
        details = "；".join(str(e.get("message", "")) for e in result.errors[:3])
        logger.warning("certificates not written to the base resource: %s %s", result.message, details)
        return f"{result.message} {details}".strip()
    now = timezone.now()
    for certificate in certificates:
        Certificate.objects.filter(pk=certificate.pk).update(base_synced_at=now, base_state=certificate.state_code)
    return ""
