"""Files an app keeps under `<ZHENGWU_DATA_DIR>/media/<name>/` (paths stored relative to it)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings


class MediaDirectory:
    def __init__(self, name: str) -> None:
        self.name = name

    def root(self) -> Path:
        return Path(settings.DATA_DIR) / "media" / self.name

    def full_path(self, relative: str) -> Path:
        base = self.root().resolve()
        path = (base / relative).resolve()
        if base not in path.parents:
            raise ValueError(f"{relative!r} is outside the {self.name} directory")
        return path

    def store(self, relative: str, content: bytes) -> str:
        """Write `content` at `relative` (atomically: a temporary file renamed into place)."""
        path = self.full_path(relative)
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(path.name + ".tmp")
        temporary.write_bytes(content)
        temporary.replace(path)
        return relative

    def read(self, relative: str) -> bytes:
        return self.full_path(relative).read_bytes()
