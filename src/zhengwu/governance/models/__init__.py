"""Models of the governance app (tables `governance_*`), one module per area."""

from __future__ import annotations

from zhengwu.governance.models.evaluations import (
    EvaluationRun,
    Indicator,
    IndicatorSet,
    Score,
    ScoringRule,
)

__all__ = ["EvaluationRun", "Indicator", "IndicatorSet", "Score", "ScoringRule"]
