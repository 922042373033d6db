"""政务信息化项目: the stages and their timers, and the sharing gate's every reason (docs/rules.md §12)."""

from __future__ import annotations

from datetime import date

import pytest

from zhengwu.accounts.models import Department, User
from zhengwu.audit.tests.helpers import refused_write
from zhengwu.catalog.models import Resource
from zhengwu.core.actors import Actor
from zhengwu.governance.models import InformationSystem, Project, ZombieCase
from zhengwu.governance.services import projects
from zhengwu.governance.services.projects import DataLine, SystemLine, om_flags, sharing_gate
from zhengwu.governance.services.systems import system_change_state, system_link_client
from zhengwu.governance.tests.conftest import make_client, register
from zhengwu.governance.tests.project_helpers import declare, make_resource, to_reviewed
from zhengwu.supervision.models import Timer

pytestmark = pytest.mark.django_db


@pytest.fixture
def connected_system(systems_officer: User, market_dept: Department) -> InformationSystem:
    system = register(systems_officer, name="市场监管一体化平台")
    system_link_client(actor=Actor.person(systems_officer), system=system, api_client=make_client(market_dept))
    return system


def _timer(project: Project, kind: str) -> Timer:
    return Timer.objects.get(target_type="governance.project", target_id=str(project.pk), kind=kind)


def test_the_whole_way_with_timers(
    systems_officer: User, egov: User, market_dept: Department, connected_system: InformationSystem
) -> None:
    resource = make_resource(market_dept, "市场主体登记信息")
    project = declare(
        systems_officer,
        data=[DataLine("市场主体登记信息", resource_code=resource.code or "")],
        systems=[SystemLine("市场监管一体化平台", system_id=connected_system.pk)],
    )
    assert project.state == Project.State.DRAFT and project.number.startswith("XM")
    office, dept = Actor.person(egov), Actor.person(systems_officer)
    to_reviewed(project, systems_officer, egov)
    assert _timer(project, "governance.review").state == Timer.State.FINISHED
    assert _timer(project, "governance.approval").state == Timer.State.RUNNING
    projects.project_approve(actor=office, project=project, approval_number="吉政数审〔2025〕8号")
    assert _timer(project, "governance.approval").state == Timer.State.FINISHED
    projects.project_establish(actor=office, project=project)
    projects.project_start_building(actor=dept, project=project)
    projects.project_milestone_add(actor=dept, project=project, name="完成需求分析", due_on=date(2025, 6, 30))
    projects.project_report_add(
        actor=dept,
        project=project,
        title="第一期监理报告",
        content="进度正常。",
        author="吉林监理公司",
        reported_on=date(2025, 7, 1),
    )
    doc = projects.project_attach(actor=dept, project=project, name="监理报告.pdf", content=b"%PDF-1.4 test")
    assert doc.stage == Project.State.BUILDING
    projects.project_request_acceptance(actor=dept, project=project)
    assert _timer(project, "governance.acceptance").state == Timer.State.RUNNING
    projects.project_accept(actor=office, project=project, opinion="同意通过验收。")
    assert _timer(project, "governance.evaluation").state == Timer.State.RUNNING
    projects.project_evaluate(actor=office, project=project, score="88.5", opinion="绩效良好。")
    project.refresh_from_db()
    assert project.state == Project.State.EVALUATED and str(project.performance_score) == "88.50"


def test_gate_lists_every_reason_naming_each(
    systems_officer: User, egov: User, market_dept: Department, market_system: InformationSystem
) -> None:
    draft = make_resource(market_dept, "企业年报信息", state=Resource.State.SUBMITTED)
    retired = register(systems_officer, name="旧执法系统")
    system_change_state(actor=Actor.person(egov), system=retired, move="clear", note="已停止使用")
    project = declare(
        systems_officer,
        data=[DataLine("行政处罚信息"), DataLine("企业年报信息", resource_code=draft.code or "")],
        systems=[
            SystemLine("移动执法系统"),
            SystemLine("市场主体登记系统", system_id=market_system.pk),  # registered, not connected
            SystemLine("旧执法系统", system_id=retired.pk),
        ],
    )
    to_reviewed(project, systems_officer, egov)
    error, _ = refused_write(
        lambda: projects.project_approve(
            actor=Actor.person(egov), project=project, approval_number="吉政数审〔2025〕9号"
        ),
        apps=["governance"],
        rows=[project],
        code="governance.sharing_gate",
    )
    reasons = list(error.fields.values())
    assert reasons == [
        "数据资源“行政处罚信息”尚未编入政务信息资源目录。",
        "数据资源“企业年报信息”对应的目录资源“企业年报信息”尚未发布（当前为“待审核”）。",
        "信息系统“移动执法系统”尚未登记到信息系统清单。",
        "信息系统“市场主体登记系统”尚未接入共享交换平台（没有关联的接口调用系统）。",
        "信息系统“旧执法系统”在清单中为“已清理”，不能再作为项目系统。",
    ]
    assert all(r.rstrip("。") in error.message for r in reasons)

    # fixed one by one, the gate opens
    dept = Actor.person(systems_officer)
    data = list(project.data.order_by("id"))
    penalty = make_resource(market_dept, "行政处罚信息")
    projects.project_link(actor=dept, project=project, data_id=data[0].pk, resource_code=penalty.code or "")
    Resource.objects.filter(pk=draft.pk).update(state=Resource.State.PUBLISHED)
    mobile = register(systems_officer, name="移动执法系统", should_connect=False, no_connect_reason="内网单机")
    links = list(project.systems.order_by("id"))
    projects.project_link(actor=dept, project=project, system_link_id=links[0].pk, system_id=mobile.pk)
    system_link_client(actor=dept, system=market_system, api_client=make_client(market_dept, "登记系统接口"))
    projects.project_link(actor=dept, project=project, system_link_id=links[2].pk, system_id=market_system.pk)
    assert sharing_gate(project) == []
    projects.project_approve(actor=Actor.person(egov), project=project, approval_number="吉政数审〔2025〕9号")


def test_gate_at_acceptance_and_om_flags(
    systems_officer: User, egov: User, market_dept: Department, connected_system: InformationSystem
) -> None:
    resource = make_resource(market_dept, "市场主体登记信息")
    project = declare(
        systems_officer,
        data=[DataLine("市场主体登记信息", resource_code=resource.code or "")],
        systems=[SystemLine("市场监管一体化平台", system_id=connected_system.pk)],
    )
    office, dept = Actor.person(egov), Actor.person(systems_officer)
    to_reviewed(project, systems_officer, egov)
    projects.project_approve(actor=office, project=project, approval_number="吉政数审〔2025〕10号")
    projects.project_establish(actor=office, project=project)
    projects.project_start_building(actor=dept, project=project)
    projects.project_request_acceptance(actor=dept, project=project)
    connected_system.client_links.all().delete()  # the system lost its connection during construction
    error, _ = refused_write(
        lambda: projects.project_accept(actor=office, project=project, opinion="同意"),
        apps=["governance"],
        rows=[project],
        code="governance.sharing_gate",
    )
    assert "市场监管一体化平台" in error.message and "验收" in error.message
    assert om_flags(project) == ["信息系统“市场监管一体化平台”未接入共享交换平台，暂缓拨付运维经费。"]
    ZombieCase.objects.create(
        system=connected_system, state=ZombieCase.State.SELF_CHECK, confirmed_at=project.created_at
    )
    assert "已确认为僵尸系统候选" in om_flags(project)[0]


def test_filing_path(
    systems_officer: User, egov: User, market_dept: Department, connected_system: InformationSystem
) -> None:
    resource = make_resource(market_dept, "市场主体登记信息")
    lines = {
        "data": [DataLine("市场主体登记信息", resource_code=resource.code or "")],
        "systems": [SystemLine("市场监管一体化平台", system_id=connected_system.pk)],
    }
    big = declare(systems_officer, path="filing", funding_source="self", budget="80", **lines)
    error, _ = refused_write(
        lambda: projects.project_submit(actor=Actor.person(systems_officer), project=big),
        apps=["governance"],
        rows=[big],
        code="governance.invalid_input",
    )
    assert "50 万元" in error.message
    small = declare(systems_officer, path="filing", funding_source="self", budget="30", **lines)
    small = projects.project_submit(actor=Actor.person(systems_officer), project=small)
    assert small.state == Project.State.FILING and _timer(small, "governance.filing").state == Timer.State.RUNNING
    projects.project_confirm_filing(actor=Actor.person(egov), project=small)
    small.refresh_from_db()
    assert small.state == Project.State.ESTABLISHED


def test_refusals(
    systems_officer: User, egov: User, police_clerk: User, market_clerk: User, market_dept: Department
) -> None:
    project = declare(systems_officer)
    # another department's staff may not submit; the department may not approve its own
    refused_write(
        lambda: projects.project_submit(actor=Actor.person(police_clerk), project=project),
        apps=["governance"],
        rows=[project],
        code="core.permission_denied",
    )
    to_reviewed(project, systems_officer, egov)
    refused_write(
        lambda: projects.project_approve(actor=Actor.person(market_clerk), project=project, approval_number="x"),
        apps=["governance"],
        rows=[project],
        code="core.permission_denied",
    )
    refused_write(
        lambda: projects.project_establish(actor=Actor.person(egov), project=project),
        apps=["governance"],
        rows=[project],
        code="governance.wrong_state",
    )
    error, _ = refused_write(
        lambda: projects.project_declare(
            actor=Actor.person(systems_officer),
            data=__import__("zhengwu.governance.tests.project_helpers", fromlist=["project_input"]).project_input(
                budget="-1"
            ),
        ),
        apps=["governance"],
        code="governance.invalid_input",
    )
    assert "budget" in error.fields
