"""The portal's furniture (docs/design.md "页面结构"): the site map, the favicon, sizes in words."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.urls import NoReverseMatch, reverse

import zhengwu.core

FAVICON_ICO = (Path(zhengwu.core.__file__).parent / "static" / "zhengwu" / "favicon.ico").read_bytes()

# 网站地图: the public pages by section, as (label, URL name). A page of an app not installed here
# is left out.
SITEMAP: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    (
        "网上办事",
        (
            ("办事服务", "eservices:index"),
            ("办件查询", "eservices:lookup"),
            ("好差评统计", "eservices:stats"),
            ("我的办件", "eservices:mine"),
            ("我的证照", "certificates:mine"),
            ("证照核验", "certificates:verify_index"),
        ),
    ),
    (
        "政务公开",
        (
            ("政府信息公开", "disclosure:index"),
            ("依申请公开", "disclosure:request_new"),
            ("我的公开申请", "disclosure:my_requests"),
            ("政府信息公开工作年度报告", "disclosure:reports"),
        ),
    ),
    (
        "公众参与",
        (
            ("公众参与", "participation:index"),
            ("写信", "participation:letter_write"),
            ("来信查询", "participation:letter_track"),
            ("来信选登", "participation:letters_public"),
            ("意见征集", "participation:consultations"),
            ("问卷调查", "participation:surveys"),
        ),
    ),
    (
        "数据开放",
        (("开放数据", "portal:opendata"), ("政务信息资源目录", "catalog:list")),
    ),
    (
        "网站导航",
        (
            ("首页", "portal:home"),
            ("部门导航", "portal:departments"),
            ("全站检索", "portal:search"),
            ("联系我们", "portal:contact"),
            ("隐私政策", "portal:privacy"),
            ("无障碍与长者模式", "portal:accessibility"),
        ),
    ),
    (
        "账号",
        (("登录", "accounts:login"), ("个人注册", "accounts:register"), ("法人注册", "accounts:register_enterprise")),
    ),
)


# Pages of a citizen's or a company's own (staff are turned away there: they work in the workbench).
PERSONAL = frozenset(
    {
        "eservices:mine",
        "certificates:mine",
        "disclosure:request_new",
        "disclosure:my_requests",
        "participation:letter_write",
        "accounts:register",
        "accounts:register_enterprise",
    }
)


@dataclass(frozen=True)
class Link:
    label: str
    url: str


def sitemap(*, staff: bool) -> list[tuple[str, list[Link]]]:
    """The site map's sections and links; `staff` leaves out the pages of a citizen's own."""
    groups = []
    for title, pages in SITEMAP:
        links = []
        for label, name in pages:
            if staff and name in PERSONAL:
                continue
            try:
                links.append(Link(label, reverse(name)))
            except NoReverseMatch:
                continue
        if links:
            groups.append((title, links))
    return groups


def megabytes(size: int | None) -> str:
    """A byte count for people: "2.5 MB"."""
    if size is None:
        return "不限"
    value = size / (1024 * 1024)
    return f"{value:.1f}".rstrip("0").rstrip(".") + " MB"
