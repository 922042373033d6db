"""Reads of the supervision app: the timer of an object, lights and dashboards.

Dashboards aggregate in SQL: every light comes from one CASE over the stored deadline and
yellow start (`models.light_expression`), so counting a province's timers is one GROUP BY.
"""

from __future__ import annotations

from datetime import date, datetime

from django.db import models
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from zhengwu.accounts.models import Department
from zhengwu.core import workdays
from zhengwu.core.errors import ApplicationError
from zhengwu.core.models import WorkdayOverride
from zhengwu.supervision.errors import SupervisionError
from zhengwu.supervision.models import Light, Timer, TimerEvent, light_expression

LIGHT_ANNOTATION = "current_light"


def target_key(target: models.Model) -> tuple[str, str]:
    """`("app_label.model", "pk")` of a saved model instance: how a timer names its object."""
    if getattr(target, "pk", None) is None:
        raise ApplicationError(SupervisionError.TARGET_UNSAVED, "计时对象尚未保存，无法计时。")
    return target._meta.label_lower, str(target.pk)


def _moments(today: date | None, now: datetime | None) -> tuple[date, datetime]:
    now = now or timezone.now()
    return today or workdays.today(now), now


def timer_for(target: models.Model, kind: str) -> Timer | None:
    """The timer of `kind` on `target`: the live one if any, else the most recent one, else None."""
    target_type, target_id = target_key(target)
    timers = Timer.objects.filter(kind=kind, target_type=target_type, target_id=target_id)
    live = timers.filter(state__in=Timer.LIVE_STATES).first()
    if live is not None:
        return live
    return timers.order_by("-started_at", "-id").first()


def timers_for_target(target: models.Model) -> QuerySet[Timer]:
    """Every timer (any kind, any state) on `target`, oldest first."""
    target_type, target_id = target_key(target)
    return Timer.objects.filter(target_type=target_type, target_id=target_id).order_by("started_at", "id")


def with_light(
    queryset: QuerySet[Timer] | None = None, *, today: date | None = None, now: datetime | None = None
) -> QuerySet[Timer]:
    """Annotate `current_light` ("green" | "yellow" | "red" | "paused" | "done") in SQL."""
    today, now = _moments(today, now)
    queryset = Timer.objects.all() if queryset is None else queryset
    return queryset.annotate(**{LIGHT_ANNOTATION: light_expression(today, now)})


def light_counts(
    department: Department | None = None,
    today: date | None = None,
    *,
    now: datetime | None = None,
    kind: str | None = None,
    include_done: bool = False,
) -> dict[str, int]:
    """Number of timers per light, computed by the database in one query.

    Keys are always green, yellow, red and paused (and done with `include_done=True`), zero
    when none. `department` limits to one responsible unit, `kind` to one kind of deadline.
    """
    queryset = Timer.objects.all()
    if department is not None:
        queryset = queryset.filter(department=department)
    if kind is not None:
        queryset = queryset.filter(kind=kind)
    if not include_done:
        queryset = queryset.filter(state__in=Timer.LIVE_STATES)
    rows = with_light(queryset, today=today, now=now).order_by().values(LIGHT_ANNOTATION).annotate(number=Count("id"))
    keys = [Light.GREEN, Light.YELLOW, Light.RED, Light.PAUSED] + ([Light.DONE] if include_done else [])
    counts = {str(key): 0 for key in keys}
    for row in rows:
        counts[row[LIGHT_ANNOTATION]] = row["number"]
    return counts


def overdue_q(today: date, now: datetime) -> Q:
    """Live timers past their deadline (a paused one: past it on the day it was paused)."""
    workday, minute = Timer.Unit.WORKDAY, Timer.Unit.MINUTE
    running, paused = Timer.State.RUNNING, Timer.State.PAUSED
    return (
        Q(state=running, unit=workday, deadline__lt=today)
        | Q(state=running, unit=minute, deadline_at__lt=now)
        | Q(state=paused, unit=workday, paused_on__gt=models.F("deadline"))
        | Q(state=paused, unit=minute, paused_at__gt=models.F("deadline_at"))
    )


def red_list(
    department: Department | None = None,
    today: date | None = None,
    *,
    now: datetime | None = None,
    kind: str | None = None,
) -> QuerySet[Timer]:
    """Overdue live timers (red lights), the longest overdue first, with their department."""
    today, now = _moments(today, now)
    queryset = Timer.objects.filter(overdue_q(today, now)).select_related("department")
    if department is not None:
        queryset = queryset.filter(department=department)
    if kind is not None:
        queryset = queryset.filter(kind=kind)
    return with_light(queryset, today=today, now=now).order_by("deadline", "deadline_at", "id")


def timers_for_department(
    department: Department,
    *,
    light: str | None = None,
    live_only: bool = True,
    today: date | None = None,
    now: datetime | None = None,
) -> QuerySet[Timer]:
    """A department's timers annotated with `current_light`, nearest deadline first.

    `light` filters on one light; `live_only=False` includes finished and cancelled timers.
    """
    queryset = Timer.objects.filter(department=department)
    if live_only:
        queryset = queryset.filter(state__in=Timer.LIVE_STATES)
    queryset = with_light(queryset, today=today, now=now)
    if light is not None:
        queryset = queryset.filter(**{LIGHT_ANNOTATION: light})
    return queryset.order_by("deadline", "deadline_at", "id")


def timer_events(timer: Timer) -> QuerySet[TimerEvent]:
    """The history of `timer`, oldest first, with the acting people."""
    return TimerEvent.objects.filter(timer=timer).select_related("actor").order_by("at", "id")


def workday_overrides(*, year: int) -> QuerySet[WorkdayOverride]:
    """The administrator's calendar changes of one year, in date order."""
    return WorkdayOverride.objects.filter(date__year=year).select_related("created_by").order_by("date")
