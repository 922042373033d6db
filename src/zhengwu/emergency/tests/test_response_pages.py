"""The response pages: register a resource, find it nearby, commit and release it from the
incident's response page, add a task; another city's duty officer does not see the incident."""

from __future__ import annotations

from typing import Any

import pytest

from zhengwu.accounts.models import Department, User
from zhengwu.conftest import staff_client
from zhengwu.emergency.models import Plan, Resource, Task
from zhengwu.emergency.tests.dispatch_helpers import CHANGCHUN, activate

pytestmark = pytest.mark.django_db


def test_resources_and_the_response_page(
    commander: User,
    duty_officer: User,
    flood_plan: Plan,
    graded_incident: Any,
    police_dept: Department,
    office_dept: Department,
    jl_duty: User,
) -> None:
    client = staff_client(duty_officer)
    lat, lng = CHANGCHUN
    created = client.post(
        "/workbench/emergency/resources/new/",
        {"kind": "shelter", "name": "南湖公园应急避难场所", "department": police_dept.pk, "lat": lat, "lng": lng,
         "capacity": 20000},
    )  # fmt: skip
    assert created.status_code == 302
    shelter = Resource.objects.get()
    refused = client.post(
        "/workbench/emergency/resources/new/",
        {"kind": "supply", "name": "帐篷", "department": police_dept.pk, "lat": lat, "lng": lng},
    )
    assert "请填写物资数量" in refused.content.decode() and Resource.objects.count() == 1
    nearby = client.get(f"/workbench/emergency/resources/?lat={lat}&lng={lng}&radius=10").content.decode()
    assert "南湖公园应急避难场所" in nearby and "0.0 公里" in nearby
    page = client.get(f"/workbench/emergency/incidents/{graded_incident.pk}/response/").content.decode()
    assert "南湖公园应急避难场所" in page and "启动预案" in page  # the duty officer starts the plan
    activate(commander, flood_plan, graded_incident)
    page = client.get(f"/workbench/emergency/incidents/{graded_incident.pk}/response/").content.decode()
    assert "增派任务" not in page  # adding a task is the 指挥长's
    base = f"/workbench/emergency/incidents/{graded_incident.pk}/response/"
    client.post(f"{base}commit/", {"resource": shelter.pk})
    shelter.refresh_from_db()
    assert shelter.committed_to_id == graded_incident.pk
    client.post(f"/workbench/emergency/resources/{shelter.pk}/release/")
    shelter.refresh_from_db()
    assert shelter.committed_to_id is None
    boss = staff_client(commander)
    boss.post(f"{base}add_task/", {"department": office_dept.pk, "duty": "统一发布权威信息", "sign": "10"})
    assert Task.objects.get(department=office_dept).sign_minutes == 10
    assert staff_client(jl_duty).get(base).status_code == 404  # 吉林市's duty room: not its area
