"""In a real browser (Debian's chromium): an enterprise finds its licence and checks it; the
issuing clerk revokes it with the keyboard-usable form; the public verify page then says 已注销."""

from __future__ import annotations

from zhengwu.accounts.models import User
from zhengwu.browser import BROWSER_TEST, browser_page, sign_in
from zhengwu.certificates.models import Certificate
from zhengwu.conftest import person_client, staff_client

pytestmark = BROWSER_TEST


def test_holder_checks_clerk_revokes_public_sees_revoked(
    live_server: object, food_licence: Certificate, company: User, market_clerk: User
) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    with browser_page() as page:
        sign_in(page, base, person_client(company))
        page.goto(f"{base}/certificates/")
        page.get_by_role("heading", name="我的电子证照").wait_for()
        assert food_licence.identifier in page.locator("table.data").inner_text()
        page.get_by_role("link", name="核验").first.click()
        page.wait_for_selector("text=核验结果")
        assert "有效" in page.locator(".cert-verdict").inner_text()
        assert "长春市春城食品有限公司" not in page.content()  # masked on the public page

        sign_in(page, base, staff_client(market_clerk))
        page.goto(f"{base}/workbench/certificates/")
        page.get_by_role("link", name=food_licence.identifier).click()
        page.get_by_label("注销原因").fill("经营者申请注销")
        page.get_by_label("注销原因").press("Tab")
        page.keyboard.press("Enter")
        page.wait_for_selector("text=已注销电子证照")

        page.context.clear_cookies()
        page.goto(f"{base}/verify/{food_licence.identifier}")
        assert "已注销" in page.locator(".cert-verdict").inner_text()
    food_licence.refresh_from_db()
    assert food_licence.status == Certificate.Status.REVOKED
    assert food_licence.revoke_reason == "经营者申请注销"
