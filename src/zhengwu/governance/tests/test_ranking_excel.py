"""The whole ranking of an evaluation run as one Excel workbook (docs/rules.md §13): every
department's rank, total and each indicator's score with the counts behind it, a title row naming
the run and its period, Chinese headers; public for a published run, the e-gov office's for a draft
one; every download on record. Read back with openpyxl."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import pytest
from openpyxl import load_workbook

from zhengwu.accounts.models import Department, User
from zhengwu.audit.models import AuditEvent
from zhengwu.conftest import staff_client
from zhengwu.core.actors import Actor
from zhengwu.governance.models import EvaluationRun, ScoringRule
from zhengwu.governance.services import evaluations
from zhengwu.governance.tests.evaluation_helpers import YEAR, computed_run, make_set, timer

pytestmark = pytest.mark.django_db

SHARE = "exchange.share_request"


def _rows(content: bytes) -> list[tuple[Any, ...]]:
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet is not None and sheet.title == "考核排名"
    return [tuple(row) for row in sheet.iter_rows(values_only=True)]


@pytest.fixture
def run(egov: User, market_dept: Department, police_dept: Department, office_dept: Department) -> EvaluationRun:
    # 市场监管厅: share requests 3 of 4 on time; 公安厅: 1 of 2, and its one letter late; 政数局: nothing due
    for deadline, finished in ((3, 1), (5, 5), (7, 1), (9, 20)):
        timer(market_dept, SHARE, date(YEAR, deadline, 10), finished=date(YEAR, deadline, finished))
    timer(police_dept, SHARE, date(YEAR, 4, 1), finished=date(YEAR, 3, 30))
    timer(police_dept, SHARE, date(YEAR, 11, 1), finished=date(YEAR, 11, 20))
    timer(police_dept, "participation.handling", date(YEAR, 6, 1), finished=date(YEAR, 6, 3))
    indicator_set = make_set(
        egov,
        ("sharing.requests_on_time", "8", 0.95, ScoringRule.LINEAR),
        ("letters.on_time", "6", 0.9, ScoringRule.THRESHOLD),
    )
    return computed_run(egov, indicator_set, title="2025年度部门信息化考核")


def test_whole_ranking_read_back(run: EvaluationRun, egov: User, client: Any) -> None:
    office = staff_client(egov)
    response = office.get(f"/workbench/governance/evaluations/runs/{run.pk}/ranking.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    rows = _rows(response.content)
    # the title row names the run and its period
    assert rows[0][0] == "2025年度部门信息化考核（考核期 2025-01-01 至 2025-12-31，待审核）"
    assert rows[1] == (
        "排名",
        "部门",
        "总分",
        "经调整的指标数",
        "sharing.requests_on_time得分（满分8.00）",
        "sharing.requests_on_time分子（或计数）",
        "sharing.requests_on_time分母",
        "letters.on_time得分（满分6.00）",
        "letters.on_time分子（或计数）",
        "letters.on_time分母",
    )
    # 政数局 14.00 (nothing due: full marks), 市场监管厅 8 × 0.75 / 0.95 = 6.32 + 6 = 12.32,
    # 公安厅 8 × 0.5 / 0.95 = 4.21 + 0 (0/1 < 0.9) = 4.21; the counts behind each score follow it
    assert rows[2:] == [
        (1, "吉林省政务服务和数字化建设管理局", 14.0, 0, 8.0, 0, 0, 6.0, 0, 0),
        (2, "吉林省市场监督管理厅", 12.32, 0, 6.32, 3, 4, 6.0, 0, 0),
        (3, "吉林省公安厅", 4.21, 0, 4.21, 1, 2, 0.0, 0, 1),
    ]
    event = AuditEvent.objects.filter(action="governance.run.export").latest("seq")
    assert event.actor == egov and event.target_id == str(run.pk) and event.details["departments"] == 3
    # a draft run is the office's: not public
    assert client.get(f"/evaluations/{run.pk}/ranking.xlsx").status_code == 404


def test_published_ranking_is_public_and_shows_adjustments(
    run: EvaluationRun, egov: User, police_dept: Department, client: Any
) -> None:
    score = run.scores.get(department=police_dept, indicator__measure="letters.on_time")
    evaluations.score_adjust(actor=Actor.person(egov), score=score, value="6", reason="来信系统故障，经核实已按时答复")
    evaluations.run_publish(actor=Actor.person(egov), run=run)
    page = client.get(f"/evaluations/{run.pk}/").content.decode()
    assert f'href="/evaluations/{run.pk}/ranking.xlsx"' in page
    before = AuditEvent.objects.filter(action="governance.run.export").count()
    response = client.get(f"/evaluations/{run.pk}/ranking.xlsx")
    assert response.status_code == 200
    rows = _rows(response.content)
    assert rows[0][0].endswith("，已发布）")
    # the adjustment raised 公安厅 to 4.21 + 6 = 10.21, still third; one adjusted indicator
    assert rows[4][:5] == (3, "吉林省公安厅", 10.21, 1, 4.21)
    assert rows[4][7:] == (6.0, 0, 1)  # the score as adjusted, the counts as measured
    assert (
        AuditEvent.objects.filter(action="governance.run.export", actor=None, actor_kind="anonymous").count()
        == before + 1
    )


def test_a_computing_run_is_not_exported(egov: User, market_dept: Department) -> None:
    indicator_set = make_set(egov, ("letters.on_time", "6", 0.9, ScoringRule.LINEAR))
    started = evaluations.run_start(
        actor=Actor.person(egov),
        indicator_set=indicator_set,
        period_start=date(YEAR, 1, 1),
        period_end=date(YEAR, 3, 31),
    )
    response = staff_client(egov).get(f"/workbench/governance/evaluations/runs/{started.pk}/ranking.xlsx")
    assert response.status_code == 302
    assert not AuditEvent.objects.filter(action="governance.run.export").exists()
