"""The read API (dashboard counts, red list) and the to-do items of the e-supervision centre."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from zhengwu.accounts.models import ApiClient, Department, User
from zhengwu.accounts.services import apiclient_create
from zhengwu.conftest import make_staff, person_client, staff_client
from zhengwu.core import workdays
from zhengwu.core.actors import Actor
from zhengwu.supervision import oversight, todo
from zhengwu.supervision.tests.conftest import start


@pytest.fixture
def timers(market_dept: Department, police_dept: Department) -> None:
    start(market_dept, 10, workdays.today())  # green
    start(market_dept, 1, date(2024, 3, 1), title="市场红灯")
    start(police_dept, 1, date(2024, 3, 4), title="公安红灯")


def system(sys_admin: User, department: Department, scopes: list[str]) -> str:
    _client, token = apiclient_create(
        actor=Actor.person(sys_admin),
        name="监察系统",
        department=department,
        scopes=scopes,
        expires_at=timezone.now() + timedelta(days=30),
    )
    return token


@pytest.mark.django_db
def test_dashboard_api_for_supervisor_and_systems(
    timers: None, supervisor: User, market_leader: User, sys_admin: User, market_dept: Department
) -> None:
    body = staff_client(supervisor).get("/api/v1/supervision/dashboard").json()
    assert body["scope"] == "all" and body["totals"]["red"] == 2 and body["totals"]["green"] == 1
    assert {row["label"] for row in body["by_department"]} == {"吉林省市场监督管理厅", "吉林省公安厅"}
    own = staff_client(market_leader).get("/api/v1/supervision/dashboard").json()
    assert own["scope"] == market_dept.name and own["totals"]["total"] == 2
    token = system(sys_admin, market_dept, ["supervision:read"])
    response = Client(HTTP_AUTHORIZATION=f"Bearer {token}").get("/api/v1/supervision/dashboard")
    assert response.status_code == 200 and response.json()["totals"]["total"] == 3


@pytest.mark.django_db
def test_red_list_api_pages_and_filters(
    timers: None, supervisor: User, market_leader: User, police_dept: Department
) -> None:
    client = staff_client(supervisor)
    first = client.get("/api/v1/supervision/red-list?limit=1").json()
    assert len(first["items"]) == 1 and first["next_after"] is not None
    second = client.get(f"/api/v1/supervision/red-list?limit=1&after={first['next_after']}").json()
    assert len(second["items"]) == 1 and second["next_after"] is None
    assert {first["items"][0]["title"], second["items"][0]["title"]} == {"市场红灯", "公安红灯"}
    police = client.get(f"/api/v1/supervision/red-list?department={police_dept.pk}").json()
    assert [i["title"] for i in police["items"]] == ["公安红灯"]
    leader = staff_client(market_leader)
    assert [i["title"] for i in leader.get("/api/v1/supervision/red-list").json()["items"]] == ["市场红灯"]
    assert leader.get(f"/api/v1/supervision/red-list?department={police_dept.pk}").status_code == 403
    for bad in ("limit=0", "limit=501", "after=-1", "department=0", "department=999999", "limit=abc"):
        response = client.get(f"/api/v1/supervision/red-list?{bad}")
        assert response.status_code == 400, bad
        assert "code" in response.json()


@pytest.mark.django_db
def test_api_refusals(
    timers: None, market_clerk: User, citizen: User, sys_admin: User, market_dept: Department
) -> None:
    for url in ("/api/v1/supervision/dashboard", "/api/v1/supervision/red-list"):
        assert Client().get(url).status_code == 401
        assert Client(HTTP_AUTHORIZATION="Bearer zw_dead_beef").get(url).status_code == 401
        assert staff_client(market_clerk).get(url).status_code == 403
        assert person_client(citizen).get(url).status_code == 403
        narrow = system(sys_admin, market_dept, [ApiClient.Scope.READ_DIRECTORY])
        assert Client(HTTP_AUTHORIZATION=f"Bearer {narrow}").get(url).status_code == 403
    unverified = make_staff("no_otp_supervisor", market_dept, "supervisor")
    plain = Client()
    plain.force_login(unverified)  # no second factor: the session does not count
    assert plain.get("/api/v1/supervision/dashboard").status_code == 401


@pytest.mark.django_db
def test_todo_items(
    supervisor: User, market_clerk: User, police_clerk: User, citizen: User, market_dept: Department
) -> None:
    timer = start(market_dept, 1, date(2024, 3, 1))
    oversight.urging_create(actor=Actor.person(supervisor), timer=timer, notice="请说明")
    complaint = oversight.complaint_create(
        actor=Actor.person(citizen), department=market_dept, item="食品经营许可", content="慢"
    )
    mine = todo.todo_items(market_clerk)
    assert [i.kind_label for i in mine] == ["督办答复"] and mine[0].light == "green"
    assert todo.todo_items(police_clerk) == []
    boss = todo.todo_items(supervisor)
    assert [i.kind_label for i in boss] == ["投诉受理"] and boss[0].deadline is not None
    oversight.complaint_forward(actor=Actor.person(supervisor), complaint=complaint, note="请核查")
    assert "投诉核查答复" in [i.kind_label for i in todo.todo_items(market_clerk)]
    assert todo.todo_items(supervisor) == []
