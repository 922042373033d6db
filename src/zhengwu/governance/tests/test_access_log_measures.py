"""考核评估: the access-log measures (共享调用服务次数 `sharing.calls_served`, 共享数据使用次数
`sharing.calls_used`) against a hand-computed fixture (docs/rules.md §13), as the timer measures are
in test_evaluations.py.

The period is the calendar year 2025 in Beijing time: [2025-01-01 00:00 +08:00, 2026-01-01 00:00 +08:00).
A call counts for the PROVIDER of the resource called (served) when it was answered OK, and for the
CONSUMER, the department of the calling client (used), when it was answered OK.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from zhengwu.accounts.models import ApiClient, Department, User
from zhengwu.catalog.models import Resource
from zhengwu.exchange.sharing import access_log
from zhengwu.governance import evaluation_selectors
from zhengwu.governance.models import ScoringRule
from zhengwu.governance.services.measures import MEASURES, Period
from zhengwu.governance.tests.conftest import make_client, make_resource
from zhengwu.governance.tests.evaluation_helpers import YEAR, computed_run, make_set, scores_by

pytestmark = pytest.mark.django_db

START = datetime(YEAR, 1, 1, tzinfo=UTC) - timedelta(hours=8)  # 2025-01-01 00:00 Beijing = 2024-12-31 16:00 UTC
END = datetime(YEAR + 1, 1, 1, tzinfo=UTC) - timedelta(hours=8)  # 2026-01-01 00:00 Beijing, outside


def _call(client: ApiClient, at: datetime, resource: Resource | None, outcome: str = "ok") -> None:
    access_log.append(operation="record", outcome=outcome, api_client=client, resource=resource, at=at)


@pytest.fixture
def log(
    market_dept: Department, police_dept: Department, office_dept: Department, nature_dept: Department
) -> dict[str, Department]:
    market_data = make_resource(market_dept, "101001/001")  # 市场监管厅 provides it
    police_data = make_resource(police_dept, "101002/001")  # 公安厅 provides it
    office_data = make_resource(office_dept, "101003/001")  # 政数局 provides it, never answered OK
    market_client = make_client(market_dept, "市场监管业务系统")
    police_client = make_client(police_dept, "公安业务系统")
    office_client = make_client(office_dept, "政数局业务系统")
    # 公安厅's client calls 市场监管厅's resource (a client of another department):
    _call(police_client, datetime(YEAR, 3, 1, 4, tzinfo=UTC), market_data)  # (1) in the period, OK
    _call(police_client, START, market_data)  # (2) exactly the period's first moment: counted
    _call(police_client, END, market_data)  # (3) exactly the first moment after it: not counted
    _call(police_client, START - timedelta(microseconds=1), market_data)  # (4) just before: not counted
    _call(police_client, datetime(YEAR, 6, 1, 4, tzinfo=UTC), market_data, outcome="denied")  # (5) refused
    _call(police_client, datetime(YEAR, 9, 1, 4, tzinfo=UTC), None, outcome="ok")  # (6) no resource (a list)
    # 市场监管厅's client calls 公安厅's resource, and its own:
    _call(market_client, datetime(YEAR, 7, 1, 4, tzinfo=UTC), police_data)  # (7) OK
    _call(market_client, datetime(YEAR, 8, 1, 4, tzinfo=UTC), market_data)  # (8) its own resource, OK
    _call(market_client, datetime(YEAR, 8, 2, 4, tzinfo=UTC), police_data, outcome="not_found")  # (9) no record
    # 政数局's resource is asked for, but never answered OK; its client's one call finds nothing:
    _call(police_client, datetime(YEAR, 10, 1, 4, tzinfo=UTC), office_data, outcome="rate_limited")  # (10)
    _call(office_client, datetime(YEAR, 10, 2, 4, tzinfo=UTC), market_data, outcome="not_found")  # (11)
    # a call of 2026 (the next period) by 自然资源厅's client: 自然资源厅 has no call in 2025 at all
    nature_client = make_client(nature_dept, "自然资源业务系统")
    _call(nature_client, datetime(YEAR + 1, 2, 1, 4, tzinfo=UTC), market_data)  # (12) outside
    return {"market": market_dept, "police": police_dept, "office": office_dept, "nature": nature_dept}


def test_counts_by_hand(log: dict[str, Department]) -> None:
    market, police, office, nature = (log[k].pk for k in ("market", "police", "office", "nature"))
    period = Period(date(YEAR, 1, 1), date(YEAR, 12, 31))
    served = MEASURES["sharing.calls_served"].counts(period)
    used = MEASURES["sharing.calls_used"].counts(period)
    # served (OK calls on the department's resources, in the period):
    #   市场监管厅: (1) + (2) + (8) = 3   — (3), (4) outside; (5) refused; (11) not found; (12) in 2026
    #   公安厅:     (7) = 1               — (9) not found
    #   政数局:     0                     — (10) rate limited: asked, never served (a department with
    #                                       resources asked for is listed with 0)
    #   自然资源厅: no resource asked for → not listed (its figure is 0 in a run)
    assert served == {market: (3.0, None), police: (1.0, None), office: (0.0, None)}
    # used (OK calls of the department's clients, in the period, whoever provides):
    #   公安厅:     (1) + (2) + (6) = 3   — a call without a resource still used the platform;
    #                                       (3), (4) outside; (5), (10) not OK
    #   市场监管厅: (7) + (8) = 2         — its own resource counts for both sides; (9) not found
    #   政数局:     (11) not found → not listed
    #   自然资源厅: (12) is in 2026 → not listed
    assert used == {police: (3.0, None), market: (2.0, None)}
    assert nature not in served and nature not in used


def test_scores_by_hand(egov: User, log: dict[str, Department]) -> None:
    indicator_set = make_set(
        egov,
        ("sharing.calls_served", "4", 4, ScoringRule.LINEAR),
        ("sharing.calls_used", "4", 4, ScoringRule.LINEAR),
    )
    run = computed_run(egov, indicator_set)
    market, police, office, nature = (log[k].pk for k in ("market", "police", "office", "nature"))
    got = scores_by(run)
    # 按目标线性得分, weight 4, target 4 calls: 4 × min(1, calls / 4)
    assert got[(market, "sharing.calls_served")] == Decimal("3.00")  # 4 × 3/4
    assert got[(police, "sharing.calls_served")] == Decimal("1.00")  # 4 × 1/4
    assert got[(office, "sharing.calls_served")] == Decimal("0.00")  # 4 × 0/4
    assert got[(nature, "sharing.calls_served")] == Decimal("0.00")  # no call: a count of 0, not "nothing to judge"
    assert got[(police, "sharing.calls_used")] == Decimal("3.00")  # 4 × 3/4
    assert got[(market, "sharing.calls_used")] == Decimal("2.00")  # 4 × 2/4
    assert got[(office, "sharing.calls_used")] == Decimal("0.00")
    assert got[(nature, "sharing.calls_used")] == Decimal("0.00")
    # the figures are kept with the score: a count has no denominator, its value is the count
    served = run.scores.get(department_id=market, indicator__measure="sharing.calls_served")
    assert (served.numerator, served.denominator, served.value) == (3.0, None, 3.0)
    quiet = run.scores.get(department_id=nature, indicator__measure="sharing.calls_used")
    assert (quiet.numerator, quiet.denominator, quiet.value) == (0.0, None, 0.0)
    # totals: 市场监管厅 3 + 2 = 5.00, 公安厅 1 + 3 = 4.00, the other two 0.00 (equal: one rank)
    ranking = [(r.department_id, r.total, r.rank) for r in evaluation_selectors.ranking(run)]
    assert ranking[:2] == [(market, Decimal("5.00"), 1), (police, Decimal("4.00"), 2)]
    assert {(d, t, r) for d, t, r in ranking[2:]} == {(office, Decimal("0.00"), 3), (nature, Decimal("0.00"), 3)}
