"""Models of the governance app (tables `governance_*`), one module per part of 信息化统筹:

- `inventory`: the systems inventory (信息系统清单) and the zombie-system reviews (僵尸系统核查);
- `projects`: e-gov projects (政务信息化项目) and their stages;
- `evaluations`: 考核评估 (indicator sets, runs, scores).
"""

from __future__ import annotations

from zhengwu.governance.models.evaluations import (
    EvaluationRun,
    Indicator,
    IndicatorSet,
    Score,
    ScoringRule,
)
from zhengwu.governance.models.inventory import (
    FundingSource,
    InformationSystem,
    MlpsResult,
    NetworkZone,
    SystemApiClient,
    UsageFrequency,
    ZombieCase,
    ZombieRule,
)
from zhengwu.governance.models.projects import (
    LinkRole,
    Project,
    ProjectData,
    ProjectDocument,
    ProjectMilestone,
    ProjectReport,
    ProjectSystem,
)

__all__ = [
    "EvaluationRun",
    "FundingSource",
    "Indicator",
    "IndicatorSet",
    "InformationSystem",
    "LinkRole",
    "MlpsResult",
    "NetworkZone",
    "Project",
    "ProjectData",
    "ProjectDocument",
    "ProjectMilestone",
    "ProjectReport",
    "ProjectSystem",
    "Score",
    "ScoringRule",
    "SystemApiClient",
    "UsageFrequency",
    "ZombieCase",
    "ZombieRule",
]
