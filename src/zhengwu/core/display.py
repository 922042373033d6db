"""How the pages look for one visitor: 长者模式 and 高对比度 (docs/design.md "页面结构").

Each mode is a cookie of the visitor's own browser, flipped by a plain form post (no JavaScript),
so it works on every page and for visitors who are not logged in; the public page cache keys on
`modes()` (portal/cache.py) so a cached page never carries another visitor's mode.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest

ELDER = "elder"  # 长者模式: body text ≥ 20 px, targets ≥ 48 × 48 px, one column, plainer words
CONTRAST = "contrast"  # 高对比度: black on white, yellow focus, underlined links
COOKIES = {ELDER: "zw_elder", CONTRAST: "zw_contrast"}
LABELS = {ELDER: "长者模式", CONTRAST: "高对比度"}


def modes(request: HttpRequest) -> frozenset[str]:
    return frozenset(mode for mode, cookie in COOKIES.items() if request.COOKIES.get(cookie) == "1")


@dataclass(frozen=True)
class NewMedia:
    platform: str
    name: str
    url: str


@dataclass(frozen=True)
class Furniture:
    """The identifiers and links a government site shows in its footer (政府网站发展指引)."""

    site_code: str
    icp: str
    psb_record: str
    host: str
    phone: str
    email: str
    address: str
    demo: bool  # any identifier still the demo default: the footer says so
    new_media: tuple[NewMedia, ...]


# 政务新媒体: demo accounts (the demo's site has none of its own); a real site lists its own here.
NEW_MEDIA = (
    NewMedia("微信公众号", "吉林政务服务（演示）", "https://mp.weixin.qq.com/"),
    NewMedia("政务微博", "@吉林政务服务（演示）", "https://weibo.com/"),
    NewMedia("政务服务小程序", "吉事办（演示）", "https://mp.weixin.qq.com/"),
)


def furniture() -> Furniture:
    from zhengwu import settings as defaults

    site_code, icp, psb = settings.ZHENGWU_SITE_CODE, settings.ZHENGWU_ICP, settings.ZHENGWU_PSB_RECORD
    return Furniture(
        site_code=site_code,
        icp=icp,
        psb_record=psb,
        host=settings.ZHENGWU_SITE_HOST,
        phone=settings.ZHENGWU_CONTACT_PHONE,
        email=settings.ZHENGWU_CONTACT_EMAIL,
        address=settings.ZHENGWU_CONTACT_ADDRESS,
        demo=site_code == defaults.DEMO_SITE_CODE or icp == defaults.DEMO_ICP or psb == defaults.DEMO_PSB_RECORD,
        new_media=NEW_MEDIA,
    )
