"""The state machines of sharing (docs/states.md is generated from them)."""

from __future__ import annotations

from zhengwu.core.states import Move, StateMachine
from zhengwu.exchange.errors import ExchangeError
from zhengwu.exchange.sharing.models import Objection, ShareRequest

_REQUEST = ShareRequest.State

SHARE_REQUEST = StateMachine(
    "共享申请",
    ShareRequest,
    "state",
    ExchangeError.WRONG_STATE,
    Move("approve", "同意", [_REQUEST.SUBMITTED], _REQUEST.GRANTED),
    Move("refuse", "不同意", [_REQUEST.SUBMITTED], _REQUEST.REFUSED),
    Move("coordinate_grant", "协调后同意", [_REQUEST.COORDINATING], _REQUEST.GRANTED),
    Move("coordinate_refuse", "协调后不同意", [_REQUEST.COORDINATING], _REQUEST.REFUSED),
    Move("withdraw", "撤回", [_REQUEST.SUBMITTED, _REQUEST.COORDINATING], _REQUEST.WITHDRAWN),
)

OBJECTION = StateMachine(
    "数据纠错",
    Objection,
    "state",
    ExchangeError.WRONG_STATE,
    Move("correct", "核实更正", [Objection.State.OPEN], Objection.State.CORRECTED),
    Move("reject", "核实无误", [Objection.State.OPEN], Objection.State.REJECTED),
)
