"""Files chosen on the application form, kept when the form comes back with an error.

A browser cannot put a chosen file back into a file input, so after an error every file had to
be chosen again. Instead the files that passed the upload checks (`check_upload`) are kept on
the server as pending uploads of this session and item (ZHENGWU_DATA_DIR/pending-uploads, named by
a random token; the session holds the name, type and token), shown as already attached, and used
when the form is sent again without a new file for that material. A successful submission removes
them; files left by abandoned sessions are removed after `KEEP_HOURS`.
"""

from __future__ import annotations

import secrets
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.http import HttpRequest

from zhengwu.core.errors import ApplicationError
from zhengwu.eservices.models import ServiceItem
from zhengwu.eservices.services.uploads import Upload, check_upload

KEEP_HOURS = 24


def _dir() -> Path:
    path = Path(settings.DATA_DIR) / "pending-uploads"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _key(item: ServiceItem) -> str:
    return f"esvc_pending:{item.pk}"


def _entries(request: HttpRequest, item: ServiceItem) -> dict[str, dict[str, Any]]:
    entries = request.session.get(_key(item)) or {}
    return {k: v for k, v in entries.items() if (_dir() / str(v.get("token", ""))).is_file()}


def names(request: HttpRequest, item: ServiceItem) -> dict[int, str]:
    """Material id → file name of the files kept for this item in this session."""
    return {int(k): str(v["name"]) for k, v in _entries(request, item).items()}


def load(request: HttpRequest, item: ServiceItem) -> dict[int, Upload]:
    return {
        int(k): Upload(name=v["name"], content=(_dir() / v["token"]).read_bytes(), content_type=v["content_type"])
        for k, v in _entries(request, item).items()
    }


def keep(request: HttpRequest, item: ServiceItem, uploads: dict[int, Upload]) -> dict[int, str]:
    """Keep the acceptable files of `uploads` (a new file replaces the kept one); returns `names`."""
    _sweep()
    entries = _entries(request, item)
    materials = {m.pk: m for m in item.materials.all()}
    for material_id, upload in uploads.items():
        material = materials.get(material_id)
        if material is None:
            continue
        try:
            name, content_type = check_upload(material, upload)
        except ApplicationError:
            continue  # the form says what is wrong with it; nothing is kept
        token = secrets.token_hex(16)
        (_dir() / token).write_bytes(upload.content)
        old = entries.get(str(material_id))
        if old:
            (_dir() / old["token"]).unlink(missing_ok=True)
        entries[str(material_id)] = {"name": name, "content_type": content_type, "token": token}
    request.session[_key(item)] = entries
    return names(request, item)


def clear(request: HttpRequest, item: ServiceItem) -> None:
    for entry in (request.session.pop(_key(item), None) or {}).values():
        (_dir() / str(entry.get("token", ""))).unlink(missing_ok=True)


def _sweep() -> None:
    limit = time.time() - KEEP_HOURS * 3600
    for path in _dir().iterdir():
        if path.is_file() and path.stat().st_mtime < limit:
            path.unlink(missing_ok=True)
