"""Open data downloads (数据开放): one resource's open rows as CSV, Excel or JSON.

CSV and JSON are streamed (one page of rows in memory at a time, see `exchange.store.open_data`);
Excel cannot be streamed (an .xlsx file is a zip whose directory comes last), so it is written
row by row (openpyxl write-only mode) to a temporary file that is then sent and deleted. An Excel
sheet holds at most 1,048,576 rows; larger resources are cut there and say so in the last row —
CSV and JSON have no limit.

Which resources may be downloaded, and by whom, is `download_allowed`: the resource must be in
the open catalog (`catalog.selectors.public_resources`: published, 向社会开放, 政务外网, not
涉密 — so an internal-network resource is never served, on any instance) and, when it is open
only under conditions (有条件开放), the visitor must have logged in with a real-name account.
"""

from __future__ import annotations

import csv
import json
import tempfile
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.http import FileResponse, HttpRequest, StreamingHttpResponse
from django.utils import timezone

from zhengwu.catalog.models import Resource
from zhengwu.core.spreadsheets import CsvLine, xlsx_row
from zhengwu.exchange.store.open_data import OpenColumn, open_rows

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXCEL_MAX_ROWS = 1_048_576
FORMATS = ("csv", "xlsx", "json")


def open_label(resource: Resource) -> str:
    """开放属性: 无条件开放 when no condition is written, 有条件开放 otherwise."""
    return "有条件开放" if resource.open_condition.strip() else "无条件开放"


def download_allowed(request: HttpRequest, resource: Resource) -> bool:
    """Conditional resources need a logged-in person; unconditional ones are for everybody."""
    if not resource.open_condition.strip():
        return True
    return bool(request.user.is_authenticated)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _excel(value: Any) -> Any:
    if value is None or (isinstance(value, int | Decimal | date) and not isinstance(value, bool | datetime)):
        return value
    return _text(value)


def csv_chunks(columns: list[OpenColumn], rows: Iterable[list[Any]]) -> Iterator[bytes]:
    writer = csv.writer(CsvLine())
    # A byte-order mark so that Excel opens the UTF-8 file with the right characters.
    yield "\ufeff".encode() + writer.writerow([column.name for column in columns]).encode()
    batch: list[str] = []
    for row in rows:
        batch.append(writer.writerow([_text(value) for value in row]))
        if len(batch) >= 500:
            yield "".join(batch).encode()
            batch = []
    if batch:
        yield "".join(batch).encode()


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def json_chunks(resource: Resource, columns: list[OpenColumn], rows: Iterable[list[Any]]) -> Iterator[bytes]:
    head = {
        "resource": {
            "code": resource.code,
            "name": resource.name,
            "provider": resource.provider.name,
            "open_type": open_label(resource),
            "open_condition": resource.open_condition,
        },
        "columns": [{"code": c.code, "name": c.name, "data_type": c.data_type} for c in columns],
    }
    opening = json.dumps(head, ensure_ascii=False)[:-1] + ', "rows": ['
    yield opening.encode()
    codes = [column.code for column in columns]
    first = True
    batch: list[str] = []
    for row in rows:
        record = {code: _json_value(value) for code, value in zip(codes, row, strict=True)}
        batch.append(("" if first else ",") + json.dumps(record, ensure_ascii=False))
        first = False
        if len(batch) >= 500:
            yield "\n".join(batch).encode()
            batch = []
    if batch:
        yield "\n".join(batch).encode()
    yield b"]}\n"


def excel_file(columns: list[OpenColumn], rows: Iterable[list[Any]]) -> Any:
    """A temporary file (deleted when closed) holding the rows as an .xlsx workbook."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("数据")
    sheet.append(xlsx_row(sheet, [column.name for column in columns]))
    written = 1
    for row in rows:
        if written == EXCEL_MAX_ROWS - 1:
            sheet.append(xlsx_row(sheet, ["（已达 Excel 行数上限，其余数据请下载 CSV 或 JSON）"]))
            break
        sheet.append(xlsx_row(sheet, [_excel(value) for value in row]))
        written += 1
    handle = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - FileResponse closes it
    book.save(handle)
    handle.seek(0)
    return handle


def download_response(resource: Resource, columns: list[OpenColumn], fmt: str) -> StreamingHttpResponse | FileResponse:
    stem = f"opendata-{(resource.code or '').replace('/', '-')}-{timezone.localdate():%Y%m%d}"
    rows = open_rows(resource, columns)
    response: StreamingHttpResponse | FileResponse
    if fmt == "csv":
        response = StreamingHttpResponse(csv_chunks(columns, rows), content_type="text/csv; charset=utf-8")
    elif fmt == "json":
        response = StreamingHttpResponse(
            json_chunks(resource, columns, rows), content_type="application/json; charset=utf-8"
        )
    else:
        response = FileResponse(excel_file(columns, rows), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{stem}.{fmt}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
