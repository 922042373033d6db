"""The governance steps that wait for a person are on that person's workbench to-do list
(`governance.todo`, merged by `workbench.todo.todo_list`), and leave it when done: the department's
自查 of a confirmed zombie system, the office's confirmation and 审核, the project steps, the
evaluation runs waiting for review (docs/rules.md §11–13)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse

from zhengwu.accounts.models import Department, User
from zhengwu.conftest import staff_client
from zhengwu.core.actors import Actor
from zhengwu.core.contracts import TodoItem
from zhengwu.governance.models import InformationSystem, Project, ScoringRule
from zhengwu.governance.services import (
    evaluations,
    projects,
    zombie_confirm,
    zombie_decide,
    zombie_scan,
    zombie_self_check,
)
from zhengwu.governance.tests.conftest import register
from zhengwu.governance.tests.evaluation_helpers import make_set
from zhengwu.governance.tests.project_helpers import declare, make_resource, to_reviewed
from zhengwu.workbench.todo import todo_list

pytestmark = pytest.mark.django_db


def _mine(user: User, label: str) -> list[TodoItem]:
    return [item for item in todo_list(user) if item.kind_label == label]


@pytest.fixture
def candidate_system(systems_officer: User) -> InformationSystem:
    """A running system registered long ago with no O&M money: the monthly scan flags it."""
    system = register(systems_officer, om_cost_yearly="0")
    InformationSystem.objects.filter(pk=system.pk).update(created_at=system.created_at - timedelta(days=400))
    return system


def test_self_check_is_on_the_departments_list_until_answered(
    candidate_system: InformationSystem,
    systems_officer: User,
    market_leader: User,
    market_clerk: User,
    egov: User,
    police_systems: User,
) -> None:
    case = zombie_scan(actor=Actor.platform())[0]
    # a candidate waits for the office, not yet for the department
    [confirm] = _mine(egov, "僵尸系统确认")
    assert candidate_system.name in confirm.title
    assert confirm.url == reverse("governance_wb:zombie_detail", args=[case.pk])
    assert _mine(systems_officer, "僵尸系统自查") == []

    zombie_confirm(actor=Actor.person(egov), case=case, note="请自查")
    assert _mine(egov, "僵尸系统确认") == []
    [item] = _mine(systems_officer, "僵尸系统自查")
    assert item.title == f"自查 {candidate_system.name}"
    assert item.url == reverse("governance_wb:zombie_detail", args=[case.pk]) + "#self-check"
    assert item.deadline is not None and item.deadline > date.today()  # the self-check clock
    assert item.light == "green"
    # the department's leader has it too; its clerk (no inventory role) and another department's
    # 信息化管理员 do not
    assert len(_mine(market_leader, "僵尸系统自查")) == 1
    assert _mine(market_clerk, "僵尸系统自查") == []
    assert _mine(police_systems, "僵尸系统自查") == []
    # the link leads to the form
    page = staff_client(systems_officer).get(item.url)
    assert page.status_code == 200 and 'id="self-check"' in page.content.decode()

    zombie_self_check(actor=Actor.person(systems_officer), case=case, answer="该系统已由新平台替代，建议整合。")
    assert _mine(systems_officer, "僵尸系统自查") == []
    [review] = _mine(egov, "僵尸系统审核")
    assert candidate_system.name in review.title
    into = register(systems_officer, name="一体化监管平台")
    zombie_decide(actor=Actor.person(egov), case=case, decision="consolidate", opinion="整合", into=into)
    assert _mine(egov, "僵尸系统审核") == []


def test_project_steps_on_the_office_and_the_department_lists(
    systems_officer: User, market_clerk: User, market_dept: Department, egov: User, police_clerk: User
) -> None:
    office, officer = Actor.person(egov), Actor.person(systems_officer)
    project = declare(systems_officer)
    assert _mine(egov, "项目技术审核") == []  # a draft waits for nobody
    projects.project_submit(actor=officer, project=project)
    [review] = _mine(egov, "项目技术审核")
    assert review.url == reverse("governance_wb:project", args=[project.pk])
    assert review.deadline is not None and review.light == "green"  # its 20-working-day clock

    projects.project_send_back(actor=office, project=project, reason="请补充数据资源清单")
    assert _mine(egov, "项目技术审核") == []
    [back] = _mine(market_clerk, "项目退回修改")
    assert "请补充数据资源清单" in back.title
    assert _mine(police_clerk, "项目退回修改") == []

    project = to_reviewed(project, systems_officer, egov)
    assert _mine(market_clerk, "项目退回修改") == []
    [approve] = _mine(egov, "项目批准")
    assert approve.deadline is not None
    # held at the sharing gate: its data is not catalogued, its system not registered
    [fix] = _mine(systems_officer, "共建共享整改")
    assert "2 项不符合共建共享要求" in fix.title
    resource = make_resource(market_dept, "市场主体登记信息")
    system = register(systems_officer, name="市场监管一体化平台", should_connect=False, no_connect_reason="内部系统")
    for line in project.data.all():
        projects.project_link(actor=officer, project=project, data_id=line.pk, resource_code=resource.code or "")
    for link in project.systems.all():
        projects.project_link(actor=officer, project=project, system_link_id=link.pk, system_id=system.pk)
    assert _mine(systems_officer, "共建共享整改") == []

    projects.project_approve(actor=office, project=project, approval_number="吉政数审〔2026〕1号")
    assert _mine(egov, "项目批准") == []
    assert len(_mine(egov, "项目立项")) == 1
    projects.project_establish(actor=office, project=project)
    assert _mine(egov, "项目立项") == []
    assert len(_mine(market_clerk, "项目开工建设")) == 1
    projects.project_start_building(actor=officer, project=project)
    assert _mine(market_clerk, "项目开工建设") == []
    projects.project_request_acceptance(actor=officer, project=project)
    assert len(_mine(egov, "项目验收")) == 1
    projects.project_accept(actor=office, project=project, opinion="同意验收")
    assert _mine(egov, "项目验收") == []
    [evaluate] = _mine(egov, "项目绩效评价")
    assert evaluate.deadline is not None
    projects.project_evaluate(actor=office, project=project, score="90", opinion="良好")
    assert _mine(egov, "项目绩效评价") == []
    assert Project.objects.get(pk=project.pk).state == Project.State.EVALUATED


def test_a_run_waiting_for_review_is_on_the_offices_list(
    egov: User, market_clerk: User, market_dept: Department
) -> None:
    indicator_set = make_set(egov, ("letters.on_time", "6", 0.9, ScoringRule.LINEAR))
    run = evaluations.run_start(
        actor=Actor.person(egov),
        indicator_set=indicator_set,
        period_start=date(2025, 1, 1),
        period_end=date(2025, 12, 31),
    )
    assert _mine(egov, "考核结果审核") == []  # still computing
    run = evaluations.run_compute(actor=Actor.platform(), run=run)
    [item] = _mine(egov, "考核结果审核")
    assert item.url == reverse("governance_wb:run", args=[run.pk]) and item.title == run.title
    assert _mine(market_clerk, "考核结果审核") == []
    evaluations.run_publish(actor=Actor.person(egov), run=run)
    assert _mine(egov, "考核结果审核") == []
