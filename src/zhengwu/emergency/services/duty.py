"""The duty roster (值班表): a department's clerk or leader keeps its own days; the command staff
keep any department's (docs/rules.md §15)."""

from __future__ import annotations

from datetime import date

from zhengwu.accounts.models import Department
from zhengwu.audit.write import audited_write
from zhengwu.core.actors import Actor
from zhengwu.core.errors import required_text
from zhengwu.emergency.audit_actions import EmergencyAction
from zhengwu.emergency.errors import EmergencyError
from zhengwu.emergency.models import DutyShift
from zhengwu.emergency.services.common import is_command, is_task_staff


def duty_set(*, actor: Actor, department: Department, day: date, leader: str, officer: str, phone: str) -> DutyShift:
    """Set (or change) who is on duty on `day` for `department`."""
    with audited_write(actor, EmergencyAction.DUTY_SET, department=department) as write:
        write.require(
            is_command(actor) or (actor.is_person and is_task_staff(actor, department.pk)),
            "只能安排本部门的值班。",
        )
        code = EmergencyError.INVALID_INPUT
        values = {
            "leader": required_text(leader, field="leader", what="带班领导", code=code, max_length=50),
            "officer": required_text(officer, field="officer", what="值班员", code=code, max_length=50),
            "phone": required_text(phone, field="phone", what="值班电话", code=code, max_length=30),
        }
        shift, created = DutyShift.objects.update_or_create(department=department, day=day, defaults=values)
        write.set_target(shift)
        write.note(day=day.isoformat(), created=created, **values)
    return shift
