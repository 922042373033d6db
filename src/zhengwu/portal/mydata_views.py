"""The citizen's page 我的数据: see, export, ask for a correction of base data, close the account."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from zhengwu.accounts import selectors as account_selectors
from zhengwu.accounts import services as account_services
from zhengwu.accounts.models import User
from zhengwu.accounts.session import acting_user
from zhengwu.catalog.models import Resource
from zhengwu.core.actors import Actor
from zhengwu.core.downloads import XLSX, attachment
from zhengwu.core.errors import ApplicationError, not_found
from zhengwu.core.forms import Done, add_application_error, form_write
from zhengwu.exchange.sharing import fetch
from zhengwu.exchange.sharing import services as sharing_services
from zhengwu.portal import mydata


def _person(request: HttpRequest) -> User:
    user = acting_user(request)
    if user.kind == User.Kind.STAFF:
        raise not_found("页面")  # staff data is kept by the system administrator
    return user


def _base_items() -> list[tuple[str, str]]:
    base = Resource.objects.filter(code=fetch.PERSON_BASE, state=Resource.State.PUBLISHED).first()
    if base is None:
        return []
    return [(code, name) for code, name in base.items.order_by("position").values_list("code", "name")]


class CorrectionForm(forms.Form):
    field = forms.ChoiceField(label="有误的信息项", choices=())
    evidence = forms.CharField(
        label="正确内容及依据",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="写明正确的内容和依据（如户口簿、身份证），最多 2000 字；由提供该信息的部门核实更正。",
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["field"].choices = _base_items()  # type: ignore[attr-defined]


class CloseForm(forms.Form):
    password = forms.CharField(label="登录密码", widget=forms.PasswordInput, max_length=256)
    confirm = forms.BooleanField(label="我已了解：注销后不能再登录，账号中的个人信息将被清除，办件等记录依法保留。")


def _page(
    request: HttpRequest, user: User, correction: CorrectionForm, close: CloseForm, status: int = 200
) -> HttpResponse:
    context = {
        "account": user,
        "identity": account_selectors.identity_label(user),
        "sections": mydata.sections_of(user),
        "correction": correction,
        "close": close,
        "has_base": bool(_base_items()) and user.kind == User.Kind.CITIZEN,
    }
    return render(request, "portal/my_data.html", context, status=status)


@login_required
def my_data(request: HttpRequest) -> HttpResponse:
    user = _person(request)
    return _page(request, user, CorrectionForm(), CloseForm())


@login_required
def my_data_export(request: HttpRequest, fmt: str) -> HttpResponse:
    user = _person(request)
    if fmt == "json":
        response = attachment(mydata.as_json(user), "my-data.json", "application/json; charset=utf-8")
    else:
        response = attachment(mydata.as_xlsx(user), f"my-data.{fmt}", XLSX)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def my_data_correction(request: HttpRequest) -> HttpResponse:
    user = _person(request)
    form = CorrectionForm(request.POST)

    def correct(actor: Actor, data: dict[str, Any]) -> Done:
        sharing_services.objection_by_subject(actor=actor, resource_code=fetch.PERSON_BASE, **data)
        return "更正申请已提交，提供该信息的部门将在规定期限内核实并答复。", "portal:my_data"

    return form_write(request, form, correct) or _page(request, user, form, CloseForm(), status=400)


@login_required
@require_POST
def my_data_close(request: HttpRequest) -> HttpResponse:
    user = _person(request)
    form = CloseForm(request.POST)
    if form.is_valid():
        try:
            account_services.account_close(actor=Actor.from_request(request), password=form.cleaned_data["password"])
        except ApplicationError as error:
            add_application_error(form, error)
        else:
            logout(request)
            messages.info(request, "您的账号已注销。办件、来信等记录依法保留，账号中的个人信息已清除。")
            return redirect("portal:home")
    return _page(request, user, CorrectionForm(), form, status=400)
