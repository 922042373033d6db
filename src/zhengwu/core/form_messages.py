"""Form messages a person can act on (docs/design.md rule "messages"): every message a form shows
names the field and, for a limit, the limit — "标题不能超过 100 个字", not Django's generic
"确保该变量包含不超过 100 字符".

Done once for every form of the project: `install()` (called by the core app at start-up) wraps
`BaseForm.add_error`, through which Django passes every field error (field cleaning, validators,
`clean_<field>`, model validation). An error whose message is one of Django's own stock texts is
rewritten by its code with the field's label (`named`); a message our code wrote is kept as is.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from django import forms
from django.core import validators
from django.core.exceptions import ValidationError
from django.forms.forms import BaseForm
from django.utils import translation

# code → the message; `{label}` is the field's label, the other names are the error's params
# (`{count}`: "（现有 N 个）" where Django says how many there are).
TEMPLATES: dict[str, str] = {
    "max_length": "{label}不能超过 {limit_value} 个字{count}。",
    "min_length": "{label}至少要 {limit_value} 个字{count}。",
    "max_value": "{label}不能大于 {limit_value}。",
    "min_value": "{label}不能小于 {limit_value}。",
    "step_size": "{label}须是 {limit_value} 的整数倍。",
    "max_digits": "{label}最多 {max} 位数字。",
    "max_decimal_places": "{label}最多 {max} 位小数。",
    "max_whole_digits": "{label}的整数部分最多 {max} 位。",
    "invalid_choice": "{label}的选项无效，请重新选择。",
    "invalid_list": "{label}的选项无效，请重新选择。",
    "empty": "{label}是空文件，请重新上传。",
    "missing": "没有收到{label}的文件，请重新上传。",
    "contradiction": "{label}：请上传文件或勾选清除，不能同时选。",
    "null_characters_not_allowed": "{label}含有不允许的空字符。",
}
FILE_TEMPLATES = {"max_length": "{label}的文件名不能超过 {max} 个字{count}。", "required": "请上传{label}。"}
CHOICE_TEMPLATES = {"required": "请选择{label}。"}
REQUIRED = "请填写{label}。"


def _message(code: str, label: str, params: dict[str, Any], field: forms.Field) -> str | None:
    """The message for `code` on `field`, or None when we have none for it."""
    if isinstance(field, forms.FileField) and code in FILE_TEMPLATES:
        template = FILE_TEMPLATES[code]
    elif isinstance(field, forms.ChoiceField | forms.ModelChoiceField) and code in CHOICE_TEMPLATES:
        template = CHOICE_TEMPLATES[code]
    elif code == "required":
        template = REQUIRED
    elif code in TEMPLATES:
        template = TEMPLATES[code]
    else:
        return None
    shown = params.get("show_value", params.get("length"))
    values = {"limit_value": "", "max": "", **{k: v for k, v in params.items() if k not in {"label", "count"}}}
    return template.format(label=label, count=f"（现有 {shown} 个）" if shown is not None else "", **values)


INVALID: list[tuple[type[forms.Field], str]] = [
    (forms.DateTimeField, "{label}的格式不对，请按 2026-12-07 09:30 填写。"),
    (forms.DateField, "{label}格式不对，请按 2026-12-07 填写。"),
    (forms.TimeField, "{label}格式不对，请按 09:30 填写。"),
    (forms.EmailField, "{label}不是有效的电子邮箱地址。"),
    (forms.URLField, "{label}不是有效的网址。"),
    (forms.IntegerField, "{label}须是整数。"),
    (forms.DecimalField, "{label}须是数字。"),
    (forms.FloatField, "{label}须是数字。"),
    (forms.ImageField, "{label}不是有效的图片文件。"),
    (forms.FileField, "{label}不是有效的文件，请检查表单的编码类型。"),
    (forms.Field, "{label}的格式不对。"),
]


def _stock_messages() -> frozenset[str]:
    return _stock_in(translation.get_language() or "")


@cache
def _stock_in(language: str) -> frozenset[str]:
    """Django's own message templates (in the active language): the ones we rewrite."""
    texts: set[str] = set()
    classes: list[type] = [forms.Field]
    while classes:
        cls = classes.pop()
        classes.extend(cls.__subclasses__())
        if cls.__module__.startswith("django."):
            texts.update(str(m) for m in getattr(cls, "default_error_messages", {}).values())
    for name in dir(validators):
        value = getattr(validators, name)
        if isinstance(value, type) and hasattr(value, "message"):
            texts.add(str(value.message))
    texts.add(str(validators.ProhibitNullCharactersValidator.message))
    return frozenset(texts)


def label_of(field: forms.Field, name: str) -> str:
    label = str(field.label) if field.label else name
    return label.strip().rstrip("：:")


def named(field: forms.Field, name: str, error: ValidationError) -> ValidationError:
    """`error` (one or a list) with Django's stock messages rewritten to name the field and the limit."""
    stock = _stock_messages()
    label = label_of(field, name)
    out = []
    for item in error.error_list:
        template = str(item.message)
        code = item.code or ""
        if template in stock:
            message = _message(code, label, dict(item.params or {}), field)
            if message is not None:
                out.append(ValidationError(message, code=code))
                continue
            if code == "invalid" or code.startswith("invalid"):
                text = next(t for cls, t in INVALID if isinstance(field, cls))
                out.append(ValidationError(text.format(label=label), code=code))
                continue
        out.append(item)
    return ValidationError(out)


def _add_error(original: Callable[..., None]) -> Callable[..., None]:
    def add_error(self: BaseForm, field: str | None, error: Any) -> None:
        if not isinstance(error, ValidationError):
            error = ValidationError(error)
        if hasattr(error, "error_dict"):
            rewritten = {}
            for name, errors in error.error_dict.items():
                known = self.fields.get(name) if name != "__all__" else None
                rewritten[name] = named(known, name, ValidationError(errors)).error_list if known else errors
            error = ValidationError(rewritten)
        elif field is not None and field in self.fields:
            error = named(self.fields[field], field, error)
        original(self, field, error)

    add_error.__wrapped__ = original  # type: ignore[attr-defined]
    return add_error


def install() -> None:
    if not hasattr(BaseForm.add_error, "__wrapped__"):
        BaseForm.add_error = _add_error(BaseForm.add_error)  # type: ignore[method-assign]
