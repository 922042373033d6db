"""The working-day calendar services: only the system administrator changes it, every change is
audited, takes effect at once, and moves the deadlines of the live timers it touches."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from zhengwu.accounts.models import Department, User
from zhengwu.audit.models import AuditEvent
from zhengwu.core import workdays
from zhengwu.core.actors import Actor
from zhengwu.core.errors import ApplicationError, CoreError
from zhengwu.core.models import WorkdayOverride
from zhengwu.supervision import services
from zhengwu.supervision.errors import SupervisionError
from zhengwu.supervision.models import Timer, TimerEvent

D = date


def start(clerk: User, target: Any, dept: Department, limit: int, day: date, kind: str = "k") -> Timer:
    return services.timer_start(
        actor=Actor.person(clerk), kind=kind, target=target, title="申请", department=dept, limit=limit, start=day
    )


@pytest.mark.django_db
def test_only_the_system_administrator_changes_the_calendar(
    market_clerk: User, audit_admin: User, sec_admin: User
) -> None:
    for person in (market_clerk, audit_admin, sec_admin):
        with pytest.raises(ApplicationError) as caught:
            services.workday_override_set(
                actor=Actor.person(person), day=D(2025, 10, 13), is_workday=False, reason="台风停工"
            )
        assert caught.value.code == CoreError.PERMISSION_DENIED
        with pytest.raises(ApplicationError) as caught:
            services.workday_overrides_load(actor=Actor.person(person), rows=[(D(2027, 2, 8), False, "春节")])
        assert caught.value.code == CoreError.PERMISSION_DENIED
    WorkdayOverride.objects.create(date=D(2025, 10, 14), is_workday=False, reason="停工")
    with pytest.raises(ApplicationError) as caught:
        services.workday_override_delete(actor=Actor.person(market_clerk), day=D(2025, 10, 14))
    assert caught.value.code == CoreError.PERMISSION_DENIED
    assert list(WorkdayOverride.objects.values_list("date", flat=True)) == [D(2025, 10, 14)]
    calendar_events = AuditEvent.objects.filter(action__startswith="supervision.workday")
    assert set(calendar_events.values_list("outcome", flat=True)) == {AuditEvent.Outcome.DENIED}  # refusals only
    assert calendar_events.count() == 7


@pytest.mark.django_db
def test_a_closure_moves_the_live_timers_it_falls_in(
    sys_admin: User, market_clerk: User, market_dept: Department, citizen: User, outsider: User
) -> None:
    spanning = start(market_clerk, citizen, market_dept, 10, D(2025, 3, 3))  # deadline 03-17
    earlier = start(market_clerk, outsider, market_dept, 2, D(2025, 3, 3))  # deadline 03-05
    finished = start(market_clerk, market_dept, market_dept, 10, D(2025, 3, 3))
    services.timer_finish(actor=Actor.person(market_clerk), timer=finished, when=D(2025, 3, 4))
    assert workdays.is_workday(D(2025, 3, 10))

    override = services.workday_override_set(
        actor=Actor.person(sys_admin), day=D(2025, 3, 10), is_workday=False, reason="暴雪停工"
    )
    assert (override.created_by, override.is_workday) == (sys_admin, False)
    assert not workdays.is_workday(D(2025, 3, 10))  # at once, no stale cache
    spanning.refresh_from_db()
    assert spanning.deadline == D(2025, 3, 18)
    assert spanning.yellow_from == D(2025, 3, 14)
    event = TimerEvent.objects.get(timer=spanning, kind="recompute")
    assert event.details["previous_deadline"] == "2025-03-17" and event.actor == sys_admin
    earlier.refresh_from_db()
    finished.refresh_from_db()
    assert earlier.deadline == D(2025, 3, 5) and finished.deadline == D(2025, 3, 17)
    audit = AuditEvent.objects.get(action="supervision.workday_override_set")
    assert audit.actor == sys_admin
    assert audit.details == {
        "date": "2025-03-10",
        "is_workday": False,
        "reason": "暴雪停工",
        "previous": None,
        "timers_moved": 1,
    }

    # Changing it again records what it was; deleting it puts the deadline back.
    services.workday_override_set(
        actor=Actor.person(sys_admin), day=D(2025, 3, 10), is_workday=False, reason="暴雪停工（延续）"
    )
    latest = AuditEvent.objects.filter(action="supervision.workday_override_set").order_by("-seq").first()
    assert latest is not None and latest.details["previous"] == {"is_workday": False, "reason": "暴雪停工"}
    services.workday_override_delete(actor=Actor.person(sys_admin), day=D(2025, 3, 10))
    assert not WorkdayOverride.objects.exists()
    assert workdays.is_workday(D(2025, 3, 10))
    spanning.refresh_from_db()
    assert spanning.deadline == D(2025, 3, 17)
    assert AuditEvent.objects.filter(action="supervision.workday_override_delete", outcome="success").count() == 1


@pytest.mark.django_db
def test_override_needs_a_reason_and_delete_needs_a_row(sys_admin: User) -> None:
    with pytest.raises(ApplicationError) as caught:
        services.workday_override_set(actor=Actor.person(sys_admin), day=D(2027, 2, 8), is_workday=False, reason=" ")
    assert caught.value.code == SupervisionError.REASON_REQUIRED
    with pytest.raises(ApplicationError) as caught:
        services.workday_override_delete(actor=Actor.person(sys_admin), day=D(2027, 2, 8))
    assert caught.value.code == SupervisionError.OVERRIDE_NOT_FOUND
    assert not WorkdayOverride.objects.exists()


@pytest.mark.django_db
def test_loading_a_year_is_all_or_nothing(
    sys_admin: User, market_clerk: User, market_dept: Department, citizen: User
) -> None:
    bad = [(D(2027, 2, 8), False, "春节"), (D(2027, 2, 9), False, ""), (D(2027, 2, 8), True, "调休")]
    with pytest.raises(ApplicationError) as caught:
        services.workday_overrides_load(actor=Actor.person(sys_admin), rows=bad)
    assert caught.value.code == SupervisionError.INVALID_OVERRIDES
    assert caught.value.fields == {"第2条": "缺少原因", "第3条": "日期 2027-02-08 与第1条重复"}
    assert not WorkdayOverride.objects.exists()

    # A timer started late in 2026 ran into 2027 counted Monday–Friday; the loaded year moves it.
    timer = start(market_clerk, citizen, market_dept, 30, D(2027, 1, 15))
    assert timer.deadline == D(2027, 2, 26)
    rows = [(D(2027, 2, day), False, "2027年春节假期") for day in range(8, 13)] + [(D(2027, 2, 20), True, "调休")]
    assert services.workday_overrides_load(actor=Actor.person(sys_admin), rows=rows) == 6
    timer.refresh_from_db()
    assert timer.deadline == D(2027, 3, 4)  # five weekdays off, one Saturday on: four days later
    audit = AuditEvent.objects.get(action="supervision.workday_overrides_load", outcome="success")
    assert audit.details == {"rows": 6, "first": "2027-02-08", "last": "2027-02-20", "timers_moved": 1}
