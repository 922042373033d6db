"""我的数据 in a real browser at a desktop (1366 px) and a phone (390 px): reached from the account
menu, exported as JSON and Excel, a correction filed; no sideways scroll and no serious or critical
axe-core violation. Screenshots go to the test's tmp_path (look at them when changing the page)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from zhengwu.accounts.models import User
from zhengwu.browser import BROWSER_TEST, browser_page, sign_in
from zhengwu.conftest import person_client
from zhengwu.eservices.tests import conftest as eservices_fixtures
from zhengwu.eservices.tests.test_browser_bundle import assert_no_sideways_scroll
from zhengwu.exchange.sharing.models import Objection
from zhengwu.portal.tests.test_accessibility import AXE, BLOCKING, axe_violations

pytestmark = [
    *BROWSER_TEST,
    pytest.mark.skipif(not AXE.exists(), reason="axe-core is not installed: run `npm ci` (make install does)"),
]
bases = eservices_fixtures.bases  # the 人口 base holding 张三 (the cast's citizen)
WIDTHS = {"phone": (390, 844), "desktop": (1366, 900)}


def assert_accessible(page: Any) -> None:
    blocking = [v for v in axe_violations(page) if v["impact"] in BLOCKING]
    assert not blocking, "\n".join(f"{v['impact']} {v['id']} ({v['help']}): {v['nodes']}" for v in blocking)


@pytest.mark.parametrize("size", list(WIDTHS))
def test_my_data_from_the_menu_exports_and_files_a_correction(
    size: str, live_server: Any, tmp_path: Path, citizen: User, bases: Any
) -> None:
    base = live_server.url
    with browser_page(inject_scripts=True) as page:
        page.set_viewport_size(dict(zip(("width", "height"), WIDTHS[size], strict=True)))
        sign_in(page, base, person_client(citizen))
        page.goto(f"{base}/")
        if size == "phone":
            page.locator("summary.menu-button").click()  # the account menu is inside the phone's menu
        page.locator(".user-box").get_by_role("link", name="我的数据").click()
        page.wait_for_url(f"{base}/my/data/")
        assert page.get_by_role("heading", name="我的数据", level=1).is_visible()
        assert_no_sideways_scroll(page)
        assert_accessible(page)
        page.screenshot(path=str(tmp_path / f"my-data-{size}.png"), full_page=True)

        with page.expect_download() as download:
            page.get_by_role("link", name="JSON 文件").click()
        exported = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
        assert citizen.username in json.dumps(exported, ensure_ascii=False)
        with page.expect_download() as download:
            page.get_by_role("link", name="Excel 文件").click()
        assert download.value.suggested_filename.endswith(".xlsx")
        assert Path(download.value.path()).read_bytes()[:2] == b"PK"  # an xlsx is a zip

        page.get_by_label("有误的信息项").select_option("household_address")
        page.get_by_label("正确内容及依据").fill("户籍已迁至长春市朝阳区，有户口簿为证。")
        page.get_by_role("button", name="提交更正申请").click()
        page.wait_for_url(f"{base}/my/data/")
        assert page.get_by_text("更正申请已提交").is_visible()
        assert Objection.objects.filter(raised_by=citizen, record_key=citizen.id_number).count() == 1
        assert_no_sideways_scroll(page)
        assert_accessible(page)
        page.screenshot(path=str(tmp_path / f"my-data-{size}-corrected.png"), full_page=True)
