"""Plans (预案): created and revised by the command staff; every revision is a new version, the
old ones are kept and readable (docs/rules.md §15)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils import timezone

from zhengwu.accounts.models import Department
from zhengwu.audit.write import Write, audited_write
from zhengwu.core.actors import Actor
from zhengwu.core.errors import ApplicationError, required_text
from zhengwu.emergency.audit_actions import EmergencyAction
from zhengwu.emergency.errors import EmergencyError
from zhengwu.emergency.models import Plan, PlanDuty, PlanVersion, ResponseLevel
from zhengwu.emergency.services.common import MAX_MINUTES, is_command
from zhengwu.emergency.services.incident_link import INCIDENT_CLASSES


@dataclass(frozen=True)
class DutyData:
    level: str
    department: Department
    duty: str
    sign_minutes: int | None = None
    arrive_minutes: int | None = None


@dataclass(frozen=True)
class PlanData:
    name: str
    incident_class: str
    lead_department: Department
    summary: str = ""
    duties: list[DutyData] = field(default_factory=list)


def _minutes(value: int | None, field_name: str, what: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_MINUTES:
        raise ApplicationError(
            EmergencyError.INVALID_INPUT, f"{what}应为 1 至 {MAX_MINUTES} 分钟。", {field_name: "超出范围"}
        )
    return value


def _checked(data: PlanData) -> PlanData:
    name = required_text(data.name, field="name", what="预案名称", code=EmergencyError.INVALID_INPUT, max_length=200)
    if data.incident_class not in INCIDENT_CLASSES:
        raise ApplicationError(EmergencyError.INVALID_INPUT, "请选择事件类别。", {"incident_class": "必选"})
    if not data.duties:
        raise ApplicationError(EmergencyError.NO_DUTIES, "预案至少应写明一个部门的职责。", {"duties": "必填"})
    seen: set[tuple[str, int]] = set()
    for number, duty in enumerate(data.duties, start=1):
        if duty.level not in ResponseLevel.values:
            raise ApplicationError(
                EmergencyError.INVALID_INPUT, f"第 {number} 条职责的响应级别无效。", {"level": "无效"}
            )
        key = (duty.level, duty.department.pk)
        if key in seen:
            raise ApplicationError(
                EmergencyError.INVALID_INPUT,
                f"{duty.department.name}在{ResponseLevel(duty.level).label}下的职责重复。",
                {"duties": "重复"},
            )
        seen.add(key)
        required_text(
            duty.duty, field="duty", what=f"第 {number} 条职责", code=EmergencyError.INVALID_INPUT, max_length=1000
        )
        _minutes(duty.sign_minutes, "sign_minutes", "签收时限")
        _minutes(duty.arrive_minutes, "arrive_minutes", "到达/反馈时限")
    return PlanData(name, data.incident_class, data.lead_department, (data.summary or "").strip()[:4000], data.duties)


def _write_version(plan: Plan, number: int, data: PlanData, actor: Actor, note: str) -> PlanVersion:
    version = PlanVersion.objects.create(
        plan=plan,
        number=number,
        lead_department=data.lead_department,
        summary=data.summary,
        note=note,
        created_by=actor.user,
        created_at=timezone.now(),
    )
    PlanDuty.objects.bulk_create(
        PlanDuty(
            version=version,
            level=d.level,
            department=d.department,
            duty=d.duty.strip(),
            sign_minutes=d.sign_minutes,
            arrive_minutes=d.arrive_minutes,
        )
        for d in data.duties
    )
    return version


def _require_command(write: Write) -> None:
    write.require(is_command(write.actor), "只有应急指挥长或值班员可以编制预案。")


def plan_create(*, actor: Actor, data: PlanData) -> Plan:
    """A new plan, its first version."""
    with audited_write(actor, EmergencyAction.PLAN_CREATE) as write:
        _require_command(write)
        data = _checked(data)
        plan = Plan.objects.create(name=data.name, incident_class=data.incident_class, created_by=actor.user)
        _write_version(plan, 1, data, actor, "首次发布")
        write.set_target(plan)
        write.note(name=plan.name, duties=len(data.duties))
    return plan


def plan_revise(*, actor: Actor, plan: Plan, data: PlanData, note: str) -> PlanVersion:
    """修订: a new version becomes current; the previous ones stay as they were."""
    with audited_write(actor, EmergencyAction.PLAN_REVISE, plan) as write:
        locked = write.lock(plan)
        _require_command(write)
        note = required_text(note, field="note", what="修订说明", code=EmergencyError.INVALID_INPUT, max_length=500)
        data = _checked(data)
        locked.current_version += 1
        locked.name = data.name
        locked.incident_class = data.incident_class
        locked.save()
        version = _write_version(locked, locked.current_version, data, actor, note)
        write.note(version=version.number, note=note[:200])
    plan.refresh_from_db()
    return version
