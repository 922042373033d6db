"""The supervisor's journey in a real browser (Debian's chromium): the dashboard draws its charts,
the supervisor drills down from a department to an overdue item and urges the department, and the
department's clerk answers the urging."""

from __future__ import annotations

from datetime import date

from zhengwu.accounts.models import Department, User
from zhengwu.browser import BROWSER_TEST, browser_page, follow, sign_in
from zhengwu.conftest import staff_client
from zhengwu.supervision.models import Urging
from zhengwu.supervision.tests.conftest import start

pytestmark = BROWSER_TEST


def test_supervisor_drills_down_and_urges_then_the_clerk_answers(
    live_server: object, supervisor: User, market_clerk: User, market_dept: Department, police_dept: Department
) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    start(market_dept, 5, date(2025, 3, 3), title="食品经营许可申请（超期）", url="/workbench/")
    start(police_dept, 10, date(2025, 3, 3), title="户籍迁移申请")
    with browser_page() as page:
        sign_in(page, base, staff_client(supervisor))
        page.goto(f"{base}/workbench/supervision/")
        page.wait_for_selector("#sv-dept-chart canvas")  # ECharts drew the department chart
        assert page.locator("#sv-kind-chart canvas").count() == 1
        page.get_by_role("link", name=market_dept.name).click()
        follow(page, page.get_by_role("link", name="详情").first)
        assert page.get_by_role("link", name="打开办理页面").count() == 1
        page.get_by_label("督办意见").fill("请于3个工作日内说明超期原因并办结。")
        page.get_by_label("答复时限（工作日）").fill("3")
        page.get_by_role("button", name="发出督办").click()
        page.wait_for_selector("text=已向吉林省市场监督管理厅发出督办")

        sign_in(page, base, staff_client(market_clerk))
        page.goto(f"{base}/workbench/supervision/urgings/")
        page.get_by_role("link", name="查看/答复").click()
        page.get_by_label("答复内容").fill("申请人补正材料延误，已于今日办结。")
        page.get_by_role("button", name="提交答复").click()
        page.wait_for_selector("text=督办答复已提交")
    urging = Urging.objects.get()
    assert urging.state == Urging.State.ANSWERED and urging.answered_by == market_clerk
