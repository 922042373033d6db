"""One to-do list for a staff user across every app (docs/design.md: "workbench: one to-do list over all apps").

Each app says what is waiting for this user (`todo_items(user)` → `core.contracts.TodoItem`); the
workbench only merges and orders: overdue first, then near the deadline, then by deadline, items
without a deadline last.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from zhengwu.accounts.models import User
from zhengwu.catalog import todo as catalog_todo
from zhengwu.core.contracts import TodoItem
from zhengwu.disclosure import selectors as disclosure_selectors
from zhengwu.documents import selectors as documents_selectors
from zhengwu.emergency import selectors as emergency_selectors
from zhengwu.eservices import selectors as eservices_selectors
from zhengwu.exchange.sharing import todo as exchange_todo
from zhengwu.governance import todo as governance_todo
from zhengwu.participation import selectors as participation_selectors
from zhengwu.supervision import todo as supervision_todo

PROVIDERS: tuple[Callable[[User], list[TodoItem]], ...] = (
    eservices_selectors.todo_items,
    disclosure_selectors.todo_items,
    participation_selectors.todo_items,
    documents_selectors.todo_items,
    exchange_todo.todo_items,
    catalog_todo.todo_items,
    supervision_todo.todo_items,  # 督办 notices and forwarded complaints; complaints for supervisors
    emergency_selectors.todo_items,  # report clocks and incidents to verify; reports to sign off
    governance_todo.todo_items,  # 自查 of zombie systems, the office's reviews, project steps, runs to review
)
LIGHT_ORDER = {"red": 0, "yellow": 1, "green": 2, "paused": 3, "": 4}


def _order(item: TodoItem) -> tuple[int, date, str]:
    return (LIGHT_ORDER.get(item.light, 4), item.deadline or date.max, item.title)


def todo_list(user: User) -> list[TodoItem]:
    """Everything waiting for `user`, most urgent first."""
    return sorted((item for provider in PROVIDERS for item in provider(user)), key=_order)


def select(items: list[TodoItem], *, light: str = "", kind: str = "") -> list[TodoItem]:
    """Only one light and/or one kind ("" = all)."""
    return [item for item in items if (not light or item.light == light) and (not kind or item.kind_label == kind)]


def kinds(items: list[TodoItem]) -> list[str]:
    return sorted({item.kind_label for item in items})
