"""救济途径 of a service decision (docs/rules.md §5 “救济途径”): where and within what limit an
applicant who disagrees may ask for 行政复议 or bring 行政诉讼.

- 行政复议: within 60 days of knowing the decision (《中华人民共和国行政复议法》（2023 年修订）第二十条),
  to the people's government of the deciding department's level (same law, 第二十四条) unless the
  item names another body (垂直管理的海关、税务等 go to their superior organ);
- 行政诉讼: within 6 months of knowing the decision (《中华人民共和国行政诉讼法》第四十六条), at the
  people's court of the place of the deciding organ (same law, 第十八条) unless the item names one.

These are limits on the applicant, not on the administration, so no supervision timer watches them;
the guide states them and the case page gives the last day counted from the decision.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from zhengwu.eservices.models import ServiceItem

REVIEW_DAYS = 60
LITIGATION_MONTHS = 6


@dataclass(frozen=True)
class Remedy:
    name: str
    where: str
    limit: str
    basis: str


def _government(item: ServiceItem) -> str:
    region = item.department.region
    return f"{region.name}人民政府" if region is not None else "本级人民政府"


def remedies(item: ServiceItem) -> list[Remedy]:
    """The two ways to challenge a decision on `item`, with where and how long."""
    region = item.department.region
    court = f"{region.name}内对{item.department.name}有管辖权的人民法院" if region is not None else "有管辖权的人民法院"
    return [
        Remedy(
            name="申请行政复议",
            where=item.review_body or _government(item),
            limit=f"自知道或者应当知道该行政行为之日起 {REVIEW_DAYS} 日内",
            basis="《中华人民共和国行政复议法》第二十条、第二十四条",
        ),
        Remedy(
            name="提起行政诉讼",
            where=item.litigation_court or court,
            limit=f"自知道或者应当知道作出行政行为之日起 {LITIGATION_MONTHS} 个月内",
            basis="《中华人民共和国行政诉讼法》第十八条、第四十六条",
        ),
    ]


def remedy_last_days(decided: date) -> tuple[date, date]:
    """(last day for 行政复议, last day for 行政诉讼) counted from the day the decision was known."""
    month = decided.month - 1 + LITIGATION_MONTHS
    year, month = decided.year + month // 12, month % 12 + 1
    day = decided.day
    while True:  # the same day six months on, or that month's last day (31 Aug → 28/29 Feb)
        try:
            litigation = date(year, month, day)
            break
        except ValueError:
            day -= 1
    return decided + timedelta(days=REVIEW_DAYS), litigation
