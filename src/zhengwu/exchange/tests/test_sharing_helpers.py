"""People, resources and data the sharing tests use (imported by the test_sharing*/test_query*/…
modules). 公安厅 provides 人口基础信息 (keyed by ID number, 有条件共享, 内网); 市场监督管理厅
provides 法人单位基础信息 (keyed by credit code, 无条件共享, 外网). Each is the other's consumer.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from zhengwu.accounts.models import ApiClient, Department, User
from zhengwu.accounts.services import apiclient_create
from zhengwu.catalog.models import CatalogClass, DataItem, DataType, FormatClass, Resource, ShareType, UpdateCycle, Zone
from zhengwu.core.actors import Actor
from zhengwu.exchange.sharing import services as sharing
from zhengwu.exchange.sharing.models import Grant
from zhengwu.exchange.store import tables as store

CITIZEN_ID = "11010519491231002X"  # the `citizen` fixture's number
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def resident_id(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True))
    return first17 + "10X98765432"[total % 11]


OTHER_ID = resident_id("22010219900307123")

PEOPLE = [
    {"sfzh": CITIZEN_ID, "xm": "张三", "sjhm": "13800138000", "zz": "北京市西城区某街道1号", "xb": "女"},
    {"sfzh": OTHER_ID, "xm": "李四", "sjhm": "13912341234", "zz": "吉林省长春市南关区某路2号", "xb": "男"},
]
COMPANIES = [
    {"tyshxydm": "91110000600037341L", "mc": "某某科技有限公司", "fddbr": "王五"},
    {"tyshxydm": "11220000013544357T", "mc": "吉林省市场监督管理厅", "fddbr": "赵六"},
]


def make_resource(
    provider: Department,
    *,
    code: str,
    name: str,
    share_type: str,
    zone: str,
    key_item: str,
    items: list[tuple[str, str, str, bool]],
    queryable: tuple[str, ...] = (),
) -> Resource:
    classification, sequence = code.split("/")
    resource = Resource.objects.create(
        catalog_class=CatalogClass.BASE,
        category=classification[0],
        item=classification[1:3],
        subitem=classification[3:6],
        sequence=int(sequence),
        code=code,
        name=name,
        provider=provider,
        provider_code=provider.credit_code,
        summary=name,
        format_class=FormatClass.DATABASE,
        share_type=share_type,
        no_share_basis="《某某法》第十条" if share_type == ShareType.NONE else "",
        update_cycle=UpdateCycle.DAILY,
        zone=zone,
        key_item=key_item,
        state=Resource.State.PUBLISHED,
        version=1,
    )
    for position, (item_code, item_name, data_type, personal) in enumerate(items, start=1):
        DataItem.objects.create(
            resource=resource,
            position=position,
            code=item_code,
            name=item_name,
            data_type=data_type,
            is_personal=personal,
            required=item_code == key_item,
            queryable=item_code in queryable,
        )
    return resource


def load(resource: Resource, rows: list[dict[str, Any]]) -> None:
    """Rows into the resource's table through the store's writer (upsert)."""
    spec = store.table_spec(resource)
    columns = list(rows[0])
    with transaction.atomic():
        writer = store.TableWriter(resource, mode="upsert", columns=columns)
        for row in rows:
            writer.add(tuple(spec.db_converter(c)(str(row[c])) for c in columns))
        writer.finish()


@pytest.fixture
def people(police_dept: Department) -> Resource:
    resource = make_resource(
        police_dept,
        code="101001/001",
        name="人口基础信息",
        share_type=ShareType.CONDITIONAL,
        zone=Zone.INTERNAL,
        key_item="sfzh",
        items=[
            ("sfzh", "公民身份号码", DataType.RESIDENT_ID, True),
            ("xm", "姓名", DataType.STRING, True),
            ("sjhm", "手机号码", DataType.STRING, True),
            ("zz", "住址", DataType.STRING, True),
            ("xb", "性别", DataType.STRING, False),
        ],
        queryable=("xm", "xb"),
    )
    load(resource, PEOPLE)
    return resource


@pytest.fixture
def companies(market_dept: Department) -> Resource:
    resource = make_resource(
        market_dept,
        code="102001/001",
        name="法人单位基础信息",
        share_type=ShareType.UNCONDITIONAL,
        zone=Zone.EXTERNAL,
        key_item="tyshxydm",
        items=[
            ("tyshxydm", "统一社会信用代码", DataType.CREDIT_CODE, False),
            ("mc", "单位名称", DataType.STRING, False),
            ("fddbr", "法定代表人", DataType.STRING, True),
        ],
        queryable=("mc", "fddbr"),
    )
    load(resource, COMPANIES)
    return resource


PURPOSE = "市场主体登记核验"


def request_people(user: User, resource: Resource, items: list[str] | None = None, **extra: Any) -> Any:
    return sharing.share_request_create(
        actor=Actor.person(user),
        resource=resource,
        item_codes=items or ["sfzh", "xm", "sjhm", "zz"],
        purpose=extra.pop("purpose", PURPOSE),
        legal_basis="《市场主体登记管理条例》第十五条",
        period_start=date.today(),
        period_end=date.today() + timedelta(days=365),
        **extra,
    )


@pytest.fixture
def market_grant(market_clerk: User, police_officer: User, people: Resource) -> Grant:
    """市场监管厅 holds a grant on 人口 (masked personal items) for PURPOSE."""
    share_request = request_people(market_clerk, people)
    return sharing.share_request_approve(
        actor=Actor.person(police_officer), share_request=share_request, rate_limit_per_minute=50
    )


def api_token(sys_admin: User, department: Department, scopes: list[str] | None = None) -> tuple[ApiClient, str]:
    return apiclient_create(
        actor=Actor.person(sys_admin),
        name=f"{department.name}业务系统",
        department=department,
        scopes=scopes or [ApiClient.Scope.EXCHANGE_QUERY],
        expires_at=timezone.now() + timedelta(days=30),
    )


@pytest.fixture
def market_token(sys_admin: User, market_dept: Department) -> str:
    return api_token(sys_admin, market_dept)[1]


@pytest.fixture
def police_token(sys_admin: User, police_dept: Department) -> str:
    return api_token(sys_admin, police_dept)[1]
