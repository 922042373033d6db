"""The state machines of governance (docs/states.md is generated from them).

An evaluation run is computed (计算中) by a background job, then waits for the e-government
office's review (待审核), where scores may be adjusted with a reason, and is published (已发布).
A computation that fails can be started again (重新计算).
"""

from __future__ import annotations

from zhengwu.core.states import Move, StateMachine
from zhengwu.governance.errors import GovernanceError
from zhengwu.governance.models import EvaluationRun

_E = EvaluationRun.State

EVALUATION_RUN = StateMachine(
    "评估运行",
    EvaluationRun,
    "state",
    GovernanceError.WRONG_STATE,
    Move("finish_computing", "完成计算", [_E.COMPUTING], _E.REVIEWING),
    Move("fail", "计算失败", [_E.COMPUTING], _E.FAILED),
    Move("recompute", "重新计算", [_E.REVIEWING, _E.FAILED], _E.COMPUTING),
    Move("adjust", "调整得分", [_E.REVIEWING], None),
    Move("publish", "发布", [_E.REVIEWING], _E.PUBLISHED),
    label_field="title",
)
