"""Helpers and fixtures of the response tests (the cast is in zhengwu/conftest.py: `commander` and
`duty_officer` of 应急管理厅 (`emergency_dept`); the departments with tasks are 公安厅 (`police_clerk`)
and 市场监管厅 (`market_clerk`))."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from zhengwu.accounts.models import Department, Region, User
from zhengwu.core import regions
from zhengwu.core.actors import Actor
from zhengwu.emergency import services
from zhengwu.emergency.models import Plan, Resource, ResourceKind, Task
from zhengwu.emergency.services import incident_link

Incident = incident_link.Incident
FLOOD_CLASS = "natural"
# 长春市南关区 (the incident's place) and points around it
CHANGCHUN = (43.8868, 125.3245)


def plan_data(*departments: Department, **overrides: Any) -> services.PlanData:
    """A flood plan led by the first department; every department has a Ⅲ级 duty, the first a Ⅳ级 one too."""
    lead = departments[0]
    duties = [services.DutyData("3", d, f"{d.name}按职责开展处置") for d in departments]
    duties.append(services.DutyData("4", lead, "派工作组赶赴现场"))
    values: dict[str, Any] = {
        "name": "吉林省防汛抗旱应急预案",
        "incident_class": FLOOD_CLASS,
        "lead_department": lead,
        "summary": "Ⅲ级响应由省应急管理厅牵头。",
        "duties": duties,
    }
    values.update(overrides)
    return services.PlanData(**values)


def make_plan(commander: User, *departments: Department) -> Plan:
    return services.plan_create(actor=Actor.person(commander), data=plan_data(*departments))


def make_incident(reporter: User, *, when: datetime | None = None, level: int = 3, **overrides: Any) -> Incident:
    """A graded incident (定级: ready for a response) in 长春市 (or `region_code`), received at `when`,
    made through the incident half's services; the region is added when the test has not."""
    from zhengwu.emergency.tests.conftest import incident_data

    code = overrides.get("region_code", "220100")
    _region(code)
    actor = Actor.person(reporter)
    incident = services.incident_report(actor=actor, data=incident_data(**overrides), received_at=when)
    services.incident_verify(actor=actor, incident=incident, note="回拨报告人核实")
    return services.incident_grade(actor=actor, incident=incident, level=level, reason="被困 12 人，符合较大事件标准")


def _region(code: str) -> Region:
    found = Region.objects.filter(code=code).first()
    if found is not None:
        return found
    parent = _region(code[:2] + "0000" if code.endswith("00") else code[:4] + "00")
    level = Region.Level.CITY if code.endswith("00") else Region.Level.COUNTY
    return Region.objects.create(code=code, name=regions.full_name(code), level=level, parent=parent)


def terminate(commander: User, incident: Incident) -> Incident:
    incident.refresh_from_db()
    return services.incident_terminate(actor=Actor.person(commander), incident=incident, reason="险情解除")


def activate(commander: User, plan: Plan, incident: Any, level: str = "3", when: datetime | None = None) -> list[Task]:
    return services.plan_activate(actor=Actor.person(commander), plan=plan, incident=incident, level=level, when=when)


def make_resource(duty_officer: User, department: Department, name: str, lat: float, lng: float, **kw: Any) -> Resource:
    values: dict[str, Any] = {"kind": ResourceKind.TEAM, "size": 30, "specialty": "水上救援"}
    values.update(kw)
    return services.resource_create(
        actor=Actor.person(duty_officer),
        data=services.ResourceData(name=name, department=department, lat=lat, lng=lng, **values),
    )


@pytest.fixture
def graded_incident(duty_officer: User, jilin: Region) -> Any:
    return make_incident(duty_officer)


@pytest.fixture
def flood_plan(commander: User, emergency_dept: Department, police_dept: Department, market_dept: Department) -> Plan:
    return make_plan(commander, emergency_dept, police_dept, market_dept)
