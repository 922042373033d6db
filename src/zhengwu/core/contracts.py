"""Small value types that the top layer (portal, workbench) collects from every domain app.

Each domain app that has something public to find exposes `selectors.public_search(query, *, limit)`
returning `SearchHit`s; each app with work for staff exposes `selectors.todo_items(user)` returning
`TodoItem`s. The portal's one search box and the workbench's one to-do list merge them, so neither
the portal nor the workbench knows any app's models.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


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
