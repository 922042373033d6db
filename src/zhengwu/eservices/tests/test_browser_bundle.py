"""A citizen on a phone (390 px) and on a desktop (1366 px), in a real browser: finds a service by
主题, applies for a 一件事 with one form and one set of materials, and follows it on one page; no
page scrolls sideways. Screenshots go to the test's tmp_path (look at them when changing the pages)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from zhengwu.accounts.models import Department, User
from zhengwu.browser import BROWSER_TEST, browser_page, follow, sign_in
from zhengwu.conftest import person_client
from zhengwu.core.actors import Actor
from zhengwu.eservices import services
from zhengwu.eservices.models import Audience, BundleCase
from zhengwu.eservices.tests.conftest import GOOD_FORM, PDF, PNG, make_item
from zhengwu.eservices.tests.test_bundles import police_item

pytestmark = BROWSER_TEST

WIDTHS = {"phone": (390, 844), "desktop": (1366, 900)}


def assert_no_sideways_scroll(page: Any) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow} px"


@pytest.fixture
def opening_bundle(
    tmp_path: Path,
    market_dept: Department,
    nature_dept: Department,
    housing_dept: Department,
    police_dept: Department,
    bases: Any,
) -> tuple[Path, Path]:
    """The bundle 开工备案 (市场监管厅's item in 规划建设 and 公安厅's 施工现场治安备案 in 公共安全, for
    persons) and the two files its form asks for once, written under `tmp_path`."""
    item = make_item(market_dept, nature_dept, housing_dept, audience=Audience.PERSON)
    services.item_guide_set(actor=Actor.platform(), item=item, extras=services.GuideExtras(themes=["规划建设"]))
    other = police_item(police_dept)
    services.item_guide_set(actor=Actor.platform(), item=other, extras=services.GuideExtras(themes=["公共安全"]))
    services.bundle_create(
        actor=Actor.platform(), code="KGBA", name="开工备案", audience=Audience.PERSON, items=[item, other]
    )
    design, photo = tmp_path / "方案.pdf", tmp_path / "现场.png"
    design.write_bytes(PDF)
    photo.write_bytes(PNG)
    return design, photo


@pytest.mark.parametrize("size", list(WIDTHS))
def test_find_by_theme_apply_for_a_bundle_and_follow_it(
    size: str, live_server: Any, tmp_path: Any, citizen: User, opening_bundle: tuple[Path, Path]
) -> None:
    design, photo = opening_bundle
    base = live_server.url
    with browser_page() as page:
        page.set_viewport_size(dict(zip(("width", "height"), WIDTHS[size], strict=True)))
        sign_in(page, base, person_client(citizen))
        page.goto(f"{base}/services/")
        follow(page, page.get_by_role("link", name="个人办事"))
        follow(page, page.get_by_role("link", name="公共安全（1）"))
        assert page.locator("#results").get_by_role("link", name="施工现场治安备案").is_visible()
        assert_no_sideways_scroll(page)
        page.screenshot(path=str(tmp_path / f"finder-{size}.png"), full_page=True)
        follow(page, page.get_by_role("link", name="开工备案").first)
        assert page.get_by_text("2 个事项共用，只传一次").first.is_visible()
        assert_no_sideways_scroll(page)
        follow(page, page.get_by_role("link", name="一次申请"))
        assert page.locator('input[name="data_project"]').count() == 1  # one form: the shared field once
        page.fill('input[name="data_project"]', GOOD_FORM["project"])
        page.fill('input[name="data_area"]', GOOD_FORM["area"])
        page.select_option('select[name="data_use"]', GOOD_FORM["use"])
        page.fill('input[name="data_phone"]', "13900000000")
        page.get_by_label("建设工程设计方案").set_input_files(str(design))
        page.get_by_label("现场照片").set_input_files(str(photo))
        assert_no_sideways_scroll(page)
        page.screenshot(path=str(tmp_path / f"bundle-form-{size}.png"), full_page=True)
        page.get_by_role("button", name="一次提交").click()
        page.wait_for_url("**/bundle-cases/**")
        case = BundleCase.objects.get(applicant=citizen)
        assert case.parts.count() == 2
        assert page.locator("#bundle-state").inner_text().startswith("办理中")
        assert page.locator("#parts li").count() == 2 and page.get_by_text("待受理").count() == 2
        assert_no_sideways_scroll(page)
        page.screenshot(path=str(tmp_path / f"bundle-case-{size}.png"), full_page=True)
        page.goto(f"{base}/services/mine/")
        page.get_by_role("link", name="开工备案").click()
        page.wait_for_url(f"**/bundle-cases/{case.number}/")
