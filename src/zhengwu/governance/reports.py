"""A department's evaluation report as a file: Excel (openpyxl, every cell through `xlsx_row`) and
PDF (reportlab with its built-in CJK font STSong-Light, no font files)."""

from __future__ import annotations

import io
from collections.abc import Sequence
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
from zhengwu.governance.models import EvaluationRun, Score

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


def department_xlsx(run: EvaluationRun, department: Department, scores: Sequence[Score]) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("考核结果")
    sheet.append(xlsx_row(sheet, [f"{run.title} · {department.name}"]))
    sheet.append(xlsx_row(sheet, [f"考核期 {_period(run)}", "总分", float(_total(scores))]))
    sheet.append(xlsx_row(sheet, HEADER))
    for row in rows_of(scores):
        sheet.append(xlsx_row(sheet, row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


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
