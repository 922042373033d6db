"""The state machines of governance (docs/states.md is generated from them).

Information system (信息系统): registered 建设中 or 运行; a running system may be stopped (停用) and
resumed; any system not yet retired may be consolidated into another (已整合) or cleared (已清理),
which only the e-gov office's decision on a zombie review, or the owner department, does.

Zombie review (僵尸系统核查): the monthly job opens a candidate (候选) with the rules that fired; the
e-gov office confirms it (→ 待自查) or dismisses it (排除); the owner department answers (自查 →
待审核); the office sends it back for a better answer or decides 保留 / 整合 / 清理.

An evaluation run is computed (计算中) by a background job, then waits for the e-government
office's review (待审核), where scores may be adjusted with a reason, and is published (已发布).
A computation that fails can be started again (重新计算).

E-gov project (政务信息化项目): 草稿 → 申报 (待技术审核) → 技术审核 (待批准) → 批准 → 立项 → 建设 →
申请验收 (待验收) → 验收 (运维中) → 绩效评价; the office may send a declared project back to the
draft. A self-funded small project goes 草稿 → 备案 (待备案确认) → 立项. Approval, the filing's
confirmation and acceptance pass the sharing gate (services.projects.sharing_gate).
"""

from __future__ import annotations

from zhengwu.core.states import Move, StateMachine
from zhengwu.governance.errors import GovernanceError
from zhengwu.governance.models import EvaluationRun, InformationSystem, Project, ZombieCase

_S = InformationSystem.State

SYSTEM = StateMachine(
    "信息系统",
    InformationSystem,
    "state",
    GovernanceError.WRONG_STATE,
    Move("edit", "修改登记信息", [_S.BUILDING, _S.RUNNING, _S.STOPPED], None),
    Move("link", "关联接口调用系统", [_S.BUILDING, _S.RUNNING, _S.STOPPED], None),
    Move("start", "投入运行", [_S.BUILDING], _S.RUNNING),
    Move("stop", "停用", [_S.RUNNING], _S.STOPPED),
    Move("resume", "恢复运行", [_S.STOPPED], _S.RUNNING),
    Move("consolidate", "整合", [_S.BUILDING, _S.RUNNING, _S.STOPPED], _S.CONSOLIDATED),
    Move("clear", "清理", [_S.BUILDING, _S.RUNNING, _S.STOPPED], _S.CLEARED),
    label_field="name",
)

_Z = ZombieCase.State

ZOMBIE = StateMachine(
    "僵尸系统核查",
    ZombieCase,
    "state",
    GovernanceError.WRONG_STATE,
    Move("refresh", "更新命中规则与证据", [_Z.CANDIDATE, _Z.SELF_CHECK, _Z.REVIEW], None),
    Move("confirm", "确认为僵尸系统候选", [_Z.CANDIDATE], _Z.SELF_CHECK),
    Move("dismiss", "排除", [_Z.CANDIDATE], _Z.DISMISSED),
    Move("self_check", "自查", [_Z.SELF_CHECK], _Z.REVIEW),
    Move("send_back", "退回重新自查", [_Z.REVIEW], _Z.SELF_CHECK),
    Move("retain", "保留", [_Z.REVIEW], _Z.RETAINED),
    Move("consolidate", "整合", [_Z.REVIEW], _Z.CONSOLIDATED),
    Move("clear", "清理", [_Z.REVIEW], _Z.CLEARED),
)
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

_P = Project.State
_EDITABLE = [_P.DRAFT, _P.SUBMITTED, _P.REVIEWED, _P.APPROVED, _P.FILING, _P.ESTABLISHED, _P.BUILDING, _P.ACCEPTING]

PROJECT = StateMachine(
    "项目",
    Project,
    "state",
    GovernanceError.WRONG_STATE,
    Move("edit", "修改申报内容", [_P.DRAFT], None),
    Move("submit", "申报", [_P.DRAFT], _P.SUBMITTED),
    Move("file", "备案", [_P.DRAFT], _P.FILING),
    Move("review", "技术审核", [_P.SUBMITTED], _P.REVIEWED),
    Move("send_back", "退回修改", [_P.SUBMITTED, _P.REVIEWED, _P.FILING], _P.DRAFT),
    Move("approve", "批准", [_P.REVIEWED], _P.APPROVED),
    Move("confirm_filing", "确认备案", [_P.FILING], _P.ESTABLISHED),
    Move("establish", "立项", [_P.APPROVED], _P.ESTABLISHED),
    Move("start_building", "开工建设", [_P.ESTABLISHED], _P.BUILDING),
    Move("progress", "登记里程碑或监理报告", [_P.BUILDING], None),
    Move("request_acceptance", "申请验收", [_P.BUILDING], _P.ACCEPTING),
    Move("accept", "验收", [_P.ACCEPTING], _P.OPERATING),
    Move("evaluate", "绩效评价", [_P.OPERATING], _P.EVALUATED),
    Move("attach", "上传文件", [*_EDITABLE, _P.OPERATING], None),
    label_field="number",
)
