"""Portal pages of the catalog (外网): the open resources, their pages, downloads and DCAT."""

from __future__ import annotations

import json

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone

from zhengwu.accounts.models import Department
from zhengwu.catalog import selectors
from zhengwu.catalog.exchange_formats import catalog_workbook, dcat_catalog, resource_as_dict
from zhengwu.catalog.models import CatalogClass, Resource
from zhengwu.core.downloads import XLSX, attachment
from zhengwu.core.errors import not_found


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def filtered(request: HttpRequest, rows: QuerySet[Resource]) -> tuple[QuerySet[Resource], dict[str, object]]:
    """Apply the list filters of the query string (class, provider, q); shared with the workbench."""
    catalog_class = request.GET.get("class", "")
    if catalog_class not in CatalogClass.values:
        catalog_class = ""
    provider_id = _int(request.GET.get("provider"))
    query = request.GET.get("q", "").strip()[:100]
    rows = selectors.resources_filter(rows, catalog_class=catalog_class, provider_id=provider_id, query=query)
    return rows, {"class": catalog_class, "provider": provider_id, "q": query}


def with_freshness(resources: list[Resource]) -> list[Resource]:
    for resource in resources:
        resource.fresh = selectors.resource_freshness(resource)  # type: ignore[attr-defined]
    return resources


def catalog_list(request: HttpRequest) -> HttpResponse:
    base = selectors.public_resources()
    rows, chosen = filtered(request, base.select_related("provider"))
    page = Paginator(rows, 20).get_page(request.GET.get("page"))
    with_freshness(list(page.object_list))
    providers = Department.objects.filter(pk__in=base.values("provider_id")).order_by("name")
    context = {"page": page, "chosen": chosen, "classes": CatalogClass.choices, "providers": providers}
    return render(request, "catalog/portal_list.html", context)


def catalog_detail(request: HttpRequest, code: str) -> HttpResponse:
    code = selectors.checked_resource_code(code)
    resource = selectors.public_resources().select_related("provider").filter(code=code).first()
    if resource is None:
        raise not_found("信息资源")
    context = {
        "resource": resource,
        "items": selectors.resource_items(resource),
        "fresh": selectors.resource_freshness(resource),
    }
    return render(request, "catalog/portal_detail.html", context)


def catalog_dcat(request: HttpRequest) -> HttpResponse:
    rows = selectors.public_resources().select_related("provider").prefetch_related("items")
    body = dcat_catalog(rows, base_url=request.build_absolute_uri("/"), title="政务数据开放目录")
    response = JsonResponse(body, json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Type"] = "application/ld+json; charset=utf-8"
    return response


def download(rows: QuerySet[Resource], fmt: str, stem: str) -> HttpResponse:
    """The resources as an Excel workbook (the import form) or JSON, as a file download."""
    rows = rows.select_related("provider").prefetch_related("items")
    name = f"{stem}-{timezone.localdate():%Y%m%d}"
    if fmt == "xlsx":
        return attachment(catalog_workbook(rows), f"{name}.xlsx", XLSX)
    body = json.dumps({"resources": [resource_as_dict(r) for r in rows]}, ensure_ascii=False, indent=2)
    return attachment(body, f"{name}.json", "application/json; charset=utf-8")


def catalog_export(request: HttpRequest, fmt: str) -> HttpResponse:
    rows, _ = filtered(request, selectors.public_resources())
    return download(rows, fmt, "open-catalog")
