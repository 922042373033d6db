"""The exchange's share of the workbench to-do list: share requests to answer or coordinate and
objections (纠错) to verify, each with the light of its legal deadline."""

from __future__ import annotations

from django.db.models import Model, QuerySet
from django.urls import reverse

from zhengwu.accounts.models import Role, User
from zhengwu.core.contracts import TodoItem
from zhengwu.exchange.sharing.models import Objection, ShareRequest
from zhengwu.exchange.sharing.selectors import lights_for
from zhengwu.exchange.sharing.services import OBJECTION_TIMER, SHARE_REQUEST_TIMER

LIMIT = 200
ANSWERING_ROLES = (Role.DATA_OFFICER, Role.DEPT_LEADER)


def _items(rows: QuerySet[ShareRequest] | QuerySet[Objection], kind: str, label: str, url: str) -> list[TodoItem]:
    objects: list[Model] = list(rows[:LIMIT])
    timers = lights_for(objects, kind)
    items = []
    for obj in objects:
        items.append(TodoItem.timed(label, str(obj), url, timers.get(int(obj.pk))))
    return items


def todo_items(user: User) -> list[TodoItem]:
    items: list[TodoItem] = []
    if user.department_id is not None and user.has_role(*ANSWERING_ROLES):
        received = ShareRequest.objects.filter(
            resource__provider_id=user.department_id, state=ShareRequest.State.SUBMITTED
        ).select_related("resource", "consumer")
        items += _items(received, SHARE_REQUEST_TIMER, "共享申请答复", reverse("sharing_wb:queue"))
        objections = Objection.objects.filter(
            resource__provider_id=user.department_id, state=Objection.State.OPEN
        ).select_related("resource", "consumer")
        items += _items(objections, OBJECTION_TIMER, "数据纠错核实", reverse("sharing_wb:objections"))
    if user.has_role(Role.EGOV_OFFICE):
        coordinating = ShareRequest.objects.filter(state=ShareRequest.State.COORDINATING).select_related(
            "resource", "consumer"
        )
        items += _items(coordinating, SHARE_REQUEST_TIMER, "共享协调", reverse("sharing_wb:queue"))
    return items
