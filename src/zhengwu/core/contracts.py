"""Small value types that the top layer (portal, workbench) collects from every domain app.

Each domain app that has something public to find exposes `selectors.public_search(query, *, limit)`
returning `SearchHit`s; each app with work for staff exposes `selectors.todo_items(user)` returning
`TodoItem`s. The portal's one search box and the workbench's one to-do list merge them, so neither
the portal nor the workbench knows any app's models.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.utils import timezone


@dataclass(frozen=True)
class SearchHit:
    kind: str  # "disclosure" | "eservices" | "catalog" | "participation" …
    kind_label: str  # 政府信息公开 / 办事指南 / 资源目录 / 公众参与 …
    title: str
    url: str
    summary: str = ""
    day: date | None = None
    score: float = 0.0  # relevance within its own app; the portal interleaves by rank, not by raw score


@dataclass(frozen=True)
class TodoItem:
    kind_label: str  # 办件审批 / 依申请公开 / 来信办理 / 共享申请 …
    title: str
    url: str  # the page where the user acts on it
    deadline: date | None = None
    light: str = ""  # supervision Light value: green | yellow | red | paused | ""
    claimed_by: str = ""  # name of the staff member who claimed it, "" when unclaimed
    claim_url: str = ""  # POST here to claim; "" when the item cannot be claimed

    @classmethod
    def timed(cls, kind_label: str, title: str, url: str, timer: Any | None, *, claimed_by: str = "") -> TodoItem:
        """An item with the deadline and light of its supervision timer (a `Timer` annotated with
        `current_light`, as `supervision.selectors.with_light` gives it), or none when it has no clock."""
        if timer is None:
            return cls(kind_label=kind_label, title=title, url=url, claimed_by=claimed_by)
        light = str(getattr(timer, "current_light", "") or "")
        return cls(
            kind_label=kind_label, title=title, url=url, deadline=timer.deadline, light=light, claimed_by=claimed_by
        )


@dataclass(frozen=True)
class DataSection:
    """Part of what the platform holds about one person (个人信息保护法 Art. 45, docs/rules.md §16):
    each domain app's `selectors.personal_data(user)` returns its sections; the portal's page 我的数据
    shows and exports them (JSON, Excel) without knowing any app's models."""

    key: str  # stable name in the JSON export: "applications", "letters" …
    title: str  # 办件 / 来信 / 依申请公开 …
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


def moment_text(moment: datetime | date | None) -> str:
    """A time as a person reads it in a DataSection: local time (Asia/Shanghai), minutes."""
    if moment is None:
        return ""
    if isinstance(moment, datetime):
        return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")
    return moment.isoformat()
