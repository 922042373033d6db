"""The one audited-write path: success recorded with the write, refusals recorded after the rollback."""

from __future__ import annotations

from typing import Any

import pytest

from zhengwu.accounts.models import Department, User
from zhengwu.audit.models import AuditEvent
from zhengwu.audit.services import record_action
from zhengwu.audit.write import AuditAction, audited_write
from zhengwu.core.actors import Actor
from zhengwu.core.errors import ApplicationError, CoreError


class Action(AuditAction):
    RENAME = "tests.department.rename"


def rename(actor: Actor, department: Department, name: str) -> Department:
    with audited_write(actor, Action.RENAME, department) as write:
        locked = write.lock(department)
        locked.name = name
        locked.save()
        write.require(actor.has_role("sys_admin"), "只有系统管理员可以改名。")
        if not name.strip():
            raise ApplicationError(CoreError.INVALID_INPUT, "请填写名称。", {"name": "必填"})
        write.note(name=name)
    return locked


def events() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=Action.RENAME).order_by("seq"))


def test_success_is_recorded_in_the_same_transaction(sys_admin: User, market_dept: Department) -> None:
    rename(Actor.person(sys_admin, ip="10.0.0.1"), market_dept, "新名称")
    [event] = events()
    assert event.outcome == AuditEvent.Outcome.SUCCESS
    assert event.target_id == str(market_dept.pk)
    assert event.details == {"name": "新名称"}
    assert event.ip == "10.0.0.1"
    assert event.actor == sys_admin


def test_refusal_rolls_back_the_write_and_is_recorded(market_clerk: User, market_dept: Department) -> None:
    with pytest.raises(ApplicationError) as caught:
        rename(Actor.person(market_clerk), market_dept, "新名称")
    assert caught.value.code == CoreError.PERMISSION_DENIED
    market_dept.refresh_from_db()
    assert market_dept.name == "吉林省市场监督管理厅"  # nothing written
    [event] = events()
    assert event.outcome == AuditEvent.Outcome.DENIED
    assert event.details["message"] == "只有系统管理员可以改名。"
    assert event.target_id == str(market_dept.pk)


def test_bad_input_is_a_recorded_failure(sys_admin: User, market_dept: Department) -> None:
    with pytest.raises(ApplicationError):
        rename(Actor.person(sys_admin), market_dept, "  ")
    [event] = events()
    assert event.outcome == AuditEvent.Outcome.FAILURE
    assert event.details["fields"] == {"name": "必填"}


def test_anonymous_and_platform_are_explicit(market_dept: Department) -> None:
    with pytest.raises(ApplicationError):
        rename(Actor.anonymous(ip="192.0.2.7"), market_dept, "x")
    with pytest.raises(ApplicationError):
        rename(Actor.platform(), market_dept, "x")  # the platform holds no role either
    anonymous, platform = events()
    assert (anonymous.actor_kind, anonymous.ip) == (AuditEvent.ActorKind.ANONYMOUS, "192.0.2.7")
    assert platform.actor_kind == AuditEvent.ActorKind.SYSTEM


def test_a_nested_refusal_is_recorded_once(sys_admin: User, market_clerk: User, market_dept: Department) -> None:
    with pytest.raises(ApplicationError), audited_write(Actor.person(sys_admin), Action.RENAME, market_dept):
        rename(Actor.person(market_clerk), market_dept, "新名称")
    assert len(events()) == 1


def test_actions_must_come_from_an_enum(sys_admin: User) -> None:
    with pytest.raises(TypeError):
        record_action(Actor.person(sys_admin), "tests.free.string")  # type: ignore[arg-type]
    with pytest.raises(TypeError), audited_write(None, Action.RENAME):  # type: ignore[arg-type]
        pass


def test_actor_from_request(rf: Any, citizen: User) -> None:
    from django.contrib.auth.models import AnonymousUser

    request = rf.get("/", REMOTE_ADDR="::ffff:192.0.2.1")
    request.user = AnonymousUser()
    assert Actor.from_request(request) == Actor.anonymous(ip="192.0.2.1")
    request.user = citizen
    actor = Actor.from_request(request)
    assert actor.is_person and actor.user == citizen and not actor.is_staff
    with pytest.raises(ValueError):
        Actor.person(AnonymousUser())  # type: ignore[arg-type]


def test_the_lock_takes_the_row_alone(sys_admin: User, market_dept: Department) -> None:
    """No join: a lock on a department must not also take its region's row (two nodes deadlocked on it)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries, audited_write(Actor.person(sys_admin), Action.RENAME) as write:
        write.lock(market_dept)
    [lock] = [q["sql"] for q in queries.captured_queries if "accounts_department" in q["sql"]]
    assert "JOIN" not in lock.upper()
