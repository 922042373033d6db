"""The response demo on the incident half's demo: the flood plan started with five departments'
tasks (省交通运输厅's late and red), resources around the flood (two committed), today's roster, and
the road accident's response, end and evaluation with its figures; idempotent."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from zhengwu.accounts.models import Department, Region, Role
from zhengwu.conftest import make_staff
from zhengwu.emergency import response_selectors
from zhengwu.emergency.demo import demo_incidents
from zhengwu.emergency.demo import load_demo as incidents_demo
from zhengwu.emergency.demo_response import load_demo
from zhengwu.emergency.models import DutyShift, Evaluation, Incident, Plan, Resource, Task


def test_the_response_demo(emergency_dept: Department, changchun: Region, jilin_city: Region, jilin: Region) -> None:
    city = Department.objects.create(
        name="长春市应急管理局", credit_code="11220100MB0000901X", region=changchun, level="city"
    )
    make_staff("yjt.duty", emergency_dept, Role.DUTY_OFFICER)
    make_staff("yjt.commander", emergency_dept, Role.COMMANDER)
    make_staff("yjt.clerk", emergency_dept, Role.CLERK)
    make_staff("cc_yjj.duty", city, Role.DUTY_OFFICER)
    make_staff("cc_yjj.commander", city, Role.COMMANDER)
    for number, (prefix, name) in enumerate(
        (
            ("slt", "吉林省水利厅"),
            ("gat", "吉林省公安厅"),
            ("jtt", "吉林省交通运输厅"),
            ("wjw", "吉林省卫生健康委员会"),
        ),
        start=1,
    ):
        department = Department.objects.create(
            name=name, credit_code=f"1122000001354{number:04d}X", region=jilin, level="province"
        )
        make_staff(f"{prefix}.clerk", department, Role.CLERK)
    said: list[str] = []
    incidents_demo(say=said.append)
    summary = load_demo(say=said.append)
    assert "联动任务 9 项" in summary and "事后评估" in summary
    flood, finished = demo_incidents()["flood"], demo_incidents()["finished"]
    assert Plan.objects.get(name="吉林省防汛抗旱应急预案").current_version == 2 and Plan.objects.count() == 2
    rows = response_selectors.incident_tasks(flood)
    lights = {row.task.department.name: row.light for row in rows}
    assert lights.pop("吉林省交通运输厅") == "red" and "red" not in lights.values()
    assert Resource.objects.count() == 12 and Resource.objects.filter(committed_to=flood).count() == 2
    assert DutyShift.objects.filter(day=timezone.localdate()).count() == 2
    evaluation = Evaluation.objects.get(incident=finished)
    finished.refresh_from_db()
    assert finished.state == Incident.State.EVALUATED and finished.reports.filter(kind="final", state="sent").exists()
    figures = evaluation.figures  # the response's own figures: dispatch 8 minutes after receipt, four arrivals
    assert figures["first_report_minutes"] is not None and figures["dispatch_minutes"] == 8.0
    assert [(d["sign_on_time"], d["arrive_on_time"]) for d in figures["departments"]] == [(True, True)] * 4
    assert {d["arrive_minutes"] for d in figures["departments"]} == {20.0, 9.0, 25.0, 12.0}
    # the flood's one red task stays the only one however late the demo is looked at
    hours_later = response_selectors.board_data(now=timezone.now() + timedelta(hours=3))
    assert [i["lights"]["red"] for i in hours_later["incidents"] if i["id"] == flood.pk] == [1]
    board = response_selectors.board_data()
    (row,) = [i for i in board["incidents"] if i["id"] == flood.pk]
    assert row["lights"]["red"] == 1
    load_demo(say=said.append)  # again: nothing new
    assert (Task.objects.count(), Resource.objects.count(), Evaluation.objects.count()) == (9, 12, 1)
