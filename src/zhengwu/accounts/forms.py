from typing import Any

from captcha.fields import CaptchaField, CaptchaTextInput
from django import forms
from django.urls import reverse


class CaptchaInput(CaptchaTextInput):
    """The image with a Chinese text alternative, a link to hear it read in Mandarin
    (accounts/captcha.py) and a number pad on the phone."""

    template_name = "accounts/_captcha_widget.html"

    def __init__(self, attrs: dict[str, Any] | None = None, **kwargs: Any) -> None:
        super().__init__(attrs={"inputmode": "numeric", "autocomplete": "off", **(attrs or {})}, **kwargs)

    def audio_url(self) -> str:
        return reverse("captcha_audio", kwargs={"key": self._key})


class LoginForm(forms.Form):
    username = forms.CharField(label="用户名", max_length=150)
    password = forms.CharField(label="密码", widget=forms.PasswordInput, max_length=256)

    def __init__(self, *args: Any, captcha: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if captcha:
            self.require_captcha()

    def require_captcha(self) -> None:
        """Ask for a CAPTCHA (after repeated failures: accounts/lockout.py)."""
        if "captcha" not in self.fields:
            self.fields["captcha"] = CaptchaField(
                label="验证码",
                widget=CaptchaInput(),
                help_text="请输入图中的 4 位数字；看不清可点“听语音验证码”，或刷新页面换一张。",
                error_messages={
                    "invalid": "验证码：输入的数字与图中不一致，请重新输入。",
                    "required": "验证码：必填，请输入图中的 4 位数字。",
                },
            )


class TokenForm(forms.Form):
    token = forms.RegexField(
        label="动态口令",
        regex=r"^\s*\d{6}\s*$",
        max_length=10,
        error_messages={"invalid": "请输入 6 位数字动态口令。"},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )


class PhoneForm(forms.Form):
    phone = forms.CharField(label="手机号码", max_length=11)


class _RegisterForm(forms.Form):
    """What every new account asks last, after who registers and the phone: the code sent to that
    phone, a user name and a password. A subclass's `field_order` names its own fields, which come first."""

    phone_code = forms.CharField(label="短信验证码", max_length=6)
    username = forms.CharField(label="用户名", max_length=32)
    password = forms.CharField(label="密码", widget=forms.PasswordInput, max_length=256)


class CitizenRegisterForm(_RegisterForm):
    field_order = ["real_name", "id_number", "phone"]
    real_name = forms.CharField(label="真实姓名", max_length=64)
    id_number = forms.CharField(label="公民身份号码", max_length=18)
    phone = forms.CharField(label="手机号码", max_length=11)


class EnterpriseRegisterForm(_RegisterForm):
    field_order = ["enterprise_name", "credit_code", "agent_name", "agent_id_number", "phone"]
    enterprise_name = forms.CharField(label="单位名称", max_length=200)
    credit_code = forms.CharField(label="统一社会信用代码", max_length=18)
    agent_name = forms.CharField(label="经办人姓名", max_length=64)
    agent_id_number = forms.CharField(label="经办人身份号码", max_length=18)
    phone = forms.CharField(label="经办人手机号码", max_length=11)


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(label="原密码", widget=forms.PasswordInput, max_length=256)
    new_password = forms.CharField(label="新密码", widget=forms.PasswordInput, max_length=256)
