"""Reads of the governance app: evaluation runs, rankings, a department's scores, year-on-year."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, F, Q, QuerySet, Sum

from zhengwu.accounts.models import Department
from zhengwu.core.errors import not_found
from zhengwu.governance.models import EvaluationRun, Indicator, IndicatorSet, Score
from zhengwu.governance.services.measures import MEASURES, EvidenceRow, Period

CENT = Decimal("0.01")


def indicator_sets() -> QuerySet[IndicatorSet]:
    return IndicatorSet.objects.annotate(n=Count("indicators"), total=Sum("indicators__weight")).order_by("-year")


def indicators_of(indicator_set: IndicatorSet) -> list[Indicator]:
    return list(indicator_set.indicators.order_by("position", "id"))


def runs() -> QuerySet[EvaluationRun]:
    return EvaluationRun.objects.select_related("indicator_set").order_by("-period_end", "-id")


def published_runs() -> QuerySet[EvaluationRun]:
    return runs().filter(state=EvaluationRun.State.PUBLISHED)


def published_run(pk: int) -> EvaluationRun:
    run = published_runs().filter(pk=pk).first()
    if run is None:
        raise not_found("考核结果")
    return run


def latest_published() -> EvaluationRun | None:
    return published_runs().first()


@dataclass
class RankRow:
    rank: int
    department_id: int
    department: str
    total: Decimal
    adjusted: int
    scores: list[Score] = field(default_factory=list)


def ranking(run: EvaluationRun, *, with_scores: bool = False) -> list[RankRow]:
    """Every department's total in `run`, highest first (equal totals share a rank); one GROUP BY,
    and with `with_scores` one more query for every indicator score."""
    totals = (
        Score.objects.filter(run=run)
        .order_by()
        .values("department_id", "department__name")
        .annotate(total=Sum("score"), changed=Count("id", filter=~Q(score=F("computed"))))
        .order_by("-total", "department__name")
    )
    rows: list[RankRow] = []
    previous: Decimal | None = None
    for position, r in enumerate(totals, start=1):
        # SQLite sums decimals as floats (92.74000000000001): totals are shown and compared in cents.
        total = Decimal(r["total"] or 0).quantize(CENT)
        rank = rows[-1].rank if previous is not None and total == previous else position
        rows.append(RankRow(rank, r["department_id"], r["department__name"], total, r["changed"]))
        previous = total
    if with_scores:
        by_department: dict[int, list[Score]] = {}
        for score in run.scores.select_related("indicator").order_by("indicator__position", "indicator_id"):
            by_department.setdefault(score.department_id, []).append(score)
        for row in rows:
            row.scores = by_department.get(row.department_id, [])
    return rows


def department_scores(run: EvaluationRun, department_id: int) -> list[Score]:
    return list(
        run.scores.filter(department_id=department_id)
        .select_related("indicator", "adjusted_by")
        .order_by("indicator__position", "indicator_id")
    )


def department_of_run(run: EvaluationRun, department_id: int) -> Department:
    department = Department.objects.filter(pk=department_id).first()
    if department is None or not run.scores.filter(department_id=department_id).exists():
        raise not_found("部门考核结果")
    return department


@dataclass
class YearRow:
    department_id: int
    department: str
    totals: dict[int, Decimal | None]
    ranks: dict[int, int | None]


def year_on_year(department_id: int | None = None) -> tuple[list[EvaluationRun], list[YearRow]]:
    """The latest published run of each year (oldest first) and each department's total and rank in each."""
    latest: dict[int, EvaluationRun] = {}
    for run in published_runs():
        latest.setdefault(run.year, run)
    years = [latest[y] for y in sorted(latest)]
    rows: dict[int, YearRow] = {}
    for run in years:
        for r in ranking(run):
            if department_id is not None and r.department_id != department_id:
                continue
            row = rows.setdefault(r.department_id, YearRow(r.department_id, r.department, {}, {}))
            row.totals[run.year] = r.total
            row.ranks[run.year] = r.rank
    for row in rows.values():
        for run in years:
            row.totals.setdefault(run.year, None)
            row.ranks.setdefault(run.year, None)
    last = years[-1].year if years else 0
    ordered = sorted(rows.values(), key=lambda row: (-(row.totals.get(last) or Decimal(-1)), row.department))
    return years, ordered


def score_evidence(score: Score) -> list[EvidenceRow] | None:
    """The items behind a score (None when its measure keeps none: the figure is the evidence)."""
    measure = MEASURES.get(score.indicator.measure)
    if measure is None or measure.evidence is None:
        return None
    run = score.run
    period = Period(run.period_start, run.period_end)
    return measure.evidence(period, score.department_id)
