"""The workbench menu in groups (workbench/menu.py): a clerk sees the groups of their pages in the
declared order, each page once; an entry without a group goes to its namespace's group."""

from __future__ import annotations

import re

import pytest

from zhengwu.accounts.models import Role, User
from zhengwu.conftest import staff_client
from zhengwu.workbench import menu

pytestmark = pytest.mark.django_db


def _groups(user: User) -> list[tuple[str, list[str]]]:
    body = staff_client(user).get("/workbench/").content.decode()
    found = re.findall(
        r"<details class=\"menu-group[^\"]*\" data-menu-group>\s*<summary>([^<]+)</summary>\s*<ul>(.*?)</ul>",
        body,
        re.S,
    )
    return [(label, re.findall(r">([^<]+)</a></li>", items)) for label, items in found]


def test_a_clerk_sees_their_groups_in_order(market_clerk: User) -> None:
    groups = _groups(market_clerk)
    labels = [label for label, _ in groups]
    assert labels[:4] == ["政务服务", "政务公开", "互动交流", "公文"]
    assert labels == [label for label in menu.GROUPS.values() if label in labels]  # declared order
    pages = [page for _, items in groups for page in items]
    assert "窗口受理" in dict(groups)["政务服务"] and "公文收文" in dict(groups)["公文"]
    assert len(pages) == len(set(pages))
    assert "用户管理" not in pages and "系统管理" not in labels  # not the clerk's


def test_an_admin_sees_only_system_pages(sys_admin: User) -> None:
    groups = dict(_groups(sys_admin))
    assert list(groups) == ["系统管理"] and "用户管理" in groups["系统管理"]


def test_every_entry_names_a_known_group() -> None:
    for entry in menu.MENU:
        assert menu.entry_group(entry) in menu.GROUPS, entry
    assert set(menu.NAMESPACE_GROUPS.values()) <= set(menu.GROUPS)


def test_an_entry_without_a_group_goes_to_its_namespace_group() -> None:
    assert menu.entry_group(("值班安排", "emergency_wb:duty", (Role.DUTY_OFFICER,))) == "emergency"
    assert menu.entry_group(("系统清单", "governance_wb:systems", (Role.SYSTEMS_OFFICER,))) == "governance"
    assert menu.entry_group(("别的", "unknown_wb:x", (Role.CLERK,))) == menu.FALLBACK_GROUP
