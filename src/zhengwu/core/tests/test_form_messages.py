"""Every message a form shows names the field and the limit, in Chinese (core/form_messages.py).

The walk imports every module of the project that may define a form and checks every field of
every Form class: a value over each of its limits (length, value) and an empty required value
give a Chinese message that carries the field's label and, for a limit, the limit itself.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from typing import Any

import pytest
from django import forms
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.forms.forms import BaseForm

import zhengwu
from zhengwu.accounts.models import User
from zhengwu.core.form_messages import label_of, named

CHINESE = re.compile(r"[\u4e00-\u9fff]")
SKIP_MODULES = ("tests", "migrations", "management", "conftest", "settings", "wsgi", "asgi", "cli", "__main__")


def _project_forms() -> list[type[BaseForm]]:
    for info in pkgutil.walk_packages(zhengwu.__path__, "zhengwu."):
        parts = info.name.split(".")
        if any(part in SKIP_MODULES or part.startswith("test") for part in parts):
            continue
        if parts[-1] in {"forms", "views", "workbench_views"} or info.ispkg:
            importlib.import_module(info.name)
    found: list[type[BaseForm]] = []
    stack: list[type] = [BaseForm]
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        if cls.__module__.startswith("zhengwu.") and ".tests" not in cls.__module__:
            found.append(cls)
    return sorted(set(found), key=lambda c: f"{c.__module__}.{c.__qualname__}")


FORMS = _project_forms()


def _messages(field: forms.Field, name: str, value: Any) -> list[str]:
    try:
        field.clean(value)
    except ValidationError as error:
        return [str(m) for m in named(field, name, error).messages]
    return []


def _limits(field: forms.Field) -> list[tuple[str, Any, Any]]:
    """(what, limit, a value over it) for each limit of `field`."""
    out: list[tuple[str, Any, Any]] = []
    if isinstance(field, forms.CharField) and not isinstance(field, forms.ChoiceField):
        if field.max_length is not None:
            out.append(("max_length", field.max_length, "字" * (field.max_length + 1)))
        if field.min_length and field.min_length > 1:
            out.append(("min_length", field.min_length, "字" * (field.min_length - 1)))
    if isinstance(field, forms.IntegerField | forms.DecimalField | forms.FloatField):
        if field.max_value is not None:
            out.append(("max_value", field.max_value, field.max_value + 1))
        if field.min_value is not None:
            out.append(("min_value", field.min_value, field.min_value - 1))
    return out


def test_the_walk_finds_the_forms() -> None:
    names = {c.__name__ for c in FORMS}
    assert len(FORMS) >= 20, names  # every app's forms, not a handful


@pytest.mark.parametrize("form_class", FORMS, ids=lambda c: f"{c.__module__.removeprefix('zhengwu.')}.{c.__name__}")
def test_every_field_message_names_the_field_and_the_limit(form_class: type[BaseForm]) -> None:
    problems = []
    for name, field in form_class.base_fields.items():
        label = label_of(field, name)
        if not CHINESE.search(label):
            problems.append(f"{name}: no Chinese label ({label!r}), so no message can name it")
            continue
        for what, limit, value in _limits(field):
            messages = _messages(field, name, value)
            if not any(label in m and str(limit) in m and CHINESE.search(m) for m in messages):
                problems.append(f"{name} ({what} {limit}): {messages}")
        if field.required and not isinstance(field, forms.BooleanField):
            messages = _messages(field, name, "")
            if not any(label in m for m in messages):
                problems.append(f"{name} (required): {messages}")
    assert not problems, "\n".join(problems)


class Letter(forms.Form):
    title = forms.CharField(label="标题", max_length=100)
    day = forms.DateField(label="希望答复日期")
    count = forms.IntegerField(label="份数", min_value=1, max_value=10)

    def clean_title(self) -> str:
        value: str = self.cleaned_data["title"]
        if "广告" in value:
            raise ValidationError("标题不能含有广告。")  # our own message: kept as is
        return value


def test_a_bound_form_shows_the_named_messages() -> None:
    form = Letter({"title": "字" * 101, "day": "2026/13/07", "count": "11"})
    assert not form.is_valid()
    assert form.errors["title"] == ["标题不能超过 100 个字（现有 101 个）。"]
    assert form.errors["day"] == ["希望答复日期格式不对，请按 2026-12-07 填写。"]
    assert form.errors["count"] == ["份数不能大于 10。"]
    assert Letter({"title": "广告", "day": "2026-12-07", "count": "1"}).errors["title"] == ["标题不能含有广告。"]
    assert Letter({}).errors["title"] == ["请填写标题。"]


@pytest.mark.django_db
def test_password_messages_are_chinese_and_name_the_limit() -> None:
    user = User(username="zhangsan2026", real_name="张三")
    with pytest.raises(ValidationError) as short:
        validate_password("Ab1!", user)
    assert "密码至少要 10 个字符（现有 4 个）。" in short.value.messages
    with pytest.raises(ValidationError) as common:
        validate_password("password123", user)
    with pytest.raises(ValidationError) as similar:
        validate_password("Zhangsan2026!", user)
    assert "密码与用户名太相似，请换一个。" in similar.value.messages
    for error in (short.value, common.value, similar.value):
        for message in error.messages:
            assert CHINESE.search(message) and not re.search(r"[A-Za-z]{4,}", message), message


# --- aria-describedby points to ids that exist (includes/field.html) -------------------------------

DESCRIBED = re.compile(r'aria-describedby="([^"]+)"')
IDS = re.compile(r'\sid="([^"]+)"')


def dangling_descriptions(html: str) -> list[str]:
    """The ids named in aria-describedby that no element of `html` has."""
    ids = set(IDS.findall(html))
    return [ref for refs in DESCRIBED.findall(html) for ref in refs.split() if ref not in ids]


def _bound_with_errors(form_class: type[BaseForm]) -> BaseForm | None:
    try:
        form = form_class(data={})
    except TypeError:  # the form needs arguments of its view (a user, an item): covered by page tests
        return None
    form.is_valid()
    return form


@pytest.mark.django_db
def test_every_rendered_form_describes_with_ids_that_exist() -> None:
    from django.template.loader import render_to_string

    rendered = 0
    problems = []
    for form_class in FORMS:
        form = _bound_with_errors(form_class)
        if form is None:
            continue
        html = render_to_string("includes/form.html", {"form": form})
        rendered += 1
        for name in form.errors:
            if name in form.fields:  # each field error is described: the widget or its fieldset names it
                assert f"{form[name].auto_id}_error" in DESCRIBED.findall(html).__str__(), (form_class, name)
        problems += [f"{form_class.__name__}: {ref}" for ref in dangling_descriptions(html)]
    assert rendered >= 10
    assert not problems, problems


def test_the_check_finds_a_dangling_description() -> None:
    assert dangling_descriptions('<input aria-describedby="id_title_error"><p id="id_title-error">x</p>') == [
        "id_title_error"
    ]
