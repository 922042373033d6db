"""/api/v1/accounts — the directory of regions and departments, and who-am-I."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from zhengwu.accounts.api_auth import ApiClientAuth, PersonSessionAuth
from zhengwu.accounts.models import ApiClient, Department, Region, User
from zhengwu.core.keyset_api import KeysetQuery, keyset_response
from zhengwu.core.schemas import ErrorOut

router = Router(tags=["部门与区划"])

directory_auth = [ApiClientAuth(ApiClient.Scope.READ_DIRECTORY), PersonSessionAuth()]


class PageQuery(KeysetQuery):
    limit: int = Field(100, ge=1, le=500, description="每页条数")


class RegionOut(Schema):
    id: int
    code: str
    name: str
    level: str
    parent_code: str | None


class RegionPage(Schema):
    items: list[RegionOut]
    next_after: int | None


class DepartmentOut(Schema):
    id: int
    name: str
    credit_code: str
    level: str
    region_code: str
    parent_id: int | None


class DepartmentPage(Schema):
    items: list[DepartmentOut]
    next_after: int | None


class WhoAmIOut(Schema):
    kind: str = Field(description="api_client、staff、citizen 或 enterprise")
    name: str
    department: str | None
    scopes: list[str]
    expires_at: datetime | None


def _region_out(r: Region) -> dict[str, object]:
    parent_code = r.parent.code if r.parent else None
    return {"id": r.pk, "code": r.code, "name": r.name, "level": r.level, "parent_code": parent_code}


def _department_out(d: Department) -> dict[str, object]:
    return {
        "id": d.pk,
        "name": d.name,
        "credit_code": d.credit_code,
        "level": d.level,
        "region_code": d.region.code,
        "parent_id": d.parent_id,
    }


class RegionFilter(PageQuery):
    parent: str | None = Field(None, pattern=r"^\d{6}$", description="上级区划代码")


@router.get(
    "/regions",
    response={200: RegionPage, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut},
    auth=directory_auth,
    summary="行政区划列表",
)
def list_regions(request: HttpRequest, filters: Query[RegionFilter]) -> dict[str, object]:
    rows = Region.objects.select_related("parent")
    if filters.parent:
        rows = rows.filter(parent__code=filters.parent)
    return keyset_response(rows, filters, _region_out)


class DepartmentFilter(PageQuery):
    region: str | None = Field(None, pattern=r"^\d{6}$", description="所属行政区划代码")


@router.get(
    "/departments",
    response={200: DepartmentPage, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut},
    auth=directory_auth,
    summary="部门列表",
)
def list_departments(request: HttpRequest, filters: Query[DepartmentFilter]) -> dict[str, object]:
    rows = Department.objects.filter(is_active=True).select_related("region")
    if filters.region:
        rows = rows.filter(region__code=filters.region)
    return keyset_response(rows, filters, _department_out)


@router.get(
    "/whoami",
    response={200: WhoAmIOut, 401: ErrorOut},
    auth=[ApiClientAuth(), PersonSessionAuth()],
    summary="当前调用者",
)
def whoami(request: HttpRequest) -> dict[str, object]:
    caller = request.auth  # type: ignore[attr-defined]
    if isinstance(caller, ApiClient):
        return {
            "kind": "api_client",
            "name": caller.name,
            "department": caller.department.name,
            "scopes": caller.scopes,
            "expires_at": caller.expires_at,
        }
    user: User = caller
    return {
        "kind": user.kind,
        "name": str(user),
        "department": user.department.name if user.department_id else None,  # type: ignore[union-attr]
        "scopes": [],
        "expires_at": None,
    }
