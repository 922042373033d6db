"""Pages and API of projects and evaluations, through the test client: the office's evaluation run
from start to publication (inline), the public ranking, the department report files, year-on-year;
a project's page with the gate's reasons, refused approval shown, fixed and approved."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest

from zhengwu.accounts.models import Department, User
from zhengwu.catalog.models import Resource
from zhengwu.conftest import staff_client
from zhengwu.governance.models import EvaluationRun, Project
from zhengwu.governance.tests.evaluation_helpers import YEAR, timer
from zhengwu.governance.tests.project_helpers import declare, make_resource, to_reviewed

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _inline(settings: Any) -> None:
    settings.ZHENGWU_EVALUATION_INLINE = True


def test_evaluation_run_reviewed_published_and_public(
    egov: User, market_dept: Department, police_dept: Department, client: Any
) -> None:
    timer(market_dept, "exchange.share_request", date(YEAR, 9, 10), finished=date(YEAR, 9, 20))
    office = staff_client(egov)
    assert office.get("/workbench/governance/evaluations/").status_code == 200
    response = office.post(
        "/workbench/governance/evaluations/sets/new/", {"year": str(YEAR), "name": "2025年度考核", "defaults": "on"}
    )
    assert response.status_code == 302
    set_page = office.get(response["Location"])
    assert "共享申请按时答复率" in set_page.content.decode()
    the_set = set_page.context["set"]
    response = office.post(
        "/workbench/governance/evaluations/runs/new/",
        {"indicator_set": the_set.pk, "period_start": f"{YEAR}-01-01", "period_end": f"{YEAR}-12-31"},
    )
    run = EvaluationRun.objects.get()
    assert response["Location"] == f"/workbench/governance/evaluations/runs/{run.pk}/"
    assert run.state == EvaluationRun.State.REVIEWING
    page = office.get(response["Location"]).content.decode()
    assert "审核通过并发布" in page
    # the late share request is the evidence behind 市场监管厅's score
    score = run.scores.get(department=market_dept, indicator__measure="sharing.requests_on_time")
    evidence = office.get(f"/workbench/governance/evaluations/scores/{score.pk}/").content.decode()
    assert "逾期办结" in evidence and f"{YEAR}-09-10" in evidence
    office.post(
        f"/workbench/governance/evaluations/scores/{score.pk}/", {"score": "6", "reason": "系统故障期间，经核实按时"}
    )
    score.refresh_from_db()
    assert str(score.score) == "6.00" and score.adjust_reason
    # not public before publication
    assert client.get(f"/evaluations/{run.pk}/").status_code == 404
    assert "尚未发布" in client.get("/evaluations/").content.decode()
    office.post(f"/workbench/governance/evaluations/runs/{run.pk}/publish/")
    public = client.get("/evaluations/").content.decode()
    assert run.title in public and market_dept.name in public and 'data-chart="evaluation"' in public
    assert "<script>" not in public  # data as JSON, drawn by charts.js (strict CSP)
    report = client.get(f"/evaluations/{run.pk}/departments/{market_dept.pk}/").content.decode()
    assert "系统故障期间" in report
    pdf = client.get(f"/evaluations/{run.pk}/departments/{market_dept.pk}/report.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    xlsx = client.get(f"/evaluations/{run.pk}/departments/{market_dept.pk}/report.xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    compare = client.get("/evaluations/compare/").content.decode()
    assert f"{YEAR} 年" in compare
    api = client.get(f"/api/v1/governance/evaluations/{run.pk}/departments/{market_dept.pk}")
    assert api.status_code == 200
    body = json.loads(api.content)
    assert any(s["measure"] == "sharing.requests_on_time" and s["score"] == "6.00" for s in body["scores"])
    assert client.get("/api/v1/governance/evaluations").json()[0]["id"] == run.pk


def test_project_page_gate_refusal_fix_approve(systems_officer: User, egov: User, market_dept: Department) -> None:
    project = declare(systems_officer)
    to_reviewed(project, systems_officer, egov)
    office, dept = staff_client(egov), staff_client(systems_officer)
    page = office.get(f"/workbench/governance/projects/{project.pk}/").content.decode()
    assert "数据资源“市场主体登记信息”尚未编入政务信息资源目录。" in page
    assert "信息系统“市场监管一体化平台”尚未登记到信息系统清单。" in page
    response = office.post(
        f"/workbench/governance/projects/{project.pk}/approve/", {"approval_number": "吉政数审〔2025〕1号"}, follow=True
    )
    assert "不予批准" in response.content.decode()
    project.refresh_from_db()
    assert project.state == Project.State.REVIEWED
    # the department links its data and system, the office approves
    resource = make_resource(market_dept, "市场主体登记信息", state=Resource.State.PUBLISHED)
    data_line, system_line = project.data.get(), project.systems.get()
    dept.post(
        f"/workbench/governance/projects/{project.pk}/link_data/",
        {"item": data_line.pk, "resource_code": resource.code},
    )
    from zhengwu.core.actors import Actor
    from zhengwu.governance.services.systems import system_link_client
    from zhengwu.governance.tests.conftest import make_client, register

    system = register(systems_officer, name="市场监管一体化平台")
    system_link_client(actor=Actor.person(systems_officer), system=system, api_client=make_client(market_dept))
    dept.post(
        f"/workbench/governance/projects/{project.pk}/link_system/", {"item": system_line.pk, "system_id": system.pk}
    )
    assert "符合共建共享要求" in office.get(f"/workbench/governance/projects/{project.pk}/").content.decode()
    office.post(f"/workbench/governance/projects/{project.pk}/approve/", {"approval_number": "吉政数审〔2025〕1号"})
    project.refresh_from_db()
    assert project.state == Project.State.APPROVED
    api = dept.get(f"/api/v1/governance/projects/{project.pk}").json()
    assert api["state"] == "approved" and api["gate_reasons"] == []
