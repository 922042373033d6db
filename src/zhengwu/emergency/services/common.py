"""Who may act in the response (shared by the services; docs/rules.md §15).

- the command staff (值班员 and 指挥长, of any duty room) keep plans, resources and the roster and see
  the board; on an incident, only the duty room whose area covers its place acts (its 指挥长 starts a
  plan's response, adds and cancels tasks; its 值班员 or 指挥长 commit resources, count the population
  and write the evaluation: `incident_link.is_commander_for` / `is_duty_for`, docs/rules.md §14);
- a department with a task: its CLERK or DEPT_LEADER on the workbench, or its system through the
  API (an API client of the department), signs, reports and finishes its own tasks.
"""

from __future__ import annotations

from zhengwu.accounts.models import Role
from zhengwu.core.actors import Actor

COMMAND_ROLES = (Role.COMMANDER, Role.DUTY_OFFICER)
TASK_ROLES = (Role.CLERK, Role.DEPT_LEADER)
SIGN_TIMER = "emergency.task_sign"
ARRIVE_TIMER = "emergency.task_arrive"
MAX_MINUTES = 2880


def is_command(actor: Actor) -> bool:
    """A commander or duty officer (the emergency department's command staff)."""
    return actor.is_staff and actor.has_role(*COMMAND_ROLES)


def is_task_staff(actor: Actor, department_id: int | None) -> bool:
    """A clerk or leader of the department, or the department's own system (API client)."""
    if actor.api_client is not None:
        return department_id is not None and actor.department_id == department_id
    return actor.works_in(department_id, *TASK_ROLES)


def actor_label(actor: Actor) -> str:
    """Who did it, in words for the task's history (a person's name, a system's name)."""
    if actor.user is not None:
        return str(actor.user)[:200]  # the person's real name (the login name when none is kept)
    if actor.api_client is not None:
        return f"{actor.api_client.name}（系统）"[:200]
    return "平台"
