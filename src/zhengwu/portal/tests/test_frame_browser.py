"""The page frame in a real browser (docs/design.md "页面结构"): on a 390 px phone the header is
one short row and the 菜单 opens and closes the menu; on a 1366 px desktop the workbench menu is
one line of groups, a group opens from the keyboard and Escape closes it."""

from __future__ import annotations

from typing import Any

import pytest

from zhengwu.accounts.models import User
from zhengwu.browser import browser_page, chromium_path, sign_in
from zhengwu.conftest import staff_client

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(chromium_path() is None, reason="Debian's chromium is not installed (.ci/run installs it)"),
]

MAX_PHONE_HEADER_PX = 100  # of an 844 px high screen


def test_phone_header_is_short_and_the_menu_opens(live_server: Any, market_clerk: User) -> None:
    with browser_page() as page:
        page.set_viewport_size({"width": 390, "height": 844})
        sign_in(page, live_server.url, staff_client(market_clerk))
        for path in ("/", "/workbench/"):
            page.goto(f"{live_server.url}{path}")
            assert page.locator(".site-header").bounding_box()["height"] <= MAX_PHONE_HEADER_PX, path
            first_link = page.locator(".main-nav a").first
            assert not first_link.is_visible()
            page.locator("summary.menu-button").click()
            assert page.locator("details.menu").get_attribute("open") is not None
            assert first_link.is_visible()
            page.locator("summary.menu-button").click()
            assert not first_link.is_visible()
        # A workbench group opens in place on the phone.
        page.locator("summary.menu-button").click()
        group = page.locator("details.menu-group").first
        group.locator("summary").click()
        assert group.locator("a").first.is_visible()


@pytest.mark.parametrize("who", ["egov", "market_leader", "sys_admin"])
def test_workbench_menu_is_one_line_on_a_desktop(live_server: Any, request: pytest.FixtureRequest, who: str) -> None:
    user = request.getfixturevalue(who)
    with browser_page() as page:
        page.set_viewport_size({"width": 1366, "height": 900})
        sign_in(page, live_server.url, staff_client(user))
        page.goto(f"{live_server.url}/workbench/")
        tops = page.evaluate("[...document.querySelectorAll('.main-nav > *')].map(e => e.getBoundingClientRect().top)")
        assert len(tops) >= 3 and max(tops) - min(tops) < 2, tops
        # Keyboard: Tab to a group, Enter opens it, Escape closes it and leaves the focus on it.
        summary = page.locator("details.menu-group > summary").first
        summary.focus()
        page.keyboard.press("Enter")
        assert page.locator("details.menu-group").first.get_attribute("open") is not None
        assert page.locator("details.menu-group").first.locator("a").first.is_visible()
        page.keyboard.press("Escape")
        assert page.locator("details.menu-group").first.get_attribute("open") is None
        assert page.evaluate("document.activeElement.tagName") == "SUMMARY"
