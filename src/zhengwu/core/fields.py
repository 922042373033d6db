"""Model fields of the bottom layer."""

from __future__ import annotations

from typing import Any

from django.db import models

from zhengwu.core.crypto import ENVELOPE_PREFIX, decrypt_text, encrypt_text


class EncryptedTextField(models.TextField):
    """A text column stored SM4-encrypted; Python code sees the clear text.

    It cannot be filtered on: pair it with a blind-index column (core.crypto.blind_index) for
    exact lookup.
    """

    description = "SM4 加密文本"

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        return decrypt_text(value)

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str) and value.startswith(ENVELOPE_PREFIX):
            return decrypt_text(value)
        return value

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt_text(str(value))
