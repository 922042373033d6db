"""The one check of an uploaded file (docs/rules.md §5 “上传文件”): a type named by its content's
magic bytes, never by its extension alone; not empty; within a size limit. Service uploads
(eservices) and letter photos (participation) both go through it, each with its own list of types.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, NoReturn

from zhengwu.core.errors import ApplicationError


@dataclass(frozen=True)
class Upload:
    """A file as given by a form or the API (the bytes are read once)."""

    name: str
    content: bytes
    content_type: str = ""

    @classmethod
    def of(cls, value: Any) -> Upload:
        """A file a form received (a Django `UploadedFile`), its bytes read once."""
        return cls(name=value.name, content=value.read(), content_type=getattr(value, "content_type", "") or "")


@dataclass(frozen=True)
class FileType:
    """An accepted kind of file: its label, content type, extensions and magic-byte test."""

    label: str
    content_type: str
    extensions: tuple[str, ...]
    magics: tuple[bytes, ...]
    # WebP is a RIFF container: "RIFF", 4 size bytes, then "WEBP".
    riff_form: bytes = b""

    def matches(self, content: bytes) -> bool:
        if self.riff_form:
            return content[:4] == b"RIFF" and content[8:12] == self.riff_form
        return any(content.startswith(m) for m in self.magics)


PDF = FileType("PDF", "application/pdf", ("pdf",), (b"%PDF-",))
OFD = FileType("OFD", "application/ofd", ("ofd",), (b"PK\x03\x04",))
JPEG = FileType("JPG", "image/jpeg", ("jpg", "jpeg"), (b"\xff\xd8\xff",))
PNG = FileType("PNG", "image/png", ("png",), (b"\x89PNG\r\n\x1a\n",))
WEBP = FileType("WEBP", "image/webp", ("webp",), (), riff_form=b"WEBP")


@dataclass(frozen=True)
class FileProblem:
    """Why a file was refused: a sentence for people and a short note for the form field."""

    message: str
    field_note: str


def safe_name(name: str, limit: int = 200) -> str:
    """The file's own name without any directory part, cut to `limit` characters."""
    return (name or "").strip().replace("\\", "/").rsplit("/", 1)[-1][:limit]


def sniff(content: bytes, types: tuple[FileType, ...]) -> FileType | None:
    """The accepted type whose magic bytes `content` starts with, or None."""
    return next((t for t in types if t.matches(content)), None)


def check_file(
    name: str, content: bytes, types: tuple[FileType, ...], max_bytes: int, *, by_extension: bool = True
) -> FileType | FileProblem:
    """The file's type, or the problem with it. With `by_extension` the extension must name one of
    `types` and the content must match it (service materials); without, the content alone decides
    (photos: a phone may name a JPEG “image.heic.jpg” or nothing at all)."""
    labels = "、".join(dict.fromkeys(t.label for t in types))
    if not content:
        return FileProblem("文件为空。", "文件为空")
    if len(content) > max_bytes:
        return FileProblem(f"文件超过 {max_bytes // (1024 * 1024)} MB。", "文件过大")
    if by_extension:
        extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
        named = next((t for t in types if extension in t.extensions), None)
        if named is None:
            return FileProblem(f"仅接受 {labels} 文件。", "文件类型不支持")
        if not named.matches(content):
            return FileProblem(f"文件内容与扩展名 .{extension} 不符。", "文件内容与类型不符")
        return named
    found = sniff(content, types)
    if found is None:
        return FileProblem(f"仅接受 {labels} 文件（按文件内容判断）。", "文件类型不支持")
    return found


def raise_problem(problem: FileProblem, code: StrEnum, what: str, key: str) -> NoReturn:
    """Raise the app's error for `problem`, naming the material or photo (`what`) and the form field."""
    raise ApplicationError(code, f"“{what}”：{problem.message}", {key: problem.field_note})
