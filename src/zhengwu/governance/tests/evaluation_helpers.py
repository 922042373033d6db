"""Helpers of the evaluation tests: timers as the supervision app leaves them, indicator sets of
chosen measures (the cast is in zhengwu/conftest.py: `egov` is the e-government office)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from itertools import count
from typing import Any

from zhengwu.accounts.models import Department, User
from zhengwu.core import workdays
from zhengwu.core.actors import Actor
from zhengwu.governance.models import EvaluationRun, IndicatorSet, ScoringRule
from zhengwu.governance.services import evaluations
from zhengwu.governance.services.evaluations import IndicatorData
from zhengwu.supervision.models import Timer

YEAR = 2025
_serial = count(1)


def at(day: date, hour: int = 12) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=workdays.CHINA_TZ)


def timer(
    department: Department,
    kind: str,
    deadline: date,
    *,
    finished: date | None = None,
    state: str = Timer.State.FINISHED,
) -> Timer:
    """A timer as the supervision app leaves it: due on `deadline`, finished on `finished` (or live)."""
    started = deadline - timedelta(days=14)
    live = finished is None and state == Timer.State.FINISHED
    return Timer.objects.create(
        kind=kind,
        kind_label=kind,
        target_type="test.case",
        target_id=str(next(_serial)),
        title=f"测试事项 {kind}",
        department=department,
        limit=10,
        started_at=at(started),
        start_date=started,
        deadline=deadline,
        yellow_from=deadline - timedelta(days=2),
        state=Timer.State.RUNNING if live else state,
        finished_at=at(finished) if finished else None,
        finished_on_time=(finished <= deadline) if finished else None,
    )


def make_set(egov: User, *indicators: tuple[str, str, float, str]) -> IndicatorSet:
    """A set of the chosen indicators only: (measure, weight, target, rule)."""
    actor = Actor.person(egov)
    indicator_set = evaluations.indicator_set_create(actor=actor, year=YEAR, name="测试指标", with_defaults=False)
    for measure, weight, target, rule in indicators:
        evaluations.indicator_save(
            actor=actor,
            indicator_set=indicator_set,
            data=IndicatorData(name=measure, measure=measure, weight=weight, target=target, rule=rule),
        )
    return indicator_set


def computed_run(egov: User, indicator_set: IndicatorSet, *, title: str = "") -> EvaluationRun:
    """A run of `indicator_set` over the year YEAR, started by the office and computed (待审核)."""
    started = evaluations.run_start(
        actor=Actor.person(egov),
        indicator_set=indicator_set,
        period_start=date(YEAR, 1, 1),
        period_end=date(YEAR, 12, 31),
        title=title,
    )
    return evaluations.run_compute(actor=Actor.platform(), run=started)


def scores_by(run: Any) -> dict[tuple[int, str], Decimal]:
    return {(s.department_id, s.indicator.measure): s.score for s in run.scores.select_related("indicator")}


LINEAR = ScoringRule.LINEAR
