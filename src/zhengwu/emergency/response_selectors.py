"""Reads of the response (docs/rules.md §15): nearby resources, the board's data, a department's
tasks, an incident's task lights and the evaluation's figures, the daily duty report."""

from __future__ import annotations

import heapq
import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from zhengwu.core import workdays
from zhengwu.core.actors import Actor
from zhengwu.emergency import access
from zhengwu.emergency.models import DutyShift, Resource, Task
from zhengwu.emergency.services import incident_link
from zhengwu.emergency.services.common import ARRIVE_TIMER, SIGN_TIMER, is_task_staff
from zhengwu.supervision.models import Timer
from zhengwu.supervision.selectors import target_key

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


def task_light_conditions(now: datetime) -> dict[str, Q]:
    """A task's light from the copies of its two clocks (see `Task.sign_due_at`), the worse of them:
    one condition per light (done, red, yellow; green is what is left)."""
    open_sign = Q(state=Task.State.ISSUED)
    open_arrive = Q(state__in=[Task.State.ISSUED, Task.State.SIGNED])
    red = (open_sign & Q(sign_due_at__lt=now)) | (open_arrive & Q(arrive_due_at__lt=now))
    yellow = (open_sign & Q(sign_yellow_at__lte=now)) | (open_arrive & Q(arrive_yellow_at__lte=now))
    return {"done": Q(state__in=[Task.State.DONE, Task.State.CANCELLED]), "red": red, "yellow": yellow & ~red}


def task_lights(tasks: list[Task]) -> dict[int, dict[str, Timer]]:
    """task id → {timer kind → its timer (the newest)} for these tasks, in one query."""
    if not tasks:
        return {}
    type_, _ = target_key(tasks[0])
    timers = Timer.objects.filter(
        target_type=type_, target_id__in=[str(t.pk) for t in tasks], kind__in=[SIGN_TIMER, ARRIVE_TIMER]
    ).order_by("id")
    found: dict[int, dict[str, Timer]] = defaultdict(dict)
    for timer in timers:
        found[int(timer.target_id)][timer.kind] = timer
    return found


@dataclass(frozen=True)
class TaskRow:
    task: Task
    sign: Timer | None
    arrive: Timer | None

    @property
    def light(self) -> str:
        order = {"red": 0, "yellow": 1, "paused": 2, "green": 3, "done": 4}
        lights = [t.light() for t in (self.sign, self.arrive) if t is not None]
        return min(lights, key=order.__getitem__) if lights else "done"


def incident_tasks(incident: Incident) -> list[TaskRow]:
    tasks = list(Task.objects.filter(incident=incident).select_related("department").order_by("-is_lead", "id"))
    clocks = task_lights(tasks)
    return [TaskRow(t, clocks.get(t.pk, {}).get(SIGN_TIMER), clocks.get(t.pk, {}).get(ARRIVE_TIMER)) for t in tasks]


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
    """Live incidents (of `incidents`, default all) with their position, level and task lights (one
    GROUP BY over the tasks), live warnings and committed resources: what the board shows."""
    now = now or timezone.now()
    rows = Incident.objects.all() if incidents is None else incidents
    incidents_found = list(
        rows.filter(state__in=incident_link.LIVE_STATES)
        .order_by(F("level").asc(nulls_last=True), "-received_at", "-id")
        .values(*incident_link.BOARD_FIELDS, **incident_link.BOARD_POINT)
    )
    counts: dict[int, dict[str, int]] = defaultdict(lambda: {"red": 0, "yellow": 0, "green": 0, "done": 0})
    live = rows.filter(state__in=incident_link.LIVE_STATES).values("id")
    if incidents_found:
        # grouped by the indexed incident alone (no sort on a computed light): one count per light
        lights = {name: Count("id", filter=condition) for name, condition in task_light_conditions(now).items()}
        grouped = (
            Task.objects.filter(incident_id__in=live)
            .values("incident_id")
            .annotate(total=Count("id"), **lights)
            .order_by()
        )
        for row in grouped:
            green = row["total"] - row["done"] - row["red"] - row["yellow"]
            counts[row["incident_id"]] = {
                "red": row["red"],
                "yellow": row["yellow"],
                "green": green,
                "done": row["done"],
            }
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


def duty_report(day: date) -> DutyReport:
    """值班日报: who was on duty, the incidents received that day or still live, the day's tasks."""
    start = datetime.combine(day, time.min, tzinfo=workdays.CHINA_TZ)
    end = start + timedelta(days=1)
    shifts = list(DutyShift.objects.filter(day=day).select_related("department").order_by("department__name"))
    incidents = list(incident_link.incidents_of_day(start, end))
    tasks = Task.objects.filter(issued_at__gte=start, issued_at__lt=end)
    late = tasks.filter(
        Q(signed_at__isnull=False, sign_due_at__lt=F("signed_at"))
        | Q(signed_at__isnull=True, sign_due_at__lt=min(end, timezone.now()))
    )
    return DutyReport(day, shifts, incidents, tasks.count(), late.count())
