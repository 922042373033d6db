"""Who may do what with the systems inventory (docs/rules.md §11); shared by services and selectors."""

from __future__ import annotations

from zhengwu.accounts.models import ApiClient, Role
from zhengwu.core.actors import Actor

SCOPE = ApiClient.Scope.GOVERNANCE_INVENTORY
MANAGER_ROLES = (Role.SYSTEMS_OFFICER, Role.DEPT_LEADER)


def is_egov_office(actor: Actor) -> bool:
    return actor.is_staff and actor.has_role(Role.EGOV_OFFICE)


def can_manage_system(actor: Actor, department_id: int | None) -> bool:
    """The department's 信息化管理员 or leader, or one of its API clients holding the inventory scope."""
    if actor.api_client is not None:
        return department_id is not None and actor.department_id == department_id and SCOPE in actor.api_client.scopes
    return actor.works_in(department_id, *MANAGER_ROLES)
