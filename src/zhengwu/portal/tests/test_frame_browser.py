"""The page frame in a real browser (docs/design.md "页面结构"): on a 390 px phone the header is
one short row and the 菜单 opens and closes the menu; on a 1366 px desktop the workbench menu is
one line of groups, a group opens from the keyboard and Escape closes it."""

from __future__ import annotations

from typing import Any

import pytest

from zhengwu.accounts.models import User
from zhengwu.browser import BROWSER_TEST, browser_page, sign_in
from zhengwu.conftest import staff_client

pytestmark = BROWSER_TEST

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


@pytest.mark.parametrize("size", [(1366, 900), (390, 844)])
def test_the_footer_stays_at_the_bottom_of_a_short_page(live_server: Any, size: tuple[int, int]) -> None:
    """The issue's "a footer that stays at the bottom": on a page shorter than the screen (the 404
    page) the footer ends at the window's bottom edge instead of floating up under the content."""
    width, height = size
    with browser_page() as page:
        page.set_viewport_size({"width": width, "height": height})
        page.goto(f"{live_server.url}/no-such-page/")
        box = page.locator(".site-footer").bounding_box()
        assert box is not None and page.evaluate("document.documentElement.scrollHeight") <= height
        assert abs(box["y"] + box["height"] - height) <= 1, box
