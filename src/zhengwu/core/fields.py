"""Model fields of the bottom layer."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from zhengwu.core.crypto import decrypt_text, encrypt_text, is_envelope


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
        if isinstance(value, str) and is_envelope(value):
            return decrypt_text(value)
        return value

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt_text(str(value))


def user_fk(
    verbose_name: str | None = None,
    *,
    on_delete: Any = models.PROTECT,
    related_name: str = "+",
    null: bool = True,
    blank: bool | None = None,
) -> models.ForeignKey[Any, Any]:
    """A link to a person (`settings.AUTH_USER_MODEL`): who did something, who holds something.

    Optional by default (blank with null unless `blank` says otherwise), kept when the person is kept
    (PROTECT), no reverse accessor unless `related_name` names one: the declaration the models
    repeated field by field. Without `verbose_name` Django derives it from the field's name."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=null,
        blank=null if blank is None else blank,
        on_delete=on_delete,
        related_name=related_name,
        verbose_name=verbose_name,
    )
