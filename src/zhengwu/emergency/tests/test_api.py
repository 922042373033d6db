"""The API of department systems (scope emergency:report): report an incident, post a 续报, read its status."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from zhengwu.accounts.models import ApiClient, Department, User
from zhengwu.core.actors import Actor
from zhengwu.core.crypto import sm3_hex
from zhengwu.emergency import services
from zhengwu.emergency.models import Incident, IncidentReport
from zhengwu.emergency.services import ReportData


def _token(department: Department, scopes: list[str], prefix: str) -> str:
    ApiClient.objects.create(
        name=f"{department.name}系统",
        department=department,
        token_prefix=prefix,
        token_hash=sm3_hex(f"secret-{prefix}"),
        scopes=scopes,
        expires_at=timezone.now() + timedelta(days=30),
    )
    return f"zw_{prefix}_secret-{prefix}"


BODY = {
    "title": "长春市宽城区化工厂火灾",
    "category": "accident",
    "subcategory": "火灾",
    "region_code": "220100",
    "place": "宽城区兰家镇化工园区",
    "lat": "43.95",
    "lng": "125.32",
    "description": "一化工厂仓库起火，无人员被困。",
    "injured": 1,
}


@pytest.fixture
def police_system(police_dept: Department) -> str:
    return _token(police_dept, ["emergency:report"], "p0lice01")


def test_a_department_system_reports_posts_a_follow_up_and_reads_the_status(
    police_system: str, cc_duty: User, cc_commander: User, police_dept: Department
) -> None:
    auth = {"Authorization": f"Bearer {police_system}"}
    created = Client().post("/api/v1/emergency/incidents", BODY, content_type="application/json", headers=auth)
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["state"] == "received" and body["department"] == "长春市应急管理局"
    assert body["clocks"][0]["kind"] == "emergency.first_report" and body["clocks"][0]["limit_minutes"] == 60
    incident = Incident.objects.get(pk=body["id"])
    assert incident.reporting_department == police_dept and incident.source == "system"
    # the duty room verifies and sends the 初报; the system then posts a 续报, signed off on the platform
    services.incident_verify(actor=Actor.person(cc_duty), incident=incident)
    initial = services.report_draft(
        actor=Actor.person(cc_duty), incident=incident, kind="initial", data=ReportData(content="初报")
    )
    services.report_sign(actor=Actor.person(cc_commander), report=initial)
    posted = Client().post(
        f"/api/v1/emergency/incidents/{incident.pk}/reports",
        {"content": "火势已控制，受伤 2 人。", "injured": 2},
        content_type="application/json",
        headers=auth,
    )
    assert posted.status_code == 201, posted.content
    assert posted.json()["title"] == "第1次续报" and posted.json()["state"] == "draft"
    report = IncidentReport.objects.get(pk=posted.json()["id"])
    assert report.api_client is not None and report.figures["injured"] == 2
    status = Client().get(f"/api/v1/emergency/incidents/{incident.pk}", headers=auth).json()
    assert status["state"] == "verified" and [r["title"] for r in status["reports"]] == ["初报", "第1次续报"]


def test_refusals(police_system: str, market_dept: Department, cc_duty: User) -> None:
    other = _token(market_dept, ["emergency:report"], "m4rket01")
    no_scope = _token(market_dept, ["directory:read"], "m4rket02")
    assert Client().post("/api/v1/emergency/incidents", BODY, content_type="application/json").status_code == 401
    refused = Client().post(
        "/api/v1/emergency/incidents",
        BODY,
        content_type="application/json",
        headers={"Authorization": f"Bearer {no_scope}"},
    )
    assert refused.status_code in (401, 403)
    created = (
        Client()
        .post(
            "/api/v1/emergency/incidents",
            BODY,
            content_type="application/json",
            headers={"Authorization": f"Bearer {police_system}"},
        )
        .json()
    )
    hidden = Client().get(f"/api/v1/emergency/incidents/{created['id']}", headers={"Authorization": f"Bearer {other}"})
    assert hidden.status_code == 404
    bad = Client().post(
        "/api/v1/emergency/incidents",
        {**BODY, "region_code": "999999"},
        content_type="application/json",
        headers={"Authorization": f"Bearer {police_system}"},
    )
    assert bad.status_code in (400, 422) and bad.json()["fields"] == {"region_code": "不存在"}
