"""The demo loaders find the demo's people by account name (`accounts.demo`), and get None, not an
error, when an account is not there; a department system's client is made one way."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from zhengwu.accounts.demo import demo_actor, demo_department, demo_exchange_client, demo_user
from zhengwu.accounts.models import ApiClient, Department, Role
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


def test_demo_exchange_client_is_a_year_long_query_client_registered_by_sysadmin(market_dept: Department) -> None:
    make_staff("sysadmin", market_dept, Role.SYS_ADMIN)

    client, token = demo_exchange_client("市场监管厅数据报送接口", market_dept)

    assert client.department == market_dept and client.name == "市场监管厅数据报送接口"
    assert client.scopes == [ApiClient.Scope.EXCHANGE_QUERY]
    assert timedelta(days=364) < client.expires_at - timezone.now() <= timedelta(days=365)
    assert token.startswith(f"zw_{client.token_prefix}_")
