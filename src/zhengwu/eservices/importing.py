"""Import of a department's service-item list (事项清单) from Excel, all or nothing.

Workbook (download the template from the item management page): sheets 「事项」 (one row per
item, keyed by 实施编码), 「申请材料」, 「表单字段」, 「办理环节」 and 「审批结果」 (rows naming
their item by 实施编码). Every problem is reported with its sheet and row ("「申请材料」第 4
行：…"); one problem refuses the whole file, and nothing is written.

The 「事项」 sheet carries the whole guide of docs/rules.md §5, including 行使层级 (省级/市级/县级/乡级),
办理流程, 办理形式 (窗口办理、网上办理、快递申请, several separated by 、), 是否网办 and
网上办理深度 (一级 … 四级). 空白表格 and 示例样表 are not in the workbook: they are uploaded on
the item page.
"""

from __future__ import annotations

import io
from collections import defaultdict
from typing import Any

from django.db import transaction
from openpyxl import Workbook, load_workbook

from zhengwu.accounts.models import Department
from zhengwu.audit.write import audited_write
from zhengwu.catalog.models import DataType
from zhengwu.core.actors import Actor
from zhengwu.core.errors import ApplicationError
from zhengwu.core.spreadsheet_cells import cell_text
from zhengwu.eservices import services
from zhengwu.eservices.audit_actions import EservicesAction
from zhengwu.eservices.errors import EservicesError
from zhengwu.eservices.models import Audience, HandlingForm, ItemResult, ItemType, MaterialSource, ServiceItem

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_IMPORT_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000

ITEM_SHEET, MATERIAL_SHEET, FIELD_SHEET, STAGE_SHEET, RESULT_SHEET = (
    "事项",
    "申请材料",
    "表单字段",
    "办理环节",
    "审批结果",
)
# sheet → [(header, key, required)]
COLUMNS: dict[str, list[tuple[str, str, bool]]] = {
    ITEM_SHEET: [
        ("实施编码", "impl_code", True),
        ("事项名称", "name", True),
        ("基本编码", "basic_code", True),
        ("事项类型", "item_type", True),
        ("办件编号代码", "case_prefix", True),
        ("设定依据", "basis", True),
        ("服务对象", "audience", True),
        ("受理条件", "conditions", True),
        ("法定办结时限", "legal_limit", True),
        ("承诺办结时限", "promised_limit", True),
        ("到办事现场次数", "visits", True),
        ("是否收费", "charged", False),
        ("收费标准", "fee_table", False),
        ("办理地点和时间", "place_time", False),
        ("咨询方式", "consult", False),
        ("监督投诉方式", "complaint", False),
        ("特别程序", "special_procedure", False),
        ("行使层级", "level", False),
        ("办理流程", "process", False),
        ("办理形式", "handling_forms", False),
        ("是否网办", "online", False),
        ("网上办理深度", "online_depth", False),
    ],
    MATERIAL_SHEET: [
        ("实施编码", "impl_code", True),
        ("材料名称", "name", True),
        ("必要性", "required", False),
        ("来源渠道", "source", True),
        ("基础库资源代码", "base_resource_code", False),
        ("证照类型代码", "certificate_type_code", False),
        ("份数", "copies", False),
        ("填报须知", "notes", False),
    ],
    FIELD_SHEET: [
        ("实施编码", "impl_code", True),
        ("字段编码", "code", True),
        ("字段名称", "label", True),
        ("数据类型", "data_type", True),
        ("必填", "required", False),
        ("枚举值", "enum_values", False),
        ("最大长度", "max_length", False),
        ("预填来源", "prefill", False),
    ],
    STAGE_SHEET: [
        ("实施编码", "impl_code", True),
        ("环节顺序", "position", True),
        ("环节名称", "stage", True),
        ("承办部门", "department", True),
        ("任务名称", "name", True),
        ("时限（工作日）", "limit", True),
    ],
    RESULT_SHEET: [
        ("实施编码", "impl_code", True),
        ("结果名称", "name", True),
        ("结果类型", "kind", True),
        ("证照类型代码", "certificate_type_code", False),
    ],
}
INT_KEYS = {"legal_limit", "promised_limit", "visits", "copies", "max_length", "position", "limit"}
BOOL_KEYS = {"charged", "required", "online"}
# 网上办理深度 is written "四级" or in full, "四级（全程网办）".
DEPTHS = {str(label).split("（")[0]: value for value, label in ServiceItem.Depth.choices}
LABELS = {
    "level": {label: value for value, label in ServiceItem.Level.choices},
    "online_depth": {**DEPTHS, **{label: value for value, label in ServiceItem.Depth.choices}},
    "item_type": {label: value for value, label in ItemType.choices},
    "audience": {label: value for value, label in Audience.choices},
    "source": {label: value for value, label in MaterialSource.choices},
    "data_type": {label: value for value, label in DataType.choices},
    "kind": {label: value for value, label in ItemResult.Kind.choices},
}
ALLOWED = {"online_depth": "、".join(DEPTHS)}  # the short forms, in the error message
HANDLING_FORMS = {label: value for value, label in HandlingForm.choices}
SEPARATORS = ("，", ",", "；", ";", "/", "／")


def _list(text: str) -> list[str]:
    for separator in SEPARATORS:
        text = text.replace(separator, "、")
    return [v.strip() for v in text.split("、") if v.strip()]


def template_workbook() -> bytes:
    """An empty workbook with the five sheets and their headers, plus one example row each."""
    book = Workbook()
    examples = {
        ITEM_SHEET: [
            "11220000013544357T4XK00101",
            "食品经营许可",
            "000135001000",
            "行政许可",
            "SCJG",
            "《中华人民共和国食品安全法》第三十五条",
            "法人",
            "具有与经营的食品品种相适应的经营场所",
            20,
            10,
            0,
            "否",
            "",
            "",
            "",
            "",
            "",
            "省级",
            "网上申请 → 受理 → 审查 → 决定 → 电子证照送达",
            "网上办理、窗口办理",
            "是",
            "四级",
        ],
        MATERIAL_SHEET: [
            "11220000013544357T4XK00101",
            "营业执照",
            "必要",
            "共享获取（基础库）",
            "102001/001",
            "",
            1,
            "",
        ],
        FIELD_SHEET: [
            "11220000013544357T4XK00101",
            "org_name",
            "经营者名称",
            "字符串",
            "是",
            "",
            200,
            "legal:org_name",
        ],
        STAGE_SHEET: ["11220000013544357T4XK00101", 1, "审查", "吉林省市场监督管理厅", "食品经营许可审查", 8],
        RESULT_SHEET: ["11220000013544357T4XK00101", "食品经营许可决定书", "批文", ""],
    }
    first = True
    for sheet, columns in COLUMNS.items():
        ws = book.active if first else book.create_sheet()
        assert ws is not None
        first = False
        ws.title = sheet
        ws.append([header for header, _, _ in columns])
        ws.append(examples[sheet])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


class _Errors:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def add(self, sheet: str, row: int, message: str) -> None:
        self.lines.append(f"「{sheet}」第 {row} 行：{message}")


def _read(book: Any, sheet: str, errors: _Errors) -> list[tuple[int, dict[str, Any]]]:
    columns = COLUMNS[sheet]
    if sheet not in book.sheetnames:
        if sheet == ITEM_SHEET:
            errors.lines.append(f"缺少工作表「{sheet}」。")
        return []
    rows = list(book[sheet].iter_rows(values_only=True, max_row=MAX_ROWS + 1))
    if not rows:
        return []
    headers = [cell_text(h) for h in rows[0]]
    index: dict[str, int] = {}
    for header, key, required in columns:
        if header in headers:
            index[key] = headers.index(header)
        elif required:
            errors.add(sheet, 1, f"缺少列「{header}」。")
    if any(key not in index for _, key, required in columns if required):
        return []
    out: list[tuple[int, dict[str, Any]]] = []
    for number, raw in enumerate(rows[1:], start=2):
        cells = {key: cell_text(raw[i]) if i < len(raw) else "" for key, i in index.items()}
        if not any(cells.values()):
            continue
        row: dict[str, Any] = {}
        for header, key, required in columns:
            text = cells.get(key, "")
            if not text:
                if required:
                    errors.add(sheet, number, f"「{header}」必填。")
                continue
            if key in INT_KEYS:
                if not text.isdigit():
                    errors.add(sheet, number, f"「{header}」应为非负整数，实为“{text}”。")
                    continue
                row[key] = int(text)
            elif key in BOOL_KEYS:
                if text not in ("是", "否", "必要", "非必要"):
                    errors.add(sheet, number, f"「{header}」应为“是/否”（材料为“必要/非必要”）。")
                    continue
                row[key] = text in ("是", "必要")
            elif key in LABELS:
                if text not in LABELS[key]:
                    allowed = ALLOWED.get(key) or "、".join(LABELS[key])
                    errors.add(sheet, number, f"「{header}」“{text}”无效，应为：{allowed}。")
                    continue
                row[key] = LABELS[key][text]
            elif key == "handling_forms":
                values = _list(text)
                wrong = [v for v in values if v not in HANDLING_FORMS]
                if wrong:
                    allowed = "、".join(HANDLING_FORMS)
                    errors.add(sheet, number, f"「{header}」“{wrong[0]}”无效，应为：{allowed}（可多选，用顿号分隔）。")
                    continue
                if len(set(values)) != len(values):
                    errors.add(sheet, number, f"「{header}」“{text}”有重复。")
                    continue
                row[key] = [HANDLING_FORMS[v] for v in values]
            elif key == "enum_values":
                row[key] = [v.strip() for v in text.replace("，", "、").replace(",", "、").split("、") if v.strip()]
            else:
                row[key] = text
        out.append((number, row))
    if len(rows) > MAX_ROWS:
        errors.lines.append(f"工作表「{sheet}」超过 {MAX_ROWS} 行。")
    return out


def items_import_excel(*, actor: Actor, content: bytes) -> list[ServiceItem]:
    """Create the draft items of the actor's department from a workbook, all or nothing."""
    with audited_write(actor, EservicesAction.ITEMS_IMPORT_EXCEL, department=actor.department) as write:
        department = actor.department
        write.require(
            department is not None and services.is_handler(actor, department.pk),
            "只有部门工作人员可以导入本部门事项清单。",
        )
        assert department is not None
        created = _import(actor, department, content)
        write.note(created=[i.pk for i in created])
    return created


def _import(actor: Actor, department: Department, content: bytes) -> list[ServiceItem]:
    if len(content) > MAX_IMPORT_BYTES:
        raise ApplicationError(EservicesError.IMPORT_FAILED, "文件超过 5 MB。")
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds of error for a file that is not xlsx
        raise ApplicationError(EservicesError.IMPORT_FAILED, "无法读取文件，请上传 .xlsx 格式的事项清单。") from None
    errors = _Errors()
    sheets = {sheet: _read(book, sheet, errors) for sheet in COLUMNS}
    items: dict[str, tuple[int, dict[str, Any]]] = {}
    for number, row in sheets[ITEM_SHEET]:
        code = row.get("impl_code", "")
        if code in items:
            errors.add(ITEM_SHEET, number, f"实施编码 {code} 与第 {items[code][0]} 行重复。")
        elif code:
            items[code] = (number, row)
    if not items and not errors.lines:
        errors.lines.append(f"工作表「{ITEM_SHEET}」没有数据行。")
    children: dict[str, dict[str, list[tuple[int, dict[str, Any]]]]] = defaultdict(lambda: defaultdict(list))
    for sheet in (MATERIAL_SHEET, FIELD_SHEET, STAGE_SHEET, RESULT_SHEET):
        for number, row in sheets[sheet]:
            code = row.pop("impl_code", "")
            if code and code not in items:
                errors.add(sheet, number, f"实施编码 {code} 不在「{ITEM_SHEET}」中。")
            elif code:
                children[code][sheet].append((number, row))
    departments = {d.name: d for d in Department.objects.filter(is_active=True)}
    created: list[ServiceItem] = []
    if not errors.lines:
        for code, (number, row) in items.items():
            kids = children[code]
            stages: dict[int, services.StageSpec] = {}
            bad = False
            for stage_row_number, srow in sorted(kids[STAGE_SHEET], key=lambda r: r[1].get("position", 0)):
                stage_department = departments.get(srow["department"])
                if stage_department is None:
                    errors.add(STAGE_SHEET, stage_row_number, f"承办部门“{srow['department']}”不存在。")
                    bad = True
                    continue
                stage = stages.setdefault(srow["position"], services.StageSpec(name=srow["stage"], tasks=[]))
                stage.tasks.append(
                    services.TaskSpec(department=stage_department, name=srow["name"], limit=srow["limit"])
                )
            if bad:
                continue
            try:
                data = services.ItemData(**{k: v for k, v in row.items()})
                with transaction.atomic():
                    created.append(
                        services.item_create(
                            actor=actor,
                            department=department,
                            data=data,
                            materials=[services.MaterialSpec(**r) for _, r in kids[MATERIAL_SHEET]],
                            fields=[services.FieldSpec(**r) for _, r in kids[FIELD_SHEET]],
                            stages=[stages[p] for p in sorted(stages)],
                            results=[services.ResultSpec(**r) for _, r in kids[RESULT_SHEET]],
                        )
                    )
            except ApplicationError as error:
                errors.add(ITEM_SHEET, number, f"（{row.get('name', code)}）{error.message}")
            except TypeError:
                errors.add(ITEM_SHEET, number, f"（{row.get('name', code)}）缺少必填列。")
    if errors.lines:  # the write is rolled back: nothing of the file stays
        shown = errors.lines[:50]
        more = f"（另有 {len(errors.lines) - 50} 处未列出）" if len(errors.lines) > 50 else ""
        raise ApplicationError(
            EservicesError.IMPORT_FAILED,
            f"导入失败，共 {len(errors.lines)} 处问题{more}：" + "；".join(shown[:3]),
            {f"row{i}": line for i, line in enumerate(shown, start=1)},
        )
    return created
