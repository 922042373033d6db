"""A keyset-paged list as the API serves it (docs/design.md rule 7): `?after=&limit=` in, `{items, next_after}` out.

Every list endpoint of every app pages the same way; the query schema and the answer are written once
here so that the endpoints differ only in their rows and how one row is shown.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.db.models import Model, QuerySet
from ninja import Field, Schema

from zhengwu.core.pagination import MAX_LIMIT, keyset_page

M = TypeVar("M", bound=Model)


class KeysetQuery(Schema):
    """The paging parameters of a list endpoint; an endpoint's filter schema adds its own fields."""

    after: int | None = Field(None, description="上一页返回的 next_after；首页不填")
    limit: int = Field(50, ge=1, le=MAX_LIMIT, description="每页条数")


def keyset_response(rows: QuerySet[M], query: KeysetQuery, out: Callable[[M], Any]) -> dict[str, Any]:
    """The page of `rows` that `query` asks for, each row shown by `out`, with the cursor of the next page."""
    items, next_after = keyset_page(rows, after=query.after, limit=query.limit)
    return {"items": [out(item) for item in items], "next_after": next_after}
