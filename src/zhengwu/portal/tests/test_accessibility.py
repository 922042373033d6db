"""Accessibility in a real browser: axe-core (from npm, `package.json` at the repo root; `make
install` runs `npm ci`) finds no serious or critical violation on the public pages, in normal and
长者模式 (elder mode); the keyboard reaches the main content and the search box.

Pages of other apps are checked too: a publication (disclosure), the service guide (eservices)
and the letter-writing page (participation, as a logged-in citizen).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.urls import NoReverseMatch, reverse

from zhengwu.accounts.models import Department, User
from zhengwu.browser import BROWSER_TEST, browser_page, sign_in
from zhengwu.catalog.models import Resource
from zhengwu.conftest import person_client
from zhengwu.portal import feeds

ROOT = Path(__file__).resolve().parents[4]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = ("serious", "critical")

pytestmark = [
    *BROWSER_TEST,
    pytest.mark.skipif(not AXE.exists(), reason="axe-core is not installed: run `npm ci` (make install does)"),
]

RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map(n => n.target.join(" ") + " :: " + n.html.slice(0, 160)),
  }));
}"""


def axe_violations(page: Any) -> list[dict[str, Any]]:
    page.add_script_tag(path=str(AXE))
    return list(page.evaluate(RUN_AXE))


def _url(name: str, *args: Any) -> str | None:
    """The URL of another app's page, or None while that app does not have it."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def service_guide_url() -> str | None:
    """The 办事指南 page of the most used service item (eservices)."""
    hits = feeds.services(limit=1)
    return hits[0].url if hits else None


def publication_url() -> str | None:
    """The page of the newest publication (disclosure)."""
    hits = feeds.publications(limit=1)
    return hits[0].url if hits else None


@pytest.fixture
def public_content(apps_content: dict[str, Any], open_resource: Resource, conditional_resource: Resource) -> None:
    """Something in every home section (publications, services, consultations, open data), so
    that axe sees the lists as they are when full."""


def _pages(resource: Resource, department: Department) -> dict[str, str | None]:
    return {
        "home": "/",
        "search": "/search/?q=特种设备",
        "search-empty": "/search/?q=航天发射",
        "departments": "/departments/",
        "department": f"/departments/{department.credit_code}/",
        "opendata": "/opendata/",
        "opendata-detail": f"/opendata/{resource.code}/",
        "service-guide": service_guide_url(),
        "letter": _url("participation:letter_write"),
        "publication": publication_url(),
    }


PAGE_KEYS = [
    "home",
    "search",
    "search-empty",
    "departments",
    "department",
    "opendata",
    "opendata-detail",
    "service-guide",
    "publication",
    "letter",
]
NEEDS_LOGIN = {"letter"}  # the letter-writing page is for logged-in citizens


@pytest.mark.parametrize("mode", ["", "elder", "contrast"], ids=["normal", "elder", "contrast"])
@pytest.mark.parametrize("key", PAGE_KEYS)
def test_no_serious_axe_violations(
    live_server: Any,
    public_content: None,
    open_resource: Resource,
    market_dept: Department,
    citizen: User,
    key: str,
    mode: str,
) -> None:
    path = _pages(open_resource, market_dept)[key]
    assert path is not None, f"no page for {key!r}: has the app renamed its URL?"
    base = live_server.url
    with browser_page(inject_scripts=True) as page:
        if key in NEEDS_LOGIN:
            sign_in(page, base, person_client(citizen))
        if mode:
            page.context.add_cookies([{"name": f"zw_{mode}", "value": "1", "url": base}])
        response = page.goto(f"{base}{path}")
        assert response is not None and response.status == 200, path
        assert "/accounts/login/" not in page.url, page.url  # the page itself, not the login page
        if mode:
            assert mode in (page.locator("html").get_attribute("class") or "").split()
        violations = axe_violations(page)
    blocking = [v for v in violations if v["impact"] in BLOCKING]
    assert not blocking, "\n".join(f"{v['impact']} {v['id']} ({v['help']}): {v['nodes']}" for v in blocking)


def test_keyboard_reaches_main_content_and_searches(live_server: Any, open_resource: Resource) -> None:
    base = live_server.url
    with browser_page(inject_scripts=True) as page:
        page.goto(f"{base}/")
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.textContent") == "跳到主要内容"
        page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.id") == "main"
        # The search box is labelled for screen readers and submits with Enter.
        box = page.get_by_label("检索政务公开、办事服务、开放数据和公众参与").first
        box.focus()
        page.keyboard.type("特种设备")
        page.keyboard.press("Enter")
        page.wait_for_url("**/search/?q=*")
        assert page.get_by_role("link", name="特种设备使用登记信息").count() >= 1
        # The tabs are links: the keyboard reaches them and the current one is announced.
        page.get_by_role("link", name="数据资源（1）").focus()
        page.keyboard.press("Enter")
        page.wait_for_url("**kind=catalog*")
        assert page.locator('.tabs a[aria-current="page"]').inner_text().startswith("数据资源")


def test_elder_mode_switch_works_from_the_keyboard(live_server: Any) -> None:
    base = live_server.url
    with browser_page(inject_scripts=True) as page:
        page.goto(f"{base}/opendata/")
        switch = page.get_by_role("button", name="长者模式")
        assert switch.get_attribute("aria-pressed") == "false"
        switch.focus()
        # The switch posts a form and comes back to the page: wait for the new page, not just
        # for the old one's load state (which can be read before the navigation starts).
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert "elder" in (page.locator("html").get_attribute("class") or "")
        assert page.get_by_role("button", name="长者模式").get_attribute("aria-pressed") == "true"
        assert page.url.endswith("/opendata/")


def test_the_check_can_fail() -> None:
    """axe does flag a page with an unlabelled input and unreadable contrast (so the test above can fail)."""
    with browser_page(inject_scripts=True) as page:
        page.set_content(
            '<html lang="zh-CN"><head><title>t</title></head><body><main><input type="text">'
            '<p style="color:#ccc;background:#fff">浅色文字</p></main></body></html>'
        )
        found = {v["id"]: v["impact"] for v in axe_violations(page)}
    assert found.get("label") in BLOCKING and found.get("color-contrast") in BLOCKING
