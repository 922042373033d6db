"""What the emergency tests add to the cast (zhengwu/conftest.py has 应急管理厅's `duty_officer` and
`commander`): the cities 长春市 and 吉林市, each with its 应急管理局 and its duty officer, so a city's
duty room can be refused another city's incidents; and helpers that receive and move incidents."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from zhengwu.accounts.models import Department, Region, Role, User
from zhengwu.conftest import make_staff
from zhengwu.core.actors import Actor
from zhengwu.emergency import services
from zhengwu.emergency.models import Category, Incident
from zhengwu.emergency.services import IncidentData


@pytest.fixture
def changchun(jilin: Region) -> Region:
    return Region.objects.create(code="220100", name="长春市", level=Region.Level.CITY, parent=jilin)


@pytest.fixture
def jilin_city(jilin: Region) -> Region:
    return Region.objects.create(code="220200", name="吉林市", level=Region.Level.CITY, parent=jilin)


def _city_dept(region: Region, name: str, code: str, parent: Department) -> Department:
    return Department.objects.create(
        name=name, credit_code=code, region=region, level=Department.Level.CITY, parent=parent
    )


@pytest.fixture
def cc_emergency(changchun: Region, emergency_dept: Department) -> Department:
    return _city_dept(changchun, "长春市应急管理局", "11220100MB0000001X", emergency_dept)


@pytest.fixture
def jl_emergency(jilin_city: Region, emergency_dept: Department) -> Department:
    return _city_dept(jilin_city, "吉林市应急管理局", "11220200MB0000002X", emergency_dept)


@pytest.fixture
def cc_duty(cc_emergency: Department, duty_officer: User) -> User:
    """长春市应急管理局's duty officer (the province's `duty_officer` exists too, so reports go up)."""
    return make_staff("cc_duty", cc_emergency, Role.DUTY_OFFICER, name="长春市应急管理局值班员孙")


@pytest.fixture
def cc_commander(cc_emergency: Department) -> User:
    return make_staff("cc_commander", cc_emergency, Role.COMMANDER, name="长春市应急管理局指挥长李")


@pytest.fixture
def jl_duty(jl_emergency: Department) -> User:
    return make_staff("jl_duty", jl_emergency, Role.DUTY_OFFICER, name="吉林市应急管理局值班员吴")


def incident_data(**overrides: Any) -> IncidentData:
    values: dict[str, Any] = {
        "title": "长春市南关区伊通河沿岸内涝",
        "category": Category.NATURAL,
        "subcategory": "洪涝灾害",
        "region_code": "220100",
        "place": "长春市南关区伊通河东岸",
        "description": "强降雨致伊通河沿岸低洼地带积水，约 200 户居民受困。",
        "lat": "43.8800",
        "lng": "125.3500",
        "trapped": 12,
    }
    values.update(overrides)
    return IncidentData(**values)


def received(user: User, *, when: datetime | None = None, **overrides: Any) -> Incident:
    return services.incident_report(actor=Actor.person(user), data=incident_data(**overrides), received_at=when)


def graded(user: User, level: int = 3, **overrides: Any) -> Incident:
    incident = received(user, **overrides)
    services.incident_verify(actor=Actor.person(user), incident=incident, note="回拨报告人核实")
    return services.incident_grade(
        actor=Actor.person(user), incident=incident, level=level, reason="被困 12 人，符合较大事件标准"
    )


def responding(user: User, level: int = 3, **overrides: Any) -> Incident:
    return services.incident_start_response(actor=Actor.person(user), incident=graded(user, level, **overrides))


from zhengwu.emergency.tests.dispatch_helpers import flood_plan, graded_incident  # noqa: E402, F401
