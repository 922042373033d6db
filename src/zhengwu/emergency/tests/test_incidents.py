"""Incidents: receipt, the moves 接报 → 核实 → 定级 → 响应 → 处置 → 终止 → 评估, level changes with reasons."""

from __future__ import annotations

import pytest

from zhengwu.accounts.models import User
from zhengwu.audit.tests.helpers import refused_write
from zhengwu.core.actors import Actor
from zhengwu.emergency import services
from zhengwu.emergency.errors import EmergencyError
from zhengwu.emergency.models import Incident, LevelChange
from zhengwu.emergency.tests.conftest import graded, received


def test_a_duty_officer_receives_verifies_grades_and_the_level_changes_with_reasons(cc_duty: User) -> None:
    incident = received(cc_duty)
    assert incident.number.startswith("YJ") and incident.state == Incident.State.RECEIVED
    assert incident.department.name == "长春市应急管理局"
    me = Actor.person(cc_duty)
    services.incident_verify(actor=me, incident=incident, note="回拨核实")
    incident = services.incident_grade(actor=me, incident=incident, level=4, reason="被困人数少")
    incident = services.incident_change_level(actor=me, incident=incident, level=3, reason="被困人数增至 12 人")
    assert incident.level == 3 and incident.state == Incident.State.GRADED
    changes = list(LevelChange.objects.filter(incident=incident).order_by("id"))
    assert [(c.from_level, c.to_level, c.verb) for c in changes] == [(None, 4, "定级"), (4, 3, "升级")]
    assert changes[1].reason == "被困人数增至 12 人"


def test_a_level_change_needs_a_reason_and_a_new_level(cc_duty: User) -> None:
    incident = graded(cc_duty, 3)
    me = Actor.person(cc_duty)
    refused_write(
        lambda: services.incident_change_level(actor=me, incident=incident, level=2, reason="  "),
        apps=["emergency"],
        rows=[incident],
        code=EmergencyError.REASON_REQUIRED,
    )
    refused_write(
        lambda: services.incident_change_level(actor=me, incident=incident, level=3, reason="再次确认"),
        apps=["emergency"],
        code=EmergencyError.SAME_LEVEL,
    )


@pytest.mark.parametrize("move", ["grade", "respond", "handle", "terminate", "evaluate"])
def test_moves_out_of_order_are_refused(cc_duty: User, move: str) -> None:
    incident = received(cc_duty)
    me = Actor.person(cc_duty)
    calls = {
        "grade": lambda: services.incident_grade(actor=me, incident=incident, level=3, reason="x"),
        "respond": lambda: services.incident_start_response(actor=me, incident=incident),
        "handle": lambda: services.incident_handle(actor=me, incident=incident),
        "terminate": lambda: services.incident_terminate(actor=me, incident=incident, reason="x"),
        "evaluate": lambda: services.incident_evaluate(actor=me, incident=incident),
    }
    refused_write(calls[move], apps=["emergency"], rows=[incident], code=EmergencyError.WRONG_STATE)
