"""Writes of 政务信息化项目 and the sharing gate (docs/rules.md §12).

A department's staff (its 信息化管理员, a clerk or its leader) declare a project and carry it
through construction; the e-government office (EGOV_OFFICE) reviews it (with the 发改 and 财政
opinions), approves it, establishes it, accepts it and evaluates it. Every stage with a limit is a
supervision timer (kinds `governance.review`, `.approval`, `.filing`, `.acceptance`,
`.evaluation`; limits in settings). Approval, the confirmation of a filing and acceptance are
refused while the sharing gate finds reasons: `sharing_gate` lists each, naming the resource or the
system. O&M funding is flagged (`om_flags`) while a system is a confirmed zombie or unconnected.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from zhengwu.accounts.models import Department, Role, User
from zhengwu.audit.write import Write, audited_write
from zhengwu.catalog import selectors as catalog_selectors
from zhengwu.core import workdays
from zhengwu.core.actors import Actor
from zhengwu.core.crypto import sm3_hex
from zhengwu.core.errors import ApplicationError, clean, required_text
from zhengwu.governance import storage
from zhengwu.governance.audit_actions import GovernanceAction
from zhengwu.governance.errors import GovernanceError
from zhengwu.governance.models import (
    FundingSource,
    InformationSystem,
    LinkRole,
    Project,
    ProjectData,
    ProjectDocument,
    ProjectMilestone,
    ProjectReport,
    ProjectSystem,
    ZombieCase,
)
from zhengwu.governance.states import PROJECT
from zhengwu.supervision import services as supervision_services

DEPARTMENT_ROLES = (Role.SYSTEMS_OFFICER, Role.CLERK, Role.DEPT_LEADER)
MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
OFFICE_ONLY = "只有电子政务办可以办理这一环节。"
DEPARTMENT_ONLY = "只有申报单位的信息化管理员、工作人员或负责人可以办理。"

REVIEW_TIMER = "governance.review"
APPROVAL_TIMER = "governance.approval"
FILING_TIMER = "governance.filing"
ACCEPTANCE_TIMER = "governance.acceptance"
EVALUATION_TIMER = "governance.evaluation"
TIMER_LABELS = {
    REVIEW_TIMER: "项目技术审核",
    APPROVAL_TIMER: "项目批准",
    FILING_TIMER: "项目备案确认",
    ACCEPTANCE_TIMER: "项目验收",
    EVALUATION_TIMER: "项目绩效评价",
}


def is_office(actor: Actor) -> bool:
    return actor.is_staff and actor.has_role(Role.EGOV_OFFICE)


def is_department_staff(actor: Actor, department_id: int | None) -> bool:
    return actor.works_in(department_id, *DEPARTMENT_ROLES)


def egov_office_department() -> Department | None:
    """The department whose timers carry the office's stages: that of the first active EGOV_OFFICE account."""
    user = (
        User.objects.filter(is_active=True, kind=User.Kind.STAFF, role_assignments__role=Role.EGOV_OFFICE)
        .exclude(department__isnull=True)
        .select_related("department")
        .order_by("id")
        .first()
    )
    return user.department if user is not None else None


# --- the sharing gate --------------------------------------------------------------------------------------


def _connected(system: InformationSystem) -> bool:
    return system.client_links.exists()


def sharing_gate(project: Project) -> list[str]:
    """Every reason the project may not be approved or accepted yet, each naming its resource or system:
    data not in the catalog (not linked to a resource, or the resource not published), systems not in
    the inventory (not linked, or retired), systems that should be connected to the exchange and have
    no API client there."""
    reasons: list[str] = []
    for item in project.data.select_related("resource").order_by("id"):
        resource = item.resource
        if resource is None:
            reasons.append(f"数据资源“{item.name}”尚未编入政务信息资源目录。")
        elif resource.state != resource.State.PUBLISHED:
            reasons.append(
                f"数据资源“{item.name}”对应的目录资源“{resource.name}”尚未发布（当前为“{resource.get_state_display()}”）。"
            )
    for link in project.systems.select_related("system").order_by("id"):
        system = link.system
        if system is None:
            reasons.append(f"信息系统“{link.name}”尚未登记到信息系统清单。")
        elif system.is_retired:
            reasons.append(f"信息系统“{system.name}”在清单中为“{system.get_state_display()}”，不能再作为项目系统。")
        elif system.should_connect and not _connected(system):
            reasons.append(f"信息系统“{system.name}”尚未接入共享交换平台（没有关联的接口调用系统）。")
    return reasons


def om_flags(project: Project) -> list[str]:
    """Why O&M funding should wait: a system of the project is a confirmed zombie, or unconnected."""
    flags: list[str] = []
    for link in project.systems.select_related("system").order_by("id"):
        system = link.system
        if system is None:
            continue
        zombie = any(case.is_confirmed_zombie for case in ZombieCase.objects.filter(system=system))
        if zombie:
            flags.append(f"信息系统“{system.name}”已确认为僵尸系统候选，暂缓拨付运维经费。")
        if system.should_connect and not _connected(system):
            flags.append(f"信息系统“{system.name}”未接入共享交换平台，暂缓拨付运维经费。")
    return flags


def _gate(project: Project, what: str) -> None:
    reasons = sharing_gate(project)
    if reasons:
        listed = "；".join(f"{i}. {r.rstrip('。')}" for i, r in enumerate(reasons, start=1))
        raise ApplicationError(
            GovernanceError.SHARING_GATE,
            f"项目不符合共建共享要求，不予{what}：{listed}。",
            {f"reason_{i}": r for i, r in enumerate(reasons, start=1)},
        )


# --- timers ------------------------------------------------------------------------------------------------


def _start_timer(write: Write, project: Project, kind: str, limit: int) -> None:
    department = egov_office_department() or project.department
    supervision_services.timer_start(
        actor=write.actor,
        kind=kind,
        kind_label=TIMER_LABELS[kind],
        target=project,
        title=f"{TIMER_LABELS[kind]}：{project.name}",
        department=department,
        limit=limit,
        url=reverse("governance_wb:project", args=[project.pk]),
    )


def _finish_timer(write: Write, project: Project, kind: str) -> None:
    supervision_services.live_timer_finish(actor=write.actor, target=project, kind=kind)


# --- declaring ---------------------------------------------------------------------------------------------


@dataclass
class DataLine:
    name: str
    role: str = LinkRole.CREATES
    resource_code: str = ""


@dataclass
class SystemLine:
    name: str
    role: str = LinkRole.CREATES
    system_id: int | None = None


@dataclass
class ProjectInput:
    name: str
    plan: str
    budget: str | Decimal
    om_cost_yearly: str | Decimal
    funding_source: str
    mlps_level: int
    path: str = Project.Path.APPROVAL
    data: list[DataLine] = field(default_factory=list)
    systems: list[SystemLine] = field(default_factory=list)


def _money(value: str | Decimal, *, field_name: str, what: str) -> Decimal:
    try:
        amount = Decimal(str(value).strip() or "0")
    except InvalidOperation:
        raise ApplicationError(
            GovernanceError.INVALID_INPUT, f"{what}应为数字（万元）。", {field_name: "格式不正确"}
        ) from None
    if not amount.is_finite() or amount < 0 or amount >= Decimal("1e10"):
        raise ApplicationError(
            GovernanceError.INVALID_INPUT, f"{what}应为不小于 0 的金额（万元）。", {field_name: "超出范围"}
        )
    return amount.quantize(Decimal("0.01"))


def _resource_for(code: str, department_id: int) -> object | None:
    code = (code or "").strip()
    if not code:
        return None
    found = catalog_selectors.resources_by_codes([code])
    if not found:
        raise ApplicationError(
            GovernanceError.INVALID_INPUT, f"目录中没有资源代码“{code}”。", {"data": "资源代码不存在"}
        )
    return found[0]


def _system_for(system_id: int | None, department_id: int) -> InformationSystem | None:
    if not system_id:
        return None
    system = InformationSystem.objects.filter(pk=system_id).first()
    if system is None:
        raise ApplicationError(GovernanceError.INVALID_INPUT, "信息系统清单中没有所选系统。", {"systems": "不存在"})
    return system


def _apply(project: Project, data: ProjectInput) -> None:
    what = GovernanceError.INVALID_INPUT
    project.name = required_text(data.name, field="name", what="项目名称", code=what, max_length=200)
    project.plan = required_text(data.plan, field="plan", what="建设方案", code=what, max_length=20000)
    project.budget = _money(data.budget, field_name="budget", what="建设预算")
    project.om_cost_yearly = _money(data.om_cost_yearly, field_name="om_cost_yearly", what="年度运维费用")
    if data.funding_source not in FundingSource.values:
        raise ApplicationError(what, "请选择资金渠道。", {"funding_source": "不支持"})
    project.funding_source = data.funding_source
    if data.path not in Project.Path.values:
        raise ApplicationError(what, "请选择审批或备案程序。", {"path": "不支持"})
    project.path = data.path
    if not 1 <= int(data.mlps_level or 0) <= 4:
        raise ApplicationError(what, "等级保护级别应为第一级至第四级。", {"mlps_level": "超出范围"})
    project.mlps_level = int(data.mlps_level)
    if not data.data and not data.systems:
        raise ApplicationError(what, "请至少填写一项项目新建或使用的数据资源或信息系统。", {"data": "必填"})


def _replace_lines(project: Project, data: ProjectInput) -> None:
    project.data.all().delete()
    project.systems.all().delete()
    for line in data.data:
        name = required_text(
            line.name, field="data", what="数据资源名称", code=GovernanceError.INVALID_INPUT, max_length=200
        )
        role = line.role if line.role in LinkRole.values else LinkRole.CREATES
        resource = _resource_for(line.resource_code, project.department_id)
        ProjectData.objects.create(project=project, name=name, role=role, resource=resource)  # type: ignore[misc]
    for sline in data.systems:
        name = required_text(
            sline.name, field="systems", what="系统名称", code=GovernanceError.INVALID_INPUT, max_length=100
        )
        role = sline.role if sline.role in LinkRole.values else LinkRole.CREATES
        ProjectSystem.objects.create(
            project=project, name=name, role=role, system=_system_for(sline.system_id, project.department_id)
        )


def _next_number(year: int) -> str:
    prefix = f"XM{year}-"
    last = Project.objects.filter(number__startswith=prefix).aggregate(m=Max("number"))["m"]
    serial = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{serial:04d}"


def project_declare(*, actor: Actor, data: ProjectInput) -> Project:
    """A draft project of the actor's department."""
    with audited_write(actor, GovernanceAction.PROJECT_DECLARE) as write:
        department = actor.department
        write.require(department is not None and is_department_staff(actor, department.pk), DEPARTMENT_ONLY)
        assert department is not None
        project = Project(department=department, created_by=actor.user)
        _apply(project, data)
        project.number = _next_number(workdays.today().year)
        clean(project)
        project.save()
        _replace_lines(project, data)
        write.set_target(project)
        write.note(number=project.number, budget=str(project.budget))
    return project


def _department_step(write: Write, project: Project) -> Project:
    """The project locked, the actor checked to be staff of its department (decided on the locked row)."""
    locked = write.lock(project)
    write.require(is_department_staff(write.actor, locked.department_id), DEPARTMENT_ONLY)
    return locked


def project_update(*, actor: Actor, project: Project, data: ProjectInput) -> Project:
    with audited_write(actor, GovernanceAction.PROJECT_UPDATE, project) as write:
        locked = _department_step(write, project)
        PROJECT.check(locked, "edit")
        _apply(locked, data)
        clean(locked)
        locked.save()
        _replace_lines(locked, data)
    return locked


def project_link(
    *,
    actor: Actor,
    project: Project,
    data_id: int | None = None,
    resource_code: str = "",
    system_link_id: int | None = None,
    system_id: int | None = None,
) -> Project:
    """Fix a line at the gate: link a data line to a catalog resource, or a system line to the inventory."""
    with audited_write(actor, GovernanceAction.PROJECT_LINK, project) as write:
        locked = _department_step(write, project)
        PROJECT.check(locked, "attach")
        if data_id is not None:
            item = ProjectData.objects.filter(project=locked, pk=data_id).first()
            if item is None:
                raise ApplicationError(GovernanceError.INVALID_INPUT, "没有这一数据资源。", {"data": "不存在"})
            resource = _resource_for(resource_code, locked.department_id)
            if resource is None:
                raise ApplicationError(GovernanceError.INVALID_INPUT, "请填写目录资源代码。", {"resource_code": "必填"})
            item.resource = resource  # type: ignore[assignment]
            item.save()
            write.note(data=item.name, resource=resource_code)
        if system_link_id is not None:
            link = ProjectSystem.objects.filter(project=locked, pk=system_link_id).first()
            if link is None:
                raise ApplicationError(GovernanceError.INVALID_INPUT, "没有这一信息系统。", {"systems": "不存在"})
            link.system = _system_for(system_id, locked.department_id)
            if link.system is None:
                raise ApplicationError(GovernanceError.INVALID_INPUT, "请选择清单中的系统。", {"system_id": "必填"})
            link.save()
            write.note(system=link.name, system_id=system_id)
    return locked


def project_submit(*, actor: Actor, project: Project) -> Project:
    """申报 (审批 path: the office's technical review starts) or 备案 (a self-funded small project)."""
    with audited_write(actor, GovernanceAction.PROJECT_SUBMIT, project) as write:
        locked = _department_step(write, project)
        if locked.path == Project.Path.FILING:
            limit = settings.ZHENGWU_PROJECT_FILING_MAX_BUDGET
            if locked.funding_source != FundingSource.SELF or locked.budget > limit:
                raise ApplicationError(
                    GovernanceError.INVALID_INPUT,
                    f"备案程序只适用于自筹资金且建设预算不超过 {limit} 万元的项目，请改走审批程序。",
                    {"path": "不适用"},
                )
            PROJECT.move(locked, "file")
            _start_timer(write, locked, FILING_TIMER, settings.ZHENGWU_PROJECT_FILING_DAYS)
        else:
            PROJECT.move(locked, "submit")
            _start_timer(write, locked, REVIEW_TIMER, settings.ZHENGWU_PROJECT_REVIEW_DAYS)
        locked.submitted_at = timezone.now()
        locked.save()
        write.note(path=locked.path)
    return locked


def project_review(
    *,
    actor: Actor,
    project: Project,
    passed: bool,
    tech_opinion: str,
    ndrc_opinion: str = "",
    finance_opinion: str = "",
) -> Project:
    """技术审核: passed → 待批准 (the approval's clock starts); not passed → back to the draft."""
    with audited_write(actor, GovernanceAction.PROJECT_REVIEW, project) as write:
        write.require(is_office(actor), OFFICE_ONLY)
        locked = write.lock(project)
        PROJECT.move(locked, "review" if passed else "send_back")
        code = GovernanceError.INVALID_INPUT
        locked.tech_opinion = required_text(
            tech_opinion, field="tech_opinion", what="技术审核意见", code=code, max_length=5000
        )
        if passed:
            locked.ndrc_opinion = required_text(
                ndrc_opinion, field="ndrc_opinion", what="发展改革部门意见", code=code, max_length=5000
            )
            locked.finance_opinion = required_text(
                finance_opinion, field="finance_opinion", what="财政部门意见", code=code, max_length=5000
            )
        _finish_timer(write, locked, REVIEW_TIMER)
        if passed:
            _start_timer(write, locked, APPROVAL_TIMER, settings.ZHENGWU_PROJECT_APPROVAL_DAYS)
        locked.save()
        write.note(passed=passed)
    return locked


def project_send_back(*, actor: Actor, project: Project, reason: str) -> Project:
    with audited_write(actor, GovernanceAction.PROJECT_SEND_BACK, project) as write:
        write.require(is_office(actor), OFFICE_ONLY)
        locked = write.lock(project)
        before = locked.state
        PROJECT.move(locked, "send_back")
        text = required_text(
            reason, field="reason", what="退回理由", code=GovernanceError.INVALID_INPUT, max_length=2000
        )
        kind = {str(Project.State.SUBMITTED): REVIEW_TIMER, str(Project.State.REVIEWED): APPROVAL_TIMER}.get(
            str(before), FILING_TIMER
        )
        _finish_timer(write, locked, kind)
        locked.tech_opinion = text
        locked.save()
        write.note(reason=text)
    return locked


def _gated_move(write: Write, project: Project, move: str, what: str) -> Project:
    """The office's move that passes the sharing gate: locked, in the right state, every reason listed."""
    write.require(is_office(write.actor), OFFICE_ONLY)
    locked = write.lock(project)
    PROJECT.check(locked, move)
    _gate(locked, what)
    PROJECT.move(locked, move)
    return locked


def project_approve(*, actor: Actor, project: Project, approval_number: str) -> Project:
    """批准, refused with every reason of the sharing gate."""
    with audited_write(actor, GovernanceAction.PROJECT_APPROVE, project) as write:
        locked = _gated_move(write, project, "approve", "批准")
        locked.approval_number = required_text(
            approval_number,
            field="approval_number",
            what="批复文号",
            code=GovernanceError.INVALID_INPUT,
            max_length=100,
        )
        locked.approved_at = timezone.now()
        _finish_timer(write, locked, APPROVAL_TIMER)
        locked.save()
    return locked


def project_confirm_filing(*, actor: Actor, project: Project) -> Project:
    """确认备案 (the filing path's approval), refused with every reason of the sharing gate."""
    with audited_write(actor, GovernanceAction.PROJECT_CONFIRM_FILING, project) as write:
        locked = _gated_move(write, project, "confirm_filing", "备案")
        locked.approved_at = locked.established_at = timezone.now()
        _finish_timer(write, locked, FILING_TIMER)
        locked.save()
    return locked


def project_establish(*, actor: Actor, project: Project) -> Project:
    with audited_write(actor, GovernanceAction.PROJECT_ESTABLISH, project) as write:
        write.require(is_office(actor), OFFICE_ONLY)
        locked = write.lock(project)
        PROJECT.move(locked, "establish")
        locked.established_at = timezone.now()
        locked.save()
    return locked


def project_start_building(*, actor: Actor, project: Project) -> Project:
    with audited_write(actor, GovernanceAction.PROJECT_START_BUILDING, project) as write:
        locked = _department_step(write, project)
        PROJECT.move(locked, "start_building")
        locked.save()
    return locked


@contextmanager
def _progress(actor: Actor, project: Project) -> Iterator[tuple[Write, Project]]:
    """The write of a progress record (a milestone, a supervision report): the department's step,
    allowed while the project is being built."""
    with audited_write(actor, GovernanceAction.PROJECT_PROGRESS, project) as write:
        locked = _department_step(write, project)
        PROJECT.check(locked, "progress")
        yield write, locked


def project_milestone_add(
    *, actor: Actor, project: Project, name: str, due_on: date | None, done_on: date | None = None
) -> ProjectMilestone:
    with _progress(actor, project) as (write, locked):
        if due_on is None:
            raise ApplicationError(GovernanceError.INVALID_INPUT, "请填写计划完成日期。", {"due_on": "必填"})
        milestone = ProjectMilestone(
            project=locked,
            name=required_text(name, field="name", what="里程碑", code=GovernanceError.INVALID_INPUT, max_length=200),
            due_on=due_on,
            done_on=done_on,
        )
        clean(milestone)
        milestone.save()
        write.note(milestone=milestone.name)
    return milestone


def project_report_add(
    *, actor: Actor, project: Project, title: str, content: str, author: str, reported_on: date | None
) -> ProjectReport:
    with _progress(actor, project) as (write, locked):
        code = GovernanceError.INVALID_INPUT
        if reported_on is None:
            raise ApplicationError(code, "请填写报告日期。", {"reported_on": "必填"})
        report = ProjectReport(
            project=locked,
            title=required_text(title, field="title", what="报告标题", code=code, max_length=200),
            content=required_text(content, field="content", what="报告内容", code=code, max_length=20000),
            author=required_text(author, field="author", what="监理单位", code=code, max_length=200),
            reported_on=reported_on,
            created_by=actor.user,
        )
        clean(report)
        report.save()
        write.note(report=report.title)
    return report


def project_request_acceptance(*, actor: Actor, project: Project) -> Project:
    with audited_write(actor, GovernanceAction.PROJECT_REQUEST_ACCEPTANCE, project) as write:
        locked = _department_step(write, project)
        PROJECT.move(locked, "request_acceptance")
        _start_timer(write, locked, ACCEPTANCE_TIMER, settings.ZHENGWU_PROJECT_ACCEPTANCE_DAYS)
        locked.save()
    return locked


def project_accept(*, actor: Actor, project: Project, opinion: str) -> Project:
    """验收, refused with every reason of the sharing gate; the performance evaluation's clock starts."""
    with audited_write(actor, GovernanceAction.PROJECT_ACCEPT, project) as write:
        locked = _gated_move(write, project, "accept", "验收")
        locked.acceptance_opinion = required_text(
            opinion, field="opinion", what="验收意见", code=GovernanceError.INVALID_INPUT, max_length=5000
        )
        locked.accepted_at = timezone.now()
        _finish_timer(write, locked, ACCEPTANCE_TIMER)
        _start_timer(write, locked, EVALUATION_TIMER, settings.ZHENGWU_PROJECT_EVALUATION_DAYS)
        locked.save()
        write.note(om_flags=om_flags(locked))
    return locked


def project_evaluate(*, actor: Actor, project: Project, score: str | Decimal, opinion: str) -> Project:
    with audited_write(actor, GovernanceAction.PROJECT_EVALUATE, project) as write:
        write.require(is_office(actor), OFFICE_ONLY)
        locked = write.lock(project)
        PROJECT.move(locked, "evaluate")
        value = _money(score, field_name="score", what="绩效评价得分")
        if value > 100:
            raise ApplicationError(
                GovernanceError.INVALID_INPUT, "绩效评价得分应在 0 到 100 分之间。", {"score": "超出范围"}
            )
        locked.performance_score = value
        locked.performance_opinion = required_text(
            opinion, field="opinion", what="绩效评价意见", code=GovernanceError.INVALID_INPUT, max_length=5000
        )
        locked.evaluated_at = timezone.now()
        _finish_timer(write, locked, EVALUATION_TIMER)
        locked.save()
        write.note(score=str(value), om_flags=om_flags(locked))
    return locked


def project_attach(*, actor: Actor, project: Project, name: str, content: bytes) -> ProjectDocument:
    """A file on the project's current stage (the department, or the office for its own stages)."""
    with audited_write(actor, GovernanceAction.PROJECT_ATTACH, project) as write:
        locked = write.lock(project)
        write.require(is_department_staff(actor, locked.department_id) or is_office(actor), "您不能为该项目上传文件。")
        PROJECT.check(locked, "attach")
        clean_name = required_text(
            name, field="file", what="文件名", code=GovernanceError.INVALID_INPUT, max_length=200
        )
        clean_name = clean_name.replace("/", "_").replace("\\", "_")
        if not content:
            raise ApplicationError(GovernanceError.INVALID_INPUT, "请选择要上传的文件。", {"file": "必填"})
        if len(content) > MAX_DOCUMENT_BYTES:
            raise ApplicationError(GovernanceError.INVALID_INPUT, "文件不能超过 20 MB。", {"file": "过大"})
        digest = sm3_hex(content)
        relative = f"projects/{locked.pk}/{digest[:16]}-{clean_name}"
        document = ProjectDocument(
            project=locked,
            stage=locked.state,
            name=clean_name,
            path=relative,
            size=len(content),
            digest=digest,
            uploaded_by=actor.user,
        )
        clean(document)
        document.save()
        storage.store(relative, content)
        write.note(file=clean_name, sm3=digest, stage=locked.state)
    return document
