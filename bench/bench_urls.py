"""URLs for bench/query_bench.py: everything of `zhengwu.urls` plus `/bench/bare/<key>`, a bare
Django view doing the same keyed SELECT on the same exchange table as the query API, without
token, grant, purpose, masking or access log. Only used by the benchmark (bench_settings)."""

from __future__ import annotations

import os
from typing import Any

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.urls import include, path

_SQL: dict[str, Any] = {}


def _statement() -> tuple[str, list[str]]:
    if not _SQL:
        from zhengwu.catalog.models import Resource
        from zhengwu.exchange.store import tables as store

        resource = Resource.objects.get(code=os.environ.get("BENCH_RESOURCE_CODE", "102001/001"))
        spec = store.table_spec(resource)
        columns = ", ".join(spec.q(code) for code in spec.codes)
        _SQL["sql"] = (
            f'SELECT {columns}, "_disputed" FROM {spec.quoted_table} '  # noqa: S608 - our identifiers
            f'WHERE {spec.q(spec.key)} = %s AND "_deleted" = %s'
        )
        _SQL["codes"] = [*spec.codes, "_disputed"]
    return _SQL["sql"], _SQL["codes"]


def bare(request: HttpRequest, key: str) -> JsonResponse:
    sql, codes = _statement()
    with connection.cursor() as cursor:
        cursor.execute(sql, [key, False])
        row = cursor.fetchone()
    if row is None:
        return JsonResponse({"code": "not_found"}, status=404)
    return JsonResponse({"record": dict(zip(codes, row, strict=True))}, json_dumps_params={"default": str})


urlpatterns = [
    path("bench/bare/<str:key>", bare),
    path("", include("zhengwu.urls")),
]

handler404 = "zhengwu.portal.views.not_found"
handler500 = "zhengwu.portal.views.server_error"
