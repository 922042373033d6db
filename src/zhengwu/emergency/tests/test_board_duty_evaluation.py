"""The board (its data and pages), the duty roster and daily report, the evaluation and exports."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from zhengwu.accounts.models import Department, User
from zhengwu.audit.tests.helpers import refused_write
from zhengwu.conftest import staff_client
from zhengwu.core import workdays
from zhengwu.core.actors import Actor
from zhengwu.core.errors import ApplicationError
from zhengwu.emergency import response_selectors, services
from zhengwu.emergency.models import Evaluation, Plan, Task
from zhengwu.emergency.tests.dispatch_helpers import CHANGCHUN, activate, make_incident, make_resource, terminate

pytestmark = pytest.mark.django_db


def test_the_board_data_gives_each_live_incident_its_task_lights(
    commander: User,
    duty_officer: User,
    flood_plan: Plan,
    graded_incident: Any,
    police_clerk: User,
    police_dept: Department,
) -> None:
    tasks = activate(commander, flood_plan, graded_incident)
    services.task_sign(actor=Actor.person(police_clerk), task=next(t for t in tasks if t.department == police_dept))
    team = make_resource(duty_officer, police_dept, "水域救援队", *CHANGCHUN)
    services.resource_commit(actor=Actor.person(commander), resource=team, incident=graded_incident)
    now = timezone.now()
    data = response_selectors.board_data(now=now)
    (row,) = [i for i in data["incidents"] if i["id"] == graded_incident.pk]
    assert row["lights"] == {"red": 0, "yellow": 0, "paused": 0, "green": 3, "done": 0}
    assert data["resources"][0]["name"] == "水域救援队"
    later = response_selectors.board_data(now=now + timedelta(minutes=16))  # 签收 15 minutes passed
    (row,) = [i for i in later["incidents"] if i["id"] == graded_incident.pk]
    assert row["lights"] == {"red": 2, "yellow": 0, "paused": 0, "green": 1, "done": 0}  # the signed one is not late


def test_the_board_pages_for_the_command_staff(
    commander: User, flood_plan: Plan, graded_incident: Any, police_clerk: User
) -> None:
    activate(commander, flood_plan, graded_incident)
    client = staff_client(commander)
    page = client.get("/workbench/emergency/board/").content.decode()
    assert 'id="board-map"' in page and "emergency/board.js" in page and "<script>" not in page
    assert 'hx-trigger="every 10s"' in page
    data = client.get("/workbench/emergency/board/data.json").json()
    assert [i["id"] for i in data["incidents"]] == [graded_incident.pk]
    panel = client.get(f"/workbench/emergency/board/panel/?incident={graded_incident.pk}").content.decode()
    assert 'id="task-table"' in panel and panel.count('data-light="green"') == 3
    assert staff_client(police_clerk).get("/workbench/emergency/board/data.json").status_code == 403


def test_the_duty_roster_and_the_daily_report(
    commander: User,
    duty_officer: User,
    police_clerk: User,
    police_dept: Department,
    market_dept: Department,
    flood_plan: Plan,
    graded_incident: Any,
) -> None:
    today = workdays.today()
    services.duty_set(
        actor=Actor.person(police_clerk),
        department=police_dept,
        day=today,
        leader="刘处长",
        officer="陈警官",
        phone="0431-82098110",
    )
    refused_write(
        lambda: services.duty_set(
            actor=Actor.person(police_clerk), department=market_dept, day=today, leader="x", officer="y", phone="z"
        ),
        apps=["emergency"],
    )
    with pytest.raises(ApplicationError) as error:
        services.duty_set(
            actor=Actor.person(duty_officer), department=market_dept, day=today, leader="", officer="y", phone="z"
        )
    assert error.value.fields == {"leader": "必填"}
    activate(commander, flood_plan, graded_incident)
    report = response_selectors.duty_report(today)
    assert [s.officer for s in report.shifts] == ["陈警官"]
    assert graded_incident in report.incidents and report.tasks_issued == 3
    client = staff_client(duty_officer)
    assert "陈警官" in client.get("/workbench/emergency/duty/report/").content.decode()
    xlsx = client.get(f"/workbench/emergency/duty/report.xlsx?day={today.isoformat()}")
    book = load_workbook(io.BytesIO(xlsx.content))
    assert book["值班安排"]["C2"].value == "陈警官"
    pdf = client.get(f"/workbench/emergency/duty/report.pdf?day={today.isoformat()}")
    assert pdf.content.startswith(b"%PDF") and pdf["Content-Type"] == "application/pdf"
    assert "陈警官" in staff_client(police_clerk).get("/workbench/emergency/duty/").content.decode()


def test_the_evaluation_computes_the_response_s_figures_and_exports(
    commander: User, duty_officer: User, flood_plan: Plan, police_clerk: User, police_dept: Department
) -> None:
    received = timezone.now() - timedelta(hours=3)
    incident = make_incident(duty_officer, when=received)
    dispatched = received + timedelta(minutes=40)
    tasks = activate(commander, flood_plan, incident, when=dispatched)
    police = next(t for t in tasks if t.department == police_dept)
    actor = Actor.person(police_clerk)
    services.task_sign(actor=actor, task=police, when=dispatched + timedelta(minutes=9))
    police.refresh_from_db()
    services.task_arrive(actor=actor, task=police, when=dispatched + timedelta(minutes=75))
    with pytest.raises(ApplicationError) as error:
        services.evaluation_create(actor=Actor.person(commander), incident=incident, findings="x")
    assert error.value.code == "emergency.wrong_state"  # the response has not ended
    terminate(commander, incident)
    evaluation = services.evaluation_create(
        actor=Actor.person(commander), incident=incident, findings="响应及时，处置有序。"
    )
    figures = evaluation.figures
    assert figures["dispatch_minutes"] == 40.0 and figures["tasks"] == 3
    row = next(d for d in figures["departments"] if d["department"] == police_dept.name)
    assert (row["sign_minutes"], row["sign_on_time"]) == (9.0, True)
    assert (row["arrive_minutes"], row["arrive_on_time"]) == (75.0, False)  # 60 minutes allowed
    with pytest.raises(ApplicationError):
        services.evaluation_create(actor=Actor.person(commander), incident=incident, findings="again")
    client = staff_client(commander)
    assert "75.0 / 60" in client.get(f"/workbench/emergency/incidents/{incident.pk}/evaluation/").content.decode()
    pdf = client.get(f"/workbench/emergency/incidents/{incident.pk}/evaluation/export.pdf")
    assert pdf.content.startswith(b"%PDF")
    book = load_workbook(
        io.BytesIO(client.get(f"/workbench/emergency/incidents/{incident.pk}/evaluation/export.xlsx").content)
    )
    assert book["处置时效"]["B3"].value == 40
    assert Evaluation.objects.count() == 1 and Task.objects.filter(state="cancelled").count() == 3
