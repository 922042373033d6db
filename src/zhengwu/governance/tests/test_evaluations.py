"""考核评估: the measures against hand-computed fixtures, the rules, the run's states, adjustment
and publication, refusals (docs/rules.md §13)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from zhengwu.accounts.models import Department, User
from zhengwu.audit.models import AuditEvent
from zhengwu.audit.tests.helpers import refused_write
from zhengwu.core.actors import Actor
from zhengwu.core.errors import ApplicationError
from zhengwu.governance import evaluation_selectors as selectors
from zhengwu.governance.models import EvaluationRun, IndicatorSet, ScoringRule
from zhengwu.governance.services import evaluations
from zhengwu.governance.services.evaluations import IndicatorData, points
from zhengwu.governance.tests.evaluation_helpers import YEAR, computed_run, make_set, scores_by, timer
from zhengwu.supervision.models import Timer

pytestmark = pytest.mark.django_db


@pytest.fixture
def departments(market_dept: Department, police_dept: Department, office_dept: Department) -> dict[str, Department]:
    return {"market": market_dept, "police": police_dept, "office": office_dept}


SHARE = "exchange.share_request"
HANDLING = "participation.handling"


def _run(egov: User, indicator_set: IndicatorSet) -> EvaluationRun:
    return computed_run(egov, indicator_set)


@pytest.mark.parametrize(
    ("rule", "target", "value", "expected"),
    [
        (ScoringRule.LINEAR, 0.95, 0.75, "6.32"),  # 8 × 0.75 / 0.95 = 6.3157…
        (ScoringRule.LINEAR, 0.95, 0.99, "8.00"),  # above the target: capped at the weight
        (ScoringRule.LINEAR, 0.0, 0.10, "8.00"),  # a target of 0: full marks
        (ScoringRule.LINEAR, 0.95, None, "8.00"),  # nothing to judge: full marks
        (ScoringRule.THRESHOLD, 0.9, 0.9, "8.00"),  # on the boundary
        (ScoringRule.THRESHOLD, 0.9, 0.8999, "0.00"),
        (ScoringRule.ZERO, 0, 0, "8.00"),
        (ScoringRule.ZERO, 0, 1, "0.00"),
    ],
)
def test_rules(rule: str, target: float, value: float | None, expected: str) -> None:
    assert points(rule=rule, weight=Decimal("8"), target=target, value=value) == Decimal(expected)


def test_on_time_rates_from_timers(egov: User, departments: dict[str, Department]) -> None:
    market, police, office = departments["market"], departments["police"], departments["office"]
    # 市场监管厅: 4 share requests due in 2025 — 3 answered on time, 1 late → 3/4
    timer(market, SHARE, date(YEAR, 3, 10), finished=date(YEAR, 3, 5))
    timer(market, SHARE, date(YEAR, 5, 10), finished=date(YEAR, 5, 10))
    timer(market, SHARE, date(YEAR, 7, 10), finished=date(YEAR, 7, 1))
    timer(market, SHARE, date(YEAR, 9, 10), finished=date(YEAR, 9, 20))
    # outside the period, and cancelled: not counted
    timer(market, SHARE, date(YEAR - 1, 12, 31), finished=date(YEAR + 1, 1, 5))
    timer(market, SHARE, date(YEAR, 10, 1), state=Timer.State.CANCELLED)
    # 公安厅: 1 on time, 1 still open past its deadline → 1/2; one letter answered late → 0/1
    timer(police, SHARE, date(YEAR, 4, 1), finished=date(YEAR, 3, 30))
    timer(police, SHARE, date(YEAR, 11, 1))
    timer(police, HANDLING, date(YEAR, 6, 1), finished=date(YEAR, 6, 3))
    indicator_set = make_set(
        egov,
        ("sharing.requests_on_time", "8", 0.95, ScoringRule.LINEAR),
        ("letters.on_time", "6", 0.9, ScoringRule.THRESHOLD),
    )
    run = _run(egov, indicator_set)

    assert run.state == EvaluationRun.State.REVIEWING
    assert run.progress_done == run.progress_total == 2
    got = scores_by(run)
    assert got[(market.pk, "sharing.requests_on_time")] == Decimal("6.32")  # 8 × 0.75 / 0.95
    assert got[(police.pk, "sharing.requests_on_time")] == Decimal("4.21")  # 8 × 0.5 / 0.95
    assert got[(office.pk, "sharing.requests_on_time")] == Decimal("8.00")  # none due
    assert got[(police.pk, "letters.on_time")] == Decimal("0.00")  # 0/1 < 0.9
    assert got[(market.pk, "letters.on_time")] == Decimal("6.00")  # none due
    evidence = run.scores.get(department=market, indicator__measure="sharing.requests_on_time")
    assert (evidence.numerator, evidence.denominator, evidence.value) == (3.0, 4.0, 0.75)
    late = selectors.score_evidence(evidence)
    assert late is not None and [row.when for row in late] == ["2025-09-10"]
    ranking = selectors.ranking(run)
    assert [(r.department_id, r.total) for r in ranking] == [
        (office.pk, Decimal("14.00")),
        (market.pk, Decimal("12.32")),
        (police.pk, Decimal("4.21")),
    ]
    assert [r.rank for r in ranking] == [1, 2, 3]


def test_adjust_and_publish(egov: User, departments: dict[str, Department]) -> None:
    market = departments["market"]
    timer(market, SHARE, date(YEAR, 9, 10), finished=date(YEAR, 9, 20))
    run = _run(egov, make_set(egov, ("sharing.requests_on_time", "8", 0.95, ScoringRule.LINEAR)))
    score = run.scores.get(department=market)
    assert score.score == Decimal("0.00")
    actor = Actor.person(egov)

    adjusted = evaluations.score_adjust(
        actor=actor, score=score, value="5", reason="系统故障期间的申请，经核实已按时答复"
    )
    assert (adjusted.score, adjusted.computed, adjusted.adjusted) == (Decimal("5.00"), Decimal("0.00"), True)
    event = AuditEvent.objects.filter(action="governance.score.adjust").latest("seq")
    assert event.details["reason"].startswith("系统故障") and event.details["before"] == "0.00"

    assert selectors.latest_published() is None
    evaluations.run_publish(actor=actor, run=run)
    assert selectors.latest_published() == run
    # published: no more adjustments
    with pytest.raises(ApplicationError) as caught:
        evaluations.score_adjust(actor=actor, score=score, value="8", reason="再调")
    assert caught.value.code == "governance.wrong_state"


def test_a_run_is_of_its_sets_year(egov: User, departments: dict[str, Department]) -> None:
    """A set is the year's: a run ending in another year would be published and compared under that
    year with this year's indicators (docs/rules.md §13)."""
    indicator_set = make_set(egov, ("letters.on_time", "6", 0.9, ScoringRule.LINEAR))
    error, _ = refused_write(
        lambda: evaluations.run_start(
            actor=Actor.person(egov),
            indicator_set=indicator_set,
            period_start=date(YEAR + 1, 1, 1),
            period_end=date(YEAR + 1, 6, 30),
        ),
        apps=["governance"],
        code="governance.invalid_input",
    )
    assert error.fields == {"period_end": f"不在 {YEAR} 年"} and f"{YEAR} 年" in error.message
    assert not EvaluationRun.objects.exists()
    # a period that starts in the year before and ends in the set's year is the set's
    started = evaluations.run_start(
        actor=Actor.person(egov),
        indicator_set=indicator_set,
        period_start=date(YEAR - 1, 7, 1),
        period_end=date(YEAR, 6, 30),
    )
    assert started.year == YEAR


def test_adjust_refusals(egov: User, market_clerk: User, departments: dict[str, Department]) -> None:
    run = _run(egov, make_set(egov, ("letters.on_time", "6", 0.9, ScoringRule.LINEAR)))
    score = run.scores.first()
    assert score is not None
    refused_write(
        lambda: evaluations.score_adjust(actor=Actor.person(market_clerk), score=score, value="1", reason="自评"),
        apps=["governance"],
        rows=[score],
        code="core.permission_denied",
    )
    for value, reason, field in (
        ("7", "超过分值", "score"),
        ("-1", "负数", "score"),
        ("x", "非数字", "score"),
        ("3", " ", "reason"),
    ):
        error, _ = refused_write(
            lambda v=value, r=reason: evaluations.score_adjust(
                actor=Actor.person(egov), score=score, value=v, reason=r
            ),
            apps=["governance"],
            rows=[score],
            code="governance.invalid_input",
        )
        assert field in error.fields
    refused_write(
        lambda: evaluations.run_publish(actor=Actor.person(market_clerk), run=run),
        apps=["governance"],
        rows=[run],
        code="core.permission_denied",
    )


def test_indicator_rules(egov: User, departments: dict[str, Department]) -> None:
    actor = Actor.person(egov)
    indicator_set = evaluations.indicator_set_create(actor=actor, year=YEAR, name="2025年度考核")
    assert sum(i.weight for i in indicator_set.indicators.all()) == Decimal(100)
    data = IndicatorData(name="重复", measure="letters.on_time", weight="5", target="0.9", rule=ScoringRule.LINEAR)
    refused_write(
        lambda: evaluations.indicator_save(actor=actor, indicator_set=indicator_set, data=data),
        apps=["governance"],
        code="governance.duplicate",
    )
    for change, field in (({"measure": "nope"}, "measure"), ({"target": "1.5"}, "target"), ({"weight": "0"}, "weight")):
        bad = IndicatorData(**{**data.__dict__, "measure": "website.sections_fresh", **change})
        error, _ = refused_write(
            lambda b=bad: evaluations.indicator_save(actor=actor, indicator_set=indicator_set, data=b),
            apps=["governance"],
            code="governance.invalid_input",
        )
        assert field in error.fields
    refused_write(
        lambda: evaluations.indicator_set_create(actor=actor, year=YEAR, name="又一个"),
        apps=["governance"],
        code="governance.duplicate",
    )


def test_every_measure_computes(egov: User, departments: dict[str, Department]) -> None:
    """The full default set over an empty platform: every measure runs its query and scores."""
    indicator_set = evaluations.indicator_set_create(actor=Actor.person(egov), year=YEAR, name="2025年度考核")
    run = _run(egov, indicator_set)
    assert run.scores.count() == 3 * indicator_set.indicators.count()
    # nothing due anywhere: every rate full marks; counts of calls score 0 against their target
    totals = {r.department_id: r.total for r in selectors.ranking(run)}
    assert set(totals.values()) == {Decimal(100) - 8}  # calls served (4) and used (4) are counts at 0
