"""The dispatch: a plan's response gives each department its task and two minute clocks; the
department signs, arrives, reports and finishes; the commander adds and cancels; the end of the
response cancels what is open and releases resources."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from zhengwu.accounts.models import Department, User
from zhengwu.audit.tests.helpers import refused_write
from zhengwu.core import workdays
from zhengwu.core.actors import Actor
from zhengwu.core.errors import ApplicationError
from zhengwu.emergency import response_selectors, services
from zhengwu.emergency.models import Plan, Task, TaskEvent
from zhengwu.emergency.services import incident_link
from zhengwu.emergency.tests.dispatch_helpers import CHANGCHUN, activate, make_incident, make_resource, terminate
from zhengwu.supervision.models import Timer

pytestmark = pytest.mark.django_db


def _timers(task: Task) -> dict[str, Timer]:
    return {t.kind: t for t in Timer.objects.filter(target_type="emergency.task", target_id=str(task.pk))}


def test_starting_the_plan_issues_one_task_per_department_with_two_minute_clocks(
    commander: User, flood_plan: Plan, graded_incident: Any, settings: Any, emergency_dept: Department
) -> None:
    settings.ZHENGWU_EMERGENCY_TASK_SIGN_MINUTES = 15
    settings.ZHENGWU_EMERGENCY_TASK_ARRIVE_MINUTES = 60
    tasks = activate(commander, flood_plan, graded_incident)
    graded_incident.refresh_from_db()
    assert incident_link.is_responding(graded_incident)
    assert len(tasks) == 3 and [t.is_lead for t in tasks].count(True) == 1
    assert next(t for t in tasks if t.is_lead).department == emergency_dept
    for task in tasks:
        timers = _timers(task)
        sign, arrive = timers["emergency.task_sign"], timers["emergency.task_arrive"]
        assert (sign.unit, sign.limit, arrive.unit, arrive.limit) == ("minute", 15, "minute", 60)
        assert sign.department_id == task.department_id and sign.target_url == f"/workbench/emergency/tasks/{task.pk}/"
        assert task.events.get().kind == TaskEvent.Kind.ISSUE


def test_a_duty_s_own_minutes_override_the_defaults(
    commander: User, emergency_dept: Department, police_dept: Department, graded_incident: Any
) -> None:
    data = services.PlanData(
        "危险化学品事故应急预案",
        graded_incident.category,
        emergency_dept,
        "",
        [services.DutyData("3", police_dept, "警戒", sign_minutes=5, arrive_minutes=30)],
    )
    plan = services.plan_create(actor=Actor.person(commander), data=data)
    (task,) = activate(commander, plan, graded_incident)
    assert (task.sign_minutes, task.arrive_minutes) == (5, 30)


def test_the_department_signs_arrives_reports_and_finishes(
    commander: User, flood_plan: Plan, graded_incident: Any, police_clerk: User, police_dept: Department
) -> None:
    task = next(t for t in activate(commander, flood_plan, graded_incident) if t.department == police_dept)
    actor = Actor.person(police_clerk)
    task = services.task_sign(actor=actor, task=task)
    # who signed, by the name the platform shows for the person (not the login name; docs/rules.md §15)
    assert (task.state, task.signed_by) == (Task.State.SIGNED, "公安厅李科员")
    timers = _timers(task)
    assert timers["emergency.task_sign"].state == "finished" and timers["emergency.task_sign"].finished_on_time
    assert timers["emergency.task_arrive"].state == "running"
    services.task_progress(actor=actor, task=task, text="已封闭南湖大路")
    services.task_support(actor=actor, task=task, text="需要冲锋舟两艘")
    task.refresh_from_db()
    assert task.support_open
    with pytest.raises(ApplicationError) as error:
        services.task_finish(actor=actor, task=task, result="完成")
    assert error.value.code == "emergency.wrong_state"  # not yet arrived
    task = services.task_arrive(actor=actor, task=task, text="已到达现场")
    assert _timers(task)["emergency.task_arrive"].state == "finished"
    task = services.task_finish(actor=actor, task=task, result="群众已全部转移")
    assert task.state == Task.State.DONE and not task.support_open
    kinds = list(task.events.values_list("kind", flat=True))
    assert kinds == ["issue", "sign", "progress", "support", "arrive", "finish"]
    assert set(task.events.exclude(kind="issue").values_list("by", flat=True)) == {"公安厅李科员"}


def test_another_department_a_citizen_and_the_commander_may_not_sign(
    commander: User, flood_plan: Plan, graded_incident: Any, market_clerk: User, citizen: User, police_dept: Department
) -> None:
    task = next(t for t in activate(commander, flood_plan, graded_incident) if t.department == police_dept)
    for person in (market_clerk, citizen, commander):
        refused_write(
            lambda person=person: services.task_sign(actor=Actor.person(person), task=task),
            apps=["emergency", "supervision"],
            rows=[task],
            code="core.permission_denied",
        )


def test_the_duty_officer_of_the_place_starts_the_plan_others_are_refused(
    duty_officer: User, jl_duty: User, police_clerk: User, citizen: User, flood_plan: Plan, graded_incident: Any
) -> None:
    """The issue's journey: a duty officer receives a report, grades it, starts the plan. Another
    city's duty officer, a department's clerk and a citizen are refused, and nothing is written."""
    for person in (jl_duty, police_clerk, citizen):
        refused_write(
            lambda person=person: activate(person, flood_plan, graded_incident),
            apps=["emergency", "supervision"],
            rows=[graded_incident],
            code="core.permission_denied",
        )
    tasks = activate(duty_officer, flood_plan, graded_incident)
    graded_incident.refresh_from_db()
    assert len(tasks) == 3 and incident_link.is_responding(graded_incident)


def test_the_commander_adds_and_cancels_tasks(
    commander: User,
    duty_officer: User,
    flood_plan: Plan,
    graded_incident: Any,
    office_dept: Department,
    police_dept: Department,
) -> None:
    activate(commander, flood_plan, graded_incident)
    refused_write(
        lambda: services.task_add(
            actor=Actor.person(duty_officer), incident=graded_incident, department=office_dept, duty="x"
        ),
        apps=["emergency"],
    )
    task = services.task_add(
        actor=Actor.person(commander),
        incident=graded_incident,
        department=office_dept,
        duty="做好政务信息发布",
        sign_minutes=5,
    )
    assert task.plan_version is None and task.sign_minutes == 5 and task.level == "3"
    with pytest.raises(ApplicationError) as error:
        services.task_add(actor=Actor.person(commander), incident=graded_incident, department=police_dept, duty="再派")
    assert error.value.code == "emergency.task_exists"
    task = services.task_cancel(actor=Actor.person(commander), task=task, reason="由市政府统一发布")
    assert task.state == Task.State.CANCELLED
    assert {t.state for t in _timers(task).values()} == {"cancelled"}


def test_starting_again_does_not_give_a_department_a_second_open_task(
    commander: User, flood_plan: Plan, graded_incident: Any
) -> None:
    activate(commander, flood_plan, graded_incident)
    assert activate(commander, flood_plan, graded_incident) == []
    with pytest.raises(ApplicationError) as error:
        activate(commander, flood_plan, graded_incident, level="1")
    assert error.value.code == "emergency.no_duties"


def test_the_end_of_the_response_cancels_open_tasks_and_releases_resources(
    commander: User, duty_officer: User, flood_plan: Plan, graded_incident: Any, police_dept: Department
) -> None:
    tasks = activate(commander, flood_plan, graded_incident)
    resource = make_resource(duty_officer, police_dept, "南关区消防救援站", *CHANGCHUN)
    services.resource_commit(actor=Actor.person(duty_officer), resource=resource, incident=graded_incident)
    terminate(commander, graded_incident)
    assert {t.state for t in Task.objects.filter(pk__in=[t.pk for t in tasks])} == {Task.State.CANCELLED}
    resource.refresh_from_db()
    assert resource.committed_to is None and resource.commitments.get().released_at is not None
    assert not Timer.objects.filter(target_type="emergency.task", state__in=Timer.LIVE_STATES).exists()


def test_a_clock_started_before_midnight_runs_into_the_next_day_and_turns_red(
    commander: User, flood_plan: Plan, duty_officer: User
) -> None:
    late = datetime(2026, 12, 6, 23, 55, tzinfo=workdays.CHINA_TZ)
    incident = make_incident(duty_officer, when=late - timedelta(minutes=20))
    (task, *_) = activate(commander, flood_plan, incident, when=late)
    sign = _timers(task)["emergency.task_sign"]
    assert sign.deadline_at == late + timedelta(minutes=15)
    assert workdays.today(sign.deadline_at).isoformat() == "2026-12-07"
    assert sign.light(now=late + timedelta(minutes=5)) == "green"
    assert sign.light(now=late + timedelta(minutes=14)) == "yellow"
    assert sign.light(now=late + timedelta(minutes=16)) == "red"
    arrive = _timers(task)["emergency.task_arrive"]  # the 到达/反馈 clock crosses midnight the same way
    assert (sign.unit, arrive.unit) == (Timer.Unit.MINUTE, Timer.Unit.MINUTE)
    assert arrive.deadline_at == late + timedelta(minutes=60)
    assert arrive.light(now=late + timedelta(minutes=59)) == "yellow"
    assert arrive.light(now=late + timedelta(minutes=61)) == "red"
    board = response_selectors.board_data(now=late + timedelta(minutes=16))
    row = next(i for i in board["incidents"] if i["id"] == incident.pk)
    assert row["lights"]["red"] == len(Task.objects.filter(incident=incident))


def test_the_department_signs_on_the_workbench_and_sees_only_its_tasks(
    commander: User,
    flood_plan: Plan,
    graded_incident: Any,
    police_clerk: User,
    market_clerk: User,
    police_dept: Department,
) -> None:
    from zhengwu.conftest import staff_client

    task = next(t for t in activate(commander, flood_plan, graded_incident) if t.department == police_dept)
    client = staff_client(police_clerk)
    listing = client.get("/workbench/emergency/tasks/").content.decode()
    assert f"/workbench/emergency/tasks/{task.pk}/" in listing
    assert listing.count("/workbench/emergency/tasks/") - listing.count('/workbench/emergency/tasks/"') >= 1
    assert staff_client(market_clerk).get(f"/workbench/emergency/tasks/{task.pk}/").status_code == 404
    assert client.post(f"/workbench/emergency/tasks/{task.pk}/sign/").status_code == 302
    task.refresh_from_db()
    assert task.state == Task.State.SIGNED and task.signed_at <= timezone.now()
