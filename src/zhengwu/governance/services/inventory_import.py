"""A department's inventory from the Excel template (governance/excel.py), all or nothing.

Every problem is reported with its row number, its column and what is wrong, in Chinese ("第 4
行「网络区域」：应为以下之一：内网、外网、互联网。"); one problem refuses the whole file and nothing
is written (the rows already registered in the same file are rolled back with it).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from openpyxl import load_workbook

from zhengwu.accounts.models import Department
from zhengwu.audit.write import audited_write
from zhengwu.core.actors import Actor
from zhengwu.core.errors import ApplicationError
from zhengwu.core.spreadsheet_cells import cell_text
from zhengwu.governance.audit_actions import GovernanceAction
from zhengwu.governance.errors import GovernanceError
from zhengwu.governance.excel import COLUMNS, DATE_FIELDS, HEADER_OF, LIST_FIELDS, SHEET
from zhengwu.governance.models import InformationSystem
from zhengwu.governance.permissions import can_manage_system
from zhengwu.governance.services.systems import SystemData, system_register

MAX_IMPORT_BYTES = 5 * 1024 * 1024
MAX_ROWS = 2000
SHOWN = 100


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        where = f"「{self.column}」" if self.column else ""
        return f"第 {self.row} 行{where}：{self.message}"


class ImportRefused(ApplicationError):
    """The file was refused: `rows` says where and why (the first SHOWN problems)."""

    def __init__(self, rows: list[RowError]) -> None:
        shown = rows[:SHOWN]
        more = f"（另有 {len(rows) - SHOWN} 处未列出）" if len(rows) > SHOWN else ""
        super().__init__(
            GovernanceError.IMPORT_INVALID,
            f"导入失败，共 {len(rows)} 处问题{more}，未导入任何系统。",
            {f"row{i}": str(e) for i, e in enumerate(shown, start=1)},
        )
        self.rows = shown


def _text(value: Any) -> str:
    """A cell as text; a date typed into a date-formatted cell comes as a datetime: its date."""
    return cell_text(value.date() if isinstance(value, datetime) else value)


def _value(name: str, raw: Any, choices: dict[str, Any] | None) -> Any:
    """One cell as the SystemData field wants it; ValueError (Chinese) when it cannot be."""
    text = _text(raw)
    if choices is not None:
        if text not in choices:
            raise ValueError(f"应为以下之一：{'、'.join(choices)}（现为“{text}”）。")
        return choices[text]
    if name in DATE_FIELDS:
        if isinstance(raw, datetime):
            return raw.date()
        if isinstance(raw, date):
            return raw
        try:
            return date.fromisoformat(text.replace("/", "-").replace(".", "-"))
        except ValueError:
            raise ValueError(f"应为日期，如 2024-05-10（现为“{text}”）。") from None
    if name == "deployments":
        if not text.isdigit():
            raise ValueError(f"应为正整数（现为“{text}”）。")
        return int(text)
    if name == "om_cost_yearly":
        try:
            return Decimal(text)
        except InvalidOperation:
            raise ValueError(f"应为数字，单位万元（现为“{text}”）。") from None
    if name in LIST_FIELDS:
        return [p.strip() for p in text.replace("，", ",").replace("、", ",").split(",") if p.strip()]
    return text


def _read(content: bytes, errors: list[RowError]) -> list[tuple[int, dict[str, Any]]]:
    if len(content) > MAX_IMPORT_BYTES:
        raise ApplicationError(GovernanceError.IMPORT_INVALID, "文件不能超过 5 MB。", {"file": "过大"})
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds of error for a file that is not xlsx
        raise ApplicationError(
            GovernanceError.IMPORT_INVALID, "无法读取文件，请上传由模板填写的 .xlsx 文件。", {"file": "格式不正确"}
        ) from None
    sheet = book[SHEET] if SHEET in book.sheetnames else book.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True, max_row=MAX_ROWS + 2))
    if len(rows) > MAX_ROWS + 1:
        raise ApplicationError(
            GovernanceError.IMPORT_INVALID, f"一次最多导入 {MAX_ROWS} 个系统。", {"file": "行数过多"}
        )
    headers = [_text(h) for h in (rows[0] if rows else [])]
    index: dict[str, int] = {}
    for header, name, required, _ in COLUMNS:
        if header in headers:
            index[name] = headers.index(header)
        elif required:
            errors.append(RowError(1, header, "缺少此列（请使用下载的模板）。"))
    if errors:
        return []
    out: list[tuple[int, dict[str, Any]]] = []
    for number, raw in enumerate(rows[1:], start=2):
        cells = {name: raw[i] if i < len(raw) else None for name, i in index.items()}
        if not any(_text(v) for v in cells.values()):
            continue
        row: dict[str, Any] = {}
        for header, name, required, choices in COLUMNS:
            value = cells.get(name)
            if not _text(value):
                if required:
                    errors.append(RowError(number, header, "必填。"))
                continue
            try:
                row[name] = _value(name, value, choices)
            except ValueError as error:
                errors.append(RowError(number, header, str(error)))
        out.append((number, row))
    if not out and not errors:
        errors.append(RowError(2, "", "没有数据行。"))
    return out


def inventory_import(*, actor: Actor, department: Department, content: bytes) -> list[InformationSystem]:
    """Register the department's systems from a filled-in template, all or nothing."""
    with audited_write(actor, GovernanceAction.SYSTEM_IMPORT, department=department) as write:
        write.require(can_manage_system(actor, department.pk), "只有本部门的信息化管理员或负责人可以导入信息系统清单。")
        errors: list[RowError] = []
        rows = _read(content, errors)
        names: dict[str, int] = {}
        for number, row in rows:
            name = row.get("name", "")
            if name in names:
                errors.append(RowError(number, "名称", f"与第 {names[name]} 行重名。"))
            elif name:
                names[name] = number
        created: list[InformationSystem] = []
        for number, row in rows:
            if any(e.row == number for e in errors):
                continue
            try:
                with transaction.atomic():
                    created.append(system_register(actor=actor, department=department, data=SystemData(**row)))
            except ApplicationError as error:
                column = next((HEADER_OF[f] for f in error.fields if f in HEADER_OF), "")
                errors.append(RowError(number, column, error.message))
        if errors:  # the write is rolled back: nothing of the file stays
            errors.sort(key=lambda e: e.row)
            raise ImportRefused(errors)
        write.note(created=[s.pk for s in created], rows=len(rows))
    return created
