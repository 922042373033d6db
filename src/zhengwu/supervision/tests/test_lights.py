"""Lights at their exact boundaries, and the SQL dashboards agreeing with `Timer.light`."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from zhengwu.accounts.models import Department, Region, User
from zhengwu.core.actors import Actor
from zhengwu.core.workdays import workdays_between
from zhengwu.supervision import selectors, services
from zhengwu.supervision.models import Timer

BJ = ZoneInfo("Asia/Shanghai")
D = date


def start(clerk: User, target: Any, dept: Department, limit: int, day: date | datetime, **kwargs: Any) -> Timer:
    return services.timer_start(
        actor=Actor.person(clerk),
        kind=kwargs.pop("kind", "eservices.application"),
        target=target,
        title="食品经营许可申请",
        department=dept,
        limit=limit,
        start=day,
        **kwargs,
    )


def sql_light(timer: Timer, today: date | None = None, now: datetime | None = None) -> str:
    row = selectors.with_light(Timer.objects.filter(pk=timer.pk), today=today, now=now).get()
    return str(row.current_light)


@pytest.mark.django_db
def test_workday_light_boundaries(market_clerk: User, market_dept: Department, citizen: User) -> None:
    timer = start(market_clerk, citizen, market_dept, 10, D(2025, 3, 3))
    assert timer.deadline == D(2025, 3, 17)
    assert timer.yellow_threshold == 2  # max(1, ceil(10 × 0.2))
    assert timer.yellow_from == D(2025, 3, 13)
    expected = {
        D(2025, 3, 3): "green",
        D(2025, 3, 12): "green",  # 3 working days left: 13, 14, 17
        D(2025, 3, 13): "yellow",  # 2 left
        D(2025, 3, 15): "yellow",  # Saturday, 1 left
        D(2025, 3, 17): "yellow",  # the deadline day: 0 left, not yet overdue
        D(2025, 3, 18): "red",  # overdue from the next day
    }
    for today, light in expected.items():
        assert timer.light(today) == light, today
        assert sql_light(timer, today) == light, today
    assert timer.remaining(D(2025, 3, 12)) == 3
    assert timer.remaining(D(2025, 3, 17)) == 0
    assert timer.remaining(D(2025, 3, 18)) == -1


@pytest.mark.django_db
def test_light_matches_its_definition_over_the_spring_festival(
    market_clerk: User, market_dept: Department, citizen: User, outsider: User
) -> None:
    timers = [
        start(market_clerk, citizen, market_dept, 20, D(2025, 1, 13)),
        start(market_clerk, outsider, market_dept, 3, D(2025, 1, 24)),
        start(market_clerk, market_dept, market_dept, 7, D(2025, 1, 29)),  # starts on a holiday
    ]
    for timer in timers:
        day = timer.start_date
        while day <= timer.deadline + timedelta(days=3):
            left = workdays_between(day, timer.deadline)
            definition = "red" if day > timer.deadline else ("yellow" if left <= timer.yellow_threshold else "green")
            assert timer.light(day) == definition == sql_light(timer, day), (timer.limit, day)
            day += timedelta(days=1)


@pytest.mark.django_db
def test_yellow_threshold_uses_the_fraction(
    market_clerk: User, market_dept: Department, citizen: User, outsider: User, settings: Any
) -> None:
    half = start(market_clerk, citizen, market_dept, 10, D(2025, 3, 3), yellow_fraction=0.5)
    assert half.yellow_threshold == 5
    never_early = start(market_clerk, outsider, market_dept, 10, D(2025, 3, 3), yellow_fraction=0.0)
    assert never_early.yellow_threshold == 1  # at least one day of warning
    assert never_early.yellow_from == D(2025, 3, 14)
    assert Timer(limit=15, yellow_fraction=0.2).yellow_threshold == 3  # 15 × 0.2 is 3.0000000000000004
    settings.TIMER_YELLOW_FRACTION = 0.3
    assert Timer(limit=10).yellow_threshold == 3


@pytest.mark.django_db
def test_minute_light_boundaries(market_clerk: User, market_dept: Department, citizen: User) -> None:
    begun = datetime(2025, 3, 3, 9, 0, tzinfo=BJ)
    timer = start(market_clerk, citizen, market_dept, 100, begun, unit=Timer.Unit.MINUTE)
    assert timer.yellow_threshold == 20
    deadline = datetime(2025, 3, 3, 10, 40, tzinfo=BJ)
    assert timer.deadline_at == deadline
    expected = {
        deadline - timedelta(minutes=20, seconds=1): "green",
        deadline - timedelta(minutes=20): "yellow",
        deadline: "yellow",
        deadline + timedelta(seconds=1): "red",
    }
    for now, light in expected.items():
        assert timer.light(now=now) == light, now
        assert sql_light(timer, now=now) == light, now
    assert timer.remaining(now=deadline + timedelta(seconds=1)) == -1


@pytest.mark.django_db
def test_light_counts_in_one_query(
    market_clerk: User,
    police_clerk: User,
    market_dept: Department,
    police_dept: Department,
    jilin: Region,
    citizen: User,
    outsider: User,
    django_assert_num_queries: Any,
) -> None:
    today = D(2025, 3, 14)
    green = start(market_clerk, citizen, market_dept, 20, D(2025, 3, 3), kind="a")
    yellow = start(market_clerk, citizen, market_dept, 10, D(2025, 3, 3), kind="b")  # yellow from 03-13
    red = start(market_clerk, citizen, market_dept, 5, D(2025, 3, 3), kind="c")  # deadline 03-10
    red_too = start(market_clerk, outsider, market_dept, 2, D(2025, 3, 3), kind="c")  # deadline 03-05
    paused = start(market_clerk, outsider, market_dept, 20, D(2025, 3, 3), kind="a")
    services.timer_pause(actor=Actor.person(market_clerk), timer=paused, reason="补正", when=D(2025, 3, 4))
    done = start(market_clerk, jilin, market_dept, 5, D(2025, 3, 3), kind="a")
    services.timer_finish(actor=Actor.person(market_clerk), timer=done, when=D(2025, 3, 4))
    police = start(police_clerk, jilin, police_dept, 1, D(2025, 3, 3), kind="c")

    with django_assert_num_queries(1):
        counts = selectors.light_counts(market_dept, today)
    assert counts == {"green": 1, "yellow": 1, "red": 2, "paused": 1}
    assert selectors.light_counts(None, today, include_done=True) == {
        "green": 1,
        "yellow": 1,
        "red": 3,
        "paused": 1,
        "done": 1,
    }
    assert selectors.light_counts(market_dept, today, kind="c") == {"green": 0, "yellow": 0, "red": 2, "paused": 0}

    assert list(selectors.red_list(None, today)) == [police, red_too, red]
    assert list(selectors.red_list(market_dept, today)) == [red_too, red]
    listed = selectors.timers_for_department(market_dept, today=today)
    assert [(t.pk, t.current_light) for t in listed] == [  # nearest deadline first
        (red_too.pk, "red"),
        (red.pk, "red"),
        (yellow.pk, "yellow"),
        (green.pk, "green"),
        (paused.pk, "paused"),
    ]
    assert list(selectors.timers_for_department(market_dept, light="yellow", today=today)) == [yellow]
    assert done in selectors.timers_for_department(market_dept, live_only=False, today=today)
    assert [e.kind for e in selectors.timer_events(paused)] == ["start", "pause"]
