"""What the home page and the department sections (网站群) show, gathered from every app.

Each feed reads an app's `selectors` (published publications, published service items, open
consultations and surveys, published letters) and turns the rows into `core.contracts.SearchHit`s,
so the templates know no app's models. A department's section shows that department's items; the
home page shows the newest of all departments, so a department's publication reaches the main
portal without anyone copying it there.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import Count, QuerySet
from django.urls import reverse
from django.utils import timezone

from zhengwu.accounts.models import Department
from zhengwu.catalog import selectors as catalog_selectors
from zhengwu.core import workdays
from zhengwu.core.contracts import SearchHit
from zhengwu.disclosure import selectors as disclosure_selectors
from zhengwu.eservices import selectors as eservices_selectors
from zhengwu.participation import selectors as participation_selectors


def open_data(*, limit: int, department_id: int | None = None) -> list[SearchHit]:
    """The newest resources of the open catalog."""
    return [
        SearchHit(
            kind="catalog",
            kind_label="开放数据",
            title=resource.name,
            url=reverse("portal:opendata_detail", args=[resource.code]),
            summary=resource.provider.name,
            day=resource.publish_date,
        )
        for resource in catalog_selectors.public_latest(limit=limit, provider_id=department_id)
    ]


def _day(moment: datetime | None) -> date | None:
    return timezone.localdate(moment) if moment is not None else None


# The home page's columns of 政府信息公开, as on provincial portals: notices, news, the rest.
NOTICES, NEWS = ("notice",), ("news",)


def publications(
    *,
    limit: int,
    department_id: int | None = None,
    categories: Sequence[str] = (),
    other_than: Sequence[str] = (),
) -> list[SearchHit]:
    """Published items of 政府信息公开 (of `categories` if given, not of `other_than`), newest first."""
    rows = disclosure_selectors.published()
    if department_id is not None:
        rows = rows.filter(department_id=department_id)
    if categories:
        rows = rows.filter(category__in=categories)
    if other_than:
        rows = rows.exclude(category__in=other_than)
    return [
        SearchHit(
            kind="disclosure",
            kind_label=publication.get_category_display(),
            title=publication.title,
            url=reverse("disclosure:detail", args=[publication.url_key]),
            summary=" · ".join(part for part in (publication.department.name, publication.document_number) if part),
            day=_day(publication.published_at),
        )
        for publication in rows.order_by("-published_at", "-id")[:limit]
    ]


def services(*, limit: int, department_id: int | None = None) -> list[SearchHit]:
    """Published service items (办事指南), the most applied for first."""
    rows = eservices_selectors.published_items()
    if department_id is not None:
        rows = rows.filter(department_id=department_id)
    rows = rows.annotate(applied=Count("applications")).order_by("-applied", "name", "id")
    return [
        SearchHit(
            kind="eservices",
            kind_label="全程网办" if item.online and item.visits == 0 else "办事指南",
            title=item.name,
            url=reverse("eservices:guide", args=[item.pk]),
            summary=f"{item.department.name} · 承诺 {item.promised_limit} 个工作日",
        )
        for item in rows[:limit]
    ]


def consultations(*, limit: int) -> list[SearchHit]:
    """Consultations (意见征集) and surveys (问卷调查) open today, the soonest to close first."""
    today = workdays.today()
    found: list[tuple[date, SearchHit]] = []
    kinds: tuple[tuple[QuerySet[Any], Callable[[Any], bool], str, str], ...] = (
        (
            participation_selectors.public_consultations(),
            participation_selectors.consultation_is_open,
            "意见征集",
            "consultation",
        ),
        (participation_selectors.public_surveys(), participation_selectors.survey_is_open, "问卷调查", "survey"),
    )
    for queryset, is_open, kind_label, url_name in kinds:
        for item in queryset.filter(closes_on__gte=today)[: limit * 2]:
            if is_open(item):
                hit = SearchHit(
                    kind="participation",
                    kind_label=kind_label,
                    title=item.title,
                    url=reverse(f"participation:{url_name}", args=[item.pk]),
                    summary=f"{item.department.name} · 截止 {item.closes_on:%Y-%m-%d}",
                    day=item.opens_on,
                )
                found.append((item.closes_on, hit))
    found.sort(key=lambda pair: (pair[0], pair[1].title))
    return [hit for _, hit in found[:limit]]


def letter_replies(*, limit: int, department_id: int | None = None) -> list[SearchHit]:
    """Letters published with the writer's consent, with their public reply, newest first."""
    rows = participation_selectors.published_letters().exclude(public_reply="")
    if department_id is not None:
        rows = rows.filter(department_id=department_id)
    return [
        SearchHit(
            kind="participation",
            kind_label="信件回复",
            title=letter.public_title or letter.number,
            url=reverse("participation:letter_public", args=[letter.number]),
            summary=letter.department.name if letter.department else "",
            day=_day(letter.published_at),
        )
        for letter in rows[:limit]
    ]


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    hits: list[SearchHit]
    empty: str  # what to say when there is nothing
    more_url: str = ""


def home_sections(*, limit: int = 8) -> list[Section]:
    return [
        Section("notices", "通知公告", publications(limit=limit, categories=NOTICES), "暂无通知公告。"),
        Section("news", "政务动态", publications(limit=limit, categories=NEWS), "暂无政务动态。"),
        Section(
            "publications",
            "政府信息公开",
            publications(limit=limit, other_than=NOTICES + NEWS),
            "暂无公开的政府信息。",
            reverse("disclosure:index"),
        ),
        Section("services", "热门服务", services(limit=limit), "暂无可在线办理的服务事项。"),
        Section("consultations", "意见征集与调查", consultations(limit=limit), "当前没有正在进行的意见征集或调查。"),
        Section("opendata", "最新开放数据", open_data(limit=limit), "暂无开放数据。", reverse("portal:opendata")),
    ]


def department_sections(department_id: int, *, limit: int = 10) -> list[Section]:
    return [
        Section(
            "publications", "信息公开", publications(limit=limit, department_id=department_id), "本部门暂无发布的信息。"
        ),
        Section("services", "办事服务", services(limit=limit, department_id=department_id), "本部门暂无服务事项。"),
        Section(
            "opendata",
            "开放数据",
            open_data(limit=limit, department_id=department_id),
            "本部门暂无开放数据。",
            reverse("portal:opendata") + f"?provider={department_id}",
        ),
        Section(
            "letters",
            "信件回复",
            letter_replies(limit=limit, department_id=department_id),
            "本部门暂无公开的信件回复。",
        ),
    ]


def department_by_key(key: str) -> Department | None:
    """An active department by its 统一社会信用代码 (18 characters) or its number."""
    rows = Department.objects.filter(is_active=True).select_related("region")
    if len(key) == 18:
        return rows.filter(credit_code=key.upper()).first()
    if key.isdigit() and len(key) <= 12:
        return rows.filter(pk=int(key)).first()
    return None
