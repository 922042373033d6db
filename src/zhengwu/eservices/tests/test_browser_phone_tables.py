"""Tables on a 390 px phone (docs/design.md "页面结构"): the workbench to-do list keeps its dates,
the 认领 button and the 办理 link each on one line (the walk-through saw "2026-02-/24" and 认领
one character a line) and scrolls in its own frame, never the page."""

from __future__ import annotations

from typing import Any

from zhengwu.accounts.models import User
from zhengwu.browser import BROWSER_TEST, browser_page, sign_in, wrapped
from zhengwu.conftest import staff_client
from zhengwu.core.actors import Actor
from zhengwu.eservices import services
from zhengwu.eservices.models import ServiceItem
from zhengwu.eservices.tests.test_views import submit

pytestmark = BROWSER_TEST


def test_the_todo_list_keeps_dates_and_the_claim_button_whole_on_a_phone(
    live_server: Any, citizen: User, item: ServiceItem, market_clerk: User, market_clerk2: User
) -> None:
    application = submit(citizen, item)
    services.application_accept(actor=Actor.person(market_clerk), application=application)
    with browser_page() as page:
        page.set_viewport_size({"width": 390, "height": 844})
        sign_in(page, live_server.url, staff_client(market_clerk2))
        page.goto(f"{live_server.url}/workbench/")
        assert page.locator("#todo button", has_text="认领").count() >= 1
        assert page.locator("#todo td.nowrap").count() >= 1
        assert wrapped(page, "#todo td.nowrap, #todo button, #todo td:last-child a") == []
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"the page scrolls sideways by {overflow} px"


def test_the_measure_finds_a_wrapped_date(live_server: Any) -> None:
    """`wrapped` does see a date broken over two lines (so the test above can fail)."""
    with browser_page() as page:
        page.set_viewport_size({"width": 390, "height": 844})
        page.set_content('<p style="width:3em;font-size:16px"><span id="d">2026-02-24</span></p>')
        assert wrapped(page, "#d") == ["2026-02-24"]
