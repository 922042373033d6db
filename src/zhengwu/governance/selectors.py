"""Reads of the governance app: who sees which systems, their measured usage, the zombie rules'
findings and the e-gov office's overview (docs/rules.md §11).

Usage is measured, never declared: the calls of a system's API clients through the exchange (the
sealed access log), the calls of the resources it provides, and the logins of its platform users
(`User.last_login`, set at every login). A month is a calendar month in Beijing time.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from zhengwu.catalog.freshness import EXPECTED_INTERVAL
from zhengwu.catalog.models import UpdateCycle
from zhengwu.core.actors import Actor
from zhengwu.core.errors import not_found
from zhengwu.exchange.sharing import selectors as sharing_selectors
from zhengwu.governance.models import InformationSystem, ZombieCase, ZombieRule
from zhengwu.governance.permissions import MANAGER_ROLES, SCOPE, is_egov_office

USAGE_MONTHS = 12


def months_before(moment: datetime, months: int) -> datetime:
    """`moment` moved back by whole calendar months (31 March − 1 month = 28/29 February)."""
    local = timezone.localtime(moment)
    index = local.year * 12 + local.month - 1 - months
    year, month = divmod(index, 12)
    day = min(local.day, calendar.monthrange(year, month + 1)[1])
    return local.replace(year=year, month=month + 1, day=day)


def month_starts(now: datetime, count: int = USAGE_MONTHS) -> list[date]:
    """The first days of the last `count` months, the current one last."""
    local = timezone.localtime(now).date().replace(day=1)
    out = []
    for back in range(count - 1, -1, -1):
        index = local.year * 12 + local.month - 1 - back
        year, month = divmod(index, 12)
        out.append(date(year, month + 1, 1))
    return out


# --- who sees what ----------------------------------------------------------------------


def sees_all(actor: Actor) -> bool:
    return is_egov_office(actor)


def systems_visible(actor: Actor) -> QuerySet[InformationSystem]:
    """The e-gov office sees every system; a department's 信息化管理员 or leader (or its API client
    with the inventory scope) only the department's own; anyone else none."""
    rows = InformationSystem.objects.select_related("department", "consolidated_into")
    if sees_all(actor):
        return rows
    department_id = actor.department_id
    if department_id is None:
        return rows.none()
    if actor.api_client is not None and SCOPE in actor.api_client.scopes:
        return rows.filter(department_id=department_id)
    if actor.is_staff and actor.has_role(*MANAGER_ROLES):
        return rows.filter(department_id=department_id)
    return rows.none()


def system_get_visible(actor: Actor, pk: int) -> InformationSystem:
    found = systems_visible(actor).filter(pk=pk).first()
    if found is None:
        raise not_found("信息系统")
    return found


def systems_filter(
    rows: QuerySet[InformationSystem], *, q: str = "", state: str = "", department: int | None = None, flag: str = ""
) -> QuerySet[InformationSystem]:
    if q:
        rows = rows.filter(Q(name__icontains=q) | Q(short_name__icontains=q) | Q(functions__icontains=q))
    if state:
        rows = rows.filter(state=state)
    if department:
        rows = rows.filter(department_id=department)
    if flag == "zombie":
        rows = rows.filter(zombie_cases__state__in=ZombieCase.OPEN_STATES).distinct()
    return rows


def zombie_cases_visible(actor: Actor) -> QuerySet[ZombieCase]:
    """The office sees every review; a department the reviews of its own systems once confirmed."""
    rows = ZombieCase.objects.select_related("system", "system__department", "consolidated_into")
    if sees_all(actor):
        return rows
    if actor.is_staff and actor.has_role(*MANAGER_ROLES) and actor.department_id is not None:
        return rows.filter(system__department_id=actor.department_id, confirmed_at__isnull=False)
    return rows.none()


def zombie_case_get_visible(actor: Actor, pk: int) -> ZombieCase:
    found = zombie_cases_visible(actor).filter(pk=pk).first()
    if found is None:
        raise not_found("僵尸系统核查")
    return found


# --- usage, measured --------------------------------------------------------------------


@dataclass
class SystemUsage:
    """What the platform measured of one system over the last 12 months."""

    months: list[date]
    calls: list[int]
    clients: int = 0
    resources_used: int = 0
    provided_calls: int = 0
    last_call: datetime | None = None
    last_login: datetime | None = None
    users: int = 0
    active_users: int = 0  # its users who logged in during the idle window
    stale_resources: list[dict[str, Any]] = field(default_factory=list)

    @property
    def total_calls(self) -> int:
        return sum(self.calls)

    @property
    def last_sign_of_life(self) -> datetime | None:
        moments = [m for m in (self.last_call, self.last_login) if m is not None]
        return max(moments) if moments else None

    def sparkline(self) -> dict[str, Any]:
        """The data of its sparkline (charts.js `sparkline`)."""
        return {"labels": [m.strftime("%Y-%m") for m in self.months], "values": self.calls}


def is_stale(update_cycle: str, last_loaded_at: datetime | None, now: datetime) -> bool:
    """Not updated for more than ZHENGWU_ZOMBIE_STALE_CYCLES of its promised update cycles."""
    if last_loaded_at is None:
        return True
    interval = EXPECTED_INTERVAL.get(UpdateCycle(update_cycle), EXPECTED_INTERVAL[UpdateCycle.DAILY])
    return now - last_loaded_at > interval * settings.ZHENGWU_ZOMBIE_STALE_CYCLES


def usage_of(systems: Iterable[InformationSystem], *, now: datetime | None = None) -> dict[int, SystemUsage]:
    """Per system (by pk): calls per month of its API clients, resources used, calls of the
    resources it provides, last call, last login and active users (a fixed number of queries)."""
    now = now or timezone.now()
    items = list(systems)
    months = month_starts(now)
    since = timezone.make_aware(datetime.combine(months[0], datetime.min.time()))
    window = months_before(now, settings.ZHENGWU_ZOMBIE_IDLE_MONTHS)
    ids = [s.pk for s in items]
    client_ids: dict[int, list[int]] = {pk: [] for pk in ids}
    for system_id, client_id in InformationSystem.api_clients.through.objects.filter(system_id__in=ids).values_list(
        "system_id", "api_client_id"
    ):
        client_ids[system_id].append(client_id)
    calls = sharing_selectors.calls_by_client([c for cs in client_ids.values() for c in cs], since=since)
    provided: dict[int, list[Any]] = {pk: [] for pk in ids}
    for link in InformationSystem.resources_provided.through.objects.filter(
        informationsystem_id__in=ids
    ).select_related("resource"):
        provided[link.informationsystem_id].append(link.resource)
    resource_calls = sharing_selectors.calls_by_resource([r.pk for rs in provided.values() for r in rs], since=since)
    user_rows: dict[int, list[datetime | None]] = {pk: [] for pk in ids}
    for system_id, last_login in InformationSystem.users.through.objects.filter(
        informationsystem_id__in=ids, user__is_active=True
    ).values_list("informationsystem_id", "user__last_login"):
        user_rows[system_id].append(last_login)
    out: dict[int, SystemUsage] = {}
    for pk in ids:
        mine = [calls[c] for c in client_ids[pk] if c in calls]
        logins = [m for m in user_rows[pk] if m is not None]
        out[pk] = SystemUsage(
            months=months,
            calls=[sum(c.by_month.get(m, 0) for c in mine) for m in months],
            clients=len(client_ids[pk]),
            resources_used=sum(c.resources for c in mine),
            provided_calls=sum(resource_calls.get(r.pk, 0) for r in provided[pk]),
            last_call=max((c.last_call for c in mine if c.last_call), default=None),
            last_login=max(logins, default=None),
            users=len(user_rows[pk]),
            active_users=sum(1 for m in logins if m >= window),
            stale_resources=[
                {
                    "code": r.code,
                    "name": r.name,
                    "update_cycle": r.get_update_cycle_display(),
                    "last_loaded_at": r.last_loaded_at.isoformat() if r.last_loaded_at else None,
                }
                for r in provided[pk]
                if is_stale(r.update_cycle, r.last_loaded_at, now)
            ],
        )
    return out


# --- the zombie rules -------------------------------------------------------------------


def zombie_findings(
    system: InformationSystem, usage: SystemUsage, *, now: datetime | None = None
) -> dict[str, dict[str, Any]]:
    """The zombie rules that fire on a running system, each with its evidence (docs/rules.md §11).

    - 无调用且无登录: no call of its API clients and no login of its users for
      ZHENGWU_ZOMBIE_IDLE_MONTHS months (counted from its registration when it never had either);
    - 数据未按更新周期更新: a resource it provides not updated for more than
      ZHENGWU_ZOMBIE_STALE_CYCLES of its promised update cycles;
    - 运维已停止: yearly O&M cost 0, or its O&M funding ended before today;
    - 使用人数过少: of its platform users, fewer than ZHENGWU_ZOMBIE_MIN_USERS logged in during
      the idle window (only a system with platform users, registered before that window).
    """
    now = now or timezone.now()
    if system.state != InformationSystem.State.RUNNING:
        return {}
    months = settings.ZHENGWU_ZOMBIE_IDLE_MONTHS
    window = months_before(now, months)
    found: dict[str, dict[str, Any]] = {}
    alive = usage.last_sign_of_life or system.created_at
    if alive < window:
        found[ZombieRule.IDLE] = {
            "months": months,
            "last_call": usage.last_call.isoformat() if usage.last_call else None,
            "last_login": usage.last_login.isoformat() if usage.last_login else None,
            "api_clients": usage.clients,
            "since": window.isoformat(),
        }
    if usage.stale_resources:
        found[ZombieRule.STALE_DATA] = {
            "cycles": settings.ZHENGWU_ZOMBIE_STALE_CYCLES,
            "resources": usage.stale_resources,
        }
    today = timezone.localtime(now).date()
    if system.om_cost_yearly == 0 or (system.funding_ends_on is not None and system.funding_ends_on < today):
        found[ZombieRule.NO_OM] = {
            "om_cost_yearly": str(system.om_cost_yearly),
            "funding_ends_on": system.funding_ends_on.isoformat() if system.funding_ends_on else None,
        }
    minimum = settings.ZHENGWU_ZOMBIE_MIN_USERS
    if usage.users and system.created_at < window and usage.active_users < minimum:
        found[ZombieRule.FEW_USERS] = {
            "users": usage.users,
            "active_users": usage.active_users,
            "minimum": minimum,
            "months": months,
        }
    return found


def is_unconnected(system: InformationSystem, usage: SystemUsage, *, now: datetime | None = None) -> bool:
    """A system that should be connected to the sharing platform and has no API client, or whose
    clients made no call for ZHENGWU_ZOMBIE_IDLE_MONTHS months (registered before that window)."""
    if not system.should_connect or system.is_retired or system.state == InformationSystem.State.BUILDING:
        return False
    if usage.clients == 0:
        return True
    window = months_before(now or timezone.now(), settings.ZHENGWU_ZOMBIE_IDLE_MONTHS)
    return (usage.last_call or system.created_at) < window


# --- the office's overview --------------------------------------------------------------


@dataclass
class Overview:
    total: int
    by_state: list[tuple[str, int]]
    by_department: list[tuple[str, int]]
    om_by_department: list[tuple[str, float]]
    om_total: Decimal
    zombies_open: int
    zombies_by_state: list[tuple[str, int]]
    unconnected: list[InformationSystem]


def overview(*, now: datetime | None = None) -> Overview:
    rows = InformationSystem.objects.all()
    states = dict(InformationSystem.State.choices)
    by_state = [(states[r["state"]], r["n"]) for r in rows.values("state").annotate(n=Count("id")).order_by("state")]
    per_dept = list(
        rows.values("department__name")
        .annotate(n=Count("id"), om=Sum("om_cost_yearly"))
        .order_by("-n", "department__name")
    )
    zstates = dict(ZombieCase.State.choices)
    zombies = list(ZombieCase.objects.values("state").annotate(n=Count("id")).order_by("state"))
    live = list(rows.exclude(state__in=[InformationSystem.State.CONSOLIDATED, InformationSystem.State.CLEARED]))
    usage = usage_of(live, now=now)
    return Overview(
        total=rows.count(),
        by_state=by_state,
        by_department=[(r["department__name"], r["n"]) for r in per_dept],
        om_by_department=[(r["department__name"], float(r["om"] or 0)) for r in per_dept],
        om_total=rows.aggregate(s=Sum("om_cost_yearly"))["s"] or Decimal(0),
        zombies_open=sum(z["n"] for z in zombies if z["state"] in ZombieCase.OPEN_STATES),
        zombies_by_state=[(zstates[z["state"]], z["n"]) for z in zombies],
        unconnected=[s for s in live if is_unconnected(s, usage[s.pk], now=now)],
    )
