"""/api/v1/exchange — the upsert API for the provider department's own systems (写入共享数据).

    POST /api/v1/exchange/{resource_code}/records:upsert     {"records": [{…}, …]}   ≤ 1000 rows

Authentication: `Authorization: Bearer zw_…` of an API client with scope `exchange:write`
belonging to the resource's provider department. Any other caller learns nothing: an unknown
resource and a resource of another department both answer 404. Record keys are item codes (or
item names); values are checked like a file load, and all or nothing is written: a wrong value
answers 400 `exchange.invalid_rows` with `fields` such as `records[3].credit_code`.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

from django.http import HttpRequest
from ninja import Field, Router, Schema

from zhengwu.accounts.api_auth import ApiClientAuth
from zhengwu.accounts.models import ApiClient
from zhengwu.catalog.selectors import resource_get_published
from zhengwu.core.actors import Actor, client_ip
from zhengwu.core.errors import ApplicationError
from zhengwu.core.schemas import ErrorOut
from zhengwu.exchange.errors import ExchangeError
from zhengwu.exchange.store.ingest import MAX_API_RECORDS, ingest_records

router = Router(tags=["共享数据写入"])

MAX_FIELD_ERRORS = 100


class UpsertIn(Schema):
    records: list[dict[str, Any]] = Field(
        ..., min_length=1, max_length=MAX_API_RECORDS, description="记录数组，键为信息项编码（或名称），至多 1000 条"
    )


class UpsertOut(Schema):
    resource: str = Field(description="资源代码")
    job: int = Field(description="加载任务编号")
    written: int = Field(description="新增或更新的记录数")


@router.post(
    "/{path:resource_code}/records:upsert",
    response={200: UpsertOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    auth=[ApiClientAuth(ApiClient.Scope.EXCHANGE_WRITE)],
    summary="按主键新增或更新记录（全部正确才写入）",
    # The operation id ninja generated from the module's old name (api_store): clients may use it.
    operation_id="zhengwu_exchange_api_store_records_upsert",
)
def records_upsert(request: HttpRequest, resource_code: str, payload: UpsertIn) -> dict[str, Any]:
    client: ApiClient = request.auth  # type: ignore[attr-defined]
    resource = resource_get_published(code=unquote(resource_code))
    result = ingest_records(actor=Actor.api(client, ip=client_ip(request)), resource=resource, records=payload.records)
    if not result.ok:
        fields: dict[str, str] = {}
        for entry in result.errors[:MAX_FIELD_ERRORS]:
            if entry.get("row") is None:
                where = f"records.{entry['code']}" if entry.get("code") else "records"
            else:
                where = f"records[{entry['row']}]" + (f".{entry['code']}" if entry.get("code") else "")
            fields[where] = entry["message"] if where not in fields else f"{fields[where]}；{entry['message']}"
        raise ApplicationError(ExchangeError.INVALID_ROWS, f"{result.error_count} 处错误，未写入任何数据。", fields)
    return {"resource": resource.code, "job": result.job.pk, "written": result.rows_written}
