"""The state machine of catalog resources (docs/states.md is generated from it).

draft → submitted → approved (电子政务办) → published → withdrawn; the office may send a submitted
or approved resource back to draft. A revision of a published resource is a separate draft row
(`revision_of`) that goes through the same moves; its publication keeps the original published
(`republish`: the same code, version + 1).
"""

from __future__ import annotations

from zhengwu.catalog.errors import CatalogError
from zhengwu.catalog.models import Resource
from zhengwu.core.states import Move, StateMachine

_DRAFT, _SUBMITTED, _APPROVED = Resource.State.DRAFT, Resource.State.SUBMITTED, Resource.State.APPROVED
_PUBLISHED = Resource.State.PUBLISHED

RESOURCE = StateMachine(
    "目录资源",
    Resource,
    "state",
    CatalogError.WRONG_STATE,
    Move("edit", "修改", [_DRAFT], None),
    Move("delete", "删除", [_DRAFT], None),
    Move("submit", "提交审核", [_DRAFT], _SUBMITTED),
    Move("approve", "审核通过", [_SUBMITTED], _APPROVED),
    Move("reject", "退回修改", [_SUBMITTED, _APPROVED], _DRAFT),
    Move("publish", "发布", [_APPROVED], _PUBLISHED),
    Move("republish", "发布修订版本", [_PUBLISHED], None),
    Move("revise", "修订", [_PUBLISHED], None),
    Move("withdraw", "撤销", [_PUBLISHED], Resource.State.WITHDRAWN),
    label_field="name",
)
