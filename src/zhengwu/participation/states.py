"""The state machines of participation (docs/states.md is generated from them).

A letter runs the 12345 cycle (docs/rules.md §6); its extension request is a sub-state of its own
(`extension_state`: none → requested → approved or refused; cleared when the letter is dispatched
again or reopened, and withdrawn by the reply). Consultations, surveys and moderation flags have
short lives of their own. Comments carry no state of their own: their adoption may change until
the consultation's summary is published, and hiding is a moderation mark (`hidden_at`).
"""

from __future__ import annotations

from django.db import models

from zhengwu.core.states import Move, StateMachine
from zhengwu.participation.errors import ParticipationError
from zhengwu.participation.models import Consultation, Flag, Letter, Survey

_WRONG = ParticipationError.WRONG_STATE
_L = Letter.State

LETTER = StateMachine(
    "来信",
    Letter,
    "state",
    _WRONG,
    Move("accept", "受理", [_L.SUBMITTED], _L.ACCEPTED),
    Move("refuse", "不予受理", [_L.SUBMITTED, _L.ACCEPTED], _L.REFUSED),
    Move("dispatch", "派单", [_L.SUBMITTED, _L.ACCEPTED], _L.DISPATCHED),
    Move("sign", "签收", [_L.DISPATCHED], _L.HANDLING),
    Move("return", "退回", [_L.DISPATCHED], _L.ACCEPTED),
    Move("extension", "申请或审批延期", [_L.DISPATCHED, _L.HANDLING], None),
    Move("reply", "答复", [_L.DISPATCHED, _L.HANDLING], _L.REPLIED),
    Move("reopen", "退回重办", [_L.REPLIED], _L.HANDLING),
    Move("complete", "办结", [_L.REPLIED], _L.COMPLETED),
    Move("callback", "回访", [_L.COMPLETED], _L.VISITED),
    Move("publish", "公开", [_L.COMPLETED, _L.VISITED], None),
    Move("rate", "评价", [_L.COMPLETED, _L.VISITED], None),
    Move("bad_rating_callback", "差评回访", [_L.VISITED], _L.COMPLETED),
    label_field="number",
)

_NONE, _REQUESTED, _APPROVED, _REFUSED = "", "requested", "approved", "refused"

EXTENSION = StateMachine(
    "延期申请",
    Letter,
    "extension_state",
    _WRONG,
    Move("request", "申请延期", [_NONE, _REFUSED], _REQUESTED, code=ParticipationError.ALREADY_EXTENDED),
    Move("approve", "批准延期", [_REQUESTED], _APPROVED),
    Move("refuse", "不批准延期", [_REQUESTED], _REFUSED),
    Move("withdraw", "答复时撤回", [_REQUESTED], _NONE),
    Move("clear", "重新派单或退回重办时清除", [_REQUESTED, _APPROVED, _REFUSED], _NONE),
    label_field="number",
)


def _machine(noun: str, model: type[models.Model], *moves: Move) -> StateMachine:
    """A machine of the `state` field refused with participation's WRONG_STATE."""
    return StateMachine(noun, model, "state", _WRONG, *moves)


_C, _S, _F = Consultation.State, Survey.State, Flag.State

CONSULTATION = _machine(
    "意见征集",
    Consultation,
    Move("publish", "发布", [_C.DRAFT], _C.PUBLISHED),
    Move("close", "结束", [_C.PUBLISHED], _C.CLOSED),
    Move("publish_summary", "公布采纳情况", [_C.PUBLISHED, _C.CLOSED], _C.CLOSED),
)
SURVEY = _machine(
    "问卷", Survey, Move("open", "开始", [_S.DRAFT], _S.OPEN), Move("close", "结束", [_S.OPEN], _S.CLOSED)
)
FLAG = _machine(
    "举报", Flag, Move("hide", "屏蔽", [_F.OPEN], _F.HIDDEN), Move("dismiss", "驳回", [_F.OPEN], _F.DISMISSED)
)
