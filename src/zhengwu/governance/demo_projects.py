"""Demo data of e-gov projects and evaluations, loaded by `zhengwu demo` after the other apps:

- 市场监管厅's 移动执法 project, technically reviewed and then refused at the sharing gate (its data
  is not catalogued, its system not registered): it waits in 待批准 with the reasons on its page;
- 公安厅's 户籍业务 project, whose resource is published and whose system is registered and
  connected: approved, established, built (a milestone, a 监理 report), accepted, in O&M;
- last year's indicator set (every platform measure, 100 points) and the evaluation of the previous
  calendar year, computed BY A RUN over that year's evidence (`demo_history` writes it: the demo's
  other records are recent), published.
All through the services. Idempotent: a project whose name exists, a published run, are kept.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import date, timedelta

from zhengwu.accounts.demo import demo_actor, demo_department, demo_exchange_client
from zhengwu.accounts.models import Department
from zhengwu.audit.models import AuditEvent
from zhengwu.catalog.models import Resource
from zhengwu.core import workdays
from zhengwu.core.actors import Actor
from zhengwu.core.errors import ApplicationError
from zhengwu.governance.audit_actions import GovernanceAction
from zhengwu.governance.demo_history import load_history
from zhengwu.governance.models import EvaluationRun, IndicatorSet, InformationSystem, Project
from zhengwu.governance.services import evaluations, projects
from zhengwu.governance.services.projects import DataLine, ProjectInput, SystemLine
from zhengwu.governance.services.systems import SystemData, system_link_client, system_register

REFUSED_NAME = "市场监管移动执法系统建设项目"
ACCEPTED_NAME = "户籍业务系统升级改造项目"


def _refused_before(project: Project) -> bool:
    return AuditEvent.objects.filter(
        action=GovernanceAction.PROJECT_APPROVE,
        target_type="governance.project",
        target_id=str(project.pk),
        outcome=AuditEvent.Outcome.FAILURE,
    ).exists()


def _reviewed(leader: Actor, office: Actor, data: ProjectInput, *, opinions: tuple[str, str, str]) -> Project:
    """Declare a project as its department's leader, submit it, and pass it through the office's
    review with the technical, NDRC and finance opinions: where both demo projects start."""
    project = projects.project_declare(actor=leader, data=data)
    projects.project_submit(actor=leader, project=project)
    tech, ndrc, finance = opinions
    projects.project_review(
        actor=office, project=project, passed=True, tech_opinion=tech, ndrc_opinion=ndrc, finance_opinion=finance
    )
    return project


def _refused_project(leader: Actor, office: Actor) -> str:
    project = Project.objects.filter(name=REFUSED_NAME).first()
    if project is None:
        project = _reviewed(
            leader,
            office,
            ProjectInput(
                name=REFUSED_NAME,
                plan="为全省市场监管执法人员配备移动执法终端，建设移动执法系统，实现现场检查、取证、文书制作一体化。",
                budget="420",
                om_cost_yearly="35",
                funding_source="fiscal",
                mlps_level=2,
                data=[DataLine("行政执法检查记录"), DataLine("执法人员信息")],
                systems=[SystemLine("移动执法终端系统")],
            ),
            opinions=("技术方案基本可行。", "原则同意，纳入年度投资计划。", "资金来源已落实。"),
        )
    project.refresh_from_db()
    if project.state == Project.State.REVIEWED and not _refused_before(project):
        # refused at the sharing gate: the refusal is in the audit log, the reasons on the project's page
        with contextlib.suppress(ApplicationError):
            projects.project_approve(actor=office, project=project, approval_number="吉政数审〔演示〕1号")
    return f"{project.number} {project.name}：{project.get_state_display()}（共建共享审查未通过）"


def _connected_system(department: Department, leader: Actor) -> InformationSystem:
    system = InformationSystem.objects.filter(department=department, name="人口户籍业务系统").first()
    if system is None:
        system = system_register(
            actor=leader,
            department=department,
            data=SystemData(
                name="人口户籍业务系统",
                short_name="户籍系统",
                functions="户口登记、迁移、身份证件受理",
                users_scope="全省公安户政窗口",
                contact_name="户政处",
                contact_phone="0431-82098114",
                network_zone="intranet",
                funding_source="fiscal",
                om_cost_yearly="80",
                mlps_level=3,
                mlps_filing_number="22010043001-00002",
            ),
        )
    if not system.client_links.exists():
        client, _token = demo_exchange_client("户籍业务系统接口", department)
        system_link_client(actor=leader, system=system, api_client=client)
    return system


def _accepted_project(leader: Actor, office: Actor, department: Department) -> str:
    project = Project.objects.filter(name=ACCEPTED_NAME).first()
    if project is None:
        resource = Resource.objects.filter(provider=department, state=Resource.State.PUBLISHED).order_by("id").first()
        if resource is None:
            return ""
        system = _connected_system(department, leader)
        project = _reviewed(
            leader,
            office,
            ProjectInput(
                name=ACCEPTED_NAME,
                plan="升级人口户籍业务系统，户籍信息通过共享交换平台向各部门按需共享。",
                budget="260",
                om_cost_yearly="40",
                funding_source="fiscal",
                mlps_level=3,
                data=[DataLine(resource.name, resource_code=resource.code or "")],
                systems=[SystemLine(system.name, system_id=system.pk)],
            ),
            opinions=("符合共建共享要求，技术方案可行。", "同意。", "同意，资金纳入预算。"),
        )
        projects.project_approve(actor=office, project=project, approval_number="吉政数审〔演示〕2号")
        projects.project_establish(actor=office, project=project)
        projects.project_start_building(actor=leader, project=project)
        today = workdays.today()
        projects.project_milestone_add(
            actor=leader, project=project, name="完成系统部署", due_on=today - timedelta(days=10), done_on=today
        )
        projects.project_report_add(
            actor=leader,
            project=project,
            title="监理月报（第1期）",
            content="系统部署完成，接口已接入共享交换平台，进度正常。",
            author="吉林省信息工程监理有限公司",
            reported_on=today,
        )
        projects.project_request_acceptance(actor=leader, project=project)
        projects.project_accept(actor=office, project=project, opinion="建设内容全部完成，同意通过验收。")
        project.refresh_from_db()
    return f"{project.number} {project.name}：{project.get_state_display()}"


def _evaluation() -> str:
    last_year = workdays.today().year - 1
    platform = Actor.platform()
    indicator_set = IndicatorSet.objects.filter(year=last_year).first() or evaluations.indicator_set_create(
        actor=platform, year=last_year, name=f"{last_year}年度政府部门信息化考核"
    )
    run = EvaluationRun.objects.filter(indicator_set=indicator_set, state=EvaluationRun.State.PUBLISHED).first()
    history = ""
    if run is None:
        history = load_history(last_year)  # the year's evidence, before the run reads it
        run = evaluations.run_start(
            actor=platform,
            indicator_set=indicator_set,
            period_start=date(last_year, 1, 1),
            period_end=date(last_year, 12, 31),
            title=f"{last_year}年度政府部门信息化考核",
        )
        run = evaluations.run_compute(actor=platform, run=run)
        run = evaluations.run_publish(actor=platform, run=run)
    departments = run.scores.values("department").distinct().count()
    return f"{run.title}：{run.get_state_display()}，{departments} 个部门" + (f"（{history}）" if history else "")


def load_demo(*, say: Callable[[str], object]) -> str:
    office = demo_actor("zsj.egov")
    market_leader, police_leader = demo_actor("scjgt.leader"), demo_actor("gat.leader")
    police = demo_department("gat", "leader")
    lines: list[str] = []
    if office is not None and market_leader is not None:
        lines.append(_refused_project(market_leader, office))
    if office is not None and police_leader is not None and police is not None:
        accepted = _accepted_project(police_leader, office, police)
        if accepted:
            lines.append(accepted)
    lines.append(_evaluation())
    return "信息化项目与考核评估：" + "；".join(lines) + f"（{date.today():%Y-%m-%d}）"
