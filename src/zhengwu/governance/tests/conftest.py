"""What the governance tests share beyond the one cast (src/zhengwu/conftest.py)."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from zhengwu.accounts.models import ApiClient, Department, Role, User
from zhengwu.catalog.models import CatalogClass, FormatClass, Resource, ShareType
from zhengwu.conftest import make_staff
from zhengwu.core.actors import Actor
from zhengwu.exchange.sharing import access_log
from zhengwu.governance.models import InformationSystem
from zhengwu.governance.services import SystemData, system_register
from zhengwu.governance.services.systems import SCOPE


def system_data(**overrides: Any) -> SystemData:
    values: dict[str, Any] = {
        "name": "市场主体登记系统",
        "short_name": "登记系统",
        "functions": "企业设立、变更、注销登记",
        "users_scope": "全省市场监管系统登记窗口",
        "contact_name": "冯工",
        "contact_phone": "0431-88880000",
        "network_zone": "extranet",
        "funding_source": "fiscal",
        "approved_by": "省发展改革委",
        "om_cost_yearly": "35.5",
        "mlps_level": 3,
        "mlps_filing_number": "22010099001-00001",
    }
    values.update(overrides)
    return SystemData(**values)


def make_client(department: Department, name: str = "市场监管业务系统", scopes: list[str] | None = None) -> ApiClient:
    """A client as `apiclient_create` makes it (scopes set directly: the inventory scope is not a
    choice of accounts, as documents:exchange); its token is not needed here."""
    return ApiClient.objects.create(
        name=name,
        department=department,
        token_prefix=secrets.token_hex(4),
        token_hash="-",
        scopes=scopes or ["exchange:query"],
        expires_at=timezone.now() + timedelta(days=365),
    )


def register(officer: User, **overrides: Any) -> InformationSystem:
    assert officer.department is not None
    return system_register(actor=Actor.person(officer), department=officer.department, data=system_data(**overrides))


@pytest.fixture
def market_system(systems_officer: User) -> InformationSystem:
    return register(systems_officer)


@pytest.fixture
def inventory_client(market_dept: Department) -> ApiClient:
    return make_client(market_dept, "市场监管清单同步", scopes=["exchange:query", SCOPE])


def make_resource(provider: Department, code: str, *, update_cycle: str = "monthly") -> Resource:
    """A published catalog resource of `provider` (no data table: governance reads only its freshness)."""
    classification, sequence = code.split("/")
    return Resource.objects.create(
        catalog_class=CatalogClass.BASE,
        category=classification[0],
        item=classification[1:3],
        subitem=classification[3:6],
        sequence=int(sequence),
        code=code,
        name=f"资源 {code}",
        provider=provider,
        provider_code=provider.credit_code,
        summary="测试资源",
        format_class=FormatClass.DATABASE,
        share_type=ShareType.CONDITIONAL,
        update_cycle=update_cycle,
        state=Resource.State.PUBLISHED,
        version=1,
    )


def log_call(client: ApiClient, at: datetime, resource: Resource | None = None) -> None:
    """One call of `client` through the exchange at `at`."""
    access_log.append(operation="record", outcome="ok", api_client=client, resource=resource, at=at)


@pytest.fixture
def police_systems(police_dept: Department) -> User:
    """公安厅's 信息化管理员: another department's."""
    return make_staff("police_systems", police_dept, Role.SYSTEMS_OFFICER, name="公安厅信息化管理员")
