"""Reads of the accounts app."""

from __future__ import annotations

from itertools import groupby
from typing import Any

from django.db.models import QuerySet

from zhengwu.accounts.models import ApiClient, Department, Region, User
from zhengwu.core.contracts import DataSection, moment_text


def directory_figures() -> dict[str, int]:
    return {
        "departments": Department.objects.filter(is_active=True).count(),
        "regions": Region.objects.count(),
    }


def departments_by_region() -> list[dict[str, Any]]:
    rows = Department.objects.filter(is_active=True).select_related("region").order_by("region__code", "name")
    return [{"region": region, "departments": list(items)} for region, items in groupby(rows, key=lambda d: d.region)]


def region_page(code: str) -> dict[str, Any] | None:
    """A region's page on the portal: the region, the regions above it (province first), the
    regions under it and its active departments; None for a code the platform does not hold."""
    if not (len(code) == 6 and code.isdigit()):
        return None
    found = Region.objects.filter(code=code).select_related("parent__parent").first()
    if found is None:
        return None
    above: list[Region] = []
    parent = found.parent
    while parent is not None:
        above.insert(0, parent)
        parent = parent.parent
    return {
        "region": found,
        "above": above,
        "below": list(found.children.order_by("code")),
        "departments": list(Department.objects.filter(region=found, is_active=True).order_by("name")),
    }


def staff_list(*, department_id: int | None = None, query: str = "") -> QuerySet[User]:
    rows = User.objects.filter(kind=User.Kind.STAFF).select_related("department").prefetch_related("role_assignments")
    if department_id:
        rows = rows.filter(department_id=department_id)
    if query:
        rows = rows.filter(username__icontains=query) | rows.filter(real_name__icontains=query)
    return rows.order_by("department__name", "username")


def api_clients() -> QuerySet[ApiClient]:
    return ApiClient.objects.select_related("department").order_by("-created_at")


def identity_label(user: User) -> str:
    return (
        "已通过实名核验"
        if user.identity_verified
        else "未实名核验（可写信、申请信息公开、参与调查；暂不能申请政务服务事项）"
    )


def personal_data(user: User) -> list[DataSection]:
    """The account itself (我的数据): what the person gave at registration and its status."""
    row = (
        user.username,
        user.get_kind_display(),
        user.real_name,
        user.id_number,
        user.phone,
        user.enterprise_name,
        user.enterprise_credit_code,
        identity_label(user),
        moment_text(user.date_joined),
        moment_text(user.last_login),
    )
    columns = (
        "用户名",
        "用户类型",
        "姓名",
        "公民身份号码",
        "手机号码",
        "单位名称",
        "统一社会信用代码",
        "实名状态",
        "注册时间",
        "最近登录",
    )
    return [DataSection("account", "账号信息", columns, (row,))]
