"""The inventory's Excel columns, shared by the import template, the import and the export.

One sheet 「信息系统清单」, one row per system. The first eight columns are the seed's 自查 fields
(数量、名称、功能、使用范围、使用频度、审批部门、审批时间、经费来源); the rest are the other fields
of docs/rules.md §11. Choices are written and read as their Chinese labels (是/否 for yes/no).
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from openpyxl import Workbook

from zhengwu.core.spreadsheets import xlsx_row
from zhengwu.governance.models import FundingSource, InformationSystem, MlpsResult, NetworkZone, UsageFrequency

SHEET = "信息系统清单"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MLPS_LABELS = {0: "未定级", 1: "第一级", 2: "第二级", 3: "第三级", 4: "第四级"}

# (header, SystemData field, required, choices: label → value, or None)
COLUMNS: list[tuple[str, str, bool, dict[str, Any] | None]] = [
    ("数量（部署套数）", "deployments", True, None),
    ("名称", "name", True, None),
    ("功能", "functions", True, None),
    ("使用范围", "users_scope", True, None),
    ("使用频度", "usage_frequency", True, {str(label): value for value, label in UsageFrequency.choices}),
    ("审批部门", "approved_by", False, None),
    ("审批时间", "approved_on", False, None),
    ("经费来源", "funding_source", True, {str(label): value for value, label in FundingSource.choices}),
    ("简称", "short_name", False, None),
    ("建设目的", "purpose", False, None),
    ("联系人", "contact_name", True, None),
    ("联系电话", "contact_phone", True, None),
    ("系统网址", "home_url", False, None),
    ("网络区域", "network_zone", True, {str(label): value for value, label in NetworkZone.choices}),
    ("建设依据", "legal_basis", False, None),
    ("年度运维费用（万元）", "om_cost_yearly", True, None),
    ("运维经费截止", "funding_ends_on", False, None),
    ("等级保护级别", "mlps_level", False, {label: value for value, label in MLPS_LABELS.items()}),
    ("等保备案编号", "mlps_filing_number", False, None),
    ("最近测评日期", "mlps_assessed_on", False, None),
    ("最近测评结论", "mlps_result", False, {str(label): value for value, label in MlpsResult.choices if value}),
    ("状态", "state", False, {"运行": "running", "建设中": "building"}),
    ("应接入共享交换平台", "should_connect", False, {"是": True, "否": False}),
    ("不接入理由", "no_connect_reason", False, None),
    ("提供的信息资源", "resources_provided", False, None),
    ("使用的信息资源", "resources_used", False, None),
    ("系统用户", "users", False, None),
]
HEADERS = [header for header, *_ in COLUMNS]
HEADER_OF = {name: header for header, name, *_ in COLUMNS}
DATE_FIELDS = {"approved_on", "funding_ends_on", "mlps_assessed_on"}
LIST_FIELDS = {"resources_provided", "resources_used", "users"}

EXAMPLE = [
    1,
    "市场主体登记系统",
    "企业设立、变更、注销登记",
    "全省市场监管登记窗口",
    "每日",
    "省发展改革委",
    date(2019, 5, 10),
    "财政预算",
    "登记系统",
    "统一全省市场主体登记",
    "冯工",
    "0431-88880000",
    "https://djxt.example.gov.cn",
    "外网",
    "《市场主体登记管理条例》",
    35.5,
    None,
    "第三级",
    "22010099001-00001",
    date(2025, 11, 20),
    "符合",
    "运行",
    "是",
    "",
    "",
    "",
    "",
]


def _cell(system: InformationSystem, name: str) -> Any:
    value = getattr(system, name)
    if name == "mlps_level":
        return MLPS_LABELS.get(value, "")
    if name == "should_connect":
        return "是" if value else "否"
    if name == "om_cost_yearly":
        return float(value)
    if name in LIST_FIELDS:
        if name == "users":
            return "，".join(u.username for u in value.all())
        return "，".join(r.code or "" for r in value.all())
    display = getattr(system, f"get_{name}_display", None)
    return str(display()) if display is not None else value


def template_workbook() -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = SHEET
    sheet.append(HEADERS)
    sheet.append(EXAMPLE)
    notes = book.create_sheet("填写说明")
    notes.append(["列", "必填", "可选值或格式"])
    for header, _, required, choices in COLUMNS:
        hint = "、".join(choices) if choices else ""
        if header in ("审批时间", "运维经费截止", "最近测评日期"):
            hint = "日期，如 2024-05-10"
        if header in ("提供的信息资源", "使用的信息资源"):
            hint = "资源代码，多个以逗号分隔"
        if header == "系统用户":
            hint = "工作人员账号，多个以逗号分隔"
        notes.append([header, "是" if required else "否", hint])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


EXPORT_EXTRA = ["所属部门", "近12个月调用次数", "最近调用", "最近登录", "僵尸系统核查"]


def export_workbook(rows: Iterable[tuple[InformationSystem, Any, str]]) -> bytes:
    """The inventory with what the platform measured: (system, its SystemUsage, its review state)."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(SHEET)
    sheet.append(xlsx_row(sheet, [*EXPORT_EXTRA, *HEADERS]))
    for system, usage, review in rows:
        measured = [
            system.department.name,
            usage.total_calls,
            _when(usage.last_call),
            _when(usage.last_login),
            review,
        ]
        sheet.append(xlsx_row(sheet, [*measured, *(_cell(system, name) for _, name, *_ in COLUMNS)]))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _when(moment: datetime | None) -> str:
    from django.utils import timezone

    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""
