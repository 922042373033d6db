"""Cells of every spreadsheet download: text stays text, and Excel can open the file."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook

from zhengwu.core.spreadsheets import CsvLine, csv_text, xlsx_row


@pytest.mark.parametrize("write_only", [True, False])
def test_text_is_never_a_formula_and_control_characters_are_dropped(write_only: bool) -> None:
    book = Workbook(write_only=write_only)
    sheet = book.create_sheet("导出") if write_only else book.active
    assert sheet is not None
    sheet.append(xlsx_row(sheet, ['=HYPERLINK("http://x","点我")', "第一行\x0b第二行\x00", "-3", 7, Decimal("1.5")]))
    sheet.append(xlsx_row(sheet, [date(2026, 12, 5), None, "普通文字"]))
    out = io.BytesIO()
    book.save(out)
    first, second = load_workbook(io.BytesIO(out.getvalue())).worksheets[0].iter_rows()
    assert [(c.value, c.data_type) for c in first] == [
        ('=HYPERLINK("http://x","点我")', "s"),
        ("第一行第二行", "s"),
        ("-3", "s"),
        (7, "n"),
        (1.5, "n"),
    ]
    assert second[0].is_date and second[1].value is None and second[2].value == "普通文字"


def test_csv_text_neutralises_what_a_spreadsheet_would_run() -> None:
    assert [csv_text(v) for v in ["=1+1", "+86", "-x", "@SUM(A1)", "\tx", "正常", 5]] == [
        "'=1+1",
        "'+86",
        "'-x",
        "'@SUM(A1)",
        "'\tx",
        "正常",
        5,
    ]
    assert csv.writer(CsvLine()).writerow(["a", "b"]) == "a,b\r\n"
