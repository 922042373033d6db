"""The projects-and-evaluations demo: one project refused at the gate with its reasons, one
accepted, and a published evaluation computed by a run; loading twice adds nothing."""

from __future__ import annotations

import pytest

from zhengwu.accounts.models import Department, Region, Role
from zhengwu.audit.models import AuditEvent
from zhengwu.catalog.models import Resource
from zhengwu.conftest import make_staff
from zhengwu.governance.demo_projects import ACCEPTED_NAME, REFUSED_NAME, load_demo
from zhengwu.governance.models import EvaluationRun, Project
from zhengwu.governance.services.projects import sharing_gate
from zhengwu.governance.tests.project_helpers import make_resource


@pytest.mark.django_db
def test_demo_is_idempotent(jilin: Region) -> None:
    departments = {}
    for serial, (prefix, name) in enumerate(
        {"scjgt": "吉林省市场监督管理厅", "gat": "吉林省公安厅", "zsj": "吉林省政务服务和数字化建设管理局"}.items(),
        start=1,
    ):
        departments[prefix] = Department.objects.create(
            name=name, credit_code=f"1122000001354{serial:04d}X"[:18], region=jilin, level="province"
        )
        make_staff(f"{prefix}.leader", departments[prefix], Role.DEPT_LEADER, Role.CLERK, name=f"{prefix}领导")
    make_staff("zsj.egov", departments["zsj"], Role.EGOV_OFFICE)
    make_staff("sysadmin", departments["zsj"], Role.SYS_ADMIN)
    make_resource(departments["gat"], "居民户籍信息", state=Resource.State.PUBLISHED)

    summary = load_demo(say=print)
    assert "信息化项目与考核评估" in summary
    refused = Project.objects.get(name=REFUSED_NAME)
    assert refused.state == Project.State.REVIEWED
    assert [r[:12] for r in sharing_gate(refused)] == [
        "数据资源“行政执法检查记",
        "数据资源“执法人员信息”",
        "信息系统“移动执法终端系",
    ]
    assert AuditEvent.objects.filter(action="governance.project.approve", outcome="failure").count() == 1
    assert Project.objects.get(name=ACCEPTED_NAME).state == Project.State.OPERATING
    run = EvaluationRun.objects.get()
    assert run.state == EvaluationRun.State.PUBLISHED and run.scores.count() == 3 * 18

    load_demo(say=print)
    assert Project.objects.count() == 2 and EvaluationRun.objects.count() == 1
    assert AuditEvent.objects.filter(action="governance.project.approve", outcome="failure").count() == 1
