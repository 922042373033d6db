"""Browser journey (Playwright with Debian's chromium), at 1366 and 390 px: a department's
信息化管理员 registers a system and links its API client; the monthly job flags it (no O&M money);
the e-gov office confirms, the department answers its self-check, the office consolidates it into
another system. Screenshots of each page at both widths go to ZHENGWU_SCREENSHOTS (if set)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from zhengwu.accounts.models import Department, User
from zhengwu.browser import BROWSER_TEST, browser_page, sign_in
from zhengwu.conftest import staff_client
from zhengwu.governance.models import InformationSystem, ZombieCase
from zhengwu.governance.tasks import zombie_scan_monthly
from zhengwu.governance.tests.conftest import make_client, register

pytestmark = BROWSER_TEST

WIDTHS = (1366, 390)


def _shots(page: Any, folder: Path, name: str) -> None:
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.reload()  # charts take their width when drawn, as on a phone opening the page
        page.wait_for_load_state("networkidle")
        page.screenshot(path=str(folder / f"{name}-{width}.png"), full_page=True)
        # the page never scrolls sideways, whatever the width
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), (name, width)
    page.set_viewport_size({"width": 1366, "height": 900})


@pytest.mark.parametrize("width", [1366, 390])
def test_inventory_journey(
    live_server: Any, tmp_path: Path, width: int, systems_officer: User, egov: User, market_dept: Department
) -> None:
    folder = Path(os.environ.get("ZHENGWU_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    base = live_server.url
    client = make_client(market_dept, "市场监管数据报送接口")
    target = register(systems_officer, name="一体化市场监管平台")
    officer, office = staff_client(systems_officer), staff_client(egov)
    with browser_page() as page:
        page.set_viewport_size({"width": width, "height": 900})
        sign_in(page, base, officer)
        page.goto(f"{base}/workbench/governance/systems/new/")
        page.get_by_label("系统名称").fill("企业年报公示系统")
        page.get_by_label("主要功能").fill("企业年度报告填报与公示")
        page.get_by_label("使用对象与范围").fill("全省企业")
        page.get_by_label("联系人").fill("冯工")
        page.get_by_label("联系电话").fill("0431-88880002")
        page.get_by_label("网络区域").select_option("internet")
        page.get_by_label("经费来源").select_option("self")
        page.get_by_label("年度运维费用（万元）").fill("0")
        page.get_by_role("button", name="保存").click()
        page.wait_for_url("**/workbench/governance/systems/*/")
        system = InformationSystem.objects.get(name="企业年报公示系统")
        page.get_by_label("本部门的接口调用系统").select_option(str(client.pk))
        page.get_by_role("button", name="关联", exact=True).click()
        assert "已关联接口调用系统“市场监管数据报送接口”" in page.content()
        if width == 1366:
            _shots(page, folder, "system_detail")
        page.goto(f"{base}/workbench/governance/systems/")
        assert "企业年报公示系统" in page.content()
        if width == 1366:
            _shots(page, folder, "system_list")

        assert zombie_scan_monthly() == 1  # the monthly job (its schedule is the worker's)
        case = ZombieCase.objects.get(system=system)

        sign_in(page, base, office)
        page.goto(f"{base}/workbench/governance/zombies/")
        page.get_by_role("link", name="企业年报公示系统").click()
        assert "运维已停止" in page.content()
        page.get_by_label("确认意见").fill("年度运维费用为 0，请说明系统现状。")
        page.get_by_role("button", name="确认并通知部门自查").click()
        assert page.locator("#zombie-state").inner_text() == "待自查"

        sign_in(page, base, officer)
        page.goto(f"{base}/workbench/governance/zombies/{case.pk}/")
        page.get_by_label("自查说明（系统现状、使用情况、是否保留或整合）").fill(
            "年报公示功能可并入一体化市场监管平台。"
        )
        page.get_by_role("button", name="提交自查").click()
        assert page.locator("#zombie-state").inner_text() == "待审核"

        sign_in(page, base, office)
        page.goto(f"{base}/workbench/governance/zombies/{case.pk}/")
        if width == 1366:
            _shots(page, folder, "zombie_detail")
        page.get_by_label("整合", exact=True).check()
        page.get_by_label("整合进").select_option(str(target.pk))
        page.get_by_label("审核意见", exact=True).fill("同意整合，数据迁移后停止运维经费。")
        page.get_by_role("button", name="提交审核结论").click()
        assert page.locator("#zombie-state").inner_text() == "已整合"
        assert "一体化市场监管平台" in page.content()
        page.goto(f"{base}/workbench/governance/systems/overview/")
        assert "各部门信息系统" in page.content()
        if width == 1366:
            _shots(page, folder, "system_overview")
    system.refresh_from_db()
    assert system.state == InformationSystem.State.CONSOLIDATED and system.consolidated_into == target
