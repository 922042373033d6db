"""Information reporting (信息报送) and its clocks, in minutes, across midnight (docs/rules.md §14)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from zhengwu.accounts.models import Department, User
from zhengwu.audit.tests.helpers import refused_write
from zhengwu.conftest import staff_client
from zhengwu.core.actors import Actor
from zhengwu.core.errors import CoreError
from zhengwu.core.workdays import CHINA_TZ
from zhengwu.emergency import selectors, services
from zhengwu.emergency.errors import EmergencyError
from zhengwu.emergency.models import Category, Incident, IncidentReport
from zhengwu.emergency.services import FINAL_CLOCK, FIRST_CLOCK, FOLLOW_UP_CLOCK, ReportData
from zhengwu.emergency.tests.conftest import graded, received, responding
from zhengwu.eservices.models import Notification
from zhengwu.supervision import selectors as supervision_selectors
from zhengwu.supervision import services as supervision_services
from zhengwu.supervision.models import Timer


def beijing(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=CHINA_TZ)


def clock(incident: Incident, kind: str) -> Timer:
    timer = supervision_selectors.timer_for(incident, kind)
    assert timer is not None, kind
    return timer


def light(timer: Timer, now: datetime) -> str:
    return str(supervision_selectors.with_light(Timer.objects.filter(pk=timer.pk), now=now).get().current_light)


@pytest.mark.parametrize(
    ("category", "level", "minutes"),
    [
        (Category.NATURAL, None, 60),
        (Category.ACCIDENT, 4, 60),
        (Category.HEALTH, 3, 120),
        (Category.HEALTH, 2, 30),
        (Category.SOCIAL, 1, 30),
    ],
)
def test_the_first_report_limit_depends_on_class_and_level(category: str, level: int | None, minutes: int) -> None:
    assert services.first_report_minutes(category, level) == minutes


def test_the_first_report_limit_follows_the_settings(settings: Any) -> None:
    settings.ZHENGWU_EMERGENCY_FIRST_REPORT_HEALTH_MINUTES = 90
    settings.ZHENGWU_EMERGENCY_FIRST_REPORT_GRAVE_MINUTES = 20
    assert services.first_report_minutes(Category.HEALTH, 3) == 90
    assert services.first_report_minutes(Category.HEALTH, 1) == 20


def test_the_first_report_clock_runs_in_minutes_across_midnight(cc_duty: User) -> None:
    incident = received(cc_duty, when=beijing(6, 23, 30), occurred_at=beijing(6, 23, 10))
    timer = clock(incident, FIRST_CLOCK)
    assert (timer.unit, timer.limit) == (Timer.Unit.MINUTE, 60)
    assert timer.deadline_at == beijing(7, 0, 30)
    assert timer.deadline.isoformat() == "2026-12-07"  # the Beijing date of the deadline
    assert light(timer, beijing(7, 0, 20)) == "yellow"
    assert light(timer, beijing(6, 23, 40)) == "green"
    assert light(timer, beijing(7, 0, 31)) == "red"
    assert timer in supervision_selectors.red_list(now=beijing(7, 0, 31), today=beijing(7, 0, 31).date())


def test_grading_grave_before_the_first_report_restarts_its_clock_from_receipt(cc_duty: User) -> None:
    incident = graded(cc_duty, 2)
    timer = clock(incident, FIRST_CLOCK)
    assert timer.limit == 30
    assert timer.started_at == incident.received_at
    cancelled = Timer.objects.get(kind=FIRST_CLOCK, state=Timer.State.CANCELLED)
    assert cancelled.limit == 60


def _initial(user: User, incident: Incident, **kw: Any) -> IncidentReport:
    data = ReportData(content="初报：伊通河沿岸内涝，被困 12 人。", **kw)
    return services.report_draft(
        actor=Actor.person(user), incident=incident, kind=IncidentReport.Kind.INITIAL, data=data
    )


def test_a_report_is_signed_off_by_a_leader_and_sent_to_the_next_level(
    cc_duty: User, cc_commander: User, emergency_dept: Department
) -> None:
    incident = graded(cc_duty, 3)
    report = _initial(cc_duty, incident, trapped=15)
    assert report.recipient == emergency_dept and report.state == IncidentReport.State.DRAFT
    refused_write(
        lambda: services.report_sign(actor=Actor.person(cc_duty), report=report),
        apps=["emergency"],
        rows=[report],
        code=CoreError.PERMISSION_DENIED,
    )
    todo = {item.kind_label: item for item in selectors.todo_items(cc_commander)}
    assert todo["报告签发"].url == f"/workbench/emergency/reports/{report.pk}/"
    clocks = [item for item in selectors.todo_items(cc_duty) if item.kind_label == "信息报送"]
    assert [item.title.endswith("（初报）") for item in clocks] == [True] and clocks[0].light == "green"
    sent = services.report_sign(actor=Actor.person(cc_commander), report=report)
    assert sent.state == IncidentReport.State.SENT and sent.on_time is True
    assert sent.signer_name == "长春市应急管理局指挥长李"
    assert clock(incident, FIRST_CLOCK).state == Timer.State.FINISHED
    incident.refresh_from_db()
    assert incident.trapped == 15  # the signed figures are the incident's
    assert incident.events.filter(move="report").exists()
    told = Notification.objects.filter(user__department=emergency_dept, text__contains="初报")
    assert told.exists()  # the receiving duty room is told
    province = User.objects.get(username="duty_officer")
    assert list(selectors.reports_received(Actor.person(province))) == [sent]
    inbox = staff_client(province).get("/workbench/emergency/reports/").content.decode()
    assert "长春市应急管理局" in inbox and "初报" in inbox
    assert staff_client(province).get(f"/workbench/emergency/reports/{sent.pk}/").status_code == 200


def test_a_late_first_report_is_red_and_stays_late(cc_duty: User, cc_commander: User) -> None:
    incident = received(cc_duty, when=timezone.now() - timedelta(minutes=61))
    services.incident_verify(actor=Actor.person(cc_duty), incident=incident)
    assert light(clock(incident, FIRST_CLOCK), timezone.now()) == "red"
    sent = services.report_sign(actor=Actor.person(cc_commander), report=_initial(cc_duty, incident))
    assert sent.on_time is False
    assert clock(incident, FIRST_CLOCK).finished_on_time is False


def test_follow_ups_are_numbered_and_one_draft_at_a_time(cc_duty: User, cc_commander: User) -> None:
    incident = responding(cc_duty)
    services.report_sign(actor=Actor.person(cc_commander), report=_initial(cc_duty, incident))
    me = Actor.person(cc_duty)
    first = services.report_draft(actor=me, incident=incident, kind="follow_up", data=ReportData(content="续报一"))
    refused_write(
        lambda: services.report_draft(actor=me, incident=incident, kind="follow_up", data=ReportData(content="续报二")),
        apps=["emergency"],
        code=EmergencyError.REPORT_PENDING,
    )
    services.report_sign(actor=Actor.person(cc_commander), report=first)
    refused_write(
        lambda: services.report_draft(actor=me, incident=incident, kind="final", data=ReportData(content="终报")),
        apps=["emergency"],
        code=EmergencyError.WRONG_STATE,
    )
    second = services.report_draft(actor=me, incident=incident, kind="follow_up", data=ReportData(content="续报二"))
    assert (first.sequence, first.title, second.sequence, second.title) == (1, "第1次续报", 2, "第2次续报")


def test_skip_level_reporting_is_for_grave_incidents_only(cc_duty: User, emergency_dept: Department) -> None:
    me = Actor.person(cc_duty)
    minor = graded(cc_duty, 4)
    refused_write(
        lambda: services.report_draft(
            actor=me, incident=minor, kind="initial", data=ReportData(content="初报", skip_level=True)
        ),
        apps=["emergency"],
        code=EmergencyError.SKIP_LEVEL_REFUSED,
    )
    grave = graded(cc_duty, 3, title="较大事件")
    report = services.report_draft(
        actor=me, incident=grave, kind="initial", data=ReportData(content="初报", skip_level=True)
    )
    assert report.skip_level and report.recipient == emergency_dept


def test_next_fixed_time_across_midnight() -> None:
    assert services.next_fixed_time(beijing(6, 7, 0)) == beijing(6, 8, 0)
    assert services.next_fixed_time(beijing(6, 7, 1)) == beijing(6, 16, 0)  # 08:00 is less than an hour away
    assert services.next_fixed_time(beijing(6, 23, 10)) == beijing(7, 8, 0)
    assert services.next_fixed_time(beijing(6, 15, 30)) == beijing(7, 8, 0)


def test_fixed_time_follow_up_clocks_chain_while_the_response_lasts(cc_duty: User, cc_commander: User) -> None:
    incident = graded(cc_duty, 3)
    incident = services.incident_start_response(actor=Actor.person(cc_duty), incident=incident, when=beijing(6, 23, 10))
    first = clock(incident, FOLLOW_UP_CLOCK)
    assert first.started_at == beijing(6, 23, 10)
    assert first.deadline_at == beijing(7, 8, 0) and first.limit == 530
    # nothing new before the deadline; after it the job starts the next clock from that deadline
    platform = Actor.platform()
    assert services.clocks_tick(actor=platform, now=beijing(7, 7, 59)) == 0
    supervision_services.timer_finish(actor=platform, timer=first, when=beijing(7, 7, 50))
    assert services.clocks_tick(actor=platform, now=beijing(7, 7, 59)) == 0
    assert services.clocks_tick(actor=platform, now=beijing(7, 8, 1)) == 1
    second = clock(incident, FOLLOW_UP_CLOCK)
    assert second.started_at == beijing(7, 8, 0) and second.deadline_at == beijing(7, 16, 0)
    assert second.limit == 480


def test_the_final_report_clock_across_midnight(cc_duty: User, settings: Any) -> None:
    settings.ZHENGWU_EMERGENCY_FINAL_REPORT_MINUTES = 60
    incident = graded(cc_duty, 3)
    me = Actor.person(cc_duty)
    incident = services.incident_start_response(actor=me, incident=incident, when=beijing(6, 20, 0))
    incident = services.incident_terminate(actor=me, incident=incident, reason="险情排除", when=beijing(6, 23, 30))
    timer = clock(incident, FINAL_CLOCK)
    assert (timer.started_at, timer.deadline_at, timer.deadline.isoformat()) == (
        beijing(6, 23, 30),
        beijing(7, 0, 30),
        "2026-12-07",
    )
    assert light(timer, beijing(7, 0, 29)) != "red" and light(timer, beijing(7, 0, 31)) == "red"


def test_termination_stops_the_follow_ups_and_starts_the_final_report_clock(
    cc_duty: User, cc_commander: User, settings: Any
) -> None:
    settings.ZHENGWU_EMERGENCY_FINAL_REPORT_MINUTES = 720
    incident = responding(cc_duty)
    services.report_sign(actor=Actor.person(cc_commander), report=_initial(cc_duty, incident))
    me = Actor.person(cc_duty)
    refused_write(
        lambda: services.incident_terminate(actor=me, incident=incident, reason=""),
        apps=["emergency"],
        code=EmergencyError.REASON_REQUIRED,
    )
    incident = services.incident_terminate(actor=me, incident=incident, reason="积水退去，被困群众全部转移")
    assert clock(incident, FOLLOW_UP_CLOCK).state == Timer.State.CANCELLED
    final_clock = clock(incident, FINAL_CLOCK)
    assert final_clock.limit == 720 and final_clock.state == Timer.State.RUNNING
    final = services.report_draft(actor=me, incident=incident, kind="final", data=ReportData(content="终报"))
    services.report_sign(actor=Actor.person(cc_commander), report=final)
    assert clock(incident, FINAL_CLOCK).state == Timer.State.FINISHED
    incident = services.incident_evaluate(actor=me, incident=incident, note="评估完成")
    assert incident.state == Incident.State.EVALUATED


def test_a_late_report_and_a_late_task_are_on_the_e_supervision_centre_s_red_list(
    cc_duty: User, supervisor: User, commander: User, flood_plan: Any, graded_incident: Any
) -> None:
    """docs/rules.md §14–15: the report and task clocks are supervision timers in minutes, so a late one
    is red in 电子监察 (the red list of the supervisor's dashboard), like any other."""
    from zhengwu.emergency.tests.dispatch_helpers import activate

    late = received(cc_duty, when=timezone.now() - timedelta(minutes=61))  # 初报 due after 60 minutes
    (task, *_) = activate(commander, flood_plan, graded_incident, when=timezone.now() - timedelta(minutes=20))
    page = staff_client(supervisor).get("/workbench/supervision/").content.decode()
    red = page.split('id="red-list"')[1] if 'id="red-list"' in page else page
    assert f"{late.number} {late.title}（初报）" in red
    sign = Timer.objects.get(target_type="emergency.task", target_id=str(task.pk), kind="emergency.task_sign")
    assert sign.unit == Timer.Unit.MINUTE and sign.title in red
