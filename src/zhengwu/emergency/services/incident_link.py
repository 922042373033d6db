"""The one place the response half of the app meets the incident half (docs/rules.md §15): which
incidents are live, which are responding, who commands where, the move to 响应, level names, the
first report, the timeline and warnings for the board.

Everything else in the response services goes through these names, so a change of the incident
model touches this module only."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import FloatField, Q, QuerySet
from django.db.models.functions import Cast

from zhengwu.accounts.models import Region
from zhengwu.core.actors import Actor
from zhengwu.emergency import access
from zhengwu.emergency.models import Category, Incident, IncidentReport, ResponseLevel

INCIDENT_CLASSES = set(Category.values)
FLOOD_CLASS = Category.NATURAL
ACCIDENT_CLASS = Category.ACCIDENT
RESPONDING_STATES = (Incident.State.RESPONDING, Incident.State.HANDLING)
LIVE_STATES = Incident.LIVE_STATES
CLOSED_STATES = (Incident.State.TERMINATED, Incident.State.EVALUATED)

__all__ = ["Incident"]


def is_responding(incident: Incident) -> bool:
    return incident.state in RESPONDING_STATES


def is_commander_for(actor: Actor, incident: Incident) -> bool:
    """A 指挥长 whose duty room covers the incident's place."""
    return access.is_commander_for(actor, incident.region)


def is_duty_for(actor: Actor, incident: Incident) -> bool:
    """A 值班员 or 指挥长 whose duty room covers the incident's place."""
    return access.is_duty_for(actor, incident.region)


def class_of(incident: Incident) -> str:
    return str(incident.category)


def response_level_of(incident: Incident) -> str:
    """The response level matching the incident's level (特别重大 → Ⅰ级 … 一般 → Ⅳ级)."""
    return str(incident.level) if str(incident.level) in ResponseLevel.values else ResponseLevel.IV


def start_response(*, actor: Actor, incident: Incident, level: str, plan_name: str, when: datetime) -> None:
    """The incident moves to 响应 (unless it is already responding)."""
    from zhengwu.emergency.services import incidents

    if not is_responding(incident):
        note = f"启动《{plan_name}》{ResponseLevel(level).label}"
        incidents.incident_start_response(actor=actor, incident=incident, note=note, when=when)


def first_report_at(incident: Incident) -> datetime | None:
    report = (
        IncidentReport.objects.filter(incident=incident, state__in=IncidentReport.SENT_STATES)
        .exclude(sent_at=None)
        .order_by("sent_at")
        .first()
    )
    return report.sent_at if report is not None else None


def received_at(incident: Incident) -> datetime | None:
    return incident.received_at


def region_code_of(incident: Incident) -> str:
    return str(incident.region.code) if incident.region_id else ""


def point_of(incident: Incident) -> tuple[float, float] | None:
    if incident.lat is None or incident.lng is None:
        return None
    return float(incident.lat), float(incident.lng)


def visible_to(actor: Actor) -> Any:
    """The incidents a duty room sees (its region and everything under it)."""
    from zhengwu.emergency import selectors

    return selectors.incidents_for(actor)


# The columns of a live incident the board reads (values(), no model instances: 1,000 of them).
BOARD_FIELDS = ("id", "number", "title", "level", "state")
# lat/lng read as floats by the database (no Decimal per row)
BOARD_POINT = {"lat_deg": Cast("lat", FloatField()), "lng_deg": Cast("lng", FloatField())}
LEVEL_LABELS = dict(Incident._meta.get_field("level").choices or [])
STATE_LABELS = dict(Incident.State.choices)


def report_lights(incident_ids: list[int], now: datetime) -> dict[int, str]:
    """The incidents' report lights for the board: "red" when one of an incident's live report
    clocks (初报, 定时续报, 终报) is past its deadline, "yellow" when one is near it; an incident
    without either is absent (docs/rules.md §14: a late report is red on the board). One pass
    over the live report timers of these incidents."""
    from zhengwu.emergency.services.reports import CLOCK_LABELS
    from zhengwu.supervision import selectors as supervision_selectors

    lights = supervision_selectors.worst_lights(
        Incident._meta.label_lower, list(CLOCK_LABELS), now=now, target_ids=incident_ids
    )
    return {pk: light for pk, light in lights.items() if light in ("red", "yellow")}


def board_row(row: dict[str, Any], lights: dict[str, int]) -> dict[str, Any]:
    """One incident on the board: as read, with its level and state in words and its task lights."""
    lat, lng = row.pop("lat_deg"), row.pop("lng_deg")
    return {
        **row,
        "lat": lat,
        "lng": lng,
        "level_label": LEVEL_LABELS.get(row["level"], "未定级"),
        "state_label": STATE_LABELS.get(row["state"], ""),
        "lights": lights,
    }


def live_warnings(now: datetime) -> list[dict[str, Any]]:
    from zhengwu.emergency import selectors

    return [
        {
            "id": w.pk,
            "title": f"{w.region.name}{w.headline}",  # as the portal's banner names it: 长春市暴雨黄色预警
            "color": w.css,
            "region": w.region.name,
            "area": _map_area(w.region),
        }
        for w in selectors.live_warnings(now=now).select_related("region__parent")[:100]
    ]


def _map_area(region: Region) -> str:
    """The area of the board's map a warning's region lies in, by its GB/T 2260 code (the outline's
    cities carry their codes as ids): the city itself, a county's city, or "" for the whole province."""
    if region.level == Region.Level.CITY:
        return str(region.code)
    if region.level == Region.Level.COUNTY and region.parent is not None:
        return str(region.parent.code)
    return ""


def report_clocks(incident: Incident) -> list[Any]:
    """The incident's report clocks (supervision timers) with their lights, oldest first."""
    from zhengwu.emergency import selectors

    return selectors.clocks_of(incident)


def timeline(incident: Incident) -> list[tuple[datetime, str]]:
    from zhengwu.emergency import selectors

    return [(e.at, f"{e.label}{'：' + e.note if e.note else ''}") for e in selectors.timeline(incident)]


def incidents_of_day(start: datetime, end: datetime, *, within: QuerySet[Incident] | None = None) -> list[Incident]:
    """The incidents received between `start` and `end` or still live then (of `within`, default all)."""
    rows = Incident.objects.all() if within is None else within
    return list(
        rows.filter(Q(received_at__gte=start, received_at__lt=end) | Q(state__in=LIVE_STATES))
        .filter(received_at__lt=end)
        .order_by("received_at")
    )


def mark_evaluated(*, actor: Actor, incident: Incident) -> None:
    """终止 → 评估 (the incident half's move), when the incident is not there yet."""
    from zhengwu.emergency.services import incidents

    if incident.state != Incident.State.EVALUATED:
        incidents.incident_evaluate(actor=actor, incident=incident, note="事后评估已完成")
