"""Models of the governance app (tables `governance_*`), one module per part of 信息化统筹:

- `inventory`: the systems inventory (信息系统清单) and the zombie-system reviews (僵尸系统核查);
- `projects` and `evaluations` (e-gov projects, 考核评估) join this package beside it.
"""

from __future__ import annotations

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

__all__ = [
    "FundingSource",
    "InformationSystem",
    "MlpsResult",
    "NetworkZone",
    "SystemApiClient",
    "UsageFrequency",
    "ZombieCase",
    "ZombieRule",
]
