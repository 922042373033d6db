"""A staff user logs in with password and TOTP in a real browser (Debian's chromium)."""

from __future__ import annotations

import time

from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from zhengwu.accounts.models import User
from zhengwu.browser import BROWSER_TEST, browser_page
from zhengwu.conftest import PASSWORD

pytestmark = BROWSER_TEST


def _current_token(bin_key: bytes) -> str:
    totp = TOTP(bin_key)
    totp.time = time.time()
    return f"{totp.token():06d}"


def test_staff_enrols_totp_then_logs_in_with_both_factors(live_server: object, market_clerk: User) -> None:
    user = market_clerk
    TOTPDevice.objects.filter(user=user).delete()
    base = live_server.url  # type: ignore[attr-defined]
    with browser_page() as page:
        # First login: password, then enrol the authenticator from the QR page.
        page.goto(f"{base}/accounts/login/")
        page.get_by_label("用户名").fill("market_clerk")
        page.get_by_label("密码").fill(PASSWORD)
        page.get_by_role("button", name="登录").click()
        page.wait_for_url("**/accounts/otp/enrol/**")
        assert page.locator(".qr svg").count() == 1
        device = TOTPDevice.objects.get(user=user, confirmed=False)
        page.get_by_label("动态口令").fill(_current_token(device.bin_key))
        page.get_by_role("button", name="确认绑定").click()
        page.wait_for_url("**/workbench/")
        assert "我的待办" in page.content()

        # Log out, log in again: now the code from the enrolled authenticator is asked.
        page.get_by_role("button", name="退出").click()
        page.wait_for_url(f"{base}/")
        page.goto(f"{base}/accounts/login/")
        page.get_by_label("用户名").fill("market_clerk")
        page.get_by_label("密码").fill(PASSWORD)
        page.get_by_role("button", name="登录").click()
        page.wait_for_url("**/accounts/otp/**")
        # A wrong code keeps the workbench shut.
        page.get_by_label("动态口令").fill("000000" if _current_token(device.bin_key) != "000000" else "111111")
        page.get_by_role("button", name="验证").click()
        assert "动态口令不正确" in page.content()
        time.sleep(1.5)  # django-otp throttles the next try for 1 s after a failure
        # django-otp refuses a token already used, so wait for the next time step if needed.
        token = _current_token(device.bin_key)
        device.refresh_from_db()
        if device.last_t >= int(time.time()) // 30:
            time.sleep(31 - time.time() % 30)
            token = _current_token(device.bin_key)
        page.get_by_label("动态口令").fill(token)
        page.get_by_role("button", name="验证").click()
        page.wait_for_url("**/workbench/")
        assert "我的待办" in page.content()
        assert "市场监管局王科员" in page.content()
