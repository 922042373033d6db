"""The projects-and-evaluations demo: one project refused at the gate with its reasons, one
accepted, and a published evaluation of the previous calendar year computed by a run over that
year's evidence; loading twice adds nothing."""

from __future__ import annotations

from datetime import date

import pytest

from zhengwu.accounts.models import Department, Region, Role
from zhengwu.audit.models import AuditEvent
from zhengwu.catalog.models import Resource
from zhengwu.conftest import make_staff
from zhengwu.core import workdays
from zhengwu.governance.demo_history import HISTORY_TARGET
from zhengwu.governance.demo_projects import ACCEPTED_NAME, REFUSED_NAME, load_demo
from zhengwu.governance.models import EvaluationRun, Project
from zhengwu.governance.services.measures import TIMER_KINDS
from zhengwu.governance.services.projects import sharing_gate
from zhengwu.governance.tests.project_helpers import make_resource
from zhengwu.supervision.models import Timer


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
    # the previous calendar year, from that year's evidence (demo_history): 公安厅 has a system in
    # the inventory, so back-dated clocks of every on-time kind
    last_year = workdays.today().year - 1
    assert (run.period_start, run.period_end) == (date(last_year, 1, 1), date(last_year, 12, 31))
    assert run.title == f"{last_year}年度政府部门信息化考核"
    police = {
        s.indicator.measure: s for s in run.scores.filter(department=departments["gat"]).select_related("indicator")
    }
    # department 0 of the history, kind k: 3 + 2k mod 6 clocks, 1 + 2k mod 3 of them late (none for k = 0, 4)
    expected = [(3, 3), (2, 5), (5, 7), (2, 3), (5, 5), (5, 7), (2, 3)]  # (on time, due) per kind
    assert [(police[m].numerator, police[m].denominator) for m in TIMER_KINDS] == expected
    # its one system was registered today (not in last year's inventory): no call of last year is
    # written for it, or the zombie rules would find it idle since then
    assert police["sharing.calls_used"].numerator == police["sharing.calls_served"].numerator == 0
    timers = Timer.objects.filter(target_type=HISTORY_TARGET)
    assert timers.count() == sum(3 + (2 * k) % 6 for k in range(7))
    assert not timers.exclude(deadline__year=last_year).exists()
    assert not timers.exclude(state=Timer.State.FINISHED).exists()  # never red on the live dashboards

    load_demo(say=print)
    assert Project.objects.count() == 2 and EvaluationRun.objects.count() == 1
    assert Timer.objects.filter(target_type=HISTORY_TARGET).count() == timers.count()
    assert AuditEvent.objects.filter(action="governance.project.approve", outcome="failure").count() == 1
