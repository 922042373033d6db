"""A refused write of supervision changes nothing but leaves its refusal in the audit log (Saleor style)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from zhengwu.accounts.models import Department, User
from zhengwu.audit.models import AuditEvent
from zhengwu.audit.tests.helpers import refused_write
from zhengwu.core.actors import Actor
from zhengwu.supervision import oversight, services
from zhengwu.supervision.models import Complaint, Timer
from zhengwu.supervision.tests.conftest import item, start

pytestmark = pytest.mark.django_db


def refused(call: Callable[[], Any], action: str, outcome: str, code: str) -> AuditEvent:
    """Run `call`, expect a refusal with `code`; nothing changed but the one refusal event, returned."""
    return refused_write(call, apps=["supervision", "core"], action=action, outcome=outcome, code=code)[1]


def test_refused_timer_writes_are_audited(market_clerk: User, market_dept: Department) -> None:
    timer = start(market_dept, 5, date(2025, 3, 3))
    event = refused(
        lambda: services.timer_pause(actor=Actor.person(market_clerk), timer=timer, reason=" "),
        "supervision.timer_pause",
        AuditEvent.Outcome.FAILURE,
        "supervision.reason_required",
    )
    assert event.actor == market_clerk and event.target_id == str(timer.pk)
    refused(
        lambda: services.timer_start(
            actor=Actor.platform(), kind="k", target=item(), title="t", department=market_dept, limit=0
        ),
        "supervision.timer_start",
        AuditEvent.Outcome.FAILURE,
        "supervision.invalid_limit",
    )


def test_refused_urgings_are_audited(market_clerk: User, supervisor: User, market_dept: Department) -> None:
    timer = start(market_dept, 5, date(2025, 3, 3))
    event = refused(
        lambda: oversight.urging_create(actor=Actor.person(market_clerk), timer=timer, notice="请说明"),
        "supervision.urging.create",
        AuditEvent.Outcome.DENIED,
        "core.permission_denied",
    )
    assert event.actor == market_clerk and event.target_type == "supervision.timer"
    refused(
        lambda: oversight.urging_create(actor=Actor.anonymous(ip="10.0.0.9"), timer=timer, notice="请说明"),
        "supervision.urging.create",
        AuditEvent.Outcome.DENIED,
        "core.permission_denied",
    )
    urging = oversight.urging_create(actor=Actor.person(supervisor), timer=timer, notice="请说明")
    refused(
        lambda: oversight.urging_answer(actor=Actor.person(supervisor), urging=urging, answer="答复"),
        "supervision.urging.answer",
        AuditEvent.Outcome.DENIED,
        "core.permission_denied",
    )
    oversight.urging_answer(actor=Actor.person(market_clerk), urging=urging, answer="已办结")
    refused(
        lambda: oversight.urging_answer(actor=Actor.person(market_clerk), urging=urging, answer="再答"),
        "supervision.urging.answer",
        AuditEvent.Outcome.FAILURE,
        "supervision.urging_not_open",
    )


def test_refused_complaint_moves_are_audited(
    citizen: User, supervisor: User, market_clerk: User, market_dept: Department
) -> None:
    refused(
        lambda: oversight.complaint_create(
            actor=Actor.person(market_clerk), department=market_dept, content="慢", item="许可"
        ),
        "supervision.complaint.create",
        AuditEvent.Outcome.DENIED,
        "core.permission_denied",
    )
    complaint = oversight.complaint_create(
        actor=Actor.person(citizen), department=market_dept, content="慢", item="许可"
    )
    refused(
        lambda: oversight.complaint_answer(actor=Actor.person(market_clerk), complaint=complaint, answer="答"),
        "supervision.complaint.answer",
        AuditEvent.Outcome.DENIED,
        "core.permission_denied",
    )
    oversight.complaint_conclude(actor=Actor.person(supervisor), complaint=complaint, finding="upheld", result="属实")
    event = refused(
        lambda: oversight.complaint_forward(actor=Actor.person(supervisor), complaint=complaint, note="转"),
        "supervision.complaint.forward",
        AuditEvent.Outcome.FAILURE,
        "supervision.complaint_wrong_state",
    )
    assert event.target_id == str(complaint.pk)
    assert Complaint.objects.get().state == Complaint.State.CONCLUDED
    assert not Timer.objects.filter(state__in=Timer.LIVE_STATES).exists()


def test_refused_exposure_is_audited(market_clerk: User) -> None:
    refused(
        lambda: oversight.exposure_publish(actor=Actor.person(market_clerk), month=date(2025, 10, 1)),
        "supervision.exposure.publish",
        AuditEvent.Outcome.DENIED,
        "core.permission_denied",
    )
