"""Files of the documents app, under `<ZHENGWU_DATA_DIR>/media/documents/` (paths stored relative)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings


def root() -> Path:
    return Path(settings.DATA_DIR) / "media" / "documents"


def full_path(relative: str) -> Path:
    base = root().resolve()
    path = (base / relative).resolve()
    if base not in path.parents:
        raise ValueError(f"{relative!r} is outside the documents directory")
    return path


def store(relative: str, content: bytes) -> str:
    """Write `content` at `relative` (atomically: a temporary file renamed into place)."""
    path = full_path(relative)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_bytes(content)
    temporary.replace(path)
    return relative


def read(relative: str) -> bytes:
    return full_path(relative).read_bytes()
