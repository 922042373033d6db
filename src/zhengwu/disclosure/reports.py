"""Annual report on government information disclosure (年度报告, Arts. 49–50).

The standard tables (国办公开办函〔2021〕30号 format): 一、总体情况 (text), 二、主动公开政府信息情况,
三、收到和处理政府信息公开申请情况, 四、政府信息公开行政复议、行政诉讼情况, 五、存在的主要问题及改进情况,
六、其他需要报告的事项.

Computed from the platform (`selectors.annual_report_figures`): the 规章 and 行政规范性文件 rows
of 二, all of 三, the default overview of 一 and the fees of 六. Entered by the agency (`AnnualReport`,
`annual_report_save`): the overview text, the 行政许可/处罚/强制/收费 rows of 二 (the disclosure app
may not read the online-services app), table 四 and the texts of 五 and 六.

`report_sections` is the one source of the report's content; the page and the workbook render it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from io import BytesIO
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from zhengwu.accounts.models import Department, Role
from zhengwu.audit.write import audited_write
from zhengwu.core import workdays
from zhengwu.core.actors import Actor
from zhengwu.core.errors import ApplicationError, clean
from zhengwu.core.spreadsheets import xlsx_row
from zhengwu.disclosure.audit_actions import DisclosureAction
from zhengwu.disclosure.errors import DisclosureError
from zhengwu.disclosure.models import AnnualReport, ApplicantKind, Category, ResultDetail
from zhengwu.disclosure.selectors import APPLICANT_COLUMNS, DISCLOSED_ROW, UNCLASSIFIED_ROW, ReportFigures

MANUAL_COUNTS = (
    "licensing_decisions",
    "penalty_decisions",
    "coercion_decisions",
    "review_upheld",
    "review_corrected",
    "review_other",
    "review_pending",
    "litigation_upheld",
    "litigation_corrected",
    "litigation_other",
    "litigation_pending",
    "reviewed_litigation_upheld",
    "reviewed_litigation_corrected",
    "reviewed_litigation_other",
    "reviewed_litigation_pending",
)
MANUAL_FIELDS = ("overview", *MANUAL_COUNTS, "fees_amount", "problems", "other_matters")


def may_edit(actor: Actor, department_id: int) -> bool:
    """The agency's leader."""
    return actor.works_in(department_id, Role.DEPT_LEADER)


def may_view(actor: Actor, department_id: int) -> bool:
    """The agency's leader, and the e-gov office for every agency."""
    return actor.has_role(Role.EGOV_OFFICE) or may_edit(actor, department_id)


def check_public(year: int, today: date | None = None) -> None:
    """A year's report is public only once the year has ended (条例 Art. 50: published by 31 January
    of the next year, on the past year's work): before that it is refused with the date it may come."""
    today = today or workdays.today()
    if year >= today.year:
        raise ApplicationError(
            DisclosureError.REPORT_NOT_DUE,
            f"{year} 年度政府信息公开工作年度报告须在该年度结束后编制公布（{year + 1} 年 1 月 1 日起，"
            f"最迟 {year + 1} 年 1 月 31 日），目前尚未公布。",
            {"year": "年度未结束"},
            status=404,
        )


def public_years(today: date | None = None) -> list[int]:
    """The years whose reports the portal lists: the three last ended years."""
    this_year = (today or workdays.today()).year
    return [this_year - 1, this_year - 2, this_year - 3]


def report_of(department: Department, year: int) -> AnnualReport:
    """The stored manual part, or an unsaved empty one."""
    return AnnualReport.objects.filter(department=department, year=year).first() or AnnualReport(
        department=department, year=year
    )


def annual_report_save(*, actor: Actor, department: Department, year: int, values: dict[str, Any]) -> AnnualReport:
    """The agency's leader (or the platform) enters the manual parts (overview, 行政许可/处罚/强制/收费,
    行政复议/诉讼 figures, problems, other matters)."""
    with audited_write(actor, DisclosureAction.ANNUAL_REPORT_SAVE, department=department) as write:
        write.require(actor.is_platform or may_edit(actor, department.pk), "只有本机关负责人可以编辑年度报告。")
        if not isinstance(year, int) or not 2008 <= year <= 2100:
            raise ApplicationError(DisclosureError.INVALID_INPUT, "年度无效。", {"year": "无效"})
        report = AnnualReport.objects.select_for_update().filter(department=department, year=year).first()
        report = report or AnnualReport(department=department, year=year)
        for name in MANUAL_FIELDS:
            if name in values:
                setattr(report, name, values[name])
        report.updated_by = actor.user
        clean(report)
        report.save()
        write.set_target(report)
        write.note(
            year=year,
            **{k: v for k, v in values.items() if k in MANUAL_COUNTS},
            **({"fees_amount": str(values["fees_amount"])} if "fees_amount" in values else {}),
        )
    return report


@dataclass
class Table:
    """One table of the report: header cells (the first heads the label column), rows of (label,
    cells), an optional upper header row of (label, column span) and a note shown under it."""

    columns: list[str]
    rows: list[tuple[str, list[Any]]]
    caption: str = ""
    groups: list[tuple[str, int]] = field(default_factory=list)
    note: str = ""


@dataclass
class Section:
    heading: str
    text: str = ""
    tables: list[Table] = field(default_factory=list)


# Table 三's result rows (label, key of `selectors.RequestTable.results`), in the standard's order.
RESULT_ROWS: tuple[tuple[str, str], ...] = (
    ("（一）予以公开", DISCLOSED_ROW),
    ("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", ResultDetail.PARTIAL),
    ("（三）不予公开：1．属于国家秘密", ResultDetail.STATE_SECRET),
    ("（三）不予公开：2．其他法律行政法规禁止公开", ResultDetail.LAW_PROHIBITED),
    ("（三）不予公开：3．危及“三安全一稳定”", ResultDetail.THREE_SAFETIES),
    ("（三）不予公开：4．保护第三方合法权益", ResultDetail.THIRD_PARTY),
    ("（三）不予公开：5．属于三类内部事务信息", ResultDetail.INTERNAL),
    ("（三）不予公开：6．属于四类过程性信息", ResultDetail.PROCESS),
    ("（三）不予公开：7．属于行政执法案卷", ResultDetail.ENFORCEMENT_FILE),
    ("（三）不予公开：8．属于行政查询事项", ResultDetail.QUERY),
    ("（四）无法提供：1．本机关不掌握相关政府信息", ResultDetail.NOT_HELD),
    ("（四）无法提供：2．没有现成信息需要另行制作", ResultDetail.NEEDS_MAKING),
    ("（四）无法提供：3．补正后申请内容仍不明确", ResultDetail.STILL_UNCLEAR),
    ("（五）不予处理：1．信访举报投诉类申请", ResultDetail.PETITION),
    ("（五）不予处理：2．重复申请", ResultDetail.REPEAT),
    ("（五）不予处理：3．要求提供公开出版物", ResultDetail.PUBLICATION),
    ("（五）不予处理：4．无正当理由大量反复申请", ResultDetail.MASS_REPEAT),
    ("（五）不予处理：5．要求行政机关确认或重新出具已获取信息", ResultDetail.CONFIRM),
    ("（六）其他处理：1．" + ResultDetail.UNCORRECTED.label, ResultDetail.UNCORRECTED),
    ("（六）其他处理：2．" + ResultDetail.UNPAID.label, ResultDetail.UNPAID),
    ("（六）其他处理：3．其他", ResultDetail.OTHER),
)
APPLICANT_HEADERS = {
    ApplicantKind.CITIZEN: "自然人",
    ApplicantKind.BUSINESS: "商业企业",
    ApplicantKind.RESEARCH: "科研机构",
    ApplicantKind.NONPROFIT: "社会公益组织",
    ApplicantKind.LEGAL_SERVICE: "法律服务机构",
    ApplicantKind.LEGAL_PERSON: "其他",
}
SECTION_HEADINGS = (
    "一、总体情况",
    "二、主动公开政府信息情况",
    "三、收到和处理政府信息公开申请情况",
    "四、政府信息公开行政复议、行政诉讼情况",
    "五、存在的主要问题及改进情况",
    "六、其他需要报告的事项",
)


def default_overview(department: Department, figures: ReportFigures) -> str:
    """The overview the platform writes from the year's figures when the agency has written none."""
    t = figures.requests
    return (
        f"{figures.year}年，{department.name}依据《中华人民共和国政府信息公开条例》做好政府信息公开工作。"
        f"全年主动公开政府信息{figures.published_total}条；"
        f"新收政府信息公开申请{t.received[-1]}件，上年结转{t.carried_over[-1]}件，"
        f"本年度办结{t.results_total[-1]}件（按期答复{figures.on_time}件，逾期答复{figures.late}件），"
        f"结转下年度继续办理{t.carried_forward[-1]}件。"
    )


def fees_sentence(figures: ReportFigures) -> str:
    if not figures.fees_total:
        return "本年度未收取政府信息公开信息处理费。"
    return (
        f"本年度依据《政府信息公开信息处理费管理办法》（国办函〔2020〕109号）"
        f"对{figures.fees_count}件申请收取信息处理费，共计{figures.fees_total}元。"
    )


def _plain(amount: Decimal) -> Decimal:
    """12.5000 → 12.5, 100.0000 → 100 (not 1E+2)."""
    return amount.normalize() + 0


def _review_row(report: AnnualReport, prefix: str) -> list[int]:
    cells = [int(getattr(report, f"{prefix}_{name}")) for name in ("upheld", "corrected", "other", "pending")]
    return [*cells, sum(cells)]


def report_sections(department: Department, figures: ReportFigures, report: AnnualReport) -> list[Section]:
    """The six parts of the standard format (国办公开办函〔2021〕30号), for the page and the workbook."""
    docs = figures.documents
    manual = "（本机关填报）"
    table2 = [
        Table(
            caption="第二十条第（一）项",
            columns=["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"],
            rows=[(str(Category(c).label), list(docs[str(c)])) for c in (Category.REGULATION, Category.NORMATIVE)],
            note="由平台按本机关发布的规章、行政规范性文件统计（本年废止件数含本年标为失效的）。",
        ),
        Table(
            caption="第二十条第（五）项",
            columns=["信息内容", "本年处理决定数量"],
            rows=[("行政许可" + manual, [report.licensing_decisions])],
        ),
        Table(
            caption="第二十条第（六）项",
            columns=["信息内容", "本年处理决定数量"],
            rows=[
                ("行政处罚" + manual, [report.penalty_decisions]),
                ("行政强制" + manual, [report.coercion_decisions]),
            ],
        ),
        Table(
            caption="第二十条第（八）项",
            columns=["信息内容", "本年收费金额（单位：万元）"],
            rows=[("行政事业性收费" + manual, [_plain(Decimal(report.fees_amount))])],
            note="行政许可、行政处罚、行政强制、行政事业性收费数据由本机关填报。",
        ),
    ]
    t = figures.requests
    width = len(APPLICANT_COLUMNS) + 1
    unclassified = t.result(UNCLASSIFIED_ROW)[-1]
    table3 = Table(
        columns=["本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和"]
        + [APPLICANT_HEADERS[ApplicantKind(k)] for k in APPLICANT_COLUMNS]
        + ["总计"],
        groups=[("申请人情况", 1), ("", 1), ("法人或其他组织", width - 2), ("", 1)],
        rows=[
            ("一、本年新收政府信息公开申请数量", t.received),
            ("二、上年结转政府信息公开申请数量", t.carried_over),
            ("三、本年度办理结果", [""] * width),
            *[(label, t.result(key)) for label, key in RESULT_ROWS],
            ("（七）总计", t.results_total),
            ("四、结转下年度继续办理", t.carried_forward),
        ],
        note=(f"另有{unclassified}件不予公开答复未登记具体情形，计入总计但未计入细项。" if unclassified else ""),
    )
    table4 = Table(
        columns=["", "结果维持", "结果纠正", "其他结果", "尚未审结", "总计"],
        rows=[
            ("行政复议", _review_row(report, "review")),
            ("行政诉讼：未经复议直接起诉", _review_row(report, "litigation")),
            ("行政诉讼：复议后起诉", _review_row(report, "reviewed_litigation")),
        ],
        note="由本机关填报。",
    )
    other = "\n".join(part for part in (report.other_matters.strip(), fees_sentence(figures)) if part)
    h = SECTION_HEADINGS
    return [
        Section(h[0], text=report.overview.strip() or default_overview(department, figures)),
        Section(h[1], tables=table2),
        Section(h[2], tables=[table3]),
        Section(h[3], tables=[table4]),
        Section(h[4], text=report.problems.strip() or "无"),
        Section(h[5], text=other),
    ]


def report_workbook(department: Department, figures: ReportFigures, report: AnnualReport) -> bytes:
    """The report as one worksheet, section by section (the same content as the page)."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = f"{figures.year}年度报告"
    sheet.append(xlsx_row(sheet, [f"{department.name}{figures.year}年政府信息公开工作年度报告"]))
    sheet["A1"].font = Font(bold=True, size=14)
    bold = Font(bold=True)
    for section in report_sections(department, figures, report):
        sheet.append([])
        sheet.append(xlsx_row(sheet, [section.heading]))
        sheet.cell(row=sheet.max_row, column=1).font = bold
        if section.text:
            sheet.append(xlsx_row(sheet, [section.text]))
            sheet.cell(row=sheet.max_row, column=1).alignment = Alignment(wrap_text=True, vertical="top")
        for table in section.tables:
            if table.caption:
                sheet.append(xlsx_row(sheet, [table.caption]))
            if table.groups:
                labels: list[str | None] = []
                for label, span in table.groups:
                    labels += [label or None] + [None] * (span - 1)
                sheet.append(xlsx_row(sheet, labels))
                row, column = sheet.max_row, 1
                for _label, span in table.groups:
                    sheet.cell(row=row, column=column).font = bold
                    if span > 1:
                        sheet.merge_cells(start_row=row, start_column=column, end_row=row, end_column=column + span - 1)
                    column += span
            sheet.append(xlsx_row(sheet, table.columns))
            for cell in sheet[sheet.max_row]:
                cell.font = bold
                cell.alignment = Alignment(wrap_text=True, horizontal="center")
            for label, cells in table.rows:
                sheet.append(xlsx_row(sheet, [label, *[None if cell == "" else cell for cell in cells]]))
            if table.note:
                sheet.append(xlsx_row(sheet, [table.note]))
    sheet.column_dimensions["A"].width = 56
    for column in range(2, 9):
        sheet.column_dimensions[get_column_letter(column)].width = 14
    out = BytesIO()
    book.save(out)
    return out.getvalue()
