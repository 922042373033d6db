"""Keyset pagination (docs/design.md rule 7): stable pages over growing tables, no OFFSET scans."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db.models import Model, QuerySet

from zhengwu.core.errors import ApplicationError, CoreError

M = TypeVar("M", bound=Model)

MAX_LIMIT = 500
MAX_ROW_ID = 2**63 - 1  # the largest key either database stores; a larger cursor is past every row


def keyset_page(rows: QuerySet[M], *, after: int | None, limit: int, key: str = "pk") -> tuple[list[M], int | None]:
    """Return up to `limit` rows with `key` > `after`, ordered by key, and the cursor of the next page."""
    if not 1 <= limit <= MAX_LIMIT:
        raise ApplicationError(CoreError.INVALID_INPUT, f"每页条数须在 1 到 {MAX_LIMIT} 之间。", {"limit": "超出范围"})
    if after is not None and after >= MAX_ROW_ID:
        return [], None
    if after is not None:
        rows = rows.filter(**{f"{key}__gt": after})
    items = list(rows.order_by(key)[: limit + 1])
    next_after: Any = getattr(items[limit - 1], key) if len(items) > limit else None
    return items[:limit], next_after
