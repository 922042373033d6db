"""Writing audit events as CSV (UTF-8 with BOM, so Excel shows Chinese) or Excel (.xlsx).

Both writers take an iterator of events and hold only one row at a time: CSV is produced as a
stream of byte chunks; Excel uses openpyxl's write-only mode, which spools rows to a temporary
file, and starts a new sheet before Excel's row limit.

Text that a spreadsheet would run as a formula is neutralised (`core.spreadsheets`):
failed-login usernames and object names come from outside and must not become formulas.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from typing import IO, Any

from django.utils import timezone
from openpyxl import Workbook

from zhengwu.audit.chain import canonical_json, canonical_time
from zhengwu.audit.errors import AuditError
from zhengwu.audit.models import AuditEvent
from zhengwu.core.errors import ApplicationError
from zhengwu.core.spreadsheets import CsvLine, csv_text, xlsx_row

FORMATS = ("csv", "xlsx")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
HEADER = [
    "序号",
    "时间（北京时间）",
    "时间（UTC，ISO 8601）",
    "操作人",
    "操作人ID",
    "操作人类型",
    "部门",
    "部门ID",
    "接口调用系统",
    "接口调用系统ID",
    "事件类型",
    "对象类型",
    "对象标识",
    "对象",
    "结果",
    "网络区域",
    "IP 地址",
    "详情",
    "前序哈希",
    "哈希（SM3）",
]
XLSX_ROWS_PER_SHEET = 1_048_575  # Excel's limit is 1,048,576 rows including the header


def check_format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise ApplicationError(AuditError.INVALID_FORMAT, "导出格式只能是 csv 或 xlsx。", {"format": "不支持"})
    return fmt


def row_values(event: AuditEvent) -> list[Any]:
    return [
        event.seq,
        timezone.localtime(event.at).strftime("%Y-%m-%d %H:%M:%S"),
        canonical_time(event.at),
        event.actor_label,
        event.actor_id or "",
        event.get_actor_kind_display(),
        event.department_label,
        event.department_id or "",
        event.api_client_label,
        event.api_client_id or "",
        event.action,
        event.target_type,
        event.target_id,
        event.target_label,
        event.get_outcome_display(),
        event.zone,
        event.ip or "",
        canonical_json(event.details),
        event.prev_hash,
        event.hash,
    ]


def csv_chunks(events: Iterable[AuditEvent]) -> Iterator[bytes]:
    """The CSV file as byte chunks: BOM and header first, then one chunk per event."""
    writer = csv.writer(CsvLine())
    yield ("\ufeff" + writer.writerow(HEADER)).encode("utf-8")
    for event in events:
        yield writer.writerow([csv_text(v) for v in row_values(event)]).encode("utf-8")


def write_csv(events: Iterable[AuditEvent], out: IO[bytes]) -> int:
    """Write the CSV to a binary file. Returns the number of events."""
    written = 0
    for index, chunk in enumerate(csv_chunks(events)):
        out.write(chunk)
        written = index  # chunk 0 is the header
    return written


def write_xlsx(events: Iterable[AuditEvent], out: IO[bytes] | str) -> int:
    """Write an .xlsx workbook to a binary file (or path). Returns the number of events."""
    workbook = Workbook(write_only=True)
    sheet = None
    in_sheet = XLSX_ROWS_PER_SHEET
    count = 0
    for event in events:
        if in_sheet >= XLSX_ROWS_PER_SHEET:
            number = count // XLSX_ROWS_PER_SHEET + 1
            sheet = workbook.create_sheet("审计日志" if number == 1 else f"审计日志（{number}）")
            sheet.append(HEADER)
            in_sheet = 0
        assert sheet is not None
        sheet.append(xlsx_row(sheet, row_values(event)))
        in_sheet += 1
        count += 1
    if sheet is None:
        workbook.create_sheet("审计日志").append(HEADER)
    workbook.save(out)
    return count
