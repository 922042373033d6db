"""Reads of the accounts app."""

from __future__ import annotations

from itertools import groupby
from typing import Any

from django.db.models import QuerySet

from zhengwu.accounts.models import ApiClient, Department, Region, User


def directory_figures() -> dict[str, int]:
    return {
        "departments": Department.objects.filter(is_active=True).count(),
        "regions": Region.objects.count(),
    }


def departments_by_region() -> list[dict[str, Any]]:
    rows = Department.objects.filter(is_active=True).select_related("region").order_by("region__code", "name")
    return [{"region": region, "departments": list(items)} for region, items in groupby(rows, key=lambda d: d.region)]


def staff_list(*, department_id: int | None = None, query: str = "") -> QuerySet[User]:
    rows = User.objects.filter(kind=User.Kind.STAFF).select_related("department").prefetch_related("role_assignments")
    if department_id:
        rows = rows.filter(department_id=department_id)
    if query:
        rows = rows.filter(username__icontains=query) | rows.filter(real_name__icontains=query)
    return rows.order_by("department__name", "username")


def api_clients() -> QuerySet[ApiClient]:
    return ApiClient.objects.select_related("department").order_by("-created_at")
