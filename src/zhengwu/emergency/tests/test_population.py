"""The residents registered in the incident's region: a count through the sharing layer, under a
grant, logged in the exchange's access log; refused (and logged) without the grant."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from zhengwu.accounts.models import Department, User
from zhengwu.audit.tests.helpers import refused_write
from zhengwu.catalog.models import DataType, Resource, ShareType, Zone
from zhengwu.core.actors import Actor
from zhengwu.emergency import services
from zhengwu.emergency.tests.dispatch_helpers import make_incident
from zhengwu.exchange.sharing.models import AccessLog, Grant
from zhengwu.exchange.tests.test_sharing_helpers import load, make_resource, resident_id

pytestmark = pytest.mark.django_db


@pytest.fixture
def population(police_dept: Department) -> Resource:
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
            ("region_code", "户籍地区划代码", DataType.REGION_CODE, False),
        ],
        queryable=("region_code",),  # declared queryable by its provider (issue 12's 可查询数据项)
    )
    rows = [
        {"sfzh": resident_id(f"22010219900301{n:03d}"), "xm": f"居民{n}", "region_code": code}
        for n, code in enumerate(["220102"] * 3 + ["220103"] * 2 + ["220203"], start=1)
    ]
    load(resource, rows)
    return resource


def _grant(emergency_dept: Department, resource: Resource, items: list[str]) -> Grant:
    return Grant.objects.create(
        consumer=emergency_dept,
        resource=resource,
        item_codes=items,
        purpose="突发事件应急处置",
        legal_basis="《突发事件应对法》",
        valid_until=timezone.now() + timedelta(days=365),
    )


def test_the_count_goes_through_the_grant_and_the_access_log(
    duty_officer: User, emergency_dept: Department, population: Resource
) -> None:
    _grant(emergency_dept, population, ["region_code"])
    county = make_incident(duty_officer, region_code="220102")
    assert services.population_count(actor=Actor.person(duty_officer), incident=county) == 3
    city = make_incident(duty_officer, region_code="220100")  # 长春市: every district under it
    assert services.population_count(actor=Actor.person(duty_officer), incident=city) == 5
    entries = list(AccessLog.objects.filter(consumer=emergency_dept).order_by("seq"))
    assert [(e.operation, e.outcome, e.rows) for e in entries] == [("search", "ok", 3), ("search", "ok", 5)]
    assert entries[0].filters == {"region_code": "220102"} and entries[0].item_codes == ["region_code"]
    assert entries[0].keys == []  # a count: no record keys, no names


def test_without_a_grant_for_the_item_the_count_is_refused_and_logged(
    duty_officer: User, emergency_dept: Department, population: Resource, citizen: User
) -> None:
    _grant(emergency_dept, population, ["xm"])  # a grant that does not cover 户籍地区划代码
    incident: Any = make_incident(duty_officer, region_code="220102")
    refused_write(
        lambda: services.population_count(actor=Actor.person(duty_officer), incident=incident),
        apps=["emergency"],
        code="emergency.no_grant",
    )
    assert AccessLog.objects.get(consumer=emergency_dept).outcome == "denied"
    refused_write(
        lambda: services.population_count(actor=Actor.person(citizen), incident=incident),
        apps=["emergency"],
        code="core.permission_denied",
    )


def test_an_item_not_declared_queryable_is_not_counted(
    duty_officer: User, emergency_dept: Department, population: Resource
) -> None:
    """The 户籍地区划代码 is counted only while the provider declares it queryable, like any filter."""
    _grant(emergency_dept, population, ["region_code"])
    population.items.filter(code="region_code").update(queryable=False)
    incident: Any = make_incident(duty_officer, region_code="220102")
    refused_write(
        lambda: services.population_count(actor=Actor.person(duty_officer), incident=incident),
        apps=["emergency"],
        code="emergency.no_grant",
    )
    (entry,) = AccessLog.objects.filter(consumer=emergency_dept)
    assert (entry.outcome, entry.reason, entry.rows) == ("denied", "not_queryable", 0)
