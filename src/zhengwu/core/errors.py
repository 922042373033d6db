"""The one error type of zhengwu (docs/design.md rule 3).

Services raise `ApplicationError(code, message, fields)`. The API renders it as
`{"code", "message", "fields"}`; HTML views render a friendly page. Codes are members of a
per-app `ErrorCode` enum (a `StrEnum`), so machines can rely on them.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any


class CoreError(StrEnum):
    INVALID_INPUT = "core.invalid_input"
    INVALID_RESIDENT_ID = "core.invalid_resident_id"
    INVALID_CREDIT_CODE = "core.invalid_credit_code"
    INVALID_REGION_CODE = "core.invalid_region_code"
    NOT_FOUND = "core.not_found"
    PERMISSION_DENIED = "core.permission_denied"
    NOT_AUTHENTICATED = "core.not_authenticated"
    CONFLICT = "core.conflict"
    WRONG_ZONE = "core.wrong_zone"
    CRYPTO_FAILURE = "core.crypto_failure"
    KEY_ROTATION_RUNNING = "core.key_rotation_running"  # another `keys rotate-data-key` holds the lock
    KEY_MISSING = "core.key_missing"  # a key a rotation needs is not in the keyring


# HTTP status for codes that are not plain "bad input" (400).
STATUS_BY_CODE: dict[str, int] = {
    CoreError.NOT_FOUND: 404,
    CoreError.PERMISSION_DENIED: 403,
    CoreError.NOT_AUTHENTICATED: 401,
    CoreError.CONFLICT: 409,
    CoreError.WRONG_ZONE: 404,
    CoreError.KEY_ROTATION_RUNNING: 409,
}


class ApplicationError(Exception):
    """A failure a user or a calling system can act on. `message` is Chinese, for people."""

    def __init__(
        self,
        code: StrEnum,
        message: str,
        fields: dict[str, str] | None = None,
        *,
        status: int | None = None,
    ) -> None:
        super().__init__(message)
        self.code: StrEnum = code
        self.message = message
        self.fields = dict(fields or {})
        self.status = status or STATUS_BY_CODE.get(self.code, 400)

    def as_dict(self) -> dict[str, Any]:
        return {"code": str(self.code), "message": self.message, "fields": self.fields}

    def __repr__(self) -> str:
        return f"ApplicationError({str(self.code)!r}, {self.message!r}, {self.fields!r})"


def not_found(what: str = "记录") -> ApplicationError:
    return ApplicationError(CoreError.NOT_FOUND, f"{what}不存在或您无权查看。")


def permission_denied(message: str = "您没有执行此操作的权限。") -> ApplicationError:
    return ApplicationError(CoreError.PERMISSION_DENIED, message)


def from_validation_error(error: Any) -> ApplicationError:
    """Turn a Django ValidationError (from full_clean) into an ApplicationError."""
    fields: dict[str, str] = {}
    if hasattr(error, "message_dict"):
        for name, messages in error.message_dict.items():
            fields[name] = "；".join(str(m) for m in messages)
    message = "；".join(fields.values()) if fields else "；".join(str(m) for m in getattr(error, "messages", [error]))
    return ApplicationError(CoreError.INVALID_INPUT, message or "输入有误。", fields)


def clean(instance: Any, exclude: list[str] | None = None) -> None:
    """`instance.full_clean()`, its ValidationError turned into the one error type (field by field)."""
    from django.core.exceptions import ValidationError

    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as error:
        raise from_validation_error(error) from None


def required_text(value: str | None, *, field: str, what: str, code: StrEnum, max_length: int = 2000) -> str:
    """`value` stripped; refused when empty or longer than `max_length`, naming the field and the limit."""
    text = (value or "").strip()
    if not text:
        raise ApplicationError(code, f"请填写{what}。", {field: "必填"})
    if len(text) > max_length:
        raise ApplicationError(
            code, f"{what}不能超过 {max_length} 个字（现有 {len(text)} 个）。", {field: f"不能超过 {max_length} 个字"}
        )
    return text


def clause(text: str) -> str:
    """`text` without its closing punctuation, to be set inside a sentence that ends with its own
    (a reason typed as "材料不全。" inside "……：{reason}。" showed "。。")."""
    return (text or "").strip().rstrip("。.；;，,、 ")
