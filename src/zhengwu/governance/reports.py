"""A department's evaluation report as a file: Excel (openpyxl, every cell through `xlsx_row`) and
PDF (reportlab with its built-in CJK font STSong-Light, no font files)."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from decimal import Decimal

from openpyxl import Workbook
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from zhengwu.accounts.models import Department
from zhengwu.core.spreadsheets import xlsx_row
from zhengwu.governance.evaluation_selectors import RankRow
from zhengwu.governance.models import EvaluationRun, Indicator, Score

FONT = "STSong-Light"
HEADER = ("指标", "计算口径", "分值", "分子（或计数）", "分母", "实际值", "计算得分", "最终得分", "调整理由")


def _value(score: Score) -> str:
    if score.value is None:
        return "无此类事项"
    return f"{score.value * 100:.1f}%" if score.denominator is not None else f"{score.value:g}"


def rows_of(scores: Sequence[Score]) -> list[list[object]]:
    return [
        [
            s.indicator.name,
            s.indicator.measure,
            float(s.indicator.weight),
            s.numerator,
            s.denominator if s.denominator is not None else "",
            _value(s),
            float(s.computed),
            float(s.score),
            s.adjust_reason,
        ]
        for s in scores
    ]


def _total(scores: Sequence[Score]) -> Decimal:
    return sum((s.score for s in scores), Decimal(0))


def _workbook(name: str, rows: Iterable[Sequence[object]]) -> bytes:
    """One sheet of `rows` (every cell through `xlsx_row`: text stays text)."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(name)
    for row in rows:
        sheet.append(xlsx_row(sheet, row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def department_xlsx(run: EvaluationRun, department: Department, scores: Sequence[Score]) -> bytes:
    return _workbook(
        "考核结果",
        [
            [f"{run.title} · {department.name}"],
            [f"考核期 {_period(run)}", "总分", float(_total(scores))],
            HEADER,
            *rows_of(scores),
        ],
    )


def ranking_header(indicators: Sequence[Indicator]) -> list[str]:
    """排名, 部门, 总分, then per indicator its score and the evidence counts behind it."""
    header = ["排名", "部门", "总分", "经调整的指标数"]
    for i in indicators:
        header += [f"{i.name}得分（满分{i.weight}）", f"{i.name}分子（或计数）", f"{i.name}分母"]
    return header


def ranking_xlsx(run: EvaluationRun, rows: Sequence[RankRow], indicators: Sequence[Indicator]) -> bytes:
    """The whole ranking of a run: a title row naming the run and its period, then one row per
    department (rank, total, and each indicator's score, numerator and denominator; a count has no
    denominator)."""
    body: list[list[object]] = []
    for r in rows:
        by_indicator = {s.indicator_id: s for s in r.scores}
        line: list[object] = [r.rank, r.department, float(r.total), r.adjusted]
        for i in indicators:
            s = by_indicator.get(i.pk)
            line += [float(s.score), s.numerator, "" if s.denominator is None else s.denominator] if s else ["", "", ""]
        body.append(line)
    state = run.get_state_display()
    return _workbook(
        "考核排名",
        [
            [f"{run.title}（考核期 {_period(run)}，{state}）"],
            ranking_header(indicators),
            *body,
        ],
    )


def _period(run: EvaluationRun) -> str:
    return f"{run.period_start:%Y-%m-%d} 至 {run.period_end:%Y-%m-%d}"


def _font() -> str:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return FONT


def department_pdf(run: EvaluationRun, department: Department, scores: Sequence[Score]) -> bytes:
    font = _font()
    title = ParagraphStyle("title", fontName=font, fontSize=16, leading=22)
    body = ParagraphStyle("body", fontName=font, fontSize=10, leading=14)
    cell = ParagraphStyle("cell", fontName=font, fontSize=8, leading=10)
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm, title=f"{run.title} {department.name}"
    )
    header = ["指标", "分值", "分子", "分母", "实际值", "得分", "调整理由"]
    data = [[Paragraph(h, cell) for h in header]]
    for s in scores:
        data.append(
            [
                Paragraph(s.indicator.name, cell),
                Paragraph(str(s.indicator.weight), cell),
                Paragraph(f"{s.numerator:g}", cell),
                Paragraph("" if s.denominator is None else f"{s.denominator:g}", cell),
                Paragraph(_value(s), cell),
                Paragraph(str(s.score), cell),
                Paragraph(s.adjust_reason, cell),
            ]
        )
    table = Table(data, colWidths=[45 * mm, 13 * mm, 18 * mm, 18 * mm, 22 * mm, 15 * mm, 49 * mm], repeatRows=1)
    table.setStyle(
        TableStyle([("GRID", (0, 0), (-1, -1), 0.4, colors.grey), ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke)])
    )
    story = [
        Paragraph(f"{run.title}", title),
        Paragraph(f"{department.name} · 考核期 {_period(run)} · 总分 {_total(scores)}", body),
        Spacer(1, 6 * mm),
        table,
    ]
    doc.build(story)
    return out.getvalue()
