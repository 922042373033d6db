"""Annual report on government information disclosure (年度报告, Arts. 49–50).

The standard tables (国办公开办函〔2021〕30号 format): 一、总体情况 (text), 二、主动公开政府信息情况,
三、收到和处理政府信息公开申请情况, 四、政府信息公开行政复议、行政诉讼情况, 五、存在的主要问题及改进情况,
六、其他需要报告的事项. Tables 二 and 三 are computed from the platform (`selectors.annual_report_figures`);
table 四 and the texts are entered by the agency (`AnnualReport`, `annual_report_save`).
"""

from __future__ import annotations

from io import BytesIO
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from zhengwu.accounts.models import Department, Role, User
from zhengwu.audit.services import record
from zhengwu.core.errors import ApplicationError, permission_denied
from zhengwu.disclosure.errors import DisclosureError
from zhengwu.disclosure.models import AnnualReport
from zhengwu.disclosure.selectors import ReportFigures
from zhengwu.disclosure.services import clean

MANUAL_FIELDS = (
    "review_upheld",
    "review_corrected",
    "review_other",
    "review_pending",
    "litigation_upheld",
    "litigation_corrected",
    "litigation_other",
    "litigation_pending",
    "problems",
    "other_matters",
)


def may_edit(actor: User, department_id: int) -> bool:
    return actor.has_role(Role.DEPT_LEADER) and actor.department_id == department_id


def may_view(actor: User, department_id: int) -> bool:
    return actor.has_role(Role.EGOV_OFFICE) or may_edit(actor, department_id)


def report_of(department: Department, year: int) -> AnnualReport:
    """The stored manual part, or an unsaved empty one."""
    return AnnualReport.objects.filter(department=department, year=year).first() or AnnualReport(
        department=department, year=year
    )


@transaction.atomic
def annual_report_save(
    *, actor: User | None, department: Department, year: int, values: dict[str, Any], request: HttpRequest | None = None
) -> AnnualReport:
    """The agency's leader enters the manual parts (行政复议/诉讼 figures, problems, other matters)."""
    if actor is not None and not may_edit(actor, department.pk):
        raise permission_denied("只有本机关负责人可以编辑年度报告。")
    if not isinstance(year, int) or not 2008 <= year <= 2100:
        raise ApplicationError(DisclosureError.INVALID_INPUT, "年度无效。", {"year": "无效"})
    report = AnnualReport.objects.select_for_update().filter(department=department, year=year).first()
    report = report or AnnualReport(department=department, year=year)
    for name in MANUAL_FIELDS:
        if name in values:
            setattr(report, name, values[name])
    report.updated_by = actor
    clean(report)
    report.save()
    record(
        actor=actor,
        action="disclosure.annual_report_save",
        target=report,
        request=request,
        department=department,
        details={"year": year, **{k: v for k, v in values.items() if k.startswith(("review", "litigation"))}},
    )
    return report


def report_rows(figures: ReportFigures, report: AnnualReport) -> list[tuple[str, list[tuple[str, Any]]]]:
    """The report's tables as (heading, [(row label, value)]) for the page and the workbook."""
    return [
        (
            "二、主动公开政府信息情况",
            [
                *figures.published_by_category,
                ("本年发布合计", figures.published_total),
                ("其中：已撤回", figures.withdrawn),
                ("其中：已失效或废止", figures.repealed_or_expired),
            ],
        ),
        (
            "三、收到和处理政府信息公开申请情况",
            [
                ("本年新收申请数量", figures.received_total),
                ("其中：自然人", figures.received_citizen),
                ("其中：法人或其他组织", figures.received_legal_person),
                *[(f"其中：{label}", n) for label, n in figures.received_by_channel],
                ("上年结转申请数量", figures.carried_over),
                *[(f"办理结果：{label}", n) for label, n in figures.answered_by_kind],
                ("办理结果：总计", figures.answered_total),
                ("终止办理（撤回、视为放弃）", figures.closed),
                ("结转下年度继续办理", figures.pending_at_year_end),
                ("按期答复", figures.on_time),
                ("逾期答复", figures.late),
                ("收取信息处理费（元）", figures.fees_total),
            ],
        ),
        (
            "四、政府信息公开行政复议、行政诉讼情况",
            [
                ("行政复议：结果维持", report.review_upheld),
                ("行政复议：结果纠正", report.review_corrected),
                ("行政复议：其他结果", report.review_other),
                ("行政复议：尚未审结", report.review_pending),
                (
                    "行政复议：总计",
                    report.review_upheld + report.review_corrected + report.review_other + report.review_pending,
                ),
                ("行政诉讼：结果维持", report.litigation_upheld),
                ("行政诉讼：结果纠正", report.litigation_corrected),
                ("行政诉讼：其他结果", report.litigation_other),
                ("行政诉讼：尚未审结", report.litigation_pending),
                (
                    "行政诉讼：总计",
                    report.litigation_upheld
                    + report.litigation_corrected
                    + report.litigation_other
                    + report.litigation_pending,
                ),
            ],
        ),
    ]


def report_workbook(department: Department, figures: ReportFigures, report: AnnualReport) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = f"{figures.year}年度报告"
    sheet.append([f"{department.name}{figures.year}年政府信息公开工作年度报告"])
    sheet["A1"].font = Font(bold=True, size=14)
    for heading, rows in report_rows(figures, report):
        sheet.append([])
        sheet.append([heading])
        sheet.cell(row=sheet.max_row, column=1).font = Font(bold=True)
        sheet.append(["项目", "数量"])
        for label, value in rows:
            sheet.append([label, value])
    for heading, text in (
        ("五、存在的主要问题及改进情况", report.problems),
        ("六、其他需要报告的事项", report.other_matters),
    ):
        sheet.append([])
        sheet.append([heading])
        sheet.cell(row=sheet.max_row, column=1).font = Font(bold=True)
        sheet.append([text or "无"])
        sheet.cell(row=sheet.max_row, column=1).alignment = Alignment(wrap_text=True)
    sheet.column_dimensions["A"].width = 48
    sheet.column_dimensions["B"].width = 14
    out = BytesIO()
    book.save(out)
    return out.getvalue()
