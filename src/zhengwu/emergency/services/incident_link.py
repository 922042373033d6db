"""The one place the response half of the app meets the incident half (docs/rules.md §12): which
incidents are live, which are responding, the move to 响应, the level names, the first report.

Everything else in the response services goes through these names, so a change of the incident
model touches this module only."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q

from zhengwu.core.actors import Actor
from zhengwu.emergency.models import Incident  # noqa: F401  (re-exported for the services)
from zhengwu.emergency.models import ResponseLevel

INCIDENT_CLASSES = {c for c, _ in Incident.Category.choices}
RESPONDING_STATES = (Incident.State.RESPONSE, Incident.State.HANDLING)
LIVE_STATES = (Incident.State.RECEIVED, Incident.State.VERIFYING, Incident.State.GRADED, *RESPONDING_STATES)
CLOSED_STATES = (Incident.State.TERMINATED, Incident.State.EVALUATED)


def is_responding(incident: Incident) -> bool:
    return incident.state in RESPONDING_STATES


def response_level_of(incident: Incident) -> str:
    """The response level matching the incident's level (特别重大 → Ⅰ级 … 一般 → Ⅳ级)."""
    return str(incident.level) if str(incident.level) in ResponseLevel.values else ResponseLevel.IV


def start_response(*, actor: Actor, incident: Incident, level: str, plan_name: str) -> None:
    """The incident moves to 响应 (unless it is already responding)."""
    from zhengwu.emergency.services import incidents

    if not is_responding(incident):
        incidents.incident_start_response(actor=actor, incident=incident, note=f"启动《{plan_name}》{ResponseLevel(level).label}")


def first_report_at(incident: Incident) -> datetime | None:
    report = incident.reports.order_by("sent_at").exclude(sent_at=None).first()
    return report.sent_at if report is not None else None


def received_at(incident: Incident) -> datetime | None:
    return incident.received_at


# The columns of a live incident the board reads (values(), no model instances: 1,000 of them).
BOARD_FIELDS = ("id", "title", "level", "state", "lat", "lng", "region_code", "received_at")


def board_row(row: dict[str, object], lights: dict[str, int]) -> dict[str, object]:
    """One incident on the board: as read, with its level and state in words and its task lights."""
    received = row["received_at"]
    return {
        **row,
        "received_at": received.isoformat() if isinstance(received, datetime) else None,
        "level_label": Incident.Level(row["level"]).label if row["level"] in Incident.Level.values else "",
        "state_label": Incident.State(row["state"]).label if row["state"] in Incident.State.values else "",
        "lights": lights,
    }


def live_warnings(now: datetime) -> list[dict[str, object]]:
    from zhengwu.emergency import selectors

    return [
        {"id": w.pk, "title": str(w), "color": w.color, "region_code": w.region_code}
        for w in selectors.live_warnings(now=now)
    ]


def incidents_of_day(start: datetime, end: datetime) -> list[Incident]:
    return list(
        Incident.objects.filter(Q(received_at__gte=start, received_at__lt=end) | Q(state__in=LIVE_STATES)).order_by(
            "received_at"
        )
    )


def region_code_of(incident: Incident) -> str:
    return str(incident.region_code or "")


def mark_evaluated(*, actor: Actor, incident: Incident) -> None:
    """终止 → 评估 (the incident half's move), when the incident is not there yet."""
    from zhengwu.emergency.services import incidents

    if incident.state != Incident.State.EVALUATED:
        incidents.incident_evaluate(actor=actor, incident=incident)
