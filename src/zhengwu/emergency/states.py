"""The state machines of the emergency app (docs/states.md is generated from them).

A dispatch task (联动任务) is issued to a department (待签收); the department signs for it (签收,
its 签收 clock stops), reports arrival on site or its first feedback (到达/反馈, the second clock
stops), reports progress and asks for support on the way, and finishes it (完成). Tasks still open
when the incident's response ends are cancelled (撤销), and so is one the commander withdraws.
"""

from __future__ import annotations

from zhengwu.core.states import Move, StateMachine
from zhengwu.emergency.errors import EmergencyError
from zhengwu.emergency.models import Task

_T = Task.State

TASK = StateMachine(
    "联动任务",
    Task,
    "state",
    EmergencyError.WRONG_STATE,
    Move("sign", "签收", [_T.ISSUED], _T.SIGNED),
    Move("arrive", "到达/反馈", [_T.SIGNED], _T.ARRIVED),
    Move("progress", "报告进展", [_T.SIGNED, _T.ARRIVED], None),
    Move("support", "请求支援", [_T.SIGNED, _T.ARRIVED], None),
    Move("finish", "完成", [_T.ARRIVED], _T.DONE),
    Move("cancel", "撤销", [_T.ISSUED, _T.SIGNED, _T.ARRIVED], _T.CANCELLED),
)
