"""The demo loader: a live 较大 flood in 长春市 with its reports, a 暴雨黄色预警 live for a week, a
finished 一般 incident; made through the services, idempotent, findable by `demo_incidents()`."""

from __future__ import annotations

from datetime import timedelta

from django.test import Client
from django.utils import timezone

from zhengwu.accounts.models import Department, Region, Role, User
from zhengwu.conftest import make_staff
from zhengwu.emergency.demo import demo_incidents, demo_warning, load_demo
from zhengwu.emergency.models import EarlyWarning, Incident, IncidentReport
from zhengwu.emergency.services import FOLLOW_UP_CLOCK
from zhengwu.supervision import selectors as supervision_selectors


def test_demo_is_idempotent(emergency_dept: Department, changchun: Region, jilin_city: Region) -> None:
    city = Department.objects.create(
        name="长春市应急管理局", credit_code="11220100MB0000901X", region=changchun, level="city"
    )
    make_staff("yjt.duty", emergency_dept, Role.DUTY_OFFICER)
    make_staff("yjt.commander", emergency_dept, Role.COMMANDER)
    make_staff("cc_yjj.duty", city, Role.DUTY_OFFICER)
    make_staff("cc_yjj.commander", city, Role.COMMANDER)
    said: list[str] = []
    assert "应急联动" in load_demo(say=said.append)
    found = demo_incidents()
    flood, finished = found["flood"], found["finished"]
    assert flood is not None and finished is not None
    assert (flood.level, flood.state, flood.department) == (3, Incident.State.RESPONDING, city)
    assert [(r.title, r.state, r.recipient) for r in flood.reports.order_by("id")] == [
        ("初报", IncidentReport.State.RECEIVED, emergency_dept),
        ("第1次续报", IncidentReport.State.SENT, emergency_dept),
    ]
    timer = supervision_selectors.timer_for(flood, FOLLOW_UP_CLOCK)
    assert timer is not None and timer.finished_on_time is True  # the next one starts at its deadline
    # the road accident waits at 响应 for the response half (its tasks, 终止, 终报, evaluation)
    assert (finished.level, finished.state) == (4, Incident.State.RESPONDING)
    assert finished.reports.filter(kind="initial", state="sent").exists()
    warning = demo_warning()
    assert warning is not None and warning.headline == "暴雨黄色预警"
    assert timedelta(days=6, hours=23) < warning.ends_at - timezone.now() <= timedelta(days=7)
    assert "长春市暴雨黄色预警" in Client().get("/").content.decode()
    load_demo(say=said.append)
    assert Incident.objects.count() == 2 and EarlyWarning.objects.count() == 1
    assert User.objects.filter(username="cc_yjj.duty").exists()
