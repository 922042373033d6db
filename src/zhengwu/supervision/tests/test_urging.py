"""督办: a supervisor urges, the urged department answers within its own timer; who is refused."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from zhengwu.accounts.models import Department, User
from zhengwu.audit.models import AuditEvent
from zhengwu.conftest import person_client, staff_client
from zhengwu.core import workdays
from zhengwu.core.actors import Actor
from zhengwu.core.errors import ApplicationError
from zhengwu.supervision import oversight, selectors, services
from zhengwu.supervision.models import Timer, Urging
from zhengwu.supervision.tests.conftest import start


@pytest.fixture
def overdue(market_dept: Department) -> Timer:
    return start(market_dept, 5, date(2025, 3, 3), title="食品经营许可申请（超期）")


@pytest.mark.django_db
def test_urging_flow_with_its_timer(supervisor: User, market_clerk: User, overdue: Timer) -> None:
    urging = oversight.urging_create(
        actor=Actor.person(supervisor), timer=overdue, notice="请于3个工作日内说明超期原因并办结。"
    )
    assert urging.state == Urging.State.OPEN and urging.department == overdue.department
    answer_timer = selectors.timer_for(urging, oversight.URGING_TIMER)
    assert answer_timer is not None and answer_timer.is_live
    assert answer_timer.limit == 3 and answer_timer.department == overdue.department
    assert answer_timer.deadline == workdays.add_workdays(workdays.today(), 3)
    assert answer_timer.target_url == f"/workbench/supervision/urgings/{urging.pk}/"

    answered = oversight.urging_answer(
        actor=Actor.person(market_clerk), urging=urging, answer="材料补正延误，已于今日办结。"
    )
    assert answered.state == Urging.State.ANSWERED and answered.answered_by == market_clerk
    assert answered.answered_on_time is True
    answer_timer.refresh_from_db()
    assert answer_timer.state == Timer.State.FINISHED
    actions = list(AuditEvent.objects.filter(target_id=str(urging.pk)).values_list("action", flat=True))
    assert "supervision.urging.create" in actions and "supervision.urging.answer" in actions
    with pytest.raises(ApplicationError) as error:
        oversight.urging_answer(actor=Actor.person(market_clerk), urging=urging, answer="再答一次")
    assert error.value.code == "supervision.urging_not_open"


@pytest.mark.django_db
def test_urging_refusals_change_nothing(
    market_clerk: User, police_clerk: User, market_leader: User, egov: User, citizen: User, supervisor: User,
    overdue: Timer,
) -> None:  # fmt: skip
    people = (market_clerk, police_clerk, market_leader, egov, citizen)
    for actor in [*(Actor.person(p) for p in people), Actor.anonymous()]:
        with pytest.raises(ApplicationError) as error:
            oversight.urging_create(actor=actor, timer=overdue, notice="请说明")
        assert error.value.code == "core.permission_denied"
    assert not Urging.objects.exists()
    with pytest.raises(ApplicationError) as error:
        oversight.urging_create(actor=Actor.person(supervisor), timer=overdue, notice="   ")
    assert error.value.code == "supervision.notice_required"
    with pytest.raises(ApplicationError) as error:
        oversight.urging_create(actor=Actor.person(supervisor), timer=overdue, notice="请说明", answer_days=0)
    assert error.value.code == "supervision.invalid_limit"
    assert not Urging.objects.exists() and not Timer.objects.filter(kind=oversight.URGING_TIMER).exists()

    urging = oversight.urging_create(actor=Actor.person(supervisor), timer=overdue, notice="请说明")
    with pytest.raises(ApplicationError) as error:
        oversight.urging_create(actor=Actor.person(supervisor), timer=overdue, notice="再次督办")
    assert error.value.code == "supervision.urging_exists"
    for person in (police_clerk, supervisor, egov, citizen):  # not staff of the urged department
        with pytest.raises(ApplicationError) as error:
            oversight.urging_answer(actor=Actor.person(person), urging=urging, answer="答复")
        assert error.value.code == "core.permission_denied"
    urging.refresh_from_db()
    assert urging.state == Urging.State.OPEN and urging.answer == ""


@pytest.mark.django_db
def test_a_closed_timer_cannot_be_urged(supervisor: User, market_dept: Department) -> None:
    timer = start(market_dept, 5, date(2025, 3, 3))
    services.timer_finish(actor=Actor.platform(), timer=timer, when=date(2025, 3, 4))
    with pytest.raises(ApplicationError) as error:
        oversight.urging_create(actor=Actor.person(supervisor), timer=timer, notice="请说明")
    assert error.value.code == "supervision.urging_timer_closed"


@pytest.mark.django_db
def test_urging_pages_for_both_sides(
    supervisor: User, market_clerk: User, police_clerk: User, market_leader: User, citizen: User, overdue: Timer
) -> None:
    boss = staff_client(supervisor)
    response = boss.post(
        f"/workbench/supervision/timers/{overdue.pk}/urge/", {"notice": "请尽快办结并说明原因", "answer_days": "3"}
    )
    urging = Urging.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/workbench/supervision/urgings/{urging.pk}/"
    bad = boss.post(f"/workbench/supervision/timers/{overdue.pk}/urge/", {"notice": "", "answer_days": "99"})
    assert bad.status_code == 200 and Urging.objects.count() == 1

    clerk = staff_client(market_clerk)
    listing = clerk.get("/workbench/supervision/urgings/").content.decode()
    assert "请尽快办结并说明原因" in listing
    assert (
        "请尽快办结并说明原因" not in staff_client(police_clerk).get("/workbench/supervision/urgings/").content.decode()
    )
    assert staff_client(police_clerk).get(f"/workbench/supervision/urgings/{urging.pk}/").status_code == 404
    refused = staff_client(police_clerk).post(f"/workbench/supervision/urgings/{urging.pk}/answer/", {"answer": "x"})
    assert refused.status_code == 404
    assert boss.post(f"/workbench/supervision/urgings/{urging.pk}/answer/", {"answer": "x"}).status_code == 403
    assert person_client(citizen).get("/workbench/supervision/urgings/").status_code == 403
    assert Client().get("/workbench/supervision/urgings/").status_code == 302
    urging.refresh_from_db()
    assert urging.state == Urging.State.OPEN

    empty = clerk.post(f"/workbench/supervision/urgings/{urging.pk}/answer/", {"answer": "  "})
    assert empty.status_code == 200
    done = clerk.post(f"/workbench/supervision/urgings/{urging.pk}/answer/", {"answer": "已办结。"})
    assert done.status_code == 302
    urging.refresh_from_db()
    assert urging.state == Urging.State.ANSWERED and urging.answered_by == market_clerk
    again = staff_client(market_leader).post(f"/workbench/supervision/urgings/{urging.pk}/answer/", {"answer": "再答"})
    assert again.status_code == 200 and "已答复" in again.content.decode()
    urging.refresh_from_db()
    assert urging.answer == "已办结。"
    assert "已办结。" in boss.get(f"/workbench/supervision/timers/{overdue.pk}/").content.decode()
