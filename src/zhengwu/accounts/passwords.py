"""Password rules (等保 level 3): length, not common, not like the account, three of four character classes."""

from __future__ import annotations

import re
from typing import Any

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError

CLASSES = (
    (re.compile(r"[a-z]"), "小写字母"),
    (re.compile(r"[A-Z]"), "大写字母"),
    (re.compile(r"[0-9]"), "数字"),
    (re.compile(r"[^a-zA-Z0-9]"), "特殊字符"),
)


class ComplexityValidator:
    required = 3

    def validate(self, password: str, user: Any = None) -> None:
        present = sum(1 for pattern, _ in CLASSES if pattern.search(password))
        if present < self.required:
            raise ValidationError(
                "密码须包含大写字母、小写字母、数字、特殊字符中的至少三类。", code="password_too_simple"
            )

    def get_help_text(self) -> str:
        return "密码须包含大写字母、小写字母、数字、特殊字符中的至少三类。"


# Django's own validators, with messages in our words (Django's Chinese catalogue has no text for
# the length rule, which then showed in English, and names no limit).
class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    def validate(self, password: str, user: Any = None) -> None:
        if len(password) < self.min_length:
            raise ValidationError(
                f"密码至少要 {self.min_length} 个字符（现有 {len(password)} 个）。",
                code="password_too_short",
                params={"min_length": self.min_length},
            )

    def get_help_text(self) -> str:
        return f"密码至少 {self.min_length} 个字符。"


class CommonPasswordValidator(password_validation.CommonPasswordValidator):
    def validate(self, password: str, user: Any = None) -> None:
        try:
            super().validate(password, user)
        except ValidationError:
            raise ValidationError("密码太常见，容易被猜到，请换一个。", code="password_too_common") from None

    def get_help_text(self) -> str:
        return "密码不能是常见密码。"


class UserAttributeSimilarityValidator(password_validation.UserAttributeSimilarityValidator):
    NAMES = {"username": "用户名", "real_name": "姓名", "email": "电子邮箱", "mobile": "手机号码"}

    def validate(self, password: str, user: Any = None) -> None:
        try:
            super().validate(password, user)
        except ValidationError as error:
            field = (error.params or {}).get("verbose_name", "")
            name = next((label for attr, label in self.NAMES.items() if str(field) in {attr, _verbose(user, attr)}), "")
            raise ValidationError(
                f"密码与{name or '账号信息'}太相似，请换一个。", code="password_too_similar"
            ) from None

    def get_help_text(self) -> str:
        return "密码不能与用户名、姓名等账号信息相似。"


def _verbose(user: Any, attr: str) -> str:
    try:
        return str(user._meta.get_field(attr).verbose_name)
    except Exception:  # the user model has no such field
        return ""
