"""Login (password, then TOTP for staff), enrolment, registration, password change."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import segno
from axes.handlers.proxy import AxesProxyHandler
from captcha.models import CaptchaStore
from django import forms
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from zhengwu.accounts import captcha, lockout, services
from zhengwu.accounts.audit_actions import AccountsAction
from zhengwu.accounts.forms import (
    CitizenRegisterForm,
    EnterpriseRegisterForm,
    LoginForm,
    PasswordChangeForm,
    PhoneForm,
    TokenForm,
)
from zhengwu.accounts.models import User
from zhengwu.accounts.session import acting_user
from zhengwu.audit.models import AuditEvent
from zhengwu.audit.services import record_action
from zhengwu.core.actors import Actor, client_ip
from zhengwu.core.errors import ApplicationError
from zhengwu.core.forms import Done, add_application_error, form_write


def _next_url(request: HttpRequest, default: str) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(candidate, allowed_hosts={request.get_host()}):
        return candidate
    return default


def _after_password(request: HttpRequest, user: User) -> HttpResponse:
    """Where a user goes once the password is right: staff still owe the second factor."""
    next_url = _next_url(request, "")
    suffix = "?" + urlencode({"next": next_url}) if next_url else ""
    if user.kind == User.Kind.STAFF:
        if services.password_expired(user):
            messages.warning(request, "您的密码已超过有效期，请先修改密码。")
        if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            return redirect(f"/accounts/otp/{suffix}")
        return redirect(f"/accounts/otp/enrol/{suffix}")
    return redirect(next_url or "portal:home")


def login_view(request: HttpRequest) -> HttpResponse:
    ip = client_ip(request)
    posted = request.POST.get("username", "")[:150] if request.method == "POST" else ""
    posted = "" if "\x00" in posted else posted  # the form refuses it; PostgreSQL cannot even look it up
    if posted and AxesProxyHandler.is_locked(request, {"username": posted}):
        return render(request, "accounts/locked_out.html", status=403)  # locked: no CAPTCHA to solve
    # A CAPTCHA after repeated failures of this username or from this address (accounts/lockout.py).
    form = LoginForm(request.POST or None, captcha=lockout.captcha_needed(posted, ip))
    if request.method == "POST" and form.is_valid():
        username = form.cleaned_data["username"]
        user = authenticate(request, username=username, password=form.cleaned_data["password"])
        if user is None:
            if getattr(request, "axes_locked_out", False):
                return render(request, "accounts/locked_out.html", status=403)
            record_action(
                Actor.from_request(request),  # nobody logged in yet: an anonymous visitor
                AccountsAction.LOGIN,
                outcome=AuditEvent.Outcome.FAILURE,
                details={"username": username[:150]},
            )
            if lockout.captcha_needed(username, ip):
                form.require_captcha()  # a fresh one, on the page that answers this failure
            form.add_error(None, "用户名或密码错误。多次失败后须输入验证码，并将临时锁定。")
        else:
            login(request, user)
            record_action(Actor.from_request(request), AccountsAction.LOGIN, target=user, details={"step": "password"})
            return _after_password(request, user)
    return render(request, "accounts/login.html", {"form": form, "next": _next_url(request, "")})


@login_required
def otp_verify(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        return redirect("accounts:otp_enrol")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        actor = Actor.from_request(request)
        if device.verify_token(form.cleaned_data["token"].strip()):
            otp_login(request, device)
            record_action(actor, AccountsAction.LOGIN, target=user, details={"step": "totp"})
            if services.password_expired(user):
                return redirect("accounts:password_change")
            return redirect(_next_url(request, "/workbench/"))
        record_action(
            actor, AccountsAction.LOGIN, target=user, outcome=AuditEvent.Outcome.FAILURE, details={"step": "totp"}
        )
        form.add_error("token", "动态口令不正确或已使用，请等待下一个口令后重试。")
    return render(request, "accounts/otp_verify.html", {"form": form, "next": _next_url(request, "")})


@login_required
def otp_enrol(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        return redirect("accounts:otp")
    device = services.totp_enrolment_device(actor=Actor.from_request(request))
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            confirmed = services.totp_enrol_confirm(actor=Actor.from_request(request), token=form.cleaned_data["token"])
        except ApplicationError as error:
            form.add_error("token", error.message)
        else:
            otp_login(request, confirmed)
            messages.success(request, "动态口令绑定成功。")
            return redirect(_next_url(request, "/workbench/"))
    secret = base64.b32encode(device.bin_key).decode()
    qr_svg = segno.make(device.config_url, error="m").svg_inline(scale=4, title="动态口令绑定二维码")
    return render(
        request,
        "accounts/otp_enrol.html",
        {"form": form, "qr_svg": qr_svg, "secret": secret, "next": _next_url(request, "")},
    )


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        record_action(Actor.from_request(request), AccountsAction.LOGOUT, target=acting_user(request))
    logout(request)
    messages.info(request, "您已安全退出。")
    return redirect("portal:home")


@require_POST
def phone_code(request: HttpRequest) -> HttpResponse:
    form = PhoneForm(request.POST)
    if not form.is_valid():
        return render(request, "accounts/_code_status.html", {"error": "请填写手机号码。"}, status=400)
    try:
        services.phone_code_send(actor=Actor.from_request(request), phone=form.cleaned_data["phone"])
    except ApplicationError as error:
        return render(request, "accounts/_code_status.html", {"error": error.message}, status=error.status)
    return render(request, "accounts/_code_status.html", {"sent": True})


UNVERIFIED_NOTICE = (
    "您填写的姓名与公民身份号码未能与人口基础信息核对一致，账号为“未实名核验”状态："
    "可以写信、申请政府信息公开、参与调查，暂不能申请政务服务事项。"
)

# The two registration pages differ only in their form, service, title and the link to the other.
REGISTRATION_PAGES = {
    "citizen": ("个人实名注册", "办理企业事项？", "法人注册", "accounts:register_enterprise"),
    "enterprise": ("法人注册", "个人办事？", "个人注册", "accounts:register"),
}


def _register(
    request: HttpRequest, form_class: type[forms.Form], service: Callable[..., User], page: str
) -> HttpResponse:
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = service(actor=Actor.from_request(request), **form.cleaned_data)
        except ApplicationError as error:
            add_application_error(form, error)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, "注册成功，欢迎使用政务服务平台。")
            if not user.identity_verified:
                messages.warning(request, UNVERIFIED_NOTICE)
            return redirect("portal:home")
    title, other_prompt, other_label, other_url = REGISTRATION_PAGES[page]
    context = {
        "form": form,
        "title": title,
        "other_prompt": other_prompt,
        "other_label": other_label,
        "other_url": other_url,
    }
    return render(request, "accounts/register.html", context)


def register(request: HttpRequest) -> HttpResponse:
    return _register(request, CitizenRegisterForm, services.citizen_register, "citizen")


def register_enterprise(request: HttpRequest) -> HttpResponse:
    return _register(request, EnterpriseRegisterForm, services.enterprise_register, "enterprise")


@login_required
def password_change(request: HttpRequest) -> HttpResponse:
    form = PasswordChangeForm(request.POST or None)

    def change(actor: Actor, data: dict[str, Any]) -> Done:
        from django.contrib.auth import update_session_auth_hash

        services.password_change(actor=actor, **data)
        update_session_auth_hash(request, acting_user(request))
        return "密码已修改。", "portal:home"

    return form_write(request, form, change) or render(request, "accounts/password_change.html", {"form": form})


def captcha_audio(request: HttpRequest, key: str) -> HttpResponse:
    """The login CAPTCHA read aloud in Mandarin (accounts/captcha.py), served at django-simple-captcha's
    own audio URL (this route is before the library's). A key that is unknown or expired gets 410, as
    the library answers, and never the audio of another challenge."""
    store = CaptchaStore.objects.filter(hashkey=key, expiration__gt=timezone.now()).first()
    if store is None:
        return HttpResponse(status=410)
    response = HttpResponse(captcha.challenge_audio(store.challenge), content_type="audio/wav")
    response["Cache-Control"] = "no-store"
    return response
