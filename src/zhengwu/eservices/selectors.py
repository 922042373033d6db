"""Reads of the eservices app."""

from __future__ import annotations

from typing import TYPE_CHECKING

from zhengwu.core.contracts import SearchHit, TodoItem

if TYPE_CHECKING:
    from zhengwu.accounts.models import User


def public_search(query: str, *, limit: int = 10) -> list[SearchHit]:
    """What the portal's one search box finds in this app (public items only), best first."""
    return []


def todo_items(user: User) -> list[TodoItem]:
    """The staff user's open work in this app, for the workbench's one to-do list."""
    return []
