"""Writes of the supervision app: timers for legal deadlines, and the working-day calendar.

Every service is keyword-only, atomic, validated and audited (docs/design.md rule 1). Timer services
lock the timer row (`select_for_update`) and check its state on the fresh row, so two clerks
acting on the same case at once cannot both pause (or finish) it; an invalid transition raises
`ApplicationError` and changes nothing. Callers should use the timer a service returns (the
instance they passed in is refreshed too).

Counting rules (docs/rules.md §1): the start day is day 0; the deadline is the N-th working day after
it; the item is overdue from the next day. Time spent on 补正, third-party consultation, expert
review and other special procedures is not counted: the domain service pauses the timer when
such a period begins and resumes it when it ends.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date, datetime, time
from typing import Any

from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.utils import timezone

from zhengwu.accounts.models import Department, Role
from zhengwu.audit.write import Write, audited_write
from zhengwu.core import workdays
from zhengwu.core.actors import Actor
from zhengwu.core.errors import ApplicationError, clean, required_text
from zhengwu.core.models import WorkdayOverride
from zhengwu.supervision.audit_actions import SupervisionAction
from zhengwu.supervision.errors import SupervisionError
from zhengwu.supervision.models import Timer, TimerEvent
from zhengwu.supervision.selectors import target_key
from zhengwu.supervision.states import TIMER

MAX_LIMIT = {Timer.Unit.WORKDAY: 3650, Timer.Unit.MINUTE: 60 * 24 * 366}


# --- helpers ------------------------------------------------------------------------------


def _moment(when: datetime | date | None) -> tuple[datetime, date]:
    """`(moment, Beijing date)` of `when`: now, a datetime, or a date (its first second, Beijing time)."""
    if when is None:
        moment = timezone.now()
    elif isinstance(when, datetime):
        moment = when if timezone.is_aware(when) else timezone.make_aware(when, workdays.CHINA_TZ)
    elif isinstance(when, date):
        moment = datetime.combine(when, time.min, tzinfo=workdays.CHINA_TZ)
    else:
        raise ApplicationError(SupervisionError.INVALID_TIME, "时间格式不正确。")
    return moment, workdays.today(moment)


def _reason(reason: str, what: str) -> str:
    return required_text(reason, field="reason", what=what, code=SupervisionError.REASON_REQUIRED)


def _units(value: Any, unit: str, field: str, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1 or value > MAX_LIMIT[Timer.Unit(unit)]:
        name = "工作日" if unit == Timer.Unit.WORKDAY else "分钟"
        raise ApplicationError(
            SupervisionError.INVALID_LIMIT,
            f"{what}应为 1 至 {MAX_LIMIT[Timer.Unit(unit)]} 之间的整数（{name}）。",
            {field: "超出范围"},
        )
    return value


def _lock(write: Write, timer: Timer) -> Timer:
    """The timer row, re-read under a row lock; its state is the truth from here on."""
    try:
        return write.lock(timer)
    except Timer.DoesNotExist:
        raise ApplicationError(SupervisionError.INVALID_INPUT, "计时记录不存在。") from None


def _refuse_closed(timer: Timer) -> None:
    if not timer.is_live:
        raise ApplicationError(
            SupervisionError.TIMER_CLOSED, f"该计时已{timer.get_state_display()}，不能再变更。", {"state": timer.state}
        )


def _schedule(timer: Timer) -> dict[str, str | None]:
    return {
        "deadline": timer.deadline.isoformat(),
        "deadline_at": timer.deadline_at.isoformat() if timer.deadline_at else None,
        "yellow_from": timer.yellow_from.isoformat(),
    }


def _save(
    write: Write,
    timer: Timer,
    original: Timer,
    kind: str,
    reason: str,
    details: dict[str, Any],
    at: datetime | None = None,
) -> Timer:
    """Validate and save `timer`, write its history event (at the effective moment) and the audit
    event's details, and refresh the caller's copy (on commit of the write)."""
    clean(timer)
    timer.save()
    TimerEvent.objects.create(
        timer=timer, kind=kind, at=at or timezone.now(), actor=write.actor.user, reason=reason, details=details
    )
    write.department = timer.department
    write.set_target(timer)
    write.note(kind=timer.kind, target=f"{timer.target_type}:{timer.target_id}", **details)
    if original is not timer and original.pk == timer.pk:
        original.__dict__.update({f.attname: getattr(timer, f.attname) for f in Timer._meta.concrete_fields})
    return timer


# --- timers -------------------------------------------------------------------------------


def timer_start(
    *,
    actor: Actor,
    kind: str,
    target: models.Model,
    title: str,
    department: Department,
    limit: int,
    unit: str = Timer.Unit.WORKDAY,
    start: datetime | date | None = None,
    kind_label: str = "",
    yellow_fraction: float | None = None,
    url: str = "",
) -> Timer:
    """Start the clock of a legal deadline of `limit` working days (or minutes) on `target`.

    `start` is the day the clock starts (day 0; a date, or a datetime, default now in Beijing
    time). A workday timer is due by the end of `add_workdays(start, limit)`. At most one live
    (running or paused) timer of a `kind` may exist per target (`supervision.timer_exists`).
    `url` is the staff page of the item (e.g. `reverse("sharing_wb:request_detail", args=[pk])`),
    stored as `target_url` so the supervision dashboard can link to it; blank when there is none.
    """
    with audited_write(actor, SupervisionAction.TIMER_START, department=department) as write:
        return _start(write, kind, target, title, department, limit, unit, start, kind_label, yellow_fraction, url)


def _start(
    write: Write,
    kind: str,
    target: models.Model,
    title: str,
    department: Department,
    limit: int,
    unit: str,
    start: datetime | date | None,
    kind_label: str,
    yellow_fraction: float | None,
    url: str,
) -> Timer:
    if unit not in Timer.Unit.values:
        raise ApplicationError(SupervisionError.INVALID_UNIT, "计时单位应为工作日或分钟。", {"unit": "不支持"})
    limit = _units(limit, unit, "limit", "时限")
    target_type, target_id = target_key(target)
    started_at, start_date = _moment(start)
    kind = (kind or "").strip()
    live = Timer.objects.filter(kind=kind, target_type=target_type, target_id=target_id, state__in=Timer.LIVE_STATES)
    if live.exists():
        raise ApplicationError(SupervisionError.TIMER_EXISTS, "该事项已在计时中，不能重复开始。", {"kind": kind})
    timer = Timer(
        kind=kind,
        kind_label=kind_label,
        target_type=target_type,
        target_id=target_id,
        title=(title or "").strip(),
        target_url=(url or "").strip(),
        department=department,
        unit=unit,
        limit=limit,
        yellow_fraction=yellow_fraction,
        started_at=started_at,
        start_date=start_date,
    )
    timer.recompute_schedule()
    clean(timer)
    try:
        with transaction.atomic():
            timer.save()
    except IntegrityError:  # a concurrent start of the same timer won the race
        raise ApplicationError(
            SupervisionError.TIMER_EXISTS, "该事项已在计时中，不能重复开始。", {"kind": kind}
        ) from None
    details = {"limit": limit, "unit": unit, "start": start_date.isoformat(), **_schedule(timer)}
    return _save(write, timer, timer, TimerEvent.Kind.START, "", details, at=started_at)


def timer_pause(*, actor: Actor, timer: Timer, reason: str, when: datetime | date | None = None) -> Timer:
    """Stop the clock (补正, third-party consultation, expert review, hearing …).

    The pause day itself still counts; see `timer_resume`. A timer that is already overdue
    when paused stays red while paused.
    """
    with audited_write(actor, SupervisionAction.TIMER_PAUSE, timer) as write:
        return _pause(write, timer, reason, when)


def _pause(write: Write, timer: Timer, reason: str, when: datetime | date | None) -> Timer:
    locked = _lock(write, timer)
    _refuse_closed(locked)
    TIMER.check(locked, "pause")
    reason = _reason(reason, "暂停原因")
    paused_at, paused_on = _moment(when)
    if paused_on < locked.start_date or (locked.unit == Timer.Unit.MINUTE and paused_at < locked.started_at):
        raise ApplicationError(SupervisionError.INVALID_TIME, "暂停时间不能早于计时开始时间。", {"when": "过早"})
    TIMER.move(locked, "pause")
    locked.paused_at = max(paused_at, locked.started_at)
    locked.paused_on = paused_on
    locked.pause_reason = reason[:200]
    details = {"paused_on": paused_on.isoformat()}
    return _save(write, locked, timer, TimerEvent.Kind.PAUSE, reason, details, at=locked.paused_at)


def timer_resume(*, actor: Actor, timer: Timer, when: datetime | date | None = None) -> Timer:
    """Restart the clock; the deadline moves by the time paused.

    Workday timers: days paused = the working days d with pause day < d <= resume day
    (`workdays_between(paused_on, resume_day)`). The pause day was a counted day (the clock ran
    on it); the resume day is not counted — it is day 0 of the remaining period, as the day a
    clock starts is day 0. Pausing and resuming on the same day moves nothing. The deadline
    becomes the (limit + extensions + all paused working days)-th working day after the start.
    Minute timers: the whole minutes between pause and resume are added.
    """
    with audited_write(actor, SupervisionAction.TIMER_RESUME, timer) as write:
        return _resume(write, timer, when)


def _resume(write: Write, timer: Timer, when: datetime | date | None) -> Timer:
    locked = _lock(write, timer)
    _refuse_closed(locked)
    TIMER.check(locked, "resume")
    assert locked.paused_at is not None and locked.paused_on is not None
    resumed_at, resumed_on = _moment(when)
    before = _schedule(locked)
    if locked.unit == Timer.Unit.WORKDAY:
        if resumed_on < locked.paused_on:
            raise ApplicationError(SupervisionError.INVALID_TIME, "恢复日期不能早于暂停日期。", {"when": "过早"})
        paused = workdays.workdays_between(locked.paused_on, resumed_on)
        locked.paused_workdays += paused
    else:
        if resumed_at < locked.paused_at:
            raise ApplicationError(SupervisionError.INVALID_TIME, "恢复时间不能早于暂停时间。", {"when": "过早"})
        paused = math.floor((resumed_at - locked.paused_at).total_seconds() / 60)
        locked.paused_minutes += paused
    reason = locked.pause_reason
    paused_at_before = locked.paused_at
    details = {"paused_on": locked.paused_on.isoformat(), "resumed_on": resumed_on.isoformat(), "paused": paused}
    TIMER.move(locked, "resume")
    locked.paused_at = None
    locked.paused_on = None
    locked.pause_reason = ""
    locked.recompute_schedule()
    details.update({"previous_deadline": before["deadline"], **_schedule(locked)})
    return _save(write, locked, timer, TimerEvent.Kind.RESUME, reason, details, at=max(resumed_at, paused_at_before))


def timer_extend(
    *,
    actor: Actor,
    timer: Timer,
    days: int,
    reason: str,
    allow_repeat: bool = False,
    when: datetime | date | None = None,
) -> Timer:
    """Extend the limit by `days` working days (minutes for a minute timer), with a reason.

    One extension per timer (e.g. 《政府信息公开条例》Art. 33); a second needs `allow_repeat=True`.
    An extension must be decided within the period: a timer overdue at `when` (the day of the
    decision, default now) cannot be extended (`supervision.timer_overdue`).
    """
    with audited_write(actor, SupervisionAction.TIMER_EXTEND, timer) as write:
        return _extend(write, timer, days, reason, allow_repeat, when)


def _extend(
    write: Write, timer: Timer, days: int, reason: str, allow_repeat: bool, when: datetime | date | None
) -> Timer:
    locked = _lock(write, timer)
    _refuse_closed(locked)
    TIMER.check(locked, "extend")
    days = _units(days, locked.unit, "days", "延长时限")
    reason = _reason(reason, "延长理由")
    if locked.extension_count >= 1 and not allow_repeat:
        raise ApplicationError(
            SupervisionError.ALREADY_EXTENDED, "该事项已延长过一次，不能再次延长。", {"days": "已延长"}
        )
    decided_at, decided_on = _moment(when)
    if locked.is_overdue(decided_on, now=decided_at):
        raise ApplicationError(SupervisionError.TIMER_OVERDUE, "该事项已超期，不能再延长时限。", {"days": "已超期"})
    before = _schedule(locked)
    locked.extended_by += days
    locked.extension_count += 1
    locked.extension_reason = reason[:500]
    locked.recompute_schedule()
    details = {"days": days, "previous_deadline": before["deadline"], **_schedule(locked)}
    return _save(write, locked, timer, TimerEvent.Kind.EXTEND, reason, details, at=max(decided_at, locked.started_at))


def timer_finish(*, actor: Actor, timer: Timer, when: datetime | date | None = None) -> Timer:
    """Stop the clock for good (办结) and record whether it was on time.

    On time when the finish day is on or before the deadline (minute timers: the finish moment
    on or before `deadline_at`). A paused timer is judged by its frozen clock: on time when it
    was not overdue on the day it was paused.
    """
    with audited_write(actor, SupervisionAction.TIMER_FINISH, timer) as write:
        return _finish(write, timer, when)


def _finish(write: Write, timer: Timer, when: datetime | date | None) -> Timer:
    locked = _lock(write, timer)
    _refuse_closed(locked)
    finished_at, finished_on = _moment(when)
    if finished_on < locked.start_date or (locked.unit == Timer.Unit.MINUTE and finished_at < locked.started_at):
        raise ApplicationError(SupervisionError.INVALID_TIME, "办结时间不能早于计时开始时间。", {"when": "过早"})
    if locked.state == Timer.State.PAUSED:
        on_time = not locked.is_overdue()
    elif locked.unit == Timer.Unit.WORKDAY:
        on_time = finished_on <= locked.deadline
    else:
        assert locked.deadline_at is not None
        on_time = finished_at <= locked.deadline_at
    details: dict[str, Any] = {"finished_on": finished_on.isoformat(), "on_time": on_time, **_schedule(locked)}
    if locked.state == Timer.State.PAUSED:
        details["finished_while_paused"] = True
    TIMER.move(locked, "finish")
    locked.finished_at = max(finished_at, locked.started_at)
    locked.finished_on_time = on_time
    return _save(write, locked, timer, TimerEvent.Kind.FINISH, "", details, at=locked.finished_at)


def timer_cancel(*, actor: Actor, timer: Timer, reason: str) -> Timer:
    """Withdraw the clock (the application was withdrawn, the case terminated or restarted)."""
    with audited_write(actor, SupervisionAction.TIMER_CANCEL, timer) as write:
        locked = _lock(write, timer)
        _refuse_closed(locked)
        reason = _reason(reason, "撤销原因")
        TIMER.move(locked, "cancel")
        locked.finished_at = max(timezone.now(), locked.started_at)
        locked.finished_on_time = None
        return _save(write, locked, timer, TimerEvent.Kind.CANCEL, reason, _schedule(locked))


def live_timer(target: models.Model, kind: str) -> Timer | None:
    """The running or paused timer of `kind` on `target`, if any."""
    target_type, target_id = target_key(target)
    return (
        Timer.objects.filter(kind=kind, target_type=target_type, target_id=target_id, state__in=Timer.LIVE_STATES)
        .order_by("-id")
        .first()
    )


def live_timer_finish(*, actor: Actor, target: models.Model, kind: str, when: datetime | date | None = None) -> None:
    """Finish the live timer of `kind` on `target`, if there is one (services call this on 办结)."""
    timer = live_timer(target, kind)
    if timer is not None:
        timer_finish(actor=actor, timer=timer, when=when)


def live_timer_cancel(*, actor: Actor, target: models.Model, kind: str, reason: str) -> None:
    timer = live_timer(target, kind)
    if timer is not None:
        timer_cancel(actor=actor, timer=timer, reason=reason)


def live_timer_pause(
    *, actor: Actor, target: models.Model, kind: str, reason: str, when: datetime | date | None = None
) -> None:
    timer = live_timer(target, kind)
    if timer is not None and timer.state == Timer.State.RUNNING:
        timer_pause(actor=actor, timer=timer, reason=reason[:200], when=when)


def live_timer_resume(*, actor: Actor, target: models.Model, kind: str, when: datetime | date | None = None) -> None:
    timer = live_timer(target, kind)
    if timer is not None and timer.state == Timer.State.PAUSED:
        timer_resume(actor=actor, timer=timer, when=when)


def _recompute_live_timers(*, actor: Actor, first: date, last: date, reason: str) -> int:
    """After the calendar changed on days first..last: move the deadlines of live workday timers.

    A change can only matter to a timer whose counted span reaches it: deadline on or after
    `first`, and start (or yellow start) on or before `last`. Returns the number moved.
    """
    candidates = (
        Timer.objects.select_for_update()
        .filter(unit=Timer.Unit.WORKDAY, state__in=Timer.LIVE_STATES, deadline__gte=first)
        .filter(Q(start_date__lte=last) | Q(yellow_from__lte=last))
        .order_by("id")
    )
    changed: list[Timer] = []
    events: list[TimerEvent] = []
    now = timezone.now()
    for timer in candidates.iterator(chunk_size=500):
        before = (timer.deadline, timer.yellow_from)
        timer.recompute_schedule()
        if (timer.deadline, timer.yellow_from) != before:
            timer.updated_at = now
            changed.append(timer)
            details = {"previous_deadline": before[0].isoformat(), **_schedule(timer)}
            events.append(
                TimerEvent(
                    timer=timer,
                    kind=TimerEvent.Kind.RECOMPUTE,
                    at=now,
                    actor=actor.user,
                    reason=reason,
                    details=details,
                )
            )
    if changed:
        Timer.objects.bulk_update(changed, ["deadline", "yellow_from", "updated_at"], batch_size=500)
        TimerEvent.objects.bulk_create(events, batch_size=500)
    return len(changed)


# --- the working-day calendar ----------------------------------------------------------------


def _require_calendar_admin(write: Write) -> None:
    """The system administrator keeps the calendar, and the platform itself (commands, demo)."""
    write.require(write.actor.is_platform or write.actor.has_role(Role.SYS_ADMIN), "只有系统管理员可以调整工作日。")


def _calendar_changed() -> None:
    workdays.invalidate_cache()
    transaction.on_commit(workdays.invalidate_cache)


def _upsert_override(
    *, actor: Actor, day: date, is_workday: bool, reason: str
) -> tuple[WorkdayOverride, dict[str, Any] | None]:
    override = WorkdayOverride.objects.select_for_update().filter(date=day).first()
    previous = None if override is None else {"is_workday": override.is_workday, "reason": override.reason}
    if override is None:
        override = WorkdayOverride(date=day, created_by=actor.user)
    override.is_workday = bool(is_workday)
    override.reason = reason
    clean(override)
    override.save()
    return override, previous


def workday_override_set(*, actor: Actor, day: date, is_workday: bool, reason: str) -> WorkdayOverride:
    """Declare `day` a working day or a day off (overrides chinese-calendar), and move the
    deadlines of live timers whose span covers it. Audited as `supervision.workday_override_set`."""
    try:
        with audited_write(actor, SupervisionAction.WORKDAY_OVERRIDE_SET) as write:
            _require_calendar_admin(write)
            if not isinstance(day, date) or isinstance(day, datetime):
                raise ApplicationError(SupervisionError.INVALID_INPUT, "日期格式不正确。", {"day": "格式不正确"})
            reason = _reason(reason, "调整原因")
            override, previous = _upsert_override(actor=actor, day=day, is_workday=is_workday, reason=reason)
            _calendar_changed()
            moved = _recompute_live_timers(actor=actor, first=day, last=day, reason=f"工作日调整：{reason}")
            write.set_target(override)
            write.note(
                date=day.isoformat(),
                is_workday=override.is_workday,
                reason=reason,
                previous=previous,
                timers_moved=moved,
            )
    finally:
        workdays.invalidate_cache()
    return override


def workday_override_delete(*, actor: Actor, day: date) -> None:
    """Remove the override of `day` (chinese-calendar or Monday–Friday applies again)."""
    try:
        with audited_write(actor, SupervisionAction.WORKDAY_OVERRIDE_DELETE) as write:
            _require_calendar_admin(write)
            override = WorkdayOverride.objects.select_for_update().filter(date=day).first()
            if override is None:
                raise ApplicationError(
                    SupervisionError.OVERRIDE_NOT_FOUND, f"{day.isoformat()} 没有工作日调整记录。", {"day": "不存在"}
                )
            previous = {"is_workday": override.is_workday, "reason": override.reason}
            write.set_target(override)
            write.note(date=day.isoformat(), previous=previous)
            override.delete()
            _calendar_changed()
            _recompute_live_timers(actor=actor, first=day, last=day, reason="撤销工作日调整")
    finally:
        workdays.invalidate_cache()


def workday_overrides_load(*, actor: Actor, rows: Sequence[tuple[date, bool, str]]) -> int:
    """Load many overrides at once (a year's holiday arrangement): all or nothing, one audit event.

    `rows` are `(date, is_workday, reason)`; the same date twice or an empty reason rejects the
    whole load (errors name the 1-based row). Returns the number of rows written.
    """
    try:
        with audited_write(actor, SupervisionAction.WORKDAY_OVERRIDES_LOAD) as write:
            _require_calendar_admin(write)
            moved, days = _load_overrides(actor, rows)
            write.note(rows=len(rows), first=days[0].isoformat(), last=days[-1].isoformat(), timers_moved=moved)
    finally:
        workdays.invalidate_cache()
    return len(rows)


def _load_overrides(actor: Actor, rows: Sequence[tuple[date, bool, str]]) -> tuple[int, list[date]]:
    problems: dict[str, str] = {}
    seen: dict[date, int] = {}
    for number, (day, _working, reason) in enumerate(rows, start=1):
        if not isinstance(day, date) or isinstance(day, datetime):
            problems[f"第{number}条"] = "日期格式不正确"
        elif day in seen:
            problems[f"第{number}条"] = f"日期 {day.isoformat()} 与第{seen[day]}条重复"
        else:
            seen[day] = number
        if not (reason or "").strip():
            problems[f"第{number}条"] = "缺少原因"
    if not rows:
        problems["rows"] = "没有要导入的记录"
    if problems:
        raise ApplicationError(
            SupervisionError.INVALID_OVERRIDES,
            "工作日调整有误，未导入任何记录：" + "；".join(f"{k}：{v}" for k, v in problems.items()),
            problems,
        )
    for day, working, reason in rows:
        _upsert_override(actor=actor, day=day, is_workday=working, reason=reason.strip())
    _calendar_changed()
    days = sorted(seen)
    moved = _recompute_live_timers(actor=actor, first=days[0], last=days[-1], reason="批量导入工作日调整")
    return moved, days
