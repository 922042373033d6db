"""Who may act on incidents and warnings, and which 应急 department answers for a place.

A region's 应急 department is the department of that region whose staff hold 值班员 or 指挥长
(the roles exist only there); a place is answered for by the nearest such department up its
GB/T 2260 chain (county, city, province). Duty rooms see the incidents of their own region and
everything under it: the province's 应急管理厅 sees the whole province, a city's duty room only its
city. docs/rules.md §14.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from zhengwu.accounts.models import Department, Region, Role
from zhengwu.core.actors import Actor

DUTY_ROLES = (Role.DUTY_OFFICER, Role.COMMANDER)
# Who signs a report off (签发) and may change the level: the commander, or the department's head.
LEADER_ROLES = (Role.COMMANDER, Role.DEPT_LEADER)


def code_prefix(region: Region) -> str:
    """The part of a GB/T 2260 code shared by a region and everything under it (22, 2201, 220102)."""
    if region.level == Region.Level.PROVINCE:
        return region.code[:2]
    if region.level == Region.Level.CITY:
        return region.code[:4]
    return region.code


def covers(outer: Region, inner: Region) -> bool:
    """`inner` is `outer` or lies inside it."""
    return inner.code.startswith(code_prefix(outer))


def region_chain(region: Region) -> list[Region]:
    """`region` and the regions above it, nearest first."""
    chain: list[Region] = []
    current: Region | None = region
    while current is not None and len(chain) < 5:
        chain.append(current)
        current = current.parent
    return chain


def emergency_departments() -> QuerySet[Department]:
    return Department.objects.filter(
        is_active=True, staff__is_active=True, staff__role_assignments__role__in=DUTY_ROLES
    ).distinct()


def emergency_department_for(region: Region | None) -> Department | None:
    """The 应急 department answering for `region`: its own, else the nearest one above."""
    if region is None:
        return None
    for place in region_chain(region):
        found = emergency_departments().filter(region=place).order_by("id").first()
        if found is not None:
            return found
    return None


def is_duty_for(actor: Actor, region: Region) -> bool:
    """A 值班员 or 指挥长 whose department's region covers `region`."""
    department = actor.department
    return (
        actor.is_staff and department is not None and actor.has_role(*DUTY_ROLES) and covers(department.region, region)
    )


def is_commander_for(actor: Actor, region: Region) -> bool:
    department = actor.department
    return (
        actor.is_staff
        and department is not None
        and actor.has_role(Role.COMMANDER)
        and covers(department.region, region)
    )


def is_leader_of(actor: Actor, department_id: int | None) -> bool:
    return actor.works_in(department_id, *LEADER_ROLES)


def duty_region_filter(actor: Actor, field: str = "region") -> Q | None:
    """The rows of the regions a duty room covers, or None when `actor` keeps no duty room."""
    department = actor.department
    if not actor.is_staff or department is None or not actor.has_role(*DUTY_ROLES):
        return None
    return Q(**{f"{field}__code__startswith": code_prefix(department.region)})
