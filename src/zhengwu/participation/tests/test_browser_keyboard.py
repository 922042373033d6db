"""The letter journey with the keyboard alone, in 长者模式 on a phone (390 px): switch the mode on,
open the menu, write a letter with a photo (a choice made with the arrow keys, consent ticked with
Space, the photo chosen from the keyboard), send it and open it under 我写的信. Every Tab stop
shows where the focus is (docs/rules.md §9a, `browser.tab_to`)."""

from __future__ import annotations

from typing import Any

from zhengwu.accounts.models import User
from zhengwu.browser import (
    BROWSER_TEST,
    browser_page,
    choose_file,
    press_and_wait,
    sign_in,
    tab_to,
    type_into,
)
from zhengwu.conftest import person_client
from zhengwu.participation.models import Letter
from zhengwu.participation.tests.test_browser_photo import tiny_png

pytestmark = BROWSER_TEST


def test_write_a_letter_with_a_photo_with_the_keyboard_alone_in_elder_mode(
    live_server: Any, tmp_path: Any, citizen: User, egov: User
) -> None:
    photo = tmp_path / "路灯.png"
    photo.write_bytes(tiny_png())
    base = live_server.url
    with browser_page() as page:
        page.set_viewport_size({"width": 390, "height": 844})
        sign_in(page, base, person_client(citizen))
        page.goto(f"{base}/")
        tab_to(page, "长者模式")
        press_and_wait(page)
        assert "elder" in (page.locator("html").get_attribute("class") or "").split()
        tab_to(page, "菜单")
        page.keyboard.press("Enter")
        tab_to(page, "写信反映")  # 公众参与 in plain words
        press_and_wait(page)
        tab_to(page, "写一封信")
        press_and_wait(page)
        assert page.url.endswith("/participation/letters/write/")
        tab_to(page, "来信类别")
        for _ in range(6):
            if page.evaluate("document.activeElement.value") == "complain":
                break
            page.keyboard.press("ArrowDown")
        assert page.evaluate("document.activeElement.value") == "complain"
        type_into(page, "标题", "路灯不亮")
        type_into(page, "来信内容", "幸福路8号门前路灯坏了一个月，夜里看不见路。")
        tab_to(page, "同意在隐去个人信息后公开")
        page.keyboard.press("Space")
        assert page.evaluate("document.activeElement.checked") is True
        choose_file(page, "现场照片", photo)
        tab_to(page, "把信寄出")  # 提交来信 in plain words
        press_and_wait(page)
        page.wait_for_url("**/letters/receipt/")
        letter = Letter.objects.get(writer=citizen)
        assert letter.title == "路灯不亮" and letter.kind == "complain" and letter.consent_publish
        assert letter.photos.count() == 1
        page.goto(f"{base}/participation/letters/mine/")
        tab_to(page, letter.number)  # the list links each letter by its number
        press_and_wait(page)
        assert page.url.endswith(f"/participation/letters/mine/{letter.number}/")
