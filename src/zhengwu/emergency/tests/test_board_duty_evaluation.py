"""The board (its data and pages), the duty roster and daily report, the evaluation and exports."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from zhengwu.accounts.models import Department, Region, User
from zhengwu.audit.tests.helpers import refused_write
from zhengwu.conftest import staff_client
from zhengwu.core import workdays
from zhengwu.core.actors import Actor
from zhengwu.core.errors import ApplicationError
from zhengwu.emergency import response_selectors, services
from zhengwu.emergency.models import Evaluation, Hazard, Plan, Task, WarningColor
from zhengwu.emergency.tests.conftest import received
from zhengwu.emergency.tests.dispatch_helpers import CHANGCHUN, activate, make_incident, make_resource, terminate
from zhengwu.emergency.tests.test_warnings import issue

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
    tasks = panel.split('id="task-table"')[1]  # (the report clocks above have their lights too)
    assert tasks.count('data-light="green"') == 3
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


def test_a_city_duty_room_s_daily_report_is_of_its_own_city(
    cc_duty: User, jl_duty: User, duty_officer: User, cc_emergency: Department, jl_emergency: Department
) -> None:
    """A city's duty room sees its city's incidents only (docs/rules.md §14): its 值班日报 too — not
    another city's incidents, nor its shifts; the province's report has both."""
    today = workdays.today()
    ours = received(cc_duty)
    theirs = received(jl_duty, title="吉林市丰满区山体滑坡", region_code="220200", lat="43.80", lng="126.56")
    for officer, department, name in ((cc_duty, cc_emergency, "孙值班"), (jl_duty, jl_emergency, "吴值班")):
        services.duty_set(
            actor=Actor.person(officer), department=department, day=today, leader="带班", officer=name, phone="12345"
        )
    page = staff_client(cc_duty).get("/workbench/emergency/duty/report/").content.decode()
    assert ours.title in page and "孙值班" in page
    assert theirs.title not in page and "吴值班" not in page
    xlsx = staff_client(cc_duty).get(f"/workbench/emergency/duty/report.xlsx?day={today.isoformat()}")
    cells = {
        str(c.value) for sheet in load_workbook(io.BytesIO(xlsx.content)) for row in sheet.iter_rows() for c in row
    }
    assert "孙值班" in cells and "吴值班" not in cells and not any(theirs.title in c for c in cells)
    province = response_selectors.duty_report(today, actor=Actor.person(duty_officer))
    assert {ours, theirs} <= set(province.incidents) and {s.officer for s in province.shifts} == {"孙值班", "吴值班"}


def test_the_roster_form_offers_today_and_the_user_s_own_department(cc_duty: User, cc_emergency: Department) -> None:
    """The date box carries an ISO date (a browser shows nothing for 2026/12/07), and the department
    chosen at first is the user's own, not the first of the province's list."""
    page = staff_client(cc_duty).get("/workbench/emergency/duty/").content.decode()
    assert f'type="date" name="day" value="{workdays.today().isoformat()}"' in page
    assert f'<option value="{cc_emergency.pk}" selected>' in page
    assert page.count(" selected>") == 1


def test_a_late_report_is_red_on_the_board_and_warnings_colour_their_area(
    cc_duty: User, duty_officer: User, changchun: Any
) -> None:
    """docs/rules.md §14: a late report is red on the board (the incident's row and its opened panel);
    a live warning is named as on the portal and fills its area of the map (a county's city, or the
    whole province)."""
    late = received(cc_duty, when=timezone.now() - timedelta(minutes=61))  # 初报 due after 60 minutes
    fresh = received(cc_duty, title="长春市朝阳区燃气泄漏")
    rows = {i["id"]: i for i in response_selectors.board_data()["incidents"]}
    assert rows[late.pk]["report_light"] == "red" and rows[fresh.pk]["report_light"] == ""
    soon = response_selectors.board_data(now=timezone.now() + timedelta(minutes=50))  # yellow near the end
    assert {i["id"]: i["report_light"] for i in soon["incidents"]}[fresh.pk] == "yellow"
    client = staff_client(duty_officer)
    panel = client.get(f"/workbench/emergency/board/panel/?incident={late.pk}").content.decode()
    assert panel.count('data-report-light="red"') == 1 and "报送超时" in panel
    clocks = panel.split('id="report-clocks"')[1].split("</ul>")[0]
    assert f"{late.title}（初报）" in clocks and 'data-light="red"' in clocks

    Region.objects.create(code="220102", name="南关区", level=Region.Level.COUNTY, parent=changchun)
    issue(duty_officer, region_code="220102")
    issue(duty_officer, region_code="220000", hazard=Hazard.BLIZZARD, color=WarningColor.BLUE)
    warnings = {w["title"]: w for w in response_selectors.board_data()["warnings"]}
    assert warnings["南关区暴雨黄色预警"] | {"id": 0} == {
        "id": 0, "title": "南关区暴雨黄色预警", "color": "yellow", "region": "南关区", "area": "220100"
    }  # fmt: skip
    assert warnings["吉林省暴雪蓝色预警"]["area"] == "" and warnings["吉林省暴雪蓝色预警"]["color"] == "blue"
    page = client.get("/workbench/emergency/board/").content.decode()
    assert '<li class="warning-yellow">南关区暴雨黄色预警</li>' in page and "emergency/warnings.css" in page
