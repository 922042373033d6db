"""The state machines of supervision (docs/states.md is generated from them)."""

from __future__ import annotations

from zhengwu.core.states import Move, StateMachine
from zhengwu.supervision.errors import SupervisionError
from zhengwu.supervision.models import Complaint, Timer, Urging

_RUNNING, _PAUSED = Timer.State.RUNNING, Timer.State.PAUSED
_LIVE = [_RUNNING, _PAUSED]
_OPEN = Urging.State.OPEN

TIMER = StateMachine(
    "计时",
    Timer,
    "state",
    SupervisionError.TIMER_CLOSED,
    Move("pause", "暂停", [_RUNNING], _PAUSED, code=SupervisionError.TIMER_NOT_RUNNING),
    Move("resume", "恢复", [_PAUSED], _RUNNING, code=SupervisionError.TIMER_NOT_PAUSED),
    Move("extend", "延长时限", _LIVE, None),
    Move("finish", "办结", _LIVE, Timer.State.FINISHED),
    Move("cancel", "撤销", _LIVE, Timer.State.CANCELLED),
)

URGING = StateMachine(
    "督办", Urging, "state", SupervisionError.URGING_NOT_OPEN, Move("answer", "答复", [_OPEN], Urging.State.ANSWERED)
)

COMPLAINT = StateMachine(
    "投诉",
    Complaint,
    "state",
    SupervisionError.COMPLAINT_WRONG_STATE,
    Move("forward", "转办", [Complaint.State.SUBMITTED], Complaint.State.FORWARDED),
    Move("answer", "答复", [Complaint.State.FORWARDED], Complaint.State.ANSWERED),
    Move("conclude", "办结", list(Complaint.OPEN_STATES), Complaint.State.CONCLUDED),
    label_field="number",
)
