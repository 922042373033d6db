"""Writes of 考核评估: indicator sets, runs, score adjustments, publication (docs/rules.md §13).

The e-government office (EGOV_OFFICE) keeps a year's indicators, starts a run over a period, reviews
its scores (an adjustment needs a reason and is audited) and publishes it. The computation itself
is `run_compute`, run by the background job (`tasks.evaluation_compute`) for the platform: each
measure is one aggregate over every department, each department's score follows from the rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db.models import F, Max
from django.utils import timezone

from zhengwu.accounts.models import Department, Role
from zhengwu.audit.write import Write, audited_write
from zhengwu.core.actors import Actor
from zhengwu.core.errors import ApplicationError, clean, required_text
from zhengwu.governance.audit_actions import GovernanceAction
from zhengwu.governance.errors import GovernanceError
from zhengwu.governance.models import EvaluationRun, Indicator, IndicatorSet, Score, ScoringRule
from zhengwu.governance.services.measures import MEASURES, Measure, Period
from zhengwu.governance.states import EVALUATION_RUN

CENT = Decimal("0.01")
OFFICE_ONLY = "只有电子政务办可以管理考核评估。"


def is_office(actor: Actor) -> bool:
    return actor.is_platform or actor.has_role(Role.EGOV_OFFICE)


# --- scoring -------------------------------------------------------------------------------------------


def figure(measure: Measure, numerator: float, denominator: float | None) -> float | None:
    """The measured value: a rate (None when nothing was due) or a count."""
    if not measure.is_rate:
        return numerator
    return numerator / denominator if denominator else None


def points(*, rule: str, weight: Decimal, target: float, value: float | None) -> Decimal:
    """The score a rule gives `value` out of `weight` (docs/rules.md §13):

    - nothing to judge (a rate with no items): full marks (无此类事项不扣分);
    - 按目标线性得分: weight × min(1, value / target) (full marks when the target is 0);
    - 达到目标得满分: weight when value ≥ target, else 0;
    - 零容忍: weight when value is 0, else 0.
    """
    if value is None:
        share = Decimal(1)
    elif rule == ScoringRule.ZERO:
        share = Decimal(1 if value == 0 else 0)
    elif rule == ScoringRule.THRESHOLD:
        share = Decimal(1 if value >= target else 0)
    elif target <= 0:
        share = Decimal(1)
    else:
        share = min(Decimal(1), Decimal(str(value)) / Decimal(str(target)))
    return (weight * share).quantize(CENT, rounding=ROUND_HALF_UP)


# --- indicator sets --------------------------------------------------------------------------------------


DEFAULT_WEIGHTS: dict[str, tuple[int, str]] = {
    "sharing.catalog_published": (6, ScoringRule.LINEAR),
    "sharing.freshness": (6, ScoringRule.LINEAR),
    "sharing.requests_on_time": (8, ScoringRule.LINEAR),
    "sharing.objections_on_time": (4, ScoringRule.LINEAR),
    "sharing.calls_served": (4, ScoringRule.LINEAR),
    "sharing.calls_used": (4, ScoringRule.LINEAR),
    "disclosure.publications_on_time": (6, ScoringRule.LINEAR),
    "disclosure.requests_on_time": (6, ScoringRule.LINEAR),
    "disclosure.annual_report": (4, ScoringRule.THRESHOLD),
    "services.applications_on_time": (8, ScoringRule.LINEAR),
    "services.online_share": (6, ScoringRule.LINEAR),
    "services.ratings": (6, ScoringRule.LINEAR),
    "services.rectifications_on_time": (4, ScoringRule.LINEAR),
    "letters.on_time": (6, ScoringRule.LINEAR),
    "letters.satisfaction": (4, ScoringRule.LINEAR),
    "website.sections_fresh": (6, ScoringRule.LINEAR),
    "website.unanswered": (4, ScoringRule.ZERO),
    "satisfaction.public": (8, ScoringRule.LINEAR),
}  # 100 points in all


def indicator_set_create(*, actor: Actor, year: int, name: str, with_defaults: bool = True) -> IndicatorSet:
    """A year's indicator set; `with_defaults` fills it with every measure (100 points in all)."""
    with audited_write(actor, GovernanceAction.INDICATOR_SET_CREATE) as write:
        write.require(is_office(actor), OFFICE_ONLY)
        if IndicatorSet.objects.filter(year=year).exists():
            raise ApplicationError(GovernanceError.DUPLICATE, f"{year} 年度的考核指标体系已存在。", {"year": "已存在"})
        indicator_set = IndicatorSet(
            year=year,
            name=required_text(name, field="name", what="名称", code=GovernanceError.INVALID_INPUT, max_length=200),
            created_by=actor.user,
        )
        clean(indicator_set)
        indicator_set.save()
        if with_defaults:
            Indicator.objects.bulk_create(
                Indicator(
                    indicator_set=indicator_set,
                    position=i,
                    name=MEASURES[code].label,
                    measure=code,
                    weight=Decimal(weight),
                    target=MEASURES[code].default_target,
                    rule=rule,
                )
                for i, (code, (weight, rule)) in enumerate(DEFAULT_WEIGHTS.items(), start=1)
            )
        write.set_target(indicator_set)
        write.note(year=year, indicators=indicator_set.indicators.count())
    return indicator_set


@dataclass
class IndicatorData:
    name: str
    measure: str
    weight: str | Decimal
    target: str | float
    rule: str
    position: int | None = None


def _decimal(text: str | Decimal, *, field: str, what: str) -> Decimal:
    try:
        value = Decimal(str(text).strip())
    except InvalidOperation:
        raise ApplicationError(GovernanceError.INVALID_INPUT, f"{what}应为数字。", {field: "格式不正确"}) from None
    if not value.is_finite() or value <= 0 or value > 1000:
        raise ApplicationError(GovernanceError.INVALID_INPUT, f"{what}应大于 0 且不超过 1000。", {field: "超出范围"})
    return value.quantize(CENT)


def indicator_save(
    *, actor: Actor, indicator_set: IndicatorSet, data: IndicatorData, indicator: Indicator | None = None
) -> Indicator:
    """Add an indicator to a set, or change one (`indicator`)."""
    action = GovernanceAction.INDICATOR_SAVE
    with audited_write(actor, action, indicator or indicator_set) as write:
        write.require(is_office(actor), OFFICE_ONLY)
        locked_set = write.lock(indicator_set)
        if indicator is not None:
            row = write.lock(indicator)
            if row.indicator_set_id != locked_set.pk:
                raise ApplicationError(GovernanceError.INVALID_INPUT, "指标不属于该指标体系。")
        else:
            row = Indicator(indicator_set=locked_set)
        if data.measure not in MEASURES:
            raise ApplicationError(GovernanceError.INVALID_INPUT, "请选择平台提供的计算口径。", {"measure": "不支持"})
        if data.rule not in ScoringRule.values:
            raise ApplicationError(GovernanceError.INVALID_INPUT, "请选择评分规则。", {"rule": "不支持"})
        try:
            target = float(str(data.target).strip())
        except ValueError:
            raise ApplicationError(
                GovernanceError.INVALID_INPUT, "目标值应为数字。", {"target": "格式不正确"}
            ) from None
        measure = MEASURES[data.measure]
        if not 0 <= target <= (1 if measure.is_rate else 10**9):
            limit = "0 到 1 之间（比率）" if measure.is_rate else "不小于 0"
            raise ApplicationError(GovernanceError.INVALID_INPUT, f"目标值应在 {limit}。", {"target": "超出范围"})
        weight = _decimal(data.weight, field="weight", what="分值")
        duplicate = Indicator.objects.filter(indicator_set=locked_set, measure=data.measure).exclude(pk=row.pk)
        if duplicate.exists():
            raise ApplicationError(
                GovernanceError.DUPLICATE,
                f"该指标体系已有计算口径为“{MEASURES[data.measure].label}”的指标。",
                {"measure": "重复"},
            )
        row.weight = weight
        row.name = required_text(
            data.name, field="name", what="指标名称", code=GovernanceError.INVALID_INPUT, max_length=100
        )
        row.measure = data.measure
        row.target = target
        row.rule = data.rule
        if data.position is not None:
            row.position = data.position
        elif row.pk is None:
            row.position = (locked_set.indicators.aggregate(m=Max("position"))["m"] or 0) + 1
        clean(row, exclude=["indicator_set"])
        row.save()
        write.set_target(row)
        write.note(measure=row.measure, weight=str(row.weight), target=row.target, rule=row.rule)
    return row


def indicator_delete(*, actor: Actor, indicator: Indicator) -> None:
    with audited_write(actor, GovernanceAction.INDICATOR_DELETE, indicator) as write:
        write.require(is_office(actor), OFFICE_ONLY)
        locked = write.lock(indicator)
        if locked.scores.exists():
            raise ApplicationError(GovernanceError.WRONG_STATE, "该指标已用于评估运行，不能删除（可调整分值）。")
        write.note(measure=locked.measure)
        locked.delete()


# --- runs ------------------------------------------------------------------------------------------------


def run_start(
    *, actor: Actor, indicator_set: IndicatorSet, period_start: date, period_end: date, title: str = ""
) -> EvaluationRun:
    """A run in 计算中; the caller queues `tasks.evaluation_compute(run.pk)` (or calls `run_compute`)."""
    with audited_write(actor, GovernanceAction.RUN_START, indicator_set) as write:
        write.require(is_office(actor), OFFICE_ONLY)
        if period_start > period_end:
            raise ApplicationError(
                GovernanceError.INVALID_INPUT, "考核期起不能晚于考核期止。", {"period_start": "晚于止日"}
            )
        if (period_end - period_start).days > 366:
            raise ApplicationError(GovernanceError.INVALID_INPUT, "考核期不能超过一年。", {"period_end": "超过一年"})
        if period_end.year != indicator_set.year:  # the set is the year's (docs/rules.md §13)
            raise ApplicationError(
                GovernanceError.INVALID_INPUT,
                f"考核期止应在指标体系的年度（{indicator_set.year} 年）内；其他年度请先新建该年度的指标体系。",
                {"period_end": f"不在 {indicator_set.year} 年"},
            )
        total = indicator_set.indicators.count()
        if not total:
            raise ApplicationError(GovernanceError.INVALID_INPUT, "指标体系中还没有指标。")
        run = EvaluationRun(
            indicator_set=indicator_set,
            title=(title or "").strip()[:200]
            or f"{indicator_set.name}（{period_start:%Y-%m-%d} 至 {period_end:%Y-%m-%d}）",
            period_start=period_start,
            period_end=period_end,
            progress_total=total,
            started_by=actor.user,
        )
        clean(run)
        run.save()
        write.set_target(run)
        write.note(period=f"{period_start}/{period_end}")
    return run


def _compute(run: EvaluationRun, departments: list[int]) -> list[Score]:
    period = Period(run.period_start, run.period_end)
    scores: list[Score] = []
    for done, indicator in enumerate(run.indicator_set.indicators.all(), start=1):
        measure = MEASURES.get(indicator.measure)
        counts = measure.counts(period) if measure is not None else {}
        for department_id in departments:
            numerator, denominator = counts.get(department_id, (0.0, None if measure and not measure.is_rate else 0.0))
            value = figure(measure, numerator, denominator) if measure is not None else None
            computed = points(rule=indicator.rule, weight=indicator.weight, target=indicator.target, value=value)
            scores.append(
                Score(
                    run=run,
                    department_id=department_id,
                    indicator=indicator,
                    numerator=numerator,
                    denominator=denominator,
                    value=value,
                    computed=computed,
                    score=computed,
                )
            )
        # progress only (not an audited change of substance): the run's page polls it
        EvaluationRun.objects.filter(pk=run.pk).update(progress_done=done)
    return scores


def _office_run_move(write: Write, run: EvaluationRun, move: str) -> EvaluationRun:
    """The office's move of a run: the actor checked, the run locked and moved by its state machine."""
    write.require(is_office(write.actor), OFFICE_ONLY)
    locked = write.lock(run)
    EVALUATION_RUN.move(locked, move)
    return locked


def run_compute(*, actor: Actor, run: EvaluationRun) -> EvaluationRun:
    """Compute every active department's score per indicator and move the run to 待审核."""
    departments = list(Department.objects.filter(is_active=True).order_by("pk").values_list("pk", flat=True))
    try:
        scores = _compute(run, departments)
    except Exception as error:  # a failed computation is recorded on the run, which may be started again
        run_fail(actor=actor, run=run, reason=str(error)[:500] or type(error).__name__)
        raise
    with audited_write(actor, GovernanceAction.RUN_COMPUTE, run) as write:
        locked = _office_run_move(write, run, "finish_computing")
        Score.objects.filter(run=locked).delete()
        Score.objects.bulk_create(scores, batch_size=2000)
        locked.computed_at = timezone.now()
        locked.progress_done = locked.progress_total
        locked.save()
        write.note(departments=len(departments), scores=len(scores))
    return locked


def run_fail(*, actor: Actor, run: EvaluationRun, reason: str) -> EvaluationRun:
    with audited_write(actor, GovernanceAction.RUN_FAIL, run) as write:
        locked = write.lock(run)
        EVALUATION_RUN.move(locked, "fail")
        locked.error = reason[:500]
        locked.save()
        write.note(reason=locked.error)
    return locked


def run_recompute(*, actor: Actor, run: EvaluationRun) -> EvaluationRun:
    """Back to 计算中 (scores kept until the new computation replaces them); adjustments are lost."""
    with audited_write(actor, GovernanceAction.RUN_START, run) as write:
        locked = _office_run_move(write, run, "recompute")
        locked.progress_done = 0
        locked.progress_total = locked.indicator_set.indicators.count()
        locked.error = ""
        locked.save()
        write.note(recompute=True)
    return locked


def score_adjust(*, actor: Actor, score: Score, value: str | Decimal, reason: str) -> Score:
    """The office's adjustment of one score, between 0 and the indicator's weight, with its reason."""
    with audited_write(actor, GovernanceAction.SCORE_ADJUST, score) as write:
        write.require(is_office(actor), OFFICE_ONLY)
        locked = write.lock(score, "indicator", "run")
        EVALUATION_RUN.check(locked.run, "adjust")
        try:
            new = Decimal(str(value).strip()).quantize(CENT, rounding=ROUND_HALF_UP)
        except InvalidOperation:
            raise ApplicationError(
                GovernanceError.INVALID_INPUT, "调整后得分应为数字。", {"score": "格式不正确"}
            ) from None
        weight = locked.indicator.weight
        if not new.is_finite() or new < 0 or new > weight:
            raise ApplicationError(
                GovernanceError.INVALID_INPUT, f"调整后得分应在 0 到 {weight} 分之间。", {"score": "超出范围"}
            )
        text = required_text(
            reason, field="reason", what="调整理由", code=GovernanceError.INVALID_INPUT, max_length=500
        )
        write.note(before=str(locked.score), after=str(new), reason=text)
        locked.score = new
        locked.adjust_reason = text
        locked.adjusted_by = actor.user
        locked.adjusted_at = timezone.now()
        locked.save()
    return locked


def run_publish(*, actor: Actor, run: EvaluationRun) -> EvaluationRun:
    with audited_write(actor, GovernanceAction.RUN_PUBLISH, run) as write:
        locked = _office_run_move(write, run, "publish")
        locked.published_at = timezone.now()
        locked.published_by = actor.user
        locked.save()
        write.note(adjusted=locked.scores.exclude(score=F("computed")).count())
    return locked
