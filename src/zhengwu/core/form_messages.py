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


def _count(params: dict[str, Any], key: str) -> str:
    value = params.get(key)
    return f"（现有 {value} 个）" if value is not None else ""


# code → the message, from the field's label and the error's params. `label` never ends in "："
MESSAGES: dict[str, Callable[[str, dict[str, Any], forms.Field], str]] = {
    "required": lambda label, p, f: (
        f"请选择{label}。"
        if isinstance(f, forms.ChoiceField | forms.ModelChoiceField)
        else f"请上传{label}。"
        if isinstance(f, forms.FileField)
        else f"请填写{label}。"
    ),
    "max_length": lambda label, p, f: (
        f"{label}的文件名不能超过 {p.get('max')} 个字{_count(p, 'length')}。"
        if isinstance(f, forms.FileField)
        else f"{label}不能超过 {p.get('limit_value')} 个字{_count(p, 'show_value')}。"
    ),
    "min_length": lambda label, p, f: f"{label}至少要 {p.get('limit_value')} 个字{_count(p, 'show_value')}。",
    "max_value": lambda label, p, f: f"{label}不能大于 {p.get('limit_value')}。",
    "min_value": lambda label, p, f: f"{label}不能小于 {p.get('limit_value')}。",
    "step_size": lambda label, p, f: f"{label}须是 {p.get('limit_value')} 的整数倍。",
    "max_digits": lambda label, p, f: f"{label}最多 {p.get('max')} 位数字。",
    "max_decimal_places": lambda label, p, f: f"{label}最多 {p.get('max')} 位小数。",
    "max_whole_digits": lambda label, p, f: f"{label}的整数部分最多 {p.get('max')} 位。",
    "invalid_choice": lambda label, p, f: f"{label}的选项无效，请重新选择。",
    "invalid_list": lambda label, p, f: f"{label}的选项无效，请重新选择。",
    "empty": lambda label, p, f: f"{label}是空文件，请重新上传。",
    "missing": lambda label, p, f: f"没有收到{label}的文件，请重新上传。",
    "contradiction": lambda label, p, f: f"{label}：请上传文件或勾选清除，不能同时选。",
    "null_characters_not_allowed": lambda label, p, f: f"{label}含有不允许的空字符。",
}
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
            params = dict(item.params or {})
            if code in MESSAGES:
                out.append(ValidationError(MESSAGES[code](label, params, field), code=code))
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
