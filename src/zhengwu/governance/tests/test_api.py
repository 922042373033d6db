"""The inventory API for departments' systems (scope governance:inventory)."""

from __future__ import annotations

import pytest
from django.test import Client

from zhengwu.accounts.models import ApiClient, Department, User
from zhengwu.accounts.services import apiclient_create
from zhengwu.audit.models import AuditEvent
from zhengwu.core.actors import Actor
from zhengwu.governance.models import InformationSystem
from zhengwu.governance.permissions import SCOPE
from zhengwu.governance.tests.conftest import register

pytestmark = pytest.mark.django_db

BODY = {
    "name": "市场监管综合业务系统",
    "functions": "登记、许可、执法",
    "users_scope": "全省市场监管系统",
    "contact_name": "冯工",
    "contact_phone": "0431-88880000",
    "network_zone": "extranet",
    "funding_source": "fiscal",
    "om_cost_yearly": "20",
}


def bearer(sys_admin: User, department: Department, scopes: list[str]) -> tuple[Client, ApiClient]:
    from datetime import timedelta

    from django.utils import timezone

    client, token = apiclient_create(  # as the system administrator issues it (工作台 → 接口调用系统)
        actor=Actor.person(sys_admin),
        name=f"清单同步 {department.pk}",
        department=department,
        scopes=scopes,
        expires_at=timezone.now() + timedelta(days=30),
    )
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}"), client


def test_register_list_detail_update(sys_admin: User, market_dept: Department) -> None:
    web, _ = bearer(sys_admin, market_dept, [SCOPE])
    created = web.post("/api/v1/governance/systems", BODY, content_type="application/json")
    assert created.status_code == 201, created.content
    system_id = created.json()["id"]
    assert created.json()["unconnected"] is True
    listed = web.get("/api/v1/governance/systems").json()
    assert [s["name"] for s in listed["items"]] == ["市场监管综合业务系统"]
    detail = web.get(f"/api/v1/governance/systems/{system_id}").json()
    assert len(detail["usage"]["months"]) == 12 and detail["usage"]["calls"] == [0] * 12
    updated = web.post(
        f"/api/v1/governance/systems/{system_id}", {**BODY, "om_cost_yearly": "0"}, content_type="application/json"
    )
    assert updated.status_code == 200 and updated.json()["om_cost_yearly"] == "0.00"
    event = AuditEvent.objects.get(action="governance.system.register")
    assert event.api_client_id is not None


def test_bad_input_names_the_field(sys_admin: User, market_dept: Department) -> None:
    web, _ = bearer(sys_admin, market_dept, [SCOPE])
    response = web.post("/api/v1/governance/systems", {**BODY, "network_zone": "moon"}, content_type="application/json")
    assert response.status_code == 400
    assert "network_zone" in response.json()["fields"]


def test_other_departments_system_is_not_found(sys_admin: User, police_dept: Department, systems_officer: User) -> None:
    system = register(systems_officer)
    web, _ = bearer(sys_admin, police_dept, [SCOPE])
    assert web.get(f"/api/v1/governance/systems/{system.pk}").status_code == 404
    assert web.post(f"/api/v1/governance/systems/{system.pk}", BODY, content_type="application/json").status_code == 404
    assert web.get("/api/v1/governance/systems").json()["items"] == []
    InformationSystem.objects.get(pk=system.pk)


def test_without_the_scope_refused(sys_admin: User, market_dept: Department) -> None:
    web, _ = bearer(sys_admin, market_dept, ["exchange:query"])
    assert web.get("/api/v1/governance/systems").status_code == 403
    assert Client().get("/api/v1/governance/systems").status_code == 401
