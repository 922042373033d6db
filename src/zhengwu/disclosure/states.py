"""The state machines of disclosure (docs/states.md is generated from them).

A publication is drafted, published (it gets its index number) and may be withdrawn; a draft alone
may be edited, given attachments or deleted. A request (依申请公开) filed online waits for the agency
to confirm receipt; one made in person or by post is registered straight into processing. From
processing the agency asks for a correction (补正, once), consults a third party (征求第三方意见) or
answers; the applicant may withdraw an open request, and one not corrected in time is closed.
"""

from __future__ import annotations

from zhengwu.core.states import Move, StateMachine
from zhengwu.disclosure.errors import DisclosureError
from zhengwu.disclosure.models import DisclosureRequest, Publication

_DRAFT, _PUBLISHED = Publication.State.DRAFT, Publication.State.PUBLISHED

PUBLICATION = StateMachine(
    "公开信息",
    Publication,
    "state",
    DisclosureError.WRONG_STATE,
    Move("edit", "编辑", [_DRAFT], None),
    Move("attach", "增删附件", [_DRAFT], None),
    Move("publish", "发布", [_DRAFT], _PUBLISHED),
    Move("set_validity", "变更有效性", [_DRAFT, _PUBLISHED], None),
    Move("withdraw", "撤回", [_PUBLISHED], Publication.State.WITHDRAWN),
    Move("delete", "删除草稿", [_DRAFT], None),
)

_R = DisclosureRequest.State

REQUEST = StateMachine(
    "公开申请",
    DisclosureRequest,
    "state",
    DisclosureError.WRONG_STATE,
    Move("confirm_receipt", "确认收到", [_R.SUBMITTED], _R.PROCESSING),
    Move("ask_correction", "告知补正", [_R.PROCESSING], _R.CORRECTION),
    Move("correct", "登记补正", [_R.CORRECTION], _R.PROCESSING),
    Move("extend", "延长答复期限", [_R.PROCESSING, _R.CONSULTING], None),
    Move("consult_start", "征求第三方意见", [_R.PROCESSING], _R.CONSULTING),
    Move("consult_end", "结束征求意见", [_R.CONSULTING], _R.PROCESSING),
    Move("answer", "答复", [_R.PROCESSING], _R.ANSWERED),
    Move("withdraw", "撤回", list(DisclosureRequest.OPEN_STATES), _R.CLOSED),
    Move("close_uncorrected", "终止办理", [_R.CORRECTION], _R.CLOSED),
    label_field="number",
)
