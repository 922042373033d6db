"""The demo loaders find the demo's people by account name (`accounts.demo`), and get None, not an
error, when an account is not there."""

from __future__ import annotations

import pytest

from zhengwu.accounts.demo import demo_actor, demo_department, demo_user
from zhengwu.accounts.models import Department, Role
from zhengwu.conftest import make_staff

pytestmark = pytest.mark.django_db


def test_demo_people_are_found_by_account_name(market_dept: Department) -> None:
    leader = make_staff("scjgt.leader", market_dept, Role.DEPT_LEADER)

    assert demo_user("scjgt.leader") == leader
    actor = demo_actor("scjgt.leader")
    assert actor is not None and actor.is_person and actor.user == leader
    assert demo_department("scjgt", "leader") == market_dept


def test_missing_accounts_are_none() -> None:
    assert demo_user("scjgt.leader") is None
    assert demo_actor("scjgt.leader") is None
    assert demo_department("scjgt", "leader") is None
    assert demo_department("scjgt", "clerk") is None


def test_an_account_without_a_department_names_none() -> None:
    make_staff("tyj.leader", None, Role.DEPT_LEADER)

    assert demo_user("tyj.leader") is not None
    assert demo_department("tyj", "leader") is None
