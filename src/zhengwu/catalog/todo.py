"""The catalog's share of the workbench to-do list: entries waiting for review or publication."""

from __future__ import annotations

from django.urls import reverse

from zhengwu.accounts.models import Role, User
from zhengwu.catalog.models import Resource
from zhengwu.core.contracts import TodoItem

LIMIT = 200  # a to-do list is read, not paged through by the thousand


def todo_items(user: User) -> list[TodoItem]:
    """E-gov office: resources submitted for review. Data officer: own resources approved and not yet published."""
    items: list[TodoItem] = []
    if user.has_role(Role.EGOV_OFFICE):
        for resource in Resource.objects.filter(state=Resource.State.SUBMITTED).select_related("provider")[:LIMIT]:
            items.append(
                TodoItem(
                    kind_label="目录审核",
                    title=f"{resource.name}（{resource.provider.name}）",
                    url=reverse("catalog_wb:detail", args=[resource.pk]),
                )
            )
    if user.has_role(Role.DATA_OFFICER) and user.department_id is not None:
        approved = Resource.objects.filter(state=Resource.State.APPROVED, provider_id=user.department_id)
        for resource in approved[:LIMIT]:
            items.append(
                TodoItem(
                    kind_label="目录发布",
                    title=f"{resource.name}（已审核，待发布）",
                    url=reverse("catalog_wb:detail", args=[resource.pk]),
                )
            )
    return items
