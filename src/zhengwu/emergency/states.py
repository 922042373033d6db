"""The state machines of emergency (docs/states.md is generated from them).

An incident is received (接报), verified (核实), graded (定级), responded to (响应: by hand or when a
plan is activated), handled (处置), terminated (终止) and evaluated (评估). The level may be changed
(升级/降级, with a reason) in any live state after grading; reports upward (信息报送) may be drafted
from 接报 until 终止. A report is drafted (待签发) and signed off by a leader, which sends it (已报送);
the receiving department's duty room signs for it (已签收).
A warning is live until it is lifted (or its time ends).

A dispatch task (联动任务) is issued to a department (待签收); the department signs for it (签收,
its 签收 clock stops), reports arrival on site or its first feedback (到达/反馈, the second clock
stops), reports progress and asks for support on the way, and finishes it (完成). Tasks still open
when the incident's response ends are cancelled (撤销), and so is one the commander withdraws.
"""

from __future__ import annotations

from zhengwu.core.states import Move, StateMachine
from zhengwu.emergency.errors import EmergencyError
from zhengwu.emergency.models import EarlyWarning, Incident, IncidentReport, Task

_I = Incident.State

INCIDENT = StateMachine(
    "突发事件",
    Incident,
    "state",
    EmergencyError.WRONG_STATE,
    Move("update", "续报更新事件信息", [_I.RECEIVED, _I.VERIFIED, _I.GRADED, _I.RESPONDING, _I.HANDLING], None),
    Move("verify", "核实", [_I.RECEIVED], _I.VERIFIED),
    Move("grade", "定级", [_I.VERIFIED], _I.GRADED),
    Move("change_level", "调整级别", [_I.GRADED, _I.RESPONDING, _I.HANDLING], None),
    Move("respond", "启动响应", [_I.GRADED], _I.RESPONDING),
    Move("handle", "转入处置", [_I.RESPONDING], _I.HANDLING),
    Move("terminate", "终止", [_I.RESPONDING, _I.HANDLING], _I.TERMINATED),
    Move("evaluate", "评估", [_I.TERMINATED], _I.EVALUATED),
    Move(
        "report",
        "信息报送",
        [_I.RECEIVED, _I.VERIFIED, _I.GRADED, _I.RESPONDING, _I.HANDLING, _I.TERMINATED],
        None,
    ),
    label_field="number",
)

_R = IncidentReport.State

REPORT = StateMachine(
    "信息报送",
    IncidentReport,
    "state",
    EmergencyError.WRONG_STATE,
    Move("edit", "修改报告", [_R.DRAFT], None),
    Move("sign", "签发报送", [_R.DRAFT], _R.SENT),
    Move("receive", "签收", [_R.SENT], _R.RECEIVED),
)

_W = EarlyWarning.State

WARNING = StateMachine(
    "预警",
    EarlyWarning,
    "state",
    EmergencyError.WRONG_STATE,
    Move("adjust", "调整预警", [_W.LIVE], None),
    Move("lift", "解除预警", [_W.LIVE], _W.LIFTED),
    label_field="number",
)

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
