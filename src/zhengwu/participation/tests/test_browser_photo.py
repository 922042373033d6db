"""A citizen writes a letter with a photo on a phone (390 px) and a desktop (1366 px), follows it,
and the e-gov office sees the photo on the letter's workbench page; no page scrolls sideways."""

from __future__ import annotations

import struct
import zlib
from typing import Any

import pytest

from zhengwu.accounts.models import User
from zhengwu.browser import BROWSER_TEST, browser_page, sign_in
from zhengwu.conftest import person_client, staff_client
from zhengwu.participation.models import Letter

pytestmark = BROWSER_TEST

WIDTHS = {"phone": (390, 844), "desktop": (1366, 900)}


def tiny_png(width: int = 24, height: int = 16) -> bytes:
    """A real PNG (a red-grey stripe pattern) the browser can decode."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    rows = b"".join(b"\x00" + bytes((200, 40 + 8 * y, 40)) * width for y in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def assert_no_sideways_scroll(page: Any) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow} px"


@pytest.mark.parametrize("size", list(WIDTHS))
def test_a_letter_with_a_photo_followed_by_the_writer_and_seen_by_staff(
    size: str, live_server: Any, tmp_path: Any, citizen: User, egov: User
) -> None:
    photo = tmp_path / "路灯.png"
    photo.write_bytes(tiny_png())
    base = live_server.url
    viewport = dict(zip(("width", "height"), WIDTHS[size], strict=True))
    with browser_page() as page:
        page.set_viewport_size(viewport)
        sign_in(page, base, person_client(citizen))
        page.goto(f"{base}/participation/letters/write/")
        page.get_by_label("来信类别").select_option("complain")
        page.get_by_label("标题").fill("路灯不亮")
        page.get_by_label("来信内容").fill("幸福路8号门前路灯坏了一个月，夜里看不见路。")
        page.get_by_label("现场照片").set_input_files(str(photo))
        assert_no_sideways_scroll(page)
        page.get_by_role("button", name="提交来信").click()
        page.wait_for_url("**/letters/receipt/")
        letter = Letter.objects.get(writer=citizen)
        assert letter.photos.count() == 1
        page.goto(f"{base}/participation/letters/mine/{letter.number}/")
        image = page.get_by_role("img", name="来信照片 1：路灯.png")
        page.wait_for_function("() => [...document.images].every(i => i.complete)")
        assert image.evaluate("img => img.complete && img.naturalWidth") == 24
        assert_no_sideways_scroll(page)
        page.screenshot(path=str(tmp_path / f"my-letter-{size}.png"), full_page=True)
        # the e-gov office (12345) sees it on the letter's workbench page
        sign_in(page, base, staff_client(egov))
        page.goto(f"{base}/workbench/participation/letters/{letter.pk}/")
        staff_image = page.get_by_role("img", name="来信照片 1：路灯.png")
        staff_image.scroll_into_view_if_needed()
        page.wait_for_function("() => [...document.images].every(i => i.complete)")
        assert staff_image.evaluate("img => img.complete && img.naturalWidth") == 24
        page.screenshot(path=str(tmp_path / f"wb-letter-{size}.png"), full_page=True)
        assert_no_sideways_scroll(page)
