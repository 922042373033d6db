"""The state machines of 网上办事 (docs/states.md is generated from them).

办件 (`Application.state`)::

    submitted (待受理) ──accept──▶ processing (审批中) ──conclude (all stages done / a task said no)──▶
        deciding (待决定) ──approve / deny──▶ approved (准予) | denied (不予)
    submitted ──refuse──▶ refused (不予受理)
    submitted ──request_correction──▶ correction (待补正) ──correct──▶ submitted
    any open state ──withdraw──▶ withdrawn (已撤回)
"""

from __future__ import annotations

from zhengwu.core.states import Move, StateMachine
from zhengwu.eservices.errors import EservicesError
from zhengwu.eservices.models import Application, CaseTask, Rectification, ServiceItem

_ITEM = ServiceItem.State
ITEM_STATES = StateMachine(
    "事项",
    ServiceItem,
    "state",
    EservicesError.WRONG_STATE,
    Move("edit", "修改", [_ITEM.DRAFT, _ITEM.WITHDRAWN], None),
    Move("publish", "发布", [_ITEM.DRAFT, _ITEM.WITHDRAWN], _ITEM.PUBLISHED),
    Move("withdraw", "停用", [_ITEM.PUBLISHED], _ITEM.WITHDRAWN),
    Move("apply", "申请", [_ITEM.PUBLISHED], None, code=EservicesError.ITEM_NOT_PUBLISHED),
    label_field="name",
)

_CASE = Application.State
APPLICATION_STATES = StateMachine(
    "办件",
    Application,
    "state",
    EservicesError.WRONG_STATE,
    Move("accept", "受理", [_CASE.SUBMITTED], _CASE.PROCESSING),
    Move("refuse", "作出不予受理决定", [_CASE.SUBMITTED], _CASE.REFUSED),
    Move("request_correction", "要求补正", [_CASE.SUBMITTED], _CASE.CORRECTION),
    Move("correct", "提交补正", [_CASE.CORRECTION], _CASE.SUBMITTED),
    Move("review", "办理审批任务", [_CASE.PROCESSING], None),
    Move("conclude", "结束审查", [_CASE.PROCESSING], _CASE.DECIDING),
    Move("approve", "作出决定", [_CASE.DECIDING], _CASE.APPROVED),
    Move("deny", "作出决定", [_CASE.DECIDING], _CASE.DENIED),
    Move("withdraw", "撤回", list(Application.OPEN_STATES), _CASE.WITHDRAWN),
    Move("rate", "评价（办结后才能评价）", list(Application.DONE_STATES), None),
    label_field="number",
)

_TASK = CaseTask.State
TASK_STATES = StateMachine(
    "审批任务",
    CaseTask,
    "state",
    EservicesError.WRONG_STATE,
    Move("claim", "认领", list(CaseTask.LIVE_STATES), None),
    Move("approve", "办理", [_TASK.OPEN], _TASK.APPROVED),
    Move("reject", "办理", [_TASK.OPEN], _TASK.REJECTED),
    Move("special_start", "启动特别程序", [_TASK.OPEN], _TASK.SPECIAL),
    Move("special_end", "结束特别程序", [_TASK.SPECIAL], _TASK.OPEN),
    Move("cancel", "取消", list(CaseTask.LIVE_STATES), _TASK.CANCELLED),
    label_field="name",
)

_RECT = Rectification.State
RECTIFICATION_STATES = StateMachine(
    "差评整改",
    Rectification,
    "state",
    EservicesError.WRONG_STATE,
    Move("complete", "提交整改", [_RECT.OPEN], _RECT.DONE),
    Move("appeal", "申诉", [_RECT.OPEN], _RECT.APPEALED),
    Move("uphold", "审核申诉", [_RECT.APPEALED], _RECT.ANNULLED),
    Move("reject_appeal", "审核申诉", [_RECT.APPEALED], _RECT.OPEN),
)
