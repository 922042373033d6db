"""Writes of the systems inventory (信息系统清单), docs/rules.md §11.

A department's 信息化管理员 (SYSTEMS_OFFICER) or its leader (DEPT_LEADER), or the department's own
system through the API (scope `governance:inventory`), registers and updates the department's
systems and links the department's exchange API clients to them. The e-gov office (EGOV_OFFICE)
sees every department's systems and decides their retirement (整合 / 清理) through the zombie
review; a department stops, resumes and puts into service its own systems. Each write goes
through `audited_write`: a refusal writes nothing but its audit record.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from django.contrib.auth import get_user_model

from zhengwu.accounts.models import ApiClient, Department
from zhengwu.audit.write import Write, audited_write
from zhengwu.catalog import selectors as catalog_selectors
from zhengwu.core.actors import Actor
from zhengwu.core.errors import ApplicationError, clean, required_text
from zhengwu.governance.audit_actions import GovernanceAction
from zhengwu.governance.errors import GovernanceError
from zhengwu.governance.models import (
    FundingSource,
    InformationSystem,
    MlpsResult,
    NetworkZone,
    SystemApiClient,
    UsageFrequency,
)
from zhengwu.governance.permissions import SCOPE, can_manage_system, is_egov_office
from zhengwu.governance.states import SYSTEM

__all__ = ["SCOPE", "can_manage_system", "is_egov_office"]

MAX_OM_COST = Decimal("99999999.99")
_E = GovernanceError.INVALID_INPUT


@dataclass
class SystemData:
    """What a department declares about a system (the seed's eight 自查 fields and the rest)."""

    name: str
    functions: str
    users_scope: str
    contact_name: str
    contact_phone: str
    network_zone: str
    funding_source: str
    short_name: str = ""
    deployments: int = 1
    purpose: str = ""
    usage_frequency: str = UsageFrequency.DAILY
    home_url: str = ""
    legal_basis: str = ""
    approved_by: str = ""
    approved_on: date | None = None
    funding_ends_on: date | None = None
    om_cost_yearly: Decimal | str | int = Decimal(0)
    mlps_level: int = 0
    mlps_filing_number: str = ""
    mlps_assessed_on: date | None = None
    mlps_result: str = ""
    should_connect: bool = True
    no_connect_reason: str = ""
    state: str = InformationSystem.State.RUNNING
    resources_provided: list[str] = field(default_factory=list)
    resources_used: list[str] = field(default_factory=list)
    users: list[str] = field(default_factory=list)


def _choice(value: str, choices: type, field_name: str, what: str) -> str:
    value = (value or "").strip()
    if value not in choices.values:  # type: ignore[attr-defined]
        labels = "、".join(str(label) for label in choices.labels)  # type: ignore[attr-defined]
        raise ApplicationError(_E, f"{what}应为以下之一：{labels}。", {field_name: "不支持"})
    return value


def _cost(value: Decimal | str | int) -> Decimal:
    try:
        cost = Decimal(str(value if value not in (None, "") else 0))
    except InvalidOperation:
        raise ApplicationError(_E, "年度运维费用应为数字（万元）。", {"om_cost_yearly": "格式不正确"}) from None
    if not cost.is_finite() or cost < 0 or cost > MAX_OM_COST:
        raise ApplicationError(_E, "年度运维费用应在 0 至 99999999.99 万元之间。", {"om_cost_yearly": "超出范围"})
    return cost.quantize(Decimal("0.01"))


def validate(data: SystemData) -> None:
    """The checks that need no database (shared with the Excel import's row check)."""
    _choice(data.network_zone, NetworkZone, "network_zone", "网络区域")
    _choice(data.funding_source, FundingSource, "funding_source", "经费来源")
    _choice(data.usage_frequency, UsageFrequency, "usage_frequency", "使用频度")
    if data.mlps_result:
        _choice(data.mlps_result, MlpsResult, "mlps_result", "最近测评结论")
    _cost(data.om_cost_yearly)
    if not 1 <= int(data.deployments or 0) <= 999:
        raise ApplicationError(_E, "数量（部署套数）应在 1 至 999 之间。", {"deployments": "超出范围"})
    if not 0 <= int(data.mlps_level) <= 4:
        raise ApplicationError(_E, "等级保护级别应为 0（未定级）至 4。", {"mlps_level": "超出范围"})
    if int(data.mlps_level) >= 2 and not data.mlps_filing_number.strip():
        raise ApplicationError(_E, "等级保护第二级及以上的系统应填写公安机关备案编号。", {"mlps_filing_number": "必填"})
    if not data.should_connect and not data.no_connect_reason.strip():
        raise ApplicationError(_E, "不接入共享交换平台的系统应说明理由。", {"no_connect_reason": "必填"})
    if data.state not in (InformationSystem.State.BUILDING, InformationSystem.State.RUNNING):
        raise ApplicationError(_E, "登记时的状态应为“建设中”或“运行”。", {"state": "不支持"})
    if data.approved_on and data.approved_on > date.today():
        raise ApplicationError(_E, "审批时间不能晚于今天。", {"approved_on": "晚于今天"})


def _apply(system: InformationSystem, data: SystemData) -> None:
    validate(data)
    system.name = required_text(data.name, field="name", what="系统名称", code=_E, max_length=100)
    system.short_name = (data.short_name or "").strip()[:40]
    system.deployments = int(data.deployments)
    system.purpose = (data.purpose or "").strip()[:2000]
    system.functions = required_text(data.functions, field="functions", what="主要功能", code=_E)
    system.users_scope = required_text(data.users_scope, field="users_scope", what="使用对象与范围", code=_E)
    system.usage_frequency = data.usage_frequency
    system.contact_name = required_text(data.contact_name, field="contact_name", what="联系人", code=_E, max_length=40)
    system.contact_phone = required_text(
        data.contact_phone, field="contact_phone", what="联系电话", code=_E, max_length=40
    )
    system.home_url = (data.home_url or "").strip()
    system.network_zone = data.network_zone
    system.legal_basis = (data.legal_basis or "").strip()[:2000]
    system.approved_by = (data.approved_by or "").strip()[:100]
    system.approved_on = data.approved_on
    system.funding_source = data.funding_source
    system.funding_ends_on = data.funding_ends_on
    system.om_cost_yearly = _cost(data.om_cost_yearly)
    system.mlps_level = int(data.mlps_level)
    system.mlps_filing_number = (data.mlps_filing_number or "").strip()[:40]
    system.mlps_assessed_on = data.mlps_assessed_on
    system.mlps_result = data.mlps_result or ""
    system.should_connect = bool(data.should_connect)
    system.no_connect_reason = (data.no_connect_reason or "").strip()[:2000] if not data.should_connect else ""


def _duplicate_check(system: InformationSystem) -> None:
    same = InformationSystem.objects.filter(department_id=system.department_id, name=system.name)
    if system.pk:
        same = same.exclude(pk=system.pk)
    if same.exists():
        raise ApplicationError(
            GovernanceError.DUPLICATE_SYSTEM, f"本部门已登记名为“{system.name}”的系统。", {"name": "重复"}
        )


def _links(system: InformationSystem, data: SystemData) -> None:
    """The catalog resources it provides (the department's own) and uses, and its platform users."""
    provided = catalog_selectors.published_resources_by_codes(data.resources_provided)
    missing = sorted(set(data.resources_provided) - {r.code for r in provided})
    if missing:
        raise ApplicationError(_E, f"目录中没有资源代码 {'、'.join(missing)}。", {"resources_provided": "不存在"})
    foreign = [r.code for r in provided if r.provider_id != system.department_id]
    if foreign:
        raise ApplicationError(
            _E,
            f"资源 {'、'.join(map(str, foreign))} 不是本部门提供的，请列入“使用的信息资源”。",
            {"resources_provided": "非本部门资源"},
        )
    used = catalog_selectors.published_resources_by_codes(data.resources_used)
    missing = sorted(set(data.resources_used) - {r.code for r in used})
    if missing:
        raise ApplicationError(_E, f"目录中没有资源代码 {'、'.join(missing)}。", {"resources_used": "不存在"})
    names = sorted({n.strip() for n in data.users if n.strip()})
    users = list(get_user_model().objects.filter(username__in=names, kind="staff"))
    unknown = sorted(set(names) - {u.username for u in users})
    if unknown:
        raise ApplicationError(_E, f"没有工作人员账号 {'、'.join(unknown)}。", {"users": "不存在"})
    system.resources_provided.set(provided)
    system.resources_used.set(used)
    system.users.set(users)


def _note(write: Write, system: InformationSystem) -> None:
    write.note(
        name=system.name,
        state=system.state,
        network_zone=system.network_zone,
        om_cost_yearly=str(system.om_cost_yearly),
        should_connect=system.should_connect,
    )


def system_register(*, actor: Actor, department: Department, data: SystemData) -> InformationSystem:
    """Register a system of `department` (its 信息化管理员 or leader, or its system through the API)."""
    with audited_write(actor, GovernanceAction.SYSTEM_REGISTER, department=department) as write:
        write.require(can_manage_system(actor, department.pk), "只有本部门的信息化管理员或负责人可以登记信息系统。")
        system = InformationSystem(department=department, created_by=actor.user)
        _apply(system, data)
        system.state = data.state
        _duplicate_check(system)
        clean(system)
        system.save()
        write.set_target(system)
        _links(system, data)
        _note(write, system)
    return system


def _manager_step(write: Write, system: InformationSystem, refusal: str) -> InformationSystem:
    """The system locked, the actor checked to manage its department's systems (decided on the locked row)."""
    locked = write.lock(system)
    write.require(can_manage_system(write.actor, locked.department_id), refusal)
    return locked


def system_update(*, actor: Actor, system: InformationSystem, data: SystemData) -> InformationSystem:
    """Update what the department declared about a system not yet retired (the state is not changed here)."""
    with audited_write(actor, GovernanceAction.SYSTEM_UPDATE, system) as write:
        locked = _manager_step(write, system, "只有本部门的信息化管理员或负责人可以修改。")
        SYSTEM.check(locked, "edit")
        data.state = InformationSystem.State.RUNNING  # registration-only field; the state stays as it is
        _apply(locked, data)
        _duplicate_check(locked)
        clean(locked)
        locked.save()
        _links(locked, data)
        _note(write, locked)
    return locked


def system_link_client(*, actor: Actor, system: InformationSystem, api_client: ApiClient) -> SystemApiClient:
    """Link one of the department's exchange API clients to the system (at most one system per client)."""
    with audited_write(actor, GovernanceAction.SYSTEM_LINK_CLIENT, system) as write:
        locked = _manager_step(write, system, "只有本部门的信息化管理员或负责人可以关联接口。")
        SYSTEM.check(locked, "link")
        if api_client.department_id != locked.department_id:
            raise ApplicationError(_E, "只能关联本部门的接口调用系统。", {"api_client": "非本部门"})
        taken = SystemApiClient.objects.filter(api_client=api_client).select_related("system").first()
        if taken is not None:
            raise ApplicationError(
                GovernanceError.CLIENT_TAKEN,
                f"接口调用系统“{api_client.name}”已关联到“{taken.system.name}”。",
                {"api_client": "已关联"},
            )
        link = SystemApiClient.objects.create(system=locked, api_client=api_client, linked_by=actor.user)
        write.note(api_client=api_client.pk, api_client_name=api_client.name)
    return link


def system_unlink_client(*, actor: Actor, system: InformationSystem, api_client: ApiClient) -> None:
    with audited_write(actor, GovernanceAction.SYSTEM_UNLINK_CLIENT, system) as write:
        locked = _manager_step(write, system, "只有本部门的信息化管理员或负责人可以取消关联。")
        deleted, _ = SystemApiClient.objects.filter(system=locked, api_client=api_client).delete()
        if not deleted:
            raise ApplicationError(_E, "该接口调用系统未关联到本系统。", {"api_client": "未关联"})
        write.note(api_client=api_client.pk, api_client_name=api_client.name)


OWNER_MOVES = ("start", "stop", "resume")


def system_change_state(
    *, actor: Actor, system: InformationSystem, move: str, note: str = "", into: InformationSystem | None = None
) -> InformationSystem:
    """投入运行 / 停用 / 恢复运行 by the department; 整合 (into another system) / 清理 by the e-gov office."""
    with audited_write(actor, GovernanceAction.SYSTEM_CHANGE_STATE, system) as write:
        locked = write.lock(system)
        if move in OWNER_MOVES:
            write.require(
                can_manage_system(actor, locked.department_id), "只有本部门的信息化管理员或负责人可以变更状态。"
            )
        elif move in ("consolidate", "clear"):
            write.require(is_egov_office(actor) or actor.is_platform, "只有电子政务主管可以决定整合或清理系统。")
        else:
            raise ApplicationError(_E, "不支持的状态变更。", {"move": "不支持"})
        retire(write, locked, move, note=note, into=into)
    return locked


def retire(
    write: Write, locked: InformationSystem, move: str, *, note: str = "", into: InformationSystem | None = None
) -> None:
    """Move a locked system (shared with the zombie review's decision); 整合 names the absorbing system."""
    before = locked.state
    SYSTEM.move(locked, move)
    if move == "consolidate":
        if into is None or into.pk == locked.pk or into.is_retired:
            raise ApplicationError(_E, "请选择整合进的、仍在使用的另一个系统。", {"into": "必填"})
        locked.consolidated_into = into
    locked.state_note = (note or "").strip()[:2000]
    locked.save()
    write.note(move=move, before=before, after=locked.state, into=into.pk if into else None, note=locked.state_note)
