"""Which share grants are in force: not revoked, and now within their validity. The objection path,
the once-only fetch and the record count each ask it (docs/rules.md §3)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone

from zhengwu.accounts.models import Department
from zhengwu.catalog.models import Resource
from zhengwu.exchange.sharing.models import Grant


def grants_in_force(consumer: Department, resource: Resource) -> QuerySet[Grant]:
    now = timezone.now()
    return Grant.objects.filter(
        consumer=consumer, resource=resource, revoked_at__isnull=True, valid_from__lte=now, valid_until__gt=now
    )


def grant_in_force(consumer: Department, resource: Resource) -> Grant | None:
    """The newest grant in force, the one an access-log entry names."""
    return grants_in_force(consumer, resource).order_by("-created_at").first()
