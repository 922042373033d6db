"""Reads of the emergency app: which incidents, reports and warnings a person may see.

A duty room (值班员、指挥长) sees the incidents of the regions it covers (the province's 应急管理厅:
the whole province; a city's: its city); a department's staff see the incidents their department
reported; a report is also seen by the department it was sent to. docs/rules.md §14.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from zhengwu.accounts.models import Region, Role, User
from zhengwu.core.actors import Actor
from zhengwu.core.contracts import TodoItem
from zhengwu.emergency import access
from zhengwu.emergency.models import EarlyWarning, Incident, IncidentReport, LevelChange
from zhengwu.supervision import selectors as supervision_selectors
from zhengwu.supervision.models import Timer


def incidents_for(actor: Actor) -> QuerySet[Incident]:
    """Every incident `actor` may see (none for the public)."""
    rows = Incident.objects.select_related("region", "department", "reporting_department")
    if actor.api_client is not None:  # a department's system: what its department reported or answers for
        department_id = actor.api_client.department_id
        return rows.filter(Q(reporting_department_id=department_id) | Q(department_id=department_id))
    if not actor.is_staff:
        return rows.none()
    seen = Q(reported_by_id=actor.user_id)
    if actor.department_id is not None:
        seen |= Q(reporting_department_id=actor.department_id)
    duty = access.duty_region_filter(actor)
    if duty is not None:
        seen |= duty
    return rows.filter(seen)


def incident_for(actor: Actor, pk: int) -> Incident | None:
    return incidents_for(actor).filter(pk=pk).first()


def filtered(
    rows: QuerySet[Incident], *, state: str = "", category: str = "", level: str = "", query: str = ""
) -> QuerySet[Incident]:
    if state == "live":
        rows = rows.filter(state__in=Incident.LIVE_STATES)
    elif state in Incident.State.values:
        rows = rows.filter(state=state)
    if category:
        rows = rows.filter(category=category)
    if level.isdigit():
        rows = rows.filter(level=int(level))
    elif level == "none":
        rows = rows.filter(level__isnull=True)
    if query:
        rows = rows.filter(Q(title__icontains=query) | Q(number__icontains=query) | Q(place__icontains=query))
    return rows.order_by("-received_at", "-id")


def may_act(actor: Actor, incident: Incident) -> bool:
    """A duty room covering the incident's place (it may move it)."""
    return access.is_duty_for(actor, incident.region)


def timeline(incident: Incident) -> list[Any]:
    return list(incident.events.select_related("actor").order_by("at", "id"))


def level_changes(incident: Incident) -> QuerySet[LevelChange]:
    return incident.level_changes.select_related("actor").order_by("at", "id")


def reports_of(incident: Incident) -> QuerySet[IncidentReport]:
    return incident.reports.select_related("recipient", "signed_by", "sender").order_by("created_at", "id")


def clocks_of(incident: Incident, *, now: datetime | None = None) -> list[Timer]:
    """The incident's report clocks (`emergency.*`), with their lights, oldest first."""
    rows = supervision_selectors.timers_for_target(incident).filter(kind__startswith="emergency.")
    return list(supervision_selectors.with_light(rows, now=now))


def reports_received(actor: Actor) -> QuerySet[IncidentReport]:
    """Reports sent to `actor`'s department (the upper level's inbox), signed for (已签收) or not yet."""
    if (
        not actor.is_staff
        or actor.department_id is None
        or not actor.has_role(*access.DUTY_ROLES, *access.LEADER_ROLES)
    ):
        return IncidentReport.objects.none()
    return (
        IncidentReport.objects.filter(recipient_id=actor.department_id, state__in=IncidentReport.SENT_STATES)
        .select_related("incident", "sender")
        .order_by("-sent_at", "-id")
    )


def report_for(actor: Actor, pk: int) -> IncidentReport | None:
    report = (
        IncidentReport.objects.select_related("incident", "incident__region", "recipient", "sender")
        .filter(pk=pk)
        .first()
    )
    if report is None:
        return None
    if incidents_for(actor).filter(pk=report.incident_id).exists():
        return report
    if report.state in IncidentReport.SENT_STATES and report.recipient_id == actor.department_id and actor.is_staff:
        return report
    return None


# --- warnings ---------------------------------------------------------------------------------


def live_warnings(*, now: datetime | None = None) -> QuerySet[EarlyWarning]:
    now = now or timezone.now()
    return (
        EarlyWarning.objects.filter(state=EarlyWarning.State.LIVE, starts_at__lte=now, ends_at__gt=now)
        .select_related("region", "department")
        .order_by("color", "-issued_at", "-id")
    )


def province_warnings(*, now: datetime | None = None) -> list[EarlyWarning]:
    """Live warnings for the banner of the portal's home page (every area of the province)."""
    return list(live_warnings(now=now)[:5])


def warnings_for_region(region: Region, *, now: datetime | None = None) -> QuerySet[EarlyWarning]:
    """Live warnings whose area holds `region` or lies inside it."""
    chain = [r.pk for r in access.region_chain(region)]
    return live_warnings(now=now).filter(
        Q(region_id__in=chain) | Q(region__code__startswith=access.code_prefix(region))
    )


def public_warnings(*, state: str = "live") -> QuerySet[EarlyWarning]:
    rows = EarlyWarning.objects.select_related("region", "department")
    if state == "live":
        return live_warnings()
    return rows.order_by("-issued_at", "-id")


def warnings_issued_by(actor: Actor) -> QuerySet[EarlyWarning]:
    if not actor.is_staff or actor.department_id is None:
        return EarlyWarning.objects.none()
    return (
        EarlyWarning.objects.filter(department_id=actor.department_id)
        .select_related("region")
        .order_by("-issued_at", "-id")
    )


TODO_LIMIT = 50


def todo_items(user: User) -> list[TodoItem]:
    """For a duty room: each live report clock of its incidents (初报, 定时续报, 终报), the reports sent to
    it and not yet signed for (签收) and incidents waiting to be verified; for its leaders (指挥长,
    部门负责人): reports waiting to be signed off."""
    if user.department_id is None or not user.has_role(*access.DUTY_ROLES, Role.DEPT_LEADER):
        return []
    items: list[TodoItem] = []
    own = Incident.objects.filter(department_id=user.department_id)
    if user.has_role(*access.DUTY_ROLES):
        live = supervision_selectors.live(
            Timer.objects.filter(
                kind__startswith="emergency.", department_id=user.department_id, target_type="emergency.incident"
            )
        )
        for timer in supervision_selectors.with_light(live).order_by("deadline_at")[:TODO_LIMIT]:
            items.append(TodoItem.timed("信息报送", timer.title, timer.target_url, timer))
        unreceived = IncidentReport.objects.filter(recipient_id=user.department_id, state=IncidentReport.State.SENT)
        for report in unreceived.select_related("incident", "sender").order_by("sent_at", "id")[:TODO_LIMIT]:
            items.append(
                TodoItem(
                    kind_label="报送签收",
                    title=f"{report.sender.name}：{report.incident.title} {report.title}",
                    url=reverse("emergency_wb:report_detail", args=[report.pk]),
                )
            )
        for incident in own.filter(state=Incident.State.RECEIVED).order_by("received_at")[:TODO_LIMIT]:
            items.append(
                TodoItem(
                    kind_label="突发事件核实",
                    title=f"{incident.number} {incident.title}",
                    url=reverse("emergency_wb:incident_detail", args=[incident.pk]),
                )
            )
    if user.has_role(Role.COMMANDER, Role.DEPT_LEADER):
        drafts = IncidentReport.objects.filter(sender_id=user.department_id, state=IncidentReport.State.DRAFT)
        for report in drafts.select_related("incident").order_by("created_at")[:TODO_LIMIT]:
            items.append(
                TodoItem(
                    kind_label="报告签发",
                    title=f"{report.incident.title} {report.title}",
                    url=reverse("emergency_wb:report_detail", args=[report.pk]),
                )
            )
    return items
