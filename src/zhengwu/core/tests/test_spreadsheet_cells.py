"""A workbook cell read as the text a person typed."""

from __future__ import annotations

from datetime import date

from zhengwu.core.spreadsheet_cells import cell_text


def test_a_cell_reads_as_the_text_typed() -> None:
    assert cell_text(None) == ""
    assert cell_text(12.0) == "12"  # openpyxl's float for a whole number typed as 12
    assert cell_text(12.5) == "12.5"
    assert cell_text(7) == "7"
    assert cell_text("  是 ") == "是"
    assert cell_text(date(2026, 1, 2)) == "2026-01-02"
