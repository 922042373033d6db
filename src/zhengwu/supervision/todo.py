"""The e-supervision centre's share of the workbench to-do list (`todo_items(user)`):

- clerks and leaders of a department: 督办 notices to answer and complaints forwarded to it;
- supervisors: complaints waiting for them (new ones to forward or conclude, answered ones to conclude).

Each item carries the light and deadline of its timer (one query per kind of item).
"""

from __future__ import annotations

from django.urls import reverse

from zhengwu.accounts.models import Role, User
from zhengwu.core.contracts import TodoItem
from zhengwu.supervision.models import Complaint, Urging
from zhengwu.supervision.oversight import COMPLAINT_ANSWER_TIMER, COMPLAINT_TIMER, URGING_TIMER
from zhengwu.supervision.selectors import live_timers_of

LIMIT = 200


def todo_items(user: User) -> list[TodoItem]:
    items: list[TodoItem] = []
    if user.department_id is not None and user.has_role(Role.CLERK, Role.DEPT_LEADER):
        urgings = list(
            Urging.objects.filter(department_id=user.department_id, state=Urging.State.OPEN).select_related("timer")[
                :LIMIT
            ]
        )
        timers = live_timers_of(urgings, URGING_TIMER)
        for urging in urgings:
            url = reverse("supervision_wb:urging_detail", args=[urging.pk])
            items.append(TodoItem.timed("督办答复", f"督办：{urging.timer.title}", url, timers.get(str(urging.pk))))
        forwarded = list(
            Complaint.objects.filter(department_id=user.department_id, state=Complaint.State.FORWARDED)[:LIMIT]
        )
        timers = live_timers_of(forwarded, COMPLAINT_ANSWER_TIMER)
        for complaint in forwarded:
            url = reverse("supervision_wb:complaint_detail", args=[complaint.pk])
            items.append(TodoItem.timed("投诉核查答复", f"投诉 {complaint.number}", url, timers.get(str(complaint.pk))))
    if user.has_role(Role.SUPERVISOR):
        waiting = list(
            Complaint.objects.filter(state__in=[Complaint.State.SUBMITTED, Complaint.State.ANSWERED]).select_related(
                "department"
            )[:LIMIT]
        )
        timers = live_timers_of(waiting, COMPLAINT_TIMER)
        for complaint in waiting:
            url = reverse("supervision_wb:complaint_detail", args=[complaint.pk])
            label = "投诉受理" if complaint.state == Complaint.State.SUBMITTED else "投诉办结"
            items.append(
                TodoItem.timed(
                    label, f"投诉 {complaint.number}：{complaint.department.name}", url, timers.get(str(complaint.pk))
                )
            )
    return items
