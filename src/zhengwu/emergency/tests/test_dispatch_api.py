"""The API for departments' systems: list the department's tasks, sign, report progress/arrival."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from zhengwu.accounts.models import ApiClient, Department, User
from zhengwu.accounts.services import apiclient_create
from zhengwu.core.actors import Actor
from zhengwu.emergency.models import Plan, Task
from zhengwu.emergency.tests.dispatch_helpers import activate

pytestmark = pytest.mark.django_db


def system(sys_admin: User, department: Department, scopes: list[str] | None = None) -> Client:
    client, token = apiclient_create(
        actor=Actor.person(sys_admin),
        name=f"{department.name}应急系统",
        department=department,
        scopes=[ApiClient.Scope.READ_DIRECTORY],
        expires_at=timezone.now() + timedelta(days=30),
    )
    client.scopes = scopes if scopes is not None else ["emergency:tasks"]
    client.save(update_fields=["scopes"])
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def test_a_department_system_lists_signs_and_reports(
    sys_admin: User,
    commander: User,
    flood_plan: Plan,
    graded_incident: Any,
    police_dept: Department,
    market_dept: Department,
) -> None:
    tasks = activate(commander, flood_plan, graded_incident)
    police = next(t for t in tasks if t.department == police_dept)
    api = system(sys_admin, police_dept)
    listing = api.get("/api/v1/emergency/tasks").json()
    assert [t["id"] for t in listing["items"]] == [police.pk] and listing["items"][0]["state"] == "issued"
    signed = api.post(f"/api/v1/emergency/tasks/{police.pk}/sign")
    assert signed.status_code == 200 and signed.json()["state"] == "signed"
    again = api.post(f"/api/v1/emergency/tasks/{police.pk}/sign")
    assert again.status_code == 409
    progress = api.post(
        f"/api/v1/emergency/tasks/{police.pk}/progress", {"text": "已到达现场"}, content_type="application/json"
    )
    assert progress.status_code == 200 and progress.json()["state"] == "signed"
    arrived = api.post(
        f"/api/v1/emergency/tasks/{police.pk}/progress",
        {"text": "到达", "arrived": True},
        content_type="application/json",
    )
    assert arrived.json()["state"] == "arrived" and arrived.json()["arrived_at"]
    assert Task.objects.get(pk=police.pk).events.filter(by__contains="应急系统").count() == 3
    other = system(sys_admin, market_dept)
    market = next(t for t in tasks if t.department == market_dept)
    assert other.post(f"/api/v1/emergency/tasks/{police.pk}/sign").status_code == 404
    assert other.get("/api/v1/emergency/tasks").json()["items"][0]["id"] == market.pk
    assert system(sys_admin, police_dept, scopes=[]).get("/api/v1/emergency/tasks").status_code in (401, 403)
