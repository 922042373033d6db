"""The service journey with the keyboard alone, on a phone (390 px): log in, open the menu, find a
service by 主题, read its guide, apply for a 一件事 with one form (fields typed, a choice made with
the arrow keys, files chosen from the keyboard) and land on the bundle's page. Every Tab stop on the
way shows where the focus is (docs/rules.md §9a, `browser.tab_to`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from zhengwu.accounts.models import User
from zhengwu.browser import BROWSER_TEST, browser_page, choose_file, press_and_wait, tab_to, type_into
from zhengwu.conftest import PASSWORD
from zhengwu.eservices.models import BundleCase
from zhengwu.eservices.tests.conftest import GOOD_FORM
from zhengwu.eservices.tests.test_browser_bundle import opening_bundle  # noqa: F401  (fixture)

pytestmark = BROWSER_TEST


def test_find_by_theme_and_apply_for_a_bundle_with_the_keyboard_alone(
    live_server: Any,
    citizen: User,
    opening_bundle: tuple[Path, Path],  # noqa: F811  (the fixture)
) -> None:
    design, photo = opening_bundle
    base = live_server.url
    with browser_page() as page:
        page.set_viewport_size({"width": 390, "height": 844})
        page.goto(f"{base}/accounts/login/")
        type_into(page, "用户名", citizen.username)
        type_into(page, "密码", PASSWORD)
        press_and_wait(page)
        assert "/accounts/login/" not in page.url
        # The phone menu opens from the keyboard (a <details>: Enter on its summary).
        tab_to(page, "菜单")
        page.keyboard.press("Enter")
        tab_to(page, "网上办事")
        press_and_wait(page)
        tab_to(page, "个人办事")
        press_and_wait(page)
        tab_to(page, "公共安全（1）")
        press_and_wait(page)
        assert "theme=" in page.url
        tab_to(page, "施工现场治安备案")
        press_and_wait(page)
        assert page.get_by_role("heading", name="施工现场治安备案").is_visible()
        # The bundle, from the finder's 一件事一次办 list.
        page.goto(f"{base}/services/?who=person")
        tab_to(page, "开工备案")
        press_and_wait(page)
        tab_to(page, "一次申请")
        press_and_wait(page)
        type_into(page, "项目名称", GOOD_FORM["project"])
        type_into(page, "建筑面积", GOOD_FORM["area"])
        tab_to(page, "用途")
        for _ in range(5):  # the arrow keys move through the choices of a closed <select>
            if page.evaluate("document.activeElement.value") == GOOD_FORM["use"]:
                break
            page.keyboard.press("ArrowDown")
        assert page.evaluate("document.activeElement.value") == GOOD_FORM["use"]
        type_into(page, "联系电话", "13900000000")
        choose_file(page, "建设工程设计方案", design)
        choose_file(page, "现场照片", photo)
        tab_to(page, "一次提交")
        press_and_wait(page)
        page.wait_for_url("**/bundle-cases/**")
        case = BundleCase.objects.get(applicant=citizen)
        assert case.parts.count() == 2
