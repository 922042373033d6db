"""Browser journey (Playwright with Debian's chromium), at 1366 and 390 px: a city's duty officer
receives a report, verifies and grades it, drafts the 初报 and edits the draft; the city's commander
signs it off; the province's duty room signs for it (签收) and the city sees who and when; the portal's
home page and a region page show the 暴雨黄色预警 banner, and not after the warning is lifted. (The plan
and the board are the dispatch half's journey.)"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from zhengwu.accounts.models import User
from zhengwu.browser import BROWSER_TEST, browser_page, sign_in
from zhengwu.conftest import staff_client
from zhengwu.emergency.models import EarlyWarning, Incident

pytestmark = BROWSER_TEST


@pytest.mark.parametrize("width", [1366, 390])
def test_duty_officer_journey_and_the_warning_banner(
    live_server: object, tmp_path: Path, width: int, cc_duty: User, cc_commander: User, duty_officer: User
) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    with browser_page() as page:
        page.set_viewport_size({"width": width, "height": 900})
        sign_in(page, base, staff_client(cc_duty))
        page.goto(f"{base}/workbench/emergency/incidents/")
        page.get_by_role("link", name="接报登记").first.click()
        page.get_by_label("事件名称").fill("长春市南关区伊通河沿岸内涝")
        page.get_by_label("事件类别").select_option("natural")
        occurred = timezone.localtime() - timedelta(minutes=20)
        page.get_by_label("发生时间").fill(occurred.strftime("%Y-%m-%dT%H:%M"))
        page.get_by_label("事发地点").fill("南关区永吉街道")
        page.get_by_label("事件经过").fill("强降雨致沿岸低洼小区进水，12 人被困。")
        page.get_by_label("被困人数").fill("12")
        page.get_by_role("button", name="登记").click()
        page.wait_for_url("**/workbench/emergency/incidents/*/")
        assert "已接报" in page.content()
        page.get_by_role("button", name="核实").click()
        page.get_by_label("定级").select_option("3")
        page.get_by_label("理由（必填）").fill("被困 12 人，需跨区调集力量")
        page.get_by_role("button", name="定级").click()
        page.wait_for_selector("#incident-level:has-text('Ⅲ级（较大）')")
        page.screenshot(path=str(tmp_path / f"incident-{width}.png"), full_page=True)
        incident = Incident.objects.get()
        assert incident.state == Incident.State.GRADED and incident.level == 3
        assert page.evaluate("document.documentElement.scrollWidth") <= width + 1  # no sideways scrolling

        # the 初报: drafted, edited on its own page, signed off, signed for by the province
        page.locator("#id_content").fill("初报：南关区永吉街道进水，被困 12 人。")
        page.get_by_role("button", name="起草（送领导签发）").click()
        page.get_by_role("link", name="修改", exact=True).click()
        page.wait_for_url("**/workbench/emergency/reports/*/edit/")
        page.locator("#id_content").fill("初报：南关区永吉街道进水，被困 15 人，已转移 30 人。")
        page.locator("#id_trapped").fill("15")
        page.get_by_role("button", name="保存（送领导签发）").click()
        report = incident.reports.get()
        assert report.figures["trapped"] == 15 and "已转移 30 人" in report.content
        sign_in(page, base, staff_client(cc_commander))
        page.goto(f"{base}/workbench/emergency/incidents/{incident.pk}/")
        page.get_by_role("button", name="签发报送").click()
        sign_in(page, base, staff_client(duty_officer))
        page.goto(f"{base}/workbench/emergency/reports/")
        assert "未签收" in page.locator("table.data").inner_text()
        page.get_by_role("link", name="初报").click()
        page.get_by_role("button", name="签收").click()
        assert "已签收" in page.locator("#report-receipt").inner_text()
        sign_in(page, base, staff_client(cc_duty))
        page.goto(f"{base}/workbench/emergency/incidents/{incident.pk}/")
        assert "已签收" in page.content() and duty_officer.real_name in page.content()

        # the province's duty room issues a warning; the public home page shows it, then not
        sign_in(page, base, staff_client(duty_officer))
        page.goto(f"{base}/workbench/emergency/warnings/new/")
        page.locator("#id_hazard").select_option("rainstorm")
        page.locator("#id_color").select_option("3")
        page.locator("#id_content").fill("预计未来 24 小时全省中东部将出现暴雨。")
        page.get_by_role("button", name="发布").click()
        page.wait_for_url("**/emergency/warnings/*/")
        page.context.clear_cookies()  # a visitor, served from the page cache where it is on
        page.goto(f"{base}/")
        banner = page.locator("#warning-banner")
        assert "吉林省暴雨黄色预警" in banner.inner_text()
        page.screenshot(path=str(tmp_path / f"portal-{width}.png"), full_page=False)
        page.goto(f"{base}/regions/220100/")  # a region page of its area (长春市)
        assert "吉林省暴雨黄色预警" in page.locator("#warning-banner").inner_text()
        sign_in(page, base, staff_client(duty_officer))
        page.goto(f"{base}/workbench/emergency/warnings/")
        page.get_by_role("button", name="解除预警").click()
        assert EarlyWarning.objects.get().state == EarlyWarning.State.LIFTED
        page.context.clear_cookies()
        page.goto(f"{base}/")
        assert page.locator("#warning-banner").count() == 0
        assert "暴雨黄色预警" not in page.content()
        page.goto(f"{base}/regions/220100/")
        assert page.locator("#warning-banner").count() == 0
    print(f"screenshots in {tmp_path}")
