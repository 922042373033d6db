"""Files chosen on an application form, kept when the form comes back with an error.

A browser cannot put a chosen file back into a file input, so after an error every file had to
be chosen again. Instead the files that passed the upload checks (`check_upload`) are kept on
the server as pending uploads of this session and form (ZHENGWU_DATA_DIR/pending-uploads, named by
a random token; the session holds the name, type and token), shown as already attached, and used
when the form is sent again without a new file for that material. A successful submission removes
them; files left by abandoned sessions are removed after `KEEP_HOURS`.

One mechanism serves both forms that take files: an item's form (`ApplyForm`, files by material
id) and a 一件事's one form (`BundleApplyForm`, files by the union material's index). Each names
the material a file is checked as (`PendingUploads.materials`).
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.http import HttpRequest

from zhengwu.core.errors import ApplicationError
from zhengwu.eservices.bundling import UnionForm
from zhengwu.eservices.models import Bundle, ItemMaterial, ServiceItem
from zhengwu.eservices.services.uploads import Upload, check_upload

KEEP_HOURS = 24


def _dir() -> Path:
    path = Path(settings.DATA_DIR) / "pending-uploads"
    path.mkdir(parents=True, exist_ok=True)
    return path


@dataclass(frozen=True)
class PendingUploads:
    """The kept files of one form in one session: `key` names the form in the session and
    `materials` maps the form's file slots (`file_<slot>`) to the material each is checked as."""

    request: HttpRequest
    key: str
    materials: Mapping[int, ItemMaterial]

    @classmethod
    def of_item(cls, request: HttpRequest, item: ServiceItem) -> PendingUploads:
        return cls(request, f"esvc_pending:{item.pk}", {m.pk: m for m in item.materials.all()})

    @classmethod
    def of_bundle(cls, request: HttpRequest, bundle: Bundle, union: UnionForm) -> PendingUploads:
        """A bundle's slots are its union materials; a file is checked as the first item's material
        of that name (the checks do not depend on the item)."""
        by_id = {m.pk: m for item in union.items for m in item.materials.all()}
        slots = {u.index: by_id[u.material_ids[0]] for u in union.materials if not u.fetched and u.material_ids}
        return cls(request, f"esvc_pending:bundle:{bundle.pk}", slots)

    def _entries(self) -> dict[str, dict[str, Any]]:
        entries = self.request.session.get(self.key) or {}
        return {
            k: v
            for k, v in entries.items()
            if int(k) in self.materials and (_dir() / str(v.get("token", ""))).is_file()
        }

    def names(self) -> dict[int, str]:
        """Slot → file name of the files kept for this form in this session."""
        return {int(k): str(v["name"]) for k, v in self._entries().items()}

    def load(self) -> dict[int, Upload]:
        return {
            int(k): Upload(name=v["name"], content=(_dir() / v["token"]).read_bytes(), content_type=v["content_type"])
            for k, v in self._entries().items()
        }

    def keep(self, uploads: dict[int, Upload]) -> dict[int, str]:
        """Keep the acceptable files of `uploads` (a new file replaces the kept one); returns `names`."""
        _sweep()
        entries = self._entries()
        for slot, upload in uploads.items():
            material = self.materials.get(slot)
            if material is None:
                continue
            try:
                name, content_type = check_upload(material, upload)
            except ApplicationError:
                continue  # the form says what is wrong with it; nothing is kept
            token = secrets.token_hex(16)
            (_dir() / token).write_bytes(upload.content)
            old = entries.get(str(slot))
            if old:
                (_dir() / old["token"]).unlink(missing_ok=True)
            entries[str(slot)] = {"name": name, "content_type": content_type, "token": token}
        self.request.session[self.key] = entries
        return self.names()

    def clear(self) -> None:
        for entry in (self.request.session.pop(self.key, None) or {}).values():
            (_dir() / str(entry.get("token", ""))).unlink(missing_ok=True)


def _sweep() -> None:
    limit = time.time() - KEEP_HOURS * 3600
    for path in _dir().iterdir():
        if path.is_file() and path.stat().st_mtime < limit:
            path.unlink(missing_ok=True)
