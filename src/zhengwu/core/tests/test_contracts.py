"""TodoItem.timed: the one way a to-do item takes its deadline and light from a supervision timer."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

from zhengwu.core.contracts import TodoItem


def test_timed_without_timer_has_no_clock() -> None:
    item = TodoItem.timed("来信办理", "X-1", "/x/1/", None, claimed_by="张三")
    assert item == TodoItem(kind_label="来信办理", title="X-1", url="/x/1/", claimed_by="张三")


def test_timed_takes_deadline_and_annotated_light() -> None:
    timer = SimpleNamespace(deadline=date(2026, 3, 2), current_light="yellow")
    item = TodoItem.timed("公文签收", "Y-2", "/y/2/", timer)
    assert (item.deadline, item.light, item.claimed_by) == (date(2026, 3, 2), "yellow", "")


def test_timed_light_is_empty_when_timer_not_annotated() -> None:
    item = TodoItem.timed("共享申请答复", "Z", "/z/", SimpleNamespace(deadline=date(2026, 3, 2), current_light=None))
    assert item.light == ""
