"""Login with two factors, lock-out, idle timeout, registration pages."""

from __future__ import annotations

import time

import pytest
from django.test import Client, override_settings
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from zhengwu.accounts import sms
from zhengwu.accounts.middleware import LAST_SEEN_KEY
from zhengwu.accounts.models import User
from zhengwu.accounts.tests.test_lockout import fail_login
from zhengwu.audit.models import AuditEvent
from zhengwu.conftest import PASSWORD, staff_client

pytestmark = pytest.mark.django_db


def _token(device: TOTPDevice, offset: int = 0) -> str:
    totp = TOTP(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    totp.time = time.time() + offset * device.step
    return f"{totp.token():06d}"


def test_staff_needs_password_then_totp_before_the_workbench(market_clerk: User) -> None:
    client = Client()
    response = client.post("/accounts/login/", {"username": "market_clerk", "password": PASSWORD})
    assert response.status_code == 302 and response.url.startswith("/accounts/otp/")
    # Password alone does not open the workbench.
    assert client.get("/workbench/").status_code == 302
    device = TOTPDevice.objects.get(user=market_clerk)
    response = client.post("/accounts/otp/", {"token": _token(device)})
    assert response.status_code == 302 and response.url == "/workbench/"
    assert client.get("/workbench/").status_code == 200
    steps = list(
        AuditEvent.objects.filter(action="accounts.login").order_by("seq").values_list("details__step", flat=True)
    )
    assert steps == ["password", "totp"]


@pytest.mark.parametrize(
    "path", ["/services/mine/", "/disclosure/requests/", "/certificates/", "/accounts/password/", "/", "/my/data-use/"]
)
def test_staff_after_the_password_alone_reaches_only_the_second_factor_pages(market_clerk: User, path: str) -> None:
    client = Client()
    client.post("/accounts/login/", {"username": "market_clerk", "password": PASSWORD})
    response = client.get(path)
    assert response.status_code == 302 and response.url.startswith("/accounts/otp/?next=")
    assert client.get("/accounts/otp/").status_code == 200
    device = TOTPDevice.objects.get(user=market_clerk)
    client.post("/accounts/otp/", {"token": _token(device)})
    after = client.get(path)  # past the gate, the page's own rules answer (200, or 404 for staff)
    assert after.status_code in (200, 404) and "/accounts/otp/" not in after.get("Location", "")


def test_a_write_before_the_second_factor_is_refused_and_audited(market_clerk: User) -> None:
    client = Client()
    client.post("/accounts/login/", {"username": "market_clerk", "password": PASSWORD})
    before = market_clerk.password
    change = {"old_password": PASSWORD, "new_password1": "x", "new_password2": "x"}
    response = client.post("/accounts/password/", change)
    assert response.status_code == 302 and response.url.startswith("/accounts/otp/")
    market_clerk.refresh_from_db()
    assert market_clerk.password == before
    refusal = AuditEvent.objects.get(action="audit.request.refused")
    assert refusal.details["code"] == "accounts.second_factor_required"
    api = client.post("/api/v1/participation/letters", {}, content_type="application/json")
    assert api.status_code == 401  # the API takes a half-finished login for none
    # Logging out is always possible.
    assert client.post("/accounts/logout/").status_code == 302


def test_citizen_pages_are_not_gated_for_citizens(citizen: User) -> None:
    client = Client()
    client.post("/accounts/login/", {"username": "citizen_zhang", "password": PASSWORD})
    assert client.get("/services/mine/").status_code == 200


def test_wrong_totp_is_refused_and_audited(market_clerk: User) -> None:
    client = Client()
    client.post("/accounts/login/", {"username": "market_clerk", "password": PASSWORD})
    device = TOTPDevice.objects.get(user=market_clerk)
    wrong = f"{(int(_token(device)) + 500_000) % 1_000_000:06d}"
    response = client.post("/accounts/otp/", {"token": wrong})
    assert response.status_code == 200
    assert "动态口令不正确" in response.content.decode()
    assert client.get("/workbench/").status_code == 302
    assert AuditEvent.objects.filter(action="accounts.login", outcome="failure").exists()


def test_staff_without_device_is_sent_to_enrol_with_a_qr_code(market_clerk: User) -> None:
    user = market_clerk
    TOTPDevice.objects.filter(user=user).delete()
    client = Client()
    response = client.post("/accounts/login/", {"username": "market_clerk", "password": PASSWORD})
    assert response.url.startswith("/accounts/otp/enrol/")
    page = client.get("/accounts/otp/enrol/")
    assert "<svg" in page.content.decode() and "绑定动态口令" in page.content.decode()
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post("/accounts/otp/enrol/", {"token": _token(device)})
    assert response.status_code == 302
    assert client.get("/workbench/").status_code == 200


def test_wrong_password_is_refused_and_repeated_failures_lock_the_account(market_clerk: User) -> None:
    client = Client()
    page = ""
    for _ in range(5):  # from the fourth on, with the CAPTCHA the failures made due (test_lockout.py)
        page = fail_login(client, "market_clerk", page)
    assert AuditEvent.objects.filter(action="accounts.login", outcome="failure").count() >= 4
    response = client.post("/accounts/login/", {"username": "market_clerk", "password": PASSWORD})
    assert response.status_code in (403, 429)
    assert "临时锁定" in response.content.decode()


def test_citizen_logs_in_with_password_only(citizen: User) -> None:
    client = Client()
    response = client.post("/accounts/login/", {"username": "citizen_zhang", "password": PASSWORD})
    assert response.status_code == 302 and response.url == "/"
    assert client.get("/").context["user"] == citizen


@override_settings(IDLE_TIMEOUT_MINUTES=1)
def test_idle_session_is_logged_out(market_clerk: User) -> None:
    client = staff_client(market_clerk)
    assert client.get("/workbench/").status_code == 200
    session = client.session
    session[LAST_SEEN_KEY] = time.time() - 120
    session.save()
    assert client.get("/workbench/").status_code == 302


def test_open_redirect_is_not_followed(citizen: User) -> None:
    client = Client()
    response = client.post(
        "/accounts/login/?next=https://evil.example.com/", {"username": "citizen_zhang", "password": PASSWORD}
    )
    assert response.url == "/"


def test_citizen_registration_page_end_to_end() -> None:
    client = Client()
    sms.outbox.clear()
    response = client.post("/accounts/phone-code/", {"phone": "13700001234"})
    assert response.status_code == 200 and "已发送" in response.content.decode()
    code = sms.outbox[-1][1].split("验证码是 ")[1][:6]
    data = {
        "real_name": "孙八",
        "id_number": "11010519491231002X",
        "phone": "13700001234",
        "phone_code": code,
        "username": "sunba",
        "password": PASSWORD,
    }
    bad = client.post("/accounts/register/", {**data, "id_number": "11010519491231002Y"})
    assert bad.status_code == 200 and "公民身份号码" in bad.content.decode()
    assert not User.objects.filter(username="sunba").exists()
    response = client.post("/accounts/register/", data)
    assert response.status_code == 302
    assert User.objects.get(username="sunba").real_name == "孙八"


def test_phone_code_endpoint_rejects_bad_numbers() -> None:
    response = Client().post("/accounts/phone-code/", {"phone": "12345"})
    assert response.status_code == 400 and "手机号码格式不正确" in response.content.decode()


@pytest.mark.parametrize(
    ("path", "title", "other"),
    [
        ("/accounts/register/", "个人实名注册", "/accounts/register/enterprise/"),
        ("/accounts/register/enterprise/", "法人注册", "/accounts/register/"),
    ],
)
def test_each_registration_page_has_its_title_and_links_to_the_other(path: str, title: str, other: str) -> None:
    page = Client().get(path).content.decode()
    assert f"<h1>{title}</h1>" in page and f'href="{other}"' in page and "获取短信验证码" in page
