"""The one to-do list: what each app says is waiting, merged and ordered by urgency, only for
the people it is waiting for."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from zhengwu.accounts.models import Department, User
from zhengwu.catalog.models import Resource
from zhengwu.conftest import person_client, staff_client
from zhengwu.core.actors import Actor
from zhengwu.core.contracts import TodoItem
from zhengwu.exchange.sharing.models import ShareRequest
from zhengwu.exchange.tests import test_sharing_helpers as helpers
from zhengwu.exchange.tests.test_sharing_helpers import request_people
from zhengwu.supervision import oversight
from zhengwu.supervision.tests.conftest import start
from zhengwu.workbench import todo

people = helpers.people
people = helpers.people  # a fixture of the exchange tests: 人口基础信息 of 公安厅

pytestmark = pytest.mark.django_db


def test_a_conditional_share_request_waits_on_the_providers_data_officer_with_its_light(
    market_clerk: User, police_officer: User, people: Resource
) -> None:
    share_request = request_people(market_clerk, people)
    assert share_request.state == ShareRequest.State.SUBMITTED

    items = todo.todo_list(police_officer)

    assert [(i.kind_label, i.light) for i in items] == [("共享申请答复", "green")]
    assert items[0].deadline is not None and items[0].deadline > date.today()
    assert todo.todo_list(market_clerk) == []  # the requester has nothing to do


def test_the_page_lists_the_item_and_refuses_citizens(
    market_clerk: User, police_officer: User, people: Resource, citizen: User
) -> None:
    request_people(market_clerk, people)

    page = staff_client(police_officer).get("/workbench/")
    assert page.status_code == 200
    assert "共享申请答复" in page.content.decode()
    assert "待我处理的事项（共 1 项" in page.content.decode()
    filtered = staff_client(police_officer).get("/workbench/?light=red")
    assert "暂无待办事项" in filtered.content.decode()
    assert person_client(citizen).get("/workbench/").status_code in (302, 403)


def test_items_are_ordered_red_yellow_green_then_by_deadline_and_undated_last(monkeypatch: pytest.MonkeyPatch) -> None:
    today = date.today()
    made = [
        TodoItem("乙", "没有时限", "/x"),
        TodoItem("甲", "绿灯晚", "/x", deadline=today + timedelta(days=9), light="green"),
        TodoItem("甲", "绿灯早", "/x", deadline=today + timedelta(days=3), light="green"),
        TodoItem("甲", "红灯", "/x", deadline=today - timedelta(days=1), light="red"),
        TodoItem("乙", "黄灯", "/x", deadline=today + timedelta(days=1), light="yellow"),
    ]
    monkeypatch.setattr(todo, "PROVIDERS", (lambda user: made[:2], lambda user: made[2:]))

    titles = [item.title for item in todo.todo_list(User())]

    assert titles == ["红灯", "黄灯", "绿灯早", "绿灯晚", "没有时限"]
    assert [i.title for i in todo.select(todo.todo_list(User()), kind="乙")] == ["黄灯", "没有时限"]
    assert todo.kinds(made) == ["乙", "甲"]


def test_a_submitted_catalog_entry_waits_on_the_egov_office_only(
    egov: User, police_officer: User, people: Resource
) -> None:
    Resource.objects.filter(pk=people.pk).update(state=Resource.State.SUBMITTED)

    assert [i.kind_label for i in todo.todo_list(egov)] == ["目录审核"]
    assert todo.todo_list(police_officer) == []

    Resource.objects.filter(pk=people.pk).update(state=Resource.State.APPROVED)
    assert [i.kind_label for i in todo.todo_list(police_officer)] == ["目录发布"]
    assert todo.todo_list(egov) == []


def test_a_urged_department_clerk_sees_the_urging_and_the_forwarded_complaint(
    market_clerk: User, police_clerk: User, market_dept: Department, citizen: User, supervisor: User
) -> None:
    late = start(market_dept, 1, date(2024, 3, 1), title="食品经营许可 2024-SCJG-000007")
    oversight.urging_create(
        actor=Actor.person(supervisor), timer=late, notice="已超期，请于3个工作日内说明原因并办结。"
    )
    complaint = oversight.complaint_create(
        actor=Actor.person(citizen), department=market_dept, item="食品经营许可", content="窗口超期未办结。"
    )

    assert [i.kind_label for i in todo.todo_list(supervisor)] == ["投诉受理"]
    oversight.complaint_forward(actor=Actor.person(supervisor), complaint=complaint, note="请核查")
    items = todo.todo_list(market_clerk)
    assert {i.kind_label for i in items} == {"督办答复", "投诉核查答复"}
    urging = next(i for i in items if i.kind_label == "督办答复")
    assert urging.title == "督办：食品经营许可 2024-SCJG-000007" and urging.light == "green"
    assert todo.todo_list(police_clerk) == []  # another department is not urged

    page = staff_client(market_clerk).get("/workbench/").content.decode()
    assert "督办：食品经营许可 2024-SCJG-000007" in page and "投诉核查答复" in page
    assert "督办" not in staff_client(police_clerk).get("/workbench/").content.decode().split('id="todo"')[1]
