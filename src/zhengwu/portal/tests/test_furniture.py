"""The portal's furniture: favicon, footer identifiers from strict settings, 网站地图, 联系我们,
隐私政策, 无障碍 pages, and the display-mode switches working without JavaScript."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from typing import Any

import pytest
from django.test import Client

from zhengwu.accounts.models import Department, User
from zhengwu.conftest import person_client, staff_client
from zhengwu.core.env import Env, SettingError

pytestmark = pytest.mark.django_db


def test_favicon_is_served_and_linked(market_dept: Department) -> None:
    response = Client().get("/favicon.ico")
    assert response.status_code == 200 and response["Content-Type"] == "image/x-icon"
    assert response.content[:4] == b"\x00\x00\x01\x00"  # an ICO file
    body = Client().get("/").content.decode()
    assert 'rel="icon" href="/static/zhengwu/favicon.svg"' in body and 'href="/favicon.ico"' in body
    assert Client().get("/static/zhengwu/favicon.svg").status_code == 200


def test_footer_shows_the_identifiers_and_says_when_they_are_demo_values(market_dept: Department) -> None:
    body = Client().get("/").content.decode()
    for text in ("网站标识码 2200000000", "吉ICP备00000000号", "吉公网安备 22000000000000号", "演示值"):
        assert text in body, text
    for page in ("网站地图", "联系我们", "隐私政策", "政务新媒体"):
        assert page in body, page


def test_real_identifiers_replace_the_demo_note(settings: Any, market_dept: Department) -> None:
    settings.ZHENGWU_SITE_CODE = "2200000001"
    settings.ZHENGWU_ICP = "吉ICP备12345678号-1"
    settings.ZHENGWU_PSB_RECORD = "吉公网安备 22010202000001号"
    body = Client().get("/sitemap/").content.decode()
    assert "网站标识码 2200000001" in body and "吉ICP备12345678号-1" in body and "演示值" not in body


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("ZHENGWU_SITE_CODE", "22000000"),
        ("ZHENGWU_SITE_CODE", "22000000001"),
        ("ZHENGWU_ICP", "ICP备12345678号"),
        ("ZHENGWU_ICP", "吉ICP备1234号"),
        ("ZHENGWU_PSB_RECORD", "吉公网安备 2201号"),
    ],
)
def test_identifier_settings_are_parsed_strictly(name: str, value: str) -> None:
    patterns = {
        "ZHENGWU_SITE_CODE": r"(\d{6}|bm\d{4})\d{4}",
        "ZHENGWU_ICP": r"[\u4e00-\u9fff]ICP备\d{6,10}号(-\d{1,3})?",
        "ZHENGWU_PSB_RECORD": r"[\u4e00-\u9fff]公网安备 ?\d{14}号",
    }
    with pytest.raises(SettingError, match=name):
        Env({name: value}).pattern(name, "", patterns[name], "x")
    assert Env({}).pattern(name, "默认", patterns[name], "x") == "默认"


def test_a_bad_identifier_stops_start_up() -> None:
    """The settings module itself refuses a malformed value, naming the variable."""
    environ = {**os.environ, "ZHENGWU_ICP": "ICP备123号"}
    result = subprocess.run(
        [sys.executable, "-c", "import zhengwu.settings"], env=environ, capture_output=True, text=True, check=False
    )
    assert result.returncode == 2 and "ZHENGWU_ICP" in result.stderr


def test_sitemap_links_answer(citizen: User, market_clerk: User) -> None:
    for client, who in (
        (Client(), "visitor"),
        (person_client(citizen), "citizen"),
        (staff_client(market_clerk), "staff"),
    ):
        body = client.get("/sitemap/").content.decode()
        links = re.findall(r'<li><a href="(/[^"]*)"', body)
        assert len(links) >= 15, who
        for link in links:
            response = client.get(link)
            # a page of one's own asks a visitor to log in first
            assert response.status_code == 200 or response["Location"].startswith("/accounts/login/"), (who, link)


@pytest.mark.parametrize("path", ["/contact/", "/privacy/", "/accessibility/", "/sitemap/"])
def test_furniture_pages(path: str, market_dept: Department) -> None:
    response = Client().get(path)
    assert response.status_code == 200
    assert 'class="site-footer"' in response.content.decode()


def test_display_switches_are_plain_forms_in_every_header(market_dept: Department) -> None:
    body = Client().get("/").content.decode()
    assert '<form method="post" action="/accessibility/elder/"' in body
    assert '<form method="post" action="/accessibility/contrast/"' in body
    assert '<details class="menu" data-menu>' in body  # the menu opens without JavaScript
    assert "<script>" not in body and " onclick=" not in body
    elder = Client()
    elder.cookies["zw_elder"] = "1"
    page = elder.get("/").content.decode()
    assert 'class="elder ' in page and "写信反映" in page and 'aria-pressed="true">长者模式' in page
    assert "拨打 12345 咨询" in page and "一窗受理" not in page  # plainer words on the home page
