"""The catalog in and out of files: the Excel form departments keep (import and export, and a
blank template), JSON, and the open resources as DCAT-AP JSON-LD.

The Excel workbook has two sheets. 「信息资源」: one row per resource; 「信息项」: one row per data
item, tied to its resource by 资源名称. Yes/no columns take 是/否; choice columns take the Chinese
labels (实时、每日、…); 枚举值 lists the values separated by 、 or ；. Columns are found by their
header text, so their order does not matter and extra columns (资源代码, 状态, … of an export)
are ignored: an exported workbook can be edited and imported again.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from zhengwu.accounts.models import Department, Role
from zhengwu.audit.write import audited_write
from zhengwu.catalog import services
from zhengwu.catalog.audit_actions import CatalogAction
from zhengwu.catalog.errors import CatalogError
from zhengwu.catalog.models import (
    CatalogClass,
    DataItem,
    DataType,
    FormatClass,
    Resource,
    ShareMethod,
    ShareType,
    UpdateCycle,
    Zone,
)
from zhengwu.catalog.services import ItemSpec, ResourceData
from zhengwu.core.actors import Actor
from zhengwu.core.errors import ApplicationError
from zhengwu.core.spreadsheet_cells import cell_text
from zhengwu.core.spreadsheets import xlsx_row

RESOURCE_SHEET = "信息资源"
ITEM_SHEET = "信息项"
MAX_IMPORT_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
YES, NO = "是", "否"


@dataclass(frozen=True)
class Column:
    header: str
    attr: str
    required: bool = False
    choices: type | None = None  # a TextChoices: the cell holds its Chinese label
    kind: str = "text"  # text, bool, int, list
    help: str = ""


RESOURCE_COLUMNS = [
    Column("资源名称", "name", True),
    Column("目录类别", "catalog_class", True, CatalogClass),
    Column("类", "category", True, help="1 位数字：1 基础、2 主题、3 部门"),
    Column("项", "item", True, help="2 位数字"),
    Column("目", "subitem", True, help="3 位数字"),
    Column("细目", "detail", help="0–6 位数字，可空"),
    Column("摘要", "summary", True),
    Column("格式分类", "format_class", True, FormatClass),
    Column("共享类型", "share_type", True, ShareType),
    Column("共享条件", "share_condition"),
    Column("共享方式", "share_method", False, ShareMethod),
    Column("不予共享依据", "no_share_basis"),
    Column("是否向社会开放", "open_to_public", kind="bool"),
    Column("开放条件", "open_condition"),
    Column("更新周期", "update_cycle", True, UpdateCycle),
    Column("网络区域", "zone", False, Zone),
    Column("是否涉密", "is_secret", kind="bool"),
    Column("主键信息项编码", "key_item"),
    Column("关联资源代码", "related_codes", kind="list"),
]
ITEM_COLUMNS = [
    Column("资源名称", "resource", True),
    Column("信息项名称", "name", True),
    Column("信息项编码", "code", True, help="小写字母开头，字母数字下划线"),
    Column("数据类型", "data_type", True, DataType),
    Column("枚举值", "enum_values", kind="list"),
    Column("最大长度", "max_length", kind="int"),
    Column("是否必填", "required", kind="bool"),
    Column("是否个人信息", "is_personal", kind="bool"),
    Column("是否权威来源", "is_authoritative", kind="bool"),
    Column("说明", "description"),
]
EXPORT_EXTRA = ["资源代码", "提供方", "状态", "版本", "发布日期"]


# --- reading -----------------------------------------------------------------------------


class _RowErrors:
    def __init__(self) -> None:
        self.errors: list[str] = []

    def add(self, sheet: str, row: int, message: str) -> None:
        self.errors.append(f"「{sheet}」第 {row} 行{message}")


def _parse(column: Column, text: str, fail: Callable[[str], None]) -> Any:
    if column.choices is not None:
        if not text:
            return None
        by_label = {str(label): value for value, label in column.choices.choices}  # type: ignore[attr-defined]
        if text in by_label:
            return by_label[text]
        if text in by_label.values():
            return text
        fail(f"“{text}”不是有效值，应为 {'、'.join(by_label)}")
        return None
    if column.kind == "bool":
        if text in ("", NO, "N", "n", "0", "FALSE", "false"):
            return False
        if text in (YES, "Y", "y", "1", "TRUE", "true"):
            return True
        fail(f"“{text}”不是有效值，应为 是 或 否")
        return False
    if column.kind == "int":
        if not text:
            return None
        if not text.isdigit():
            fail(f"“{text}”不是正整数")
        return int(text) if text.isdigit() else None
    if column.kind == "list":
        return [part.strip() for part in re.split(r"[、；;,，\n]", text) if part.strip()]
    return text


def _read_sheet(book: Any, name: str, columns: list[Column], errors: _RowErrors) -> list[tuple[int, dict[str, Any]]]:
    if name not in book.sheetnames:
        errors.errors.append(f"缺少工作表「{name}」，请使用下载的模板。")
        return []
    sheet = book[name]
    rows = sheet.iter_rows(values_only=True)
    header = [cell_text(v) for v in next(rows, ())]
    index = {h: i for i, h in enumerate(header) if h}
    missing = [c.header for c in columns if c.required and c.header not in index]
    if missing:
        errors.errors.append(f"工作表「{name}」缺少列：{'、'.join(missing)}。")
        return []
    out: list[tuple[int, dict[str, Any]]] = []
    for number, values in enumerate(rows, start=2):
        cells = {
            c.header: cell_text(values[index[c.header]]) if c.header in index and index[c.header] < len(values) else ""
            for c in columns
        }
        if not any(cells.values()):
            continue
        if len(out) >= MAX_ROWS:
            errors.errors.append(f"工作表「{name}」超过 {MAX_ROWS} 行，请分批导入。")
            break
        parsed: dict[str, Any] = {}
        for column in columns:
            text = cells[column.header]

            def fail(message: str, column: Column = column, number: int = number) -> None:
                errors.add(name, number, f"「{column.header}」：{message}。")

            if column.required and not text:
                fail("必填")
                continue
            parsed[column.attr] = _parse(column, text, fail)
        out.append((number, parsed))
    return out


@dataclass
class ImportResult:
    created: list[Resource]


def catalog_import_excel(*, actor: Actor, content: bytes) -> ImportResult:
    """Create the drafts of the actor's department from a workbook, all or nothing.

    Any error (a bad cell, a rule of the services) refuses the whole file with an
    ApplicationError whose `fields` maps "第 N 行" (sheet and row) to what is wrong there.
    """
    with audited_write(actor, CatalogAction.IMPORT_EXCEL, department=actor.department) as write:
        write.require(
            actor.department is not None and actor.has_role(Role.DATA_OFFICER), "只有部门数据管理员可以导入本部门目录。"
        )
        assert actor.department is not None
        created = _import(actor, actor.department, content)
        write.note(created=[r.pk for r in created])
    return ImportResult(created=created)


def _import(actor: Actor, department: Department, content: bytes) -> list[Resource]:
    if len(content) > MAX_IMPORT_BYTES:
        raise ApplicationError(CatalogError.IMPORT_FAILED, f"文件超过 {MAX_IMPORT_BYTES // 1024 // 1024} MB。")
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds of error for a file that is not xlsx
        raise ApplicationError(CatalogError.IMPORT_FAILED, "无法读取文件，请上传 .xlsx 格式的目录表。") from None
    errors = _RowErrors()
    resource_rows = _read_sheet(book, RESOURCE_SHEET, RESOURCE_COLUMNS, errors)
    item_rows = _read_sheet(book, ITEM_SHEET, ITEM_COLUMNS, errors)
    if not resource_rows and not errors.errors:
        errors.errors.append(f"工作表「{RESOURCE_SHEET}」没有数据行。")
    names: dict[str, int] = {}
    for number, row in resource_rows:
        name = row.get("name", "")
        if name in names:
            errors.add(RESOURCE_SHEET, number, f"「资源名称」：“{name}”与第 {names[name]} 行重复。")
        names.setdefault(name, number)
    items_of: dict[str, list[tuple[int, ItemSpec]]] = {name: [] for name in names}
    for number, row in item_rows:
        owner = row.pop("resource", "")
        if owner not in items_of:
            if owner:
                errors.add(ITEM_SHEET, number, f"「资源名称」：“{owner}”不在「{RESOURCE_SHEET}」中。")
            continue
        row["enum_values"] = row.get("enum_values") or []
        items_of[owner].append((number, ItemSpec(**{k: v for k, v in row.items() if v is not None})))
    if errors.errors:
        raise _import_error(errors.errors)
    created: list[Resource] = []
    for number, row in resource_rows:
        data = ResourceData(**{k: v for k, v in row.items() if v is not None})
        item_list = items_of[row["name"]]
        try:
            resource = services.resource_create(
                actor=actor, provider=department, data=data, items=[spec for _, spec in item_list]
            )
        except ApplicationError as error:
            sheet, at = _row_of(error, number, item_list)
            errors.add(sheet, at, f"（{row['name']}）：{error.message}")
            continue
        created.append(resource)
    if errors.errors:
        raise _import_error(errors.errors)
    return created


def _row_of(error: ApplicationError, default: int, items: list[tuple[int, ItemSpec]]) -> tuple[str, int]:
    """The sheet and row an item error points at (fields like "items.2.code"), else the resource row."""
    for name in error.fields:
        match = re.match(r"items\.(\d+)\.", name)
        if match and int(match.group(1)) < len(items):
            return ITEM_SHEET, items[int(match.group(1))][0]
    return RESOURCE_SHEET, default


def _import_error(lines: list[str]) -> ApplicationError:
    shown = lines[:50]
    fields = {f"row{i}": line for i, line in enumerate(shown, start=1)}
    more = f"（另有 {len(lines) - 50} 处未列出）" if len(lines) > 50 else ""
    return ApplicationError(
        CatalogError.IMPORT_FAILED,
        f"导入未完成，文件中有 {len(lines)} 处错误，未导入任何资源{more}：" + "；".join(shown[:5]),
        fields,
    )


# --- writing -----------------------------------------------------------------------------


def _label(choices: type | None, value: Any) -> str:
    if choices is None:
        return value
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


def _cell(column: Column, value: Any) -> Any:
    if column.kind == "bool":
        return YES if value else NO
    if column.kind == "list":
        return "、".join(value or [])
    if column.choices is not None:
        return _label(column.choices, value) if value else ""
    return value if value is not None else ""


def _styled_header(sheet: Any, headers: list[str], required: set[str]) -> None:
    sheet.append(xlsx_row(sheet, headers))
    for cell in sheet[1]:
        cell.font = Font(bold=True, color="B22222" if cell.value in required else "000000")
        cell.fill = PatternFill("solid", fgColor="F2F2F2")
        sheet.column_dimensions[cell.column_letter].width = max(12, len(str(cell.value)) * 2 + 4)
    sheet.freeze_panes = "A2"


def _add_choice_lists(sheet: Any, columns: list[Column], rows: int = 500) -> None:
    for position, column in enumerate(columns, start=1):
        if column.choices is None and column.kind != "bool":
            continue
        labels = [YES, NO] if column.kind == "bool" else [str(label) for _, label in column.choices.choices]  # type: ignore[union-attr]
        validation = DataValidation(type="list", formula1='"' + ",".join(labels) + '"', allow_blank=True)
        validation.error = f"应为 {'、'.join(labels)}"
        letter = sheet.cell(row=1, column=position).column_letter
        validation.add(f"{letter}2:{letter}{rows}")
        sheet.add_data_validation(validation)


def catalog_workbook(resources: Iterable[Resource] = ()) -> bytes:
    """The department catalog form: blank (a template) or filled with `resources`."""
    book = Workbook()
    sheet = book.active
    sheet.title = RESOURCE_SHEET
    items_sheet = book.create_sheet(ITEM_SHEET)
    resources = list(resources)
    extra = EXPORT_EXTRA if resources else []
    _styled_header(
        sheet, [c.header for c in RESOURCE_COLUMNS] + extra, {c.header for c in RESOURCE_COLUMNS if c.required}
    )
    _styled_header(items_sheet, [c.header for c in ITEM_COLUMNS], {c.header for c in ITEM_COLUMNS if c.required})
    _add_choice_lists(sheet, RESOURCE_COLUMNS)
    _add_choice_lists(items_sheet, ITEM_COLUMNS, rows=5000)
    for resource in resources:
        row = [_cell(c, getattr(resource, c.attr)) for c in RESOURCE_COLUMNS]
        row += [
            resource.code or "",
            resource.provider.name,
            resource.get_state_display(),
            resource.version,
            resource.publish_date.isoformat() if resource.publish_date else "",
        ]
        sheet.append(xlsx_row(sheet, row))
        for item in resource.items.order_by("position"):
            items_sheet.append(
                xlsx_row(items_sheet, [resource.name] + [_cell(c, getattr(item, c.attr)) for c in ITEM_COLUMNS[1:]])
            )
    if not resources:
        notes = book.create_sheet("填写说明")
        notes.append(["列", "说明"])
        for column in RESOURCE_COLUMNS + ITEM_COLUMNS:
            hint = column.help or ("是 / 否" if column.kind == "bool" else "")
            if column.choices is not None:
                hint = "、".join(str(label) for _, label in column.choices.choices)  # type: ignore[attr-defined]
            notes.append([column.header, ("必填。" if column.required else "") + hint])
        notes.column_dimensions["B"].width = 80
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def resource_as_dict(resource: Resource) -> dict[str, Any]:
    """One resource as JSON (export and API detail)."""
    return {
        "code": resource.code,
        "name": resource.name,
        "catalog_class": resource.catalog_class,
        "classification": resource.classification_code,
        "provider": resource.provider.name,
        "provider_code": resource.provider_code,
        "summary": resource.summary,
        "format_class": resource.format_class,
        "share_type": resource.share_type,
        "share_condition": resource.share_condition,
        "share_method": resource.share_method,
        "no_share_basis": resource.no_share_basis,
        "open_to_public": resource.open_to_public,
        "open_condition": resource.open_condition,
        "update_cycle": resource.update_cycle,
        "publish_date": resource.publish_date.isoformat() if resource.publish_date else None,
        "related_codes": list(resource.related_codes),
        "zone": resource.zone,
        "is_secret": resource.is_secret,
        "key_item": resource.key_item,
        "state": resource.state,
        "version": resource.version,
        "items": [item_as_dict(item) for item in resource.items.order_by("position")],
    }


def item_as_dict(item: DataItem) -> dict[str, Any]:
    """One data item as JSON (export and API detail)."""
    return {
        "name": item.name,
        "code": item.code,
        "data_type": item.data_type,
        "enum_values": list(item.enum_values),
        "max_length": item.max_length,
        "required": item.required,
        "is_personal": item.is_personal,
        "is_authoritative": item.is_authoritative,
        "queryable": item.queryable,
        "description": item.description,
    }


# DCAT frequencies (EU vocabulary) for our update cycles.
ACCRUAL = {
    UpdateCycle.REALTIME: "http://publications.europa.eu/resource/authority/frequency/UPDATE_CONT",
    UpdateCycle.DAILY: "http://publications.europa.eu/resource/authority/frequency/DAILY",
    UpdateCycle.WEEKLY: "http://publications.europa.eu/resource/authority/frequency/WEEKLY",
    UpdateCycle.MONTHLY: "http://publications.europa.eu/resource/authority/frequency/MONTHLY",
    UpdateCycle.QUARTERLY: "http://publications.europa.eu/resource/authority/frequency/QUARTERLY",
    UpdateCycle.YEARLY: "http://publications.europa.eu/resource/authority/frequency/ANNUAL",
}


def dcat_catalog(resources: Iterable[Resource], *, base_url: str, title: str) -> dict[str, Any]:
    """The open resources as a DCAT-AP `dcat:Catalog` in JSON-LD."""
    base_url = base_url.rstrip("/")
    datasets = []
    for resource in resources:
        api_url = f"{base_url}/api/v1/exchange/{resource.code}/records"
        datasets.append(
            {
                "@id": f"{base_url}/catalog/resource/{resource.code}/",
                "@type": "dcat:Dataset",
                "dct:identifier": resource.code,
                "dct:title": {"@value": resource.name, "@language": "zh"},
                "dct:description": {"@value": resource.summary, "@language": "zh"},
                "dct:publisher": {
                    "@type": "foaf:Organization",
                    "foaf:name": resource.provider.name,
                    "dct:identifier": resource.provider_code,
                },
                "dcat:keyword": [item.name for item in resource.items.order_by("position")],
                "dct:accrualPeriodicity": {"@id": ACCRUAL.get(UpdateCycle(resource.update_cycle), "")},
                "dct:issued": {"@value": resource.publish_date.isoformat(), "@type": "xsd:date"}
                if resource.publish_date
                else None,
                "owl:versionInfo": str(resource.version),
                "dcat:distribution": [
                    {
                        "@type": "dcat:Distribution",
                        "dct:title": "数据接口",
                        "dcat:accessURL": {"@id": api_url},
                        "dct:format": "application/json",
                    }
                ],
            }
        )
    return {
        "@context": {
            "dcat": "http://www.w3.org/ns/dcat#",
            "dct": "http://purl.org/dc/terms/",
            "foaf": "http://xmlns.com/foaf/0.1/",
            "owl": "http://www.w3.org/2002/07/owl#",
            "xsd": "http://www.w3.org/2001/XMLSchema#",
        },
        "@id": f"{base_url}/catalog/dcat.jsonld",
        "@type": "dcat:Catalog",
        "dct:title": {"@value": title, "@language": "zh"},
        "dct:language": {"@id": "http://publications.europa.eu/resource/authority/language/ZHO"},
        "dcat:dataset": datasets,
    }
