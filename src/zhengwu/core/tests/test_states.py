"""Declared state machines: moves, refusals, and docs/states.md generated from them."""

from __future__ import annotations

from pathlib import Path

import pytest

from zhengwu.core.errors import ApplicationError
from zhengwu.core.states import all_machines, render_markdown

DOCS = Path(__file__).resolve().parents[4] / "docs" / "states.md"


def test_docs_states_is_generated_from_the_declarations() -> None:
    machines = all_machines()
    expected = render_markdown(machines)
    assert DOCS.read_text(encoding="utf-8") == expected, (
        "docs/states.md differs from the declared state machines: run "
        "`.venv/bin/python -m zhengwu.core.states docs/states.md`"
    )


def test_every_declared_move_names_known_states() -> None:
    for machine in all_machines():
        for move in machine.moves.values():
            assert move.sources, f"{machine.noun}.{move.name} has no source state"
            for state in [*move.sources, move.target]:
                assert state is None or state in machine.choices


def test_an_illegal_move_is_refused_with_the_apps_code(db: object) -> None:
    from django.db import models

    from zhengwu.audit.models import AuditEvent
    from zhengwu.core.errors import CoreError
    from zhengwu.core.states import REGISTRY, Move, StateMachine

    machine = StateMachine(
        "测试事件",
        AuditEvent,
        "outcome",
        CoreError.CONFLICT,
        Move("deny", "拒绝", [AuditEvent.Outcome.SUCCESS], AuditEvent.Outcome.DENIED),
    )
    REGISTRY.remove(machine)  # a machine of the test only, kept out of docs/states.md
    event = AuditEvent(outcome=AuditEvent.Outcome.SUCCESS)
    machine.move(event, "deny")
    assert event.outcome == AuditEvent.Outcome.DENIED
    with pytest.raises(ApplicationError) as caught:
        machine.move(event, "deny")
    assert caught.value.code == CoreError.CONFLICT and caught.value.status == 409
    assert "当前为“拒绝”，不能拒绝" in caught.value.message
    with pytest.raises(ValueError):
        StateMachine("坏", AuditEvent, "outcome", CoreError.CONFLICT, Move("x", "x", ["nope"], None))
    assert isinstance(event, models.Model)
