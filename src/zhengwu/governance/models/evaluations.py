"""考核评估: indicator sets per year, runs over a period, and the scores they compute (docs/rules.md §13).

An `IndicatorSet` holds a year's `Indicator`s, each a weight, one of the platform's measures (its
code in `services.measures.MEASURES`), a target and a scoring rule. An `EvaluationRun` computes
every department's `Score` per indicator for a period, keeping the measure's numerator and
denominator (the evidence), the score the rule gave and the score after the office's review
(an adjustment names its reason). Published runs are public.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from zhengwu.core.fields import user_fk


class ScoringRule(models.TextChoices):
    LINEAR = "linear", "按目标线性得分"
    THRESHOLD = "threshold", "达到目标得满分"
    ZERO = "zero", "零容忍（为零得满分）"


class IndicatorSet(models.Model):
    """The indicators of one year (考核指标体系), edited by the e-government office."""

    year = models.PositiveSmallIntegerField(
        "年度", unique=True, validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    name = models.CharField("名称", max_length=200)
    created_by = user_fk("创建人", on_delete=models.SET_NULL)
    created_at = models.DateTimeField("创建时间", default=timezone.now)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "考核指标体系"
        verbose_name_plural = "考核指标体系"
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"{self.year} {self.name}"


class Indicator(models.Model):
    indicator_set = models.ForeignKey(
        IndicatorSet, on_delete=models.CASCADE, related_name="indicators", verbose_name="指标体系"
    )
    position = models.PositiveSmallIntegerField("序号", default=0)
    name = models.CharField("指标名称", max_length=100)
    measure = models.CharField("计算口径", max_length=64, help_text="平台度量的代码（services.measures）")
    weight = models.DecimalField(
        "分值", max_digits=6, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    target = models.FloatField("目标值", default=1.0, validators=[MinValueValidator(0)])
    rule = models.CharField("评分规则", max_length=16, choices=ScoringRule.choices, default=ScoringRule.LINEAR)

    class Meta:
        verbose_name = "考核指标"
        verbose_name_plural = "考核指标"
        ordering = ["indicator_set", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["indicator_set", "measure"], name="governance_indicator_measure_once"),
            models.CheckConstraint(condition=Q(weight__gt=0), name="governance_indicator_weight_positive"),
        ]

    def __str__(self) -> str:
        return self.name


class EvaluationRun(models.Model):
    """One computation of every department's scores for a period (评估运行)."""

    class State(models.TextChoices):
        COMPUTING = "computing", "计算中"
        REVIEWING = "reviewing", "待审核"
        PUBLISHED = "published", "已发布"
        FAILED = "failed", "计算失败"

    indicator_set = models.ForeignKey(
        IndicatorSet, on_delete=models.PROTECT, related_name="runs", verbose_name="指标体系"
    )
    title = models.CharField("名称", max_length=200)
    period_start = models.DateField("考核期起")
    period_end = models.DateField("考核期止")
    state = models.CharField("状态", max_length=16, choices=State.choices, default=State.COMPUTING)
    progress_done = models.PositiveIntegerField("已计算指标", default=0)
    progress_total = models.PositiveIntegerField("指标总数", default=0)
    error = models.CharField("错误", max_length=500, blank=True)
    started_by = user_fk("发起人", on_delete=models.SET_NULL)
    started_at = models.DateTimeField("发起时间", default=timezone.now)
    computed_at = models.DateTimeField("计算完成时间", null=True, blank=True)
    published_by = user_fk("发布人", on_delete=models.SET_NULL)
    published_at = models.DateTimeField("发布时间", null=True, blank=True)

    class Meta:
        verbose_name = "评估运行"
        verbose_name_plural = "评估运行"
        ordering = ["-period_end", "-id"]
        indexes = [models.Index(fields=["state", "period_end"], name="governance_run_state_end")]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_start__lte=models.F("period_end")), name="governance_run_period_order"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def year(self) -> int:
        return self.period_end.year

    @property
    def progress_percent(self) -> int:
        return round(100 * self.progress_done / self.progress_total) if self.progress_total else 0


class Score(models.Model):
    """One department's figure and score for one indicator in a run, with the evidence behind it."""

    run = models.ForeignKey(EvaluationRun, on_delete=models.CASCADE, related_name="scores", verbose_name="评估运行")
    department = models.ForeignKey(
        "accounts.Department", on_delete=models.PROTECT, related_name="+", verbose_name="部门"
    )
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="scores", verbose_name="指标")
    numerator = models.FloatField("分子（或计数）", default=0)
    denominator = models.FloatField("分母", null=True, blank=True, help_text="计数类指标为空")
    value = models.FloatField("实际值", null=True, blank=True, help_text="无此类事项时为空")
    computed = models.DecimalField("计算得分", max_digits=6, decimal_places=2)
    score = models.DecimalField("最终得分", max_digits=6, decimal_places=2)
    adjust_reason = models.CharField("调整理由", max_length=500, blank=True)
    adjusted_by = user_fk("调整人", on_delete=models.SET_NULL)
    adjusted_at = models.DateTimeField("调整时间", null=True, blank=True)

    class Meta:
        verbose_name = "考核得分"
        verbose_name_plural = "考核得分"
        ordering = ["run", "department", "indicator__position"]
        constraints = [
            models.UniqueConstraint(fields=["run", "department", "indicator"], name="governance_score_once"),
        ]
        indexes = [models.Index(fields=["run", "department"], name="governance_score_run_dept")]

    def __str__(self) -> str:
        return f"{self.department_id} {self.indicator_id} {self.score}"

    @property
    def adjusted(self) -> bool:
        return self.score != self.computed
