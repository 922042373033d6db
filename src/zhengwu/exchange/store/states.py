"""The state machine of the data store's load jobs (docs/states.md is generated from it)."""

from __future__ import annotations

from zhengwu.core.states import Move, StateMachine
from zhengwu.exchange.errors import ExchangeError
from zhengwu.exchange.store.models import LoadJob

_JOB = LoadJob.State

LOAD_JOB = StateMachine(
    "数据加载任务",
    LoadJob,
    "state",
    ExchangeError.WRONG_STATE,
    Move("start", "开始加载", [_JOB.PENDING], _JOB.RUNNING),
    Move("succeed", "完成", [_JOB.RUNNING], _JOB.SUCCEEDED),
    Move("fail", "记为失败", [_JOB.PENDING, _JOB.RUNNING], _JOB.FAILED),
)
