"""Reads of the response (docs/rules.md §15): nearby resources, the board's data, a department's
tasks, an incident's task lights and the evaluation's figures, the daily duty report."""

from __future__ import annotations

import heapq
import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import F, Q, QuerySet
from django.utils import timezone

from zhengwu.core import workdays
from zhengwu.core.actors import Actor
from zhengwu.emergency import access
from zhengwu.emergency.models import DutyShift, Resource, Task
from zhengwu.emergency.services import incident_link
from zhengwu.emergency.services.common import ARRIVE_TIMER, SIGN_TIMER, is_task_staff
from zhengwu.supervision import selectors as supervision_selectors
from zhengwu.supervision.models import Timer

Incident = incident_link.Incident
EARTH_KM = 6371.0088
MAX_RADIUS_KM = 500.0


# --- nearby ----------------------------------------------------------------------------------


def haversine_km(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_KM * math.asin(min(1.0, math.sqrt(a)))


@dataclass(frozen=True)
class Nearby:
    resource: Resource
    km: float


def nearby_resources(
    lat: float,
    lng: float,
    *,
    radius_km: float = 30.0,
    kinds: list[str] | None = None,
    limit: int = 50,
    include_committed: bool = False,
) -> list[Nearby]:
    """Resources within `radius_km` of (lat, lng), nearest first: a bounding box on the indexed
    (lat, lng) picks the candidates, the exact great-circle (haversine) distance decides."""
    radius_km = max(0.1, min(float(radius_km), MAX_RADIUS_KM))
    dlat = math.degrees(radius_km / EARTH_KM)
    dlng = math.degrees(radius_km / (EARTH_KM * max(0.01, math.cos(math.radians(min(89.0, abs(lat) + dlat))))))
    rows = Resource.objects.filter(lat__gte=lat - dlat, lat__lte=lat + dlat, lng__gte=lng - dlng, lng__lte=lng + dlng)
    if kinds:
        rows = rows.filter(kind__in=kinds)
    if not include_committed:
        rows = rows.filter(committed_to__isnull=True)
    # the candidates as bare tuples (read from the covering index); model rows for the nearest only
    distances = []
    for pk, at_lat, at_lng in rows.values_list("id", "lat", "lng").iterator(chunk_size=2000):
        km = haversine_km(lat, lng, at_lat, at_lng)
        if km <= radius_km:
            distances.append((km, pk))
    nearest = heapq.nsmallest(max(1, min(limit, 500)), distances)
    objects = Resource.objects.select_related("department").in_bulk([pk for _, pk in nearest])
    return [Nearby(objects[pk], round(km, 2)) for km, pk in nearest]


# --- lights ----------------------------------------------------------------------------------

TASK_TARGET = Task._meta.label_lower
TASK_CLOCKS = (SIGN_TIMER, ARRIVE_TIMER)
CLOSED_STATES = frozenset({Task.State.DONE, Task.State.CANCELLED})
LIGHT_ORDER = {"red": 0, "yellow": 1, "paused": 2, "green": 3, "done": 4}


def task_light_counts(tasks: QuerySet[Task], now: datetime) -> dict[int, dict[str, int]]:
    """{incident id: tasks per light} of `tasks`: a task's light is the worst of its live
    supervision timers (签收, 到达/反馈), read from the timers themselves (a supervisor's extension
    or pause shows at once); a finished or cancelled task is done; an open task with no live clock
    (到达 reported) is green. The live task timers are read once (`worst_lights`)."""
    worst = supervision_selectors.worst_lights(TASK_TARGET, TASK_CLOCKS, now=now)
    counts: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(LIGHT_ORDER, 0))
    for pk, incident_id, state in tasks.values_list("id", "incident_id", "state").order_by():
        light = "done" if state in CLOSED_STATES else worst.get(pk, "green")
        counts[incident_id][light] += 1
    return counts


@dataclass(frozen=True)
class TaskRow:
    """A task with its two clocks as the supervision timers hold them (deadline, extension, pause)."""

    task: Task
    sign: Timer | None
    arrive: Timer | None

    @property
    def light(self) -> str:
        if self.task.state in (Task.State.DONE, Task.State.CANCELLED):
            return "done"
        # `current_light` as the database gave it for the moment asked (supervision_selectors.with_light)
        live = [t for t in (self.sign, self.arrive) if t is not None and t.is_live]
        lights = [str(getattr(t, "current_light", "")) or t.light() for t in live]
        return min(lights, key=LIGHT_ORDER.__getitem__) if lights else "green"

    @property
    def clock(self) -> Timer | None:
        """The clock the department is working against now: 签收 until signed, then 到达/反馈."""
        for timer in (self.sign, self.arrive):
            if timer is not None and timer.is_live:
                return timer
        return None


def task_rows(tasks: list[Task], *, now: datetime | None = None) -> list[TaskRow]:
    """The tasks with their clocks (the live timer of each kind, else the newest), in one query."""
    clocks = supervision_selectors.timers_by_target(tasks, TASK_CLOCKS, now=now)
    return [TaskRow(t, clocks.get(t.pk, {}).get(SIGN_TIMER), clocks.get(t.pk, {}).get(ARRIVE_TIMER)) for t in tasks]


def incident_tasks(incident: Incident) -> list[TaskRow]:
    tasks = Task.objects.filter(incident=incident).select_related("department").order_by("-is_lead", "id")
    return task_rows(list(tasks))


# --- a department's tasks --------------------------------------------------------------------


def tasks_of(actor: Actor) -> QuerySet[Task]:
    """A duty room sees the tasks of the incidents it covers; a department (staff or its system) its own."""
    rows = Task.objects.select_related("department", "incident")
    seen = Q(pk__in=[])
    duty = access.duty_region_filter(actor, "incident__region")
    if duty is not None:
        seen |= duty
    if actor.department_id is not None and is_task_staff(actor, actor.department_id):
        seen |= Q(department_id=actor.department_id)
    return rows.filter(seen)


# --- the board -------------------------------------------------------------------------------


def board_data(*, incidents: QuerySet[Any] | None = None, now: datetime | None = None) -> dict[str, Any]:
    """Live incidents (of `incidents`, default all) with their position, level, report light and
    task lights (the live timers read once for each), live warnings and committed resources: what
    the board shows."""
    now = now or timezone.now()
    rows = Incident.objects.all() if incidents is None else incidents
    incidents_found = list(
        rows.filter(state__in=incident_link.LIVE_STATES)
        .order_by(F("level").asc(nulls_last=True), "-received_at", "-id")
        .values(*incident_link.BOARD_FIELDS, **incident_link.BOARD_POINT)
    )
    live = rows.filter(state__in=incident_link.LIVE_STATES).values("id")
    counts = task_light_counts(Task.objects.filter(incident_id__in=live), now)
    report = incident_link.report_lights([row["id"] for row in incidents_found], now)
    for row in incidents_found:
        row["report_light"] = report.get(row["id"], "")
    resources = list(
        Resource.objects.filter(committed_to_id__in=live).values("id", "kind", "name", "lat", "lng", "committed_to_id")
    )
    return {
        "at": now.isoformat(),
        "incidents": [incident_link.board_row(row, counts[row["id"]]) for row in incidents_found],
        "warnings": incident_link.live_warnings(now),
        "resources": resources,
    }


# --- evaluation figures ----------------------------------------------------------------------


def _minutes(start: datetime | None, end: datetime | None) -> float | None:
    if start is None or end is None:
        return None
    return round((end - start).total_seconds() / 60, 1)


def evaluation_figures(incident: Incident) -> dict[str, Any]:
    """The response's own figures from the records (minutes): receipt → first report, receipt →
    dispatch (the first task), and for each department dispatch → 签收 and dispatch → 到达, with
    whether each was within its limit."""
    received = incident_link.received_at(incident)
    tasks = list(Task.objects.filter(incident=incident).select_related("department").order_by("issued_at", "id"))
    first_task = tasks[0].issued_at if tasks else None
    departments = [
        {
            "department": t.department.name,
            "lead": t.is_lead,
            "state": t.get_state_display(),
            "issued_at": t.issued_at.isoformat(),
            "sign_minutes": _minutes(t.issued_at, t.signed_at),
            "sign_limit": t.sign_minutes,
            "sign_on_time": None if t.signed_at is None else _minutes(t.issued_at, t.signed_at) <= t.sign_minutes,  # type: ignore[operator]
            "arrive_minutes": _minutes(t.issued_at, t.arrived_at),
            "arrive_limit": t.arrive_minutes,
            "arrive_on_time": None if t.arrived_at is None else _minutes(t.issued_at, t.arrived_at) <= t.arrive_minutes,  # type: ignore[operator]
        }
        for t in tasks
    ]
    return {
        "received_at": received.isoformat() if received else None,
        "first_report_minutes": _minutes(received, incident_link.first_report_at(incident)),
        "dispatch_minutes": _minutes(received, first_task),
        "tasks": len(tasks),
        "departments": departments,
    }


# --- the daily duty report -------------------------------------------------------------------


@dataclass(frozen=True)
class DutyReport:
    day: date
    shifts: list[DutyShift]
    incidents: list[Any]
    tasks_issued: int
    tasks_late: int


def duty_report(day: date, *, actor: Actor | None = None) -> DutyReport:
    """值班日报: who was on duty, the incidents received that day or still live, the day's tasks.
    For `actor`'s duty room, only its own area (docs/rules.md §14: a city's duty room sees its city):
    the shifts of the departments in its region, its incidents and their tasks."""
    start = datetime.combine(day, time.min, tzinfo=workdays.CHINA_TZ)
    end = start + timedelta(days=1)
    shifts_of_day = DutyShift.objects.filter(day=day)
    seen = None if actor is None else incident_link.visible_to(actor)
    if actor is not None:
        region = access.duty_region_filter(actor, "department__region")
        shifts_of_day = shifts_of_day.filter(region if region is not None else Q(department_id=actor.department_id))
    shifts = list(shifts_of_day.select_related("department").order_by("department__name"))
    incidents = list(incident_link.incidents_of_day(start, end, within=seen))
    tasks = Task.objects.filter(issued_at__gte=start, issued_at__lt=end)
    if seen is not None:
        tasks = tasks.filter(incident_id__in=seen.values("id"))
    signed_late = supervision_selectors.late_targets(TASK_TARGET, SIGN_TIMER, now=min(end, timezone.now()))
    late = tasks.filter(pk__in=signed_late)
    return DutyReport(day, shifts, incidents, tasks.count(), late.count())
