"""Timer services: start, pause, resume, extend, finish, cancel — over 春节 and 国庆 2025.

A market-supervision clerk (市场监管局王科员) runs the clocks of a citizen's (张三) application;
any saved model instance can be a timer's target, so the citizen's own record stands in for it.
"""

from __future__ import annotations

import threading
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.forms.models import model_to_dict

from zhengwu.accounts.models import Department, User
from zhengwu.audit.models import AuditEvent
from zhengwu.core.actors import Actor
from zhengwu.core.errors import ApplicationError
from zhengwu.core.workdays import add_workdays, workdays_between
from zhengwu.supervision import selectors, services
from zhengwu.supervision.errors import SupervisionError
from zhengwu.supervision.models import Timer, TimerEvent

BJ = ZoneInfo("Asia/Shanghai")
KIND = "eservices.application"
D = date


def at(y: int, m: int, d: int, hh: int = 9, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=BJ)


@pytest.fixture
def case(citizen: User) -> User:
    """Stands in for the citizen's application (a timer's target is any saved model instance)."""
    return citizen


def start(clerk: User, target: Any, dept: Department, limit: int, day: date | datetime | None, **kwargs: Any) -> Timer:
    return services.timer_start(
        actor=Actor.person(clerk),
        kind=kwargs.pop("kind", KIND),
        kind_label="行政许可承诺办结时限",
        target=target,
        title="食品经营许可申请",
        department=dept,
        limit=limit,
        start=day,
        **kwargs,
    )


def snapshot(timer: Timer) -> tuple[dict[str, Any], int, int]:
    """The timer, its history and the successful audit events (a refusal adds only its own refusal event)."""
    row = Timer.objects.get(pk=timer.pk)
    successes = AuditEvent.objects.filter(outcome=AuditEvent.Outcome.SUCCESS).count()
    return model_to_dict(row), TimerEvent.objects.filter(timer=timer).count(), successes


# --- start ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_start_over_spring_festival_counts_the_adjusted_days(
    market_clerk: User, market_dept: Department, case: User
) -> None:
    timer = start(market_clerk, case, market_dept, 5, D(2025, 1, 24))
    # Day 0 Fri 01-24; 1 = Sun 01-26 (调休); 2 = Mon 01-27; holiday 01-28..02-04; 3,4,5 = 02-05..02-07.
    assert timer.deadline == D(2025, 2, 7)
    assert timer.state == Timer.State.RUNNING
    assert timer.target_type == "accounts.user" and timer.target_id == str(case.pk)
    assert timer.start_date == D(2025, 1, 24)
    assert timer.started_at == at(2025, 1, 24, 0, 0)
    assert timer.deadline_at is None
    # threshold max(1, ceil(5 × 0.2)) = 1: yellow from the 2nd working day on or before the deadline.
    assert timer.yellow_threshold == 1
    assert timer.yellow_from == D(2025, 2, 6)

    six = start(market_clerk, case, market_dept, 6, D(2025, 1, 24), kind="eservices.other")
    assert six.deadline == D(2025, 2, 8)  # the 调休 Saturday

    event = TimerEvent.objects.get(timer=timer)
    assert (event.kind, event.actor, event.details["deadline"]) == ("start", market_clerk, "2025-02-07")
    audit = AuditEvent.objects.filter(action="supervision.timer_start", target_id=str(timer.pk)).get()
    assert audit.actor == market_clerk
    assert audit.department == market_dept
    assert audit.details["limit"] == 5


@pytest.mark.django_db
def test_start_defaults_to_now_and_today_in_beijing(market_clerk: User, market_dept: Department, case: User) -> None:
    from zhengwu.core import workdays

    timer = start(market_clerk, case, market_dept, 20, None)
    assert timer.start_date == workdays.today()
    assert timer.deadline == add_workdays(timer.start_date, 20)
    assert selectors.timer_for(case, KIND) == timer


@pytest.mark.django_db
def test_start_refuses_bad_input_and_a_second_live_timer(
    market_clerk: User, market_dept: Department, case: User
) -> None:
    for limit in (0, -3, True, 2.5, "5"):
        with pytest.raises(ApplicationError) as caught:
            start(market_clerk, case, market_dept, limit, D(2025, 1, 24))  # type: ignore[arg-type]
        assert caught.value.code == SupervisionError.INVALID_LIMIT
    with pytest.raises(ApplicationError) as caught:
        start(market_clerk, case, market_dept, 5, D(2025, 1, 24), unit="hour")
    assert caught.value.code == SupervisionError.INVALID_UNIT
    with pytest.raises(ApplicationError) as caught:
        start(market_clerk, User(username="unsaved"), market_dept, 5, D(2025, 1, 24))
    assert caught.value.code == SupervisionError.TARGET_UNSAVED
    assert not Timer.objects.exists()

    first = start(market_clerk, case, market_dept, 5, D(2025, 1, 24))
    with pytest.raises(ApplicationError) as caught:
        start(market_clerk, case, market_dept, 5, D(2025, 1, 25))
    assert caught.value.code == SupervisionError.TIMER_EXISTS
    assert list(Timer.objects.all()) == [first]
    # Once the first is closed, the clock may start again (e.g. 补正 restarts the period, Art. 30).
    services.timer_cancel(actor=Actor.person(market_clerk), timer=first, reason="申请人补正后重新起算")
    second = start(market_clerk, case, market_dept, 5, D(2025, 2, 10))
    assert selectors.timer_for(case, KIND) == second
    services.timer_finish(actor=Actor.person(market_clerk), timer=second, when=D(2025, 2, 11))
    assert selectors.timer_for(case, KIND) == second  # the latest when none is live
    assert selectors.timer_for(case, "other.kind") is None


# --- pause and resume ------------------------------------------------------------------------


@pytest.mark.django_db
def test_pause_and_resume_across_national_day(market_clerk: User, market_dept: Department, case: User) -> None:
    timer = start(market_clerk, case, market_dept, 10, D(2025, 9, 22))
    # 09-23..26 (4), Sun 09-28 (5, 调休), 09-29 (6), 09-30 (7), 10-09 (8), 10-10 (9), Sat 10-11 (10).
    assert timer.deadline == D(2025, 10, 11)

    paused = services.timer_pause(
        actor=Actor.person(market_clerk), timer=timer, reason="材料不全，通知补正", when=D(2025, 9, 29)
    )
    assert paused.state == Timer.State.PAUSED
    assert timer.state == Timer.State.PAUSED  # the caller's instance is refreshed
    assert paused.paused_on == D(2025, 9, 29)
    assert paused.light(D(2025, 10, 20)) == "paused"  # frozen: not overdue on the pause day
    assert paused.remaining(D(2025, 10, 20)) == workdays_between(D(2025, 9, 29), D(2025, 10, 11)) == 4

    resumed = services.timer_resume(actor=Actor.person(market_clerk), timer=timer, when=D(2025, 10, 10))
    # Paused: working days after 09-29 up to and including 10-10 = 09-30, 10-09, 10-10 = 3.
    assert resumed.paused_workdays == 3
    assert resumed.deadline == D(2025, 10, 15)
    assert resumed.deadline == add_workdays(D(2025, 9, 22), 13)
    assert (resumed.state, resumed.paused_on, resumed.pause_reason) == (Timer.State.RUNNING, None, "")
    event = TimerEvent.objects.get(timer=timer, kind="resume")
    assert event.details["paused"] == 3 and event.details["previous_deadline"] == "2025-10-11"
    assert event.reason == "材料不全，通知补正"
    actions = list(AuditEvent.objects.filter(target_id=str(timer.pk)).order_by("seq").values_list("action", flat=True))
    assert actions == ["supervision.timer_start", "supervision.timer_pause", "supervision.timer_resume"]


@pytest.mark.django_db
def test_pause_over_the_whole_holiday_only_moves_by_working_days(
    market_clerk: User, market_dept: Department, case: User
) -> None:
    timer = start(market_clerk, case, market_dept, 10, D(2025, 9, 22))
    services.timer_pause(actor=Actor.person(market_clerk), timer=timer, reason="征求第三方意见", when=D(2025, 9, 30))
    services.timer_resume(actor=Actor.person(market_clerk), timer=timer, when=D(2025, 10, 8))  # all holiday
    timer.refresh_from_db()
    assert timer.paused_workdays == 0 and timer.deadline == D(2025, 10, 11)
    services.timer_pause(actor=Actor.person(market_clerk), timer=timer, reason="专家评审", when=D(2025, 10, 9))
    services.timer_resume(actor=Actor.person(market_clerk), timer=timer, when=D(2025, 10, 9))  # same day
    timer.refresh_from_db()
    assert timer.paused_workdays == 0 and timer.deadline == D(2025, 10, 11)


@pytest.mark.django_db
def test_pause_needs_a_reason_and_resume_cannot_go_back(
    market_clerk: User, market_dept: Department, case: User
) -> None:
    timer = start(market_clerk, case, market_dept, 10, D(2025, 9, 22))
    before = snapshot(timer)
    with pytest.raises(ApplicationError) as caught:
        services.timer_pause(actor=Actor.person(market_clerk), timer=timer, reason="  ", when=D(2025, 9, 29))
    assert caught.value.code == SupervisionError.REASON_REQUIRED
    with pytest.raises(ApplicationError) as caught:
        services.timer_pause(actor=Actor.person(market_clerk), timer=timer, reason="补正", when=D(2025, 9, 21))
    assert caught.value.code == SupervisionError.INVALID_TIME
    assert snapshot(timer) == before

    services.timer_pause(actor=Actor.person(market_clerk), timer=timer, reason="补正", when=D(2025, 9, 29))
    before = snapshot(timer)
    with pytest.raises(ApplicationError) as caught:
        services.timer_resume(actor=Actor.person(market_clerk), timer=timer, when=D(2025, 9, 26))
    assert caught.value.code == SupervisionError.INVALID_TIME
    assert snapshot(timer) == before


@pytest.mark.django_db
def test_a_timer_paused_when_already_overdue_stays_red(market_clerk: User, market_dept: Department, case: User) -> None:
    timer = start(market_clerk, case, market_dept, 5, D(2025, 1, 24))  # deadline 02-07
    services.timer_pause(actor=Actor.person(market_clerk), timer=timer, reason="补正", when=D(2025, 2, 10))
    timer.refresh_from_db()
    assert timer.light(D(2025, 2, 11)) == "red"
    assert selectors.light_counts(market_dept, D(2025, 2, 11))["red"] == 1
    assert list(selectors.red_list(market_dept, D(2025, 2, 11))) == [timer]
    finished = services.timer_finish(actor=Actor.person(market_clerk), timer=timer, when=D(2025, 2, 12))
    assert finished.finished_on_time is False


# --- extension -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_one_extension_then_refused_unless_repeat_allowed(
    market_clerk: User, market_dept: Department, case: User
) -> None:
    timer = start(market_clerk, case, market_dept, 20, D(2025, 9, 1))
    assert timer.deadline == add_workdays(D(2025, 9, 1), 20) == D(2025, 9, 28)  # the 调休 Sunday
    extended = services.timer_extend(
        actor=Actor.person(market_clerk), timer=timer, days=20, reason="经机构负责人同意延长", when=D(2025, 9, 25)
    )
    assert extended.extended_by == 20 and extended.extension_count == 1
    assert extended.extension_reason == "经机构负责人同意延长"
    assert extended.deadline == add_workdays(D(2025, 9, 1), 40) == D(2025, 10, 31)

    before = snapshot(timer)
    with pytest.raises(ApplicationError) as caught:
        services.timer_extend(
            actor=Actor.person(market_clerk), timer=timer, days=5, reason="再次延长", when=D(2025, 10, 9)
        )
    assert caught.value.code == SupervisionError.ALREADY_EXTENDED
    assert snapshot(timer) == before

    again = services.timer_extend(
        actor=Actor.person(market_clerk), timer=timer, days=5, reason="特别程序", allow_repeat=True, when=D(2025, 10, 9)
    )
    assert again.extended_by == 25 and again.extension_count == 2
    assert again.deadline == add_workdays(D(2025, 9, 1), 45) == D(2025, 11, 7)
    assert AuditEvent.objects.filter(action="supervision.timer_extend", outcome="success").count() == 2


@pytest.mark.django_db
def test_extension_refused_when_overdue_or_without_reason(
    market_clerk: User, market_dept: Department, case: User
) -> None:
    timer = start(market_clerk, case, market_dept, 5, D(2025, 1, 24))  # deadline 02-07
    before = snapshot(timer)
    cases = [
        ({"days": 5, "reason": "延长", "when": D(2025, 2, 8)}, SupervisionError.TIMER_OVERDUE),
        ({"days": 5, "reason": "", "when": D(2025, 2, 7)}, SupervisionError.REASON_REQUIRED),
        ({"days": 0, "reason": "延长", "when": D(2025, 2, 7)}, SupervisionError.INVALID_LIMIT),
    ]
    for kwargs, code in cases:
        with pytest.raises(ApplicationError) as caught:
            services.timer_extend(actor=Actor.person(market_clerk), timer=timer, **kwargs)
        assert caught.value.code == code
    assert snapshot(timer) == before
    ok = services.timer_extend(actor=Actor.person(market_clerk), timer=timer, days=5, reason="延长", when=D(2025, 2, 7))
    assert ok.deadline == D(2025, 2, 13)  # Sat 02-08 (调休) counts


# --- finish and cancel -----------------------------------------------------------------------


@pytest.mark.django_db
def test_finish_on_the_deadline_is_on_time_the_next_day_is_late(
    market_clerk: User, market_dept: Department, citizen: User, outsider: User
) -> None:
    on_time = start(market_clerk, citizen, market_dept, 5, D(2025, 1, 24))
    late = start(market_clerk, outsider, market_dept, 5, D(2025, 1, 24))
    finished = services.timer_finish(actor=Actor.person(market_clerk), timer=on_time, when=at(2025, 2, 7, 23, 59))
    assert (finished.state, finished.finished_on_time) == (Timer.State.FINISHED, True)
    assert finished.light(D(2025, 3, 1)) == "done"
    # Saturday 02-08 is a (调休) working day, but it is the day after the deadline: late.
    overdue = services.timer_finish(actor=Actor.person(market_clerk), timer=late, when=at(2025, 2, 8, 0, 1))
    assert overdue.finished_on_time is False
    assert AuditEvent.objects.get(action="supervision.timer_finish", target_id=str(late.pk)).details["on_time"] is False


@pytest.mark.django_db
def test_finish_while_paused_is_judged_by_the_frozen_clock(
    market_clerk: User, market_dept: Department, case: User
) -> None:
    timer = start(market_clerk, case, market_dept, 5, D(2025, 1, 24))  # deadline Fri 02-07
    services.timer_pause(actor=Actor.person(market_clerk), timer=timer, reason="补正", when=D(2025, 2, 7))
    finished = services.timer_finish(actor=Actor.person(market_clerk), timer=timer, when=D(2025, 2, 9))
    assert finished.finished_on_time is True
    assert TimerEvent.objects.get(timer=timer, kind="finish").details["finished_while_paused"] is True


@pytest.mark.django_db
def test_invalid_transitions_change_nothing(market_clerk: User, market_dept: Department, case: User) -> None:
    timer = start(market_clerk, case, market_dept, 5, D(2025, 1, 24))
    before = snapshot(timer)
    with pytest.raises(ApplicationError) as caught:
        services.timer_resume(actor=Actor.person(market_clerk), timer=timer, when=D(2025, 1, 27))
    assert caught.value.code == SupervisionError.TIMER_NOT_PAUSED
    with pytest.raises(ApplicationError) as caught:
        services.timer_finish(actor=Actor.person(market_clerk), timer=timer, when=D(2025, 1, 23))
    assert caught.value.code == SupervisionError.INVALID_TIME
    with pytest.raises(ApplicationError) as caught:
        services.timer_cancel(actor=Actor.person(market_clerk), timer=timer, reason="")
    assert caught.value.code == SupervisionError.REASON_REQUIRED
    assert snapshot(timer) == before

    services.timer_pause(actor=Actor.person(market_clerk), timer=timer, reason="补正", when=D(2025, 1, 27))
    before = snapshot(timer)
    with pytest.raises(ApplicationError) as caught:
        services.timer_pause(actor=Actor.person(market_clerk), timer=timer, reason="再次暂停", when=D(2025, 1, 27))
    assert caught.value.code == SupervisionError.TIMER_NOT_RUNNING
    assert snapshot(timer) == before

    services.timer_cancel(actor=Actor.person(market_clerk), timer=timer, reason="申请人撤回申请")
    timer.refresh_from_db()
    assert (timer.state, timer.finished_on_time) == (Timer.State.CANCELLED, None)
    before = snapshot(timer)
    attempts = [
        lambda: services.timer_pause(actor=Actor.person(market_clerk), timer=timer, reason="补正"),
        lambda: services.timer_resume(actor=Actor.person(market_clerk), timer=timer),
        lambda: services.timer_extend(actor=Actor.person(market_clerk), timer=timer, days=5, reason="延长"),
        lambda: services.timer_finish(actor=Actor.person(market_clerk), timer=timer),
        lambda: services.timer_cancel(actor=Actor.person(market_clerk), timer=timer, reason="再撤销"),
    ]
    for attempt in attempts:
        with pytest.raises(ApplicationError) as caught:
            attempt()
        assert caught.value.code == SupervisionError.TIMER_CLOSED
    assert snapshot(timer) == before


# --- minute timers ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_minute_timer_with_pause_extension_and_finish(market_clerk: User, market_dept: Department, case: User) -> None:
    begun = at(2025, 1, 28, 10, 0)  # minutes run on holidays too: 24 hours is 24 hours
    timer = start(market_clerk, case, market_dept, 1440, begun, unit=Timer.Unit.MINUTE, kind="participation.receipt")
    assert timer.deadline_at == at(2025, 1, 29, 10, 0)
    assert timer.deadline == D(2025, 1, 29)
    assert timer.yellow_threshold == 288  # ceil(1440 × 0.2)
    assert timer.yellow_at == timer.deadline_at - timedelta(minutes=288)

    services.timer_pause(actor=Actor.person(market_clerk), timer=timer, reason="等待补充", when=at(2025, 1, 28, 12, 0))
    timer.refresh_from_db()
    assert timer.light(now=at(2025, 1, 30, 0, 0)) == "paused"
    assert timer.remaining(now=at(2025, 1, 30, 0, 0)) == 22 * 60
    services.timer_resume(
        actor=Actor.person(market_clerk),
        timer=timer,
        when=at(
            2025,
            1,
            28,
            12,
            30,
        )
        + timedelta(seconds=59),
    )
    timer.refresh_from_db()
    assert timer.paused_minutes == 30  # whole minutes
    assert timer.deadline_at == at(2025, 1, 29, 10, 30)

    with pytest.raises(ApplicationError) as caught:
        services.timer_extend(
            actor=Actor.person(market_clerk), timer=timer, days=60, reason="延长", when=at(2025, 1, 29, 10, 31)
        )
    assert caught.value.code == SupervisionError.TIMER_OVERDUE
    services.timer_extend(
        actor=Actor.person(market_clerk), timer=timer, days=60, reason="延长", when=at(2025, 1, 29, 10, 30)
    )
    timer.refresh_from_db()
    assert timer.deadline_at == at(2025, 1, 29, 11, 30)

    finished = services.timer_finish(actor=Actor.person(market_clerk), timer=timer, when=at(2025, 1, 29, 11, 30))
    assert finished.finished_on_time is True


@pytest.mark.django_db
def test_minute_timer_late_by_a_second(market_clerk: User, market_dept: Department, case: User) -> None:
    timer = start(market_clerk, case, market_dept, 60, at(2025, 3, 3, 9, 0), unit=Timer.Unit.MINUTE)
    finished = services.timer_finish(
        actor=Actor.person(market_clerk), timer=timer, when=at(2025, 3, 3, 10, 0) + timedelta(seconds=1)
    )
    assert finished.finished_on_time is False


# --- concurrency -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_stale_copy_cannot_undo_what_another_clerk_did(
    market_clerk: User, police_clerk: User, market_dept: Department, case: User
) -> None:
    timer = start(market_clerk, case, market_dept, 5, D(2025, 1, 24))
    mine, theirs = Timer.objects.get(pk=timer.pk), Timer.objects.get(pk=timer.pk)
    services.timer_finish(actor=Actor.person(market_clerk), timer=mine, when=D(2025, 2, 6))
    assert theirs.state == Timer.State.RUNNING  # stale in memory
    before = snapshot(timer)
    with pytest.raises(ApplicationError) as caught:
        services.timer_pause(actor=Actor.person(police_clerk), timer=theirs, reason="补正", when=D(2025, 2, 6))
    assert caught.value.code == SupervisionError.TIMER_CLOSED
    with pytest.raises(ApplicationError) as caught:
        services.timer_extend(actor=Actor.person(police_clerk), timer=theirs, days=5, reason="延长", when=D(2025, 2, 6))
    assert caught.value.code == SupervisionError.TIMER_CLOSED
    assert snapshot(timer) == before


@pytest.mark.django_db(transaction=True)
def test_two_clerks_pausing_at_once_only_one_wins(
    market_clerk: User, police_clerk: User, market_dept: Department, case: User
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks (select_for_update) need PostgreSQL; SQLite serialises writers itself")
    timer = start(market_clerk, case, market_dept, 5, D(2025, 1, 24))
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def pause(actor: User) -> None:
        from django.db import connection as thread_connection

        try:
            barrier.wait()
            services.timer_pause(
                actor=Actor.person(actor), timer=Timer.objects.get(pk=timer.pk), reason="补正", when=D(2025, 1, 27)
            )
            outcomes.append("ok")
        except ApplicationError as error:
            outcomes.append(error.code)
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=pause, args=(actor,)) for actor in (market_clerk, police_clerk)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["ok", SupervisionError.TIMER_NOT_RUNNING]
    assert TimerEvent.objects.filter(timer=timer, kind="pause").count() == 1
