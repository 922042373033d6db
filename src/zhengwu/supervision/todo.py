"""The e-supervision centre's share of the workbench to-do list (`todo_items(user)`):

- clerks and leaders of a department: 督办 notices to answer and complaints forwarded to it;
- supervisors: complaints waiting for them (new ones to forward or conclude, answered ones to conclude).

Each item carries the light and deadline of its timer (one query per kind of item).
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import Model
from django.urls import reverse

from zhengwu.accounts.models import Role, User
from zhengwu.core.contracts import TodoItem
from zhengwu.supervision.models import Complaint, Timer, Urging
from zhengwu.supervision.oversight import COMPLAINT_ANSWER_TIMER, COMPLAINT_TIMER, URGING_TIMER
from zhengwu.supervision.selectors import with_light

LIMIT = 200


def _timers(objects: Sequence[Model], kind: str, target_type: str) -> dict[str, Timer]:
    rows = with_light(
        Timer.objects.filter(
            kind=kind, target_type=target_type, target_id__in=[str(o.pk) for o in objects], state__in=Timer.LIVE_STATES
        )
    )
    return {t.target_id: t for t in rows}


def _item(label: str, title: str, url: str, timer: Timer | None) -> TodoItem:
    return TodoItem(
        kind_label=label,
        title=title,
        url=url,
        deadline=timer.deadline if timer else None,
        light=str(getattr(timer, "current_light", "")) if timer else "",
    )


def todo_items(user: User) -> list[TodoItem]:
    items: list[TodoItem] = []
    if user.department_id is not None and user.has_role(Role.CLERK, Role.DEPT_LEADER):
        urgings = list(
            Urging.objects.filter(department_id=user.department_id, state=Urging.State.OPEN).select_related("timer")[
                :LIMIT
            ]
        )
        timers = _timers(urgings, URGING_TIMER, "supervision.urging")
        for urging in urgings:
            url = reverse("supervision_wb:urging_detail", args=[urging.pk])
            items.append(_item("督办答复", f"督办：{urging.timer.title}", url, timers.get(str(urging.pk))))
        forwarded = list(
            Complaint.objects.filter(department_id=user.department_id, state=Complaint.State.FORWARDED)[:LIMIT]
        )
        timers = _timers(forwarded, COMPLAINT_ANSWER_TIMER, "supervision.complaint")
        for complaint in forwarded:
            url = reverse("supervision_wb:complaint_detail", args=[complaint.pk])
            items.append(_item("投诉核查答复", f"投诉 {complaint.number}", url, timers.get(str(complaint.pk))))
    if user.has_role(Role.SUPERVISOR):
        waiting = list(
            Complaint.objects.filter(state__in=[Complaint.State.SUBMITTED, Complaint.State.ANSWERED]).select_related(
                "department"
            )[:LIMIT]
        )
        timers = _timers(waiting, COMPLAINT_TIMER, "supervision.complaint")
        for complaint in waiting:
            url = reverse("supervision_wb:complaint_detail", args=[complaint.pk])
            label = "投诉受理" if complaint.state == Complaint.State.SUBMITTED else "投诉办结"
            items.append(
                _item(
                    label, f"投诉 {complaint.number}：{complaint.department.name}", url, timers.get(str(complaint.pk))
                )
            )
    return items
