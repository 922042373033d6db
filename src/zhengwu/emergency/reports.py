"""Exports of the response: the daily duty report (值班日报) and the evaluation (评估), as Excel
(rows through `core.spreadsheets.xlsx_row`) and as a plain A4 PDF (reportlab, the built-in CJK
font STSong-Light, so no font file is shipped)."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from typing import Any

from openpyxl import Workbook
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from zhengwu.core.spreadsheets import xlsx_row
from zhengwu.emergency.models import Evaluation
from zhengwu.emergency.response_selectors import DutyReport

FONT = "STSong-Light"
Section = tuple[str, Sequence[Sequence[Any]]]


def _xlsx(sections: Iterable[Section]) -> bytes:
    book = Workbook(write_only=True)
    for title, rows in sections:
        sheet = book.create_sheet(title[:31])
        for row in rows:
            sheet.append(xlsx_row(sheet, ["" if v is None else v for v in row]))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _pdf(title: str, sections: Iterable[Section]) -> bytes:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=A4)
    pdf.setTitle(title)
    width, height = A4
    left, line, size = 20 * mm, 6.5 * mm, 10.5
    y = height - 25 * mm

    def write(text: str, font_size: float = size) -> None:
        nonlocal y
        chars = max(10, int((width - 2 * left) / font_size))
        for start in range(0, max(1, len(text)), chars):
            if y < 20 * mm:
                pdf.showPage()
                y = height - 25 * mm
            pdf.setFont(FONT, font_size)
            pdf.drawString(left, y, text[start : start + chars])
            y -= line

    write(title, 16)
    for heading, rows in sections:
        y -= line / 2
        write(heading, 13)
        for row in rows:
            write("  ".join("" if v is None else str(v) for v in row))
    pdf.save()
    return out.getvalue()


def _duty_sections(report: DutyReport) -> list[Section]:
    return [
        (
            "值班安排",
            [("部门", "带班领导", "值班员", "值班电话")]
            + [(s.department.name, s.leader, s.officer, s.phone) for s in report.shifts],
        ),
        (
            "突发事件",
            [("事件", "级别", "状态", "接报时间")]
            + [
                (str(i), i.get_level_display(), i.get_state_display(), f"{i.received_at:%Y-%m-%d %H:%M}")
                for i in report.incidents
            ],
        ),
        ("联动任务", [("当日下达", "签收超时"), (report.tasks_issued, report.tasks_late)]),
    ]


def duty_report_xlsx(report: DutyReport) -> bytes:
    return _xlsx(_duty_sections(report))


def duty_report_pdf(report: DutyReport) -> bytes:
    return _pdf(f"值班日报（{report.day:%Y年%m月%d日}）", _duty_sections(report))


def _yes(value: object) -> str:
    return "—" if value is None else ("是" if value else "否")


def _evaluation_sections(incident: Any, evaluation: Evaluation) -> list[Section]:
    f = evaluation.figures
    summary = [
        ("指标", "分钟"),
        ("接报至首次报告", f.get("first_report_minutes")),
        ("接报至下达联动任务", f.get("dispatch_minutes")),
        ("联动任务数", f.get("tasks")),
    ]
    departments = [("部门", "牵头", "签收用时", "签收时限", "按时签收", "到达用时", "到达时限", "按时到达", "状态")] + [
        (
            d["department"],
            "是" if d["lead"] else "",
            d["sign_minutes"],
            d["sign_limit"],
            _yes(d["sign_on_time"]),
            d["arrive_minutes"],
            d["arrive_limit"],
            _yes(d["arrive_on_time"]),
            d["state"],
        )
        for d in f.get("departments", [])
    ]
    words = [("评估结论", evaluation.findings), ("改进建议", evaluation.lessons or "—")]
    return [("处置时效", summary), ("部门响应", departments), ("评估意见", words)]


def evaluation_xlsx(incident: Any, evaluation: Evaluation) -> bytes:
    return _xlsx(_evaluation_sections(incident, evaluation))


def evaluation_pdf(incident: Any, evaluation: Evaluation) -> bytes:
    return _pdf(f"突发事件事后评估报告：{incident}", _evaluation_sections(incident, evaluation))
