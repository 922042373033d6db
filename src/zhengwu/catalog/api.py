"""/api/v1/catalog — the information resource catalog, read-only.

Callers: anyone (no credentials: the open resources only), people with a session (staff see
every published resource and their department's drafts) and department systems with a bearer
token (published resources that are not secret). Wrong credentials are refused with 401 rather
than silently treated as anonymous.

A resource code contains a "/" ("101001/001"): the detail path takes it as is,
`/api/v1/catalog/resources/101001/001` (a `path` converter); `%2F` works as well.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from zhengwu.accounts.api_auth import ApiClientAuth, PersonSessionAuth
from zhengwu.accounts.models import ApiClient, User
from zhengwu.catalog import selectors
from zhengwu.catalog.exchange_formats import resource_as_dict
from zhengwu.catalog.models import CatalogClass, Resource
from zhengwu.core.actors import Actor, client_ip
from zhengwu.core.keyset_api import KeysetQuery, keyset_response
from zhengwu.core.schemas import ErrorOut

router = Router(tags=["政务信息资源目录"])


def anonymous(request: HttpRequest) -> str | None:
    """No credentials at all: the public. A request that carries credentials must prove them."""
    return None if "Authorization" in request.headers else "anonymous"


catalog_auth = [ApiClientAuth(), PersonSessionAuth(), anonymous]
# In OpenAPI an empty requirement means "no credentials needed": the catalog is public, credentials
# optional. Ninja appends this list to the requirements it derives from `auth` (both credentials).
PUBLIC_OR_CREDENTIALS: dict[str, Any] = {"security": [{}]}


class FreshnessOut(Schema):
    score: int = Field(description="0–100")
    label: str = Field(description="按期更新、更新滞后、长期未更新 或 尚无数据")


class ResourceOut(Schema):
    id: int
    code: str | None = Field(description="分类代码/顺序号，如 101001/001；草稿为 null")
    name: str
    catalog_class: str
    provider: str
    provider_code: str
    summary: str
    format_class: str
    share_type: str
    open_to_public: bool
    update_cycle: str
    publish_date: date | None
    state: str
    version: int
    freshness: FreshnessOut
    score: int | None = Field(None, description="检索相关度（仅带 q 时）")


class CatalogItemOut(Schema):
    name: str
    code: str
    data_type: str
    enum_values: list[str]
    max_length: int | None
    required: bool
    is_personal: bool
    is_authoritative: bool
    queryable: bool = Field(description="可查询数据项：数据共享接口可按其过滤")
    description: str


class ResourceDetailOut(ResourceOut):
    share_condition: str
    share_method: str
    no_share_basis: str
    open_condition: str
    related_codes: list[str]
    zone: str
    is_secret: bool
    key_item: str
    query_combinations: list[list[str]] = Field(description="组合查询：可一并过滤、建有组合索引的可查询信息项")
    items: list[CatalogItemOut]
    api_url: str | None = Field(description="数据查询接口（已发布资源）")


class ResourcePage(Schema):
    items: list[ResourceOut]
    next_after: int | None = Field(description="下一页的 after；带 q 时按相关度排序、只返回一页，恒为 null")


class ResourceFilter(KeysetQuery):
    catalog_class: CatalogClass | None = Field(None, description="目录类别：base、theme、department")
    provider: str | None = Field(None, pattern=r"^[0-9A-HJ-NPQRTUWXY]{18}$", description="提供方统一社会信用代码")
    q: str | None = Field(None, max_length=100, description="中文全文检索（名称、摘要、信息项）")


def _viewer(request: HttpRequest) -> Actor:
    """Who calls: the department system of the bearer token, the logged-in person, or nobody."""
    auth = request.auth  # type: ignore[attr-defined]
    if isinstance(auth, ApiClient):
        return Actor.api(auth, ip=client_ip(request))
    if isinstance(auth, User):
        return Actor.person(auth, ip=client_ip(request))
    return Actor.anonymous(ip=client_ip(request))


def _out(resource: Resource) -> dict[str, Any]:
    fresh = selectors.resource_freshness(resource)
    return {
        "id": resource.pk,
        "code": resource.code,
        "name": resource.name,
        "catalog_class": resource.catalog_class,
        "provider": resource.provider.name,
        "provider_code": resource.provider_code,
        "summary": resource.summary,
        "format_class": resource.format_class,
        "share_type": resource.share_type,
        "open_to_public": resource.open_to_public,
        "update_cycle": resource.update_cycle,
        "publish_date": resource.publish_date,
        "state": resource.state,
        "version": resource.version,
        "freshness": {"score": fresh.score, "label": fresh.label},
        "score": getattr(resource, "score", None),
    }


@router.get(
    "/resources",
    response={200: ResourcePage, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut},
    auth=catalog_auth,
    openapi_extra=PUBLIC_OR_CREDENTIALS,
    summary="信息资源列表与检索",
)
def list_resources(request: HttpRequest, filters: Query[ResourceFilter]) -> dict[str, object]:
    rows = selectors.resources_visible(_viewer(request))
    rows = selectors.resources_filter(
        rows,
        catalog_class=filters.catalog_class or "",
        provider_code=filters.provider or "",
        query=filters.q or "",
    )
    if filters.q and filters.q.strip():
        return {"items": [_out(r) for r in rows[: filters.limit]], "next_after": None}
    return keyset_response(rows, filters, _out)


@router.get(
    "/resources/{path:code}",
    response={200: ResourceDetailOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    auth=catalog_auth,
    openapi_extra=PUBLIC_OR_CREDENTIALS,
    summary="信息资源详情（含信息项）",
)
def get_resource(request: HttpRequest, code: str) -> dict[str, object]:
    resource = selectors.resource_get_visible(_viewer(request), code=code)
    # The JSON export's resource with its items, plus what only the API shows (ResourceDetailOut
    # leaves out the export's other fields).
    return {
        **resource_as_dict(resource),
        **_out(resource),
        "query_combinations": [list(c) for c in resource.query_combinations],
        "api_url": f"/api/v1/exchange/{resource.code}/records" if resource.code else None,
    }


__all__ = ["router"]
