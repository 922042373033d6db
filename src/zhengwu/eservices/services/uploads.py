"""Files of 网上办事: the applicant's uploads and the materials fetched for them, checked and stored.

Materials carry a trust level (可信等级, `models.TrustLevel`), set here when they are stored: A for
what is fetched from a base through the exchange or from the 电子证照 base, C for the applicant's
uploads (B and D are not produced yet). Uploads are PDF/OFD/JPG/PNG whose content matches the
extension, at most 10 MB, stored with their SM3 digest.
"""

from __future__ import annotations

from collections.abc import Mapping

from zhengwu.core import uploads as files
from zhengwu.core.crypto import sm3_hex
from zhengwu.core.errors import ApplicationError
from zhengwu.core.uploads import Upload
from zhengwu.eservices.errors import EservicesError
from zhengwu.eservices.models import (
    Application,
    ApplicationMaterial,
    ItemMaterial,
    MaterialSource,
    ServiceItem,
    TrustLevel,
)
from zhengwu.eservices.services.common import json_value
from zhengwu.eservices.services.prefill import Prefill

MAX_FILE_BYTES = 10 * 1024 * 1024
# Allowed uploads, checked by core.uploads (extension and magic bytes must agree).
UPLOAD_TYPES = (files.PDF, files.OFD, files.JPEG, files.PNG)
# extension → (content type, magic prefixes), as the API documents them.
FILE_TYPES: dict[str, tuple[str, tuple[bytes, ...]]] = {
    extension: (kind.content_type, kind.magics) for kind in UPLOAD_TYPES for extension in kind.extensions
}


def check_upload(material: ItemMaterial, upload: Upload) -> tuple[str, str]:
    """(file name, content type) of an acceptable file, else an error naming the material."""
    name = files.safe_name(upload.name)
    checked = files.check_file(name, upload.content, UPLOAD_TYPES, MAX_FILE_BYTES)
    if isinstance(checked, files.FileProblem):
        files.raise_problem(checked, EservicesError.INVALID_FILE, material.name, f"materials.{material.pk}")
    return name, checked.content_type


def check_files(item: ServiceItem, files: Mapping[int, Upload]) -> None:
    known = {m.pk for m in item.materials.all()}
    if any(k not in known for k in files):
        raise ApplicationError(EservicesError.INVALID_INPUT, "上传的材料不属于本事项。", {"materials": "无效"})


def missing_materials(application: Application) -> dict[str, str]:
    """The required materials of the item the case has no current file or fetched record of."""
    have = set(application.materials.filter(current=True).values_list("material_id", flat=True))
    return {
        f"materials.{material.pk}": f"请提交“{material.name}”"
        for material in application.item.materials.all()
        if material.required and material.pk not in have
    }


def refuse_missing(missing: dict[str, str]) -> None:
    if missing:
        raise ApplicationError(EservicesError.MATERIAL_MISSING, "缺少必要材料：" + "；".join(missing.values()), missing)


def store_upload(application: Application, material: ItemMaterial, upload: Upload) -> ApplicationMaterial:
    name, content_type = check_upload(material, upload)
    return ApplicationMaterial.objects.create(
        application=application,
        material=material,
        file_name=name,
        content_type=content_type,
        size=len(upload.content),
        sm3=sm3_hex(upload.content),
        content=upload.content,
        # The applicant's own file (a scan or photo): nothing vouches for it but the applicant.
        trust_level=TrustLevel.C,
    )


def store_fetched(application: Application, material: ItemMaterial, prefill: Prefill) -> bool:
    """Store what `prefill` read for `material` (a base record or a held certificate); False when nothing."""
    if material.source == MaterialSource.BASE:
        got = prefill.records.get(material.base_resource_code)
        if got is None:
            return False
        ApplicationMaterial.objects.create(
            application=application,
            material=material,
            fetched=True,
            fetched_from=f"{got.provider}《{got.resource_name}》（{got.resource_code}）",
            fetched_data={k: json_value(v) for k, v in got.record.items()},
            sm3=sm3_hex(repr(sorted(got.record.items()))),
            # Read from the providing agency's base through the exchange.
            trust_level=TrustLevel.A,
        )
        return True
    certificate = prefill.certificates.get(material.pk)
    if certificate is None:
        return False
    identifier = str(getattr(certificate, "identifier", certificate))
    ApplicationMaterial.objects.create(
        application=application,
        material=material,
        fetched=True,
        fetched_from=f"电子证照库：{getattr(certificate, 'type_name', '') or material.name}（{identifier}）",
        fetched_data={"identifier": identifier},
        sm3=sm3_hex(identifier),
        # A valid certificate of the 电子证照 base, signed by its issuing agency.
        trust_level=TrustLevel.A,
    )
    return True
