"""Spreadsheet downloads: every Excel export writes its rows through `xlsx_row`, every CSV report
meant for people through `csv_text`.

Text in these files often comes from outside (a letter's title, a failed login's username, a
value in a loaded file). It must never run as a formula when the file is opened (formula or
CSV injection), and Excel cannot hold most C0 control characters (openpyxl refuses the cell, and
the download was a server error).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, WriteOnlyCell

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")  # OWASP's list for CSV injection


def xlsx_row(sheet: Any, values: Iterable[Any]) -> list[Any]:
    """A row for `sheet.append` (write-only or not): text stays text, whatever it starts with,
    without the control characters Excel cannot hold; numbers, dates and None as they are."""
    return [_text_cell(sheet, value) if isinstance(value, str) else value for value in values]


def _text_cell(sheet: Any, value: str) -> Any:
    cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", value))
    cell.data_type = "s"  # a string cell: never a formula (openpyxl reads "=…" as one)
    return cell


def csv_text(value: Any) -> Any:
    """A CSV cell that a spreadsheet will not run as a formula. For reports people open; a data
    file for machines (open data) keeps its values exactly."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


class CsvLine:
    """A file-like object whose write() returns what it was given: csv.writer in a generator."""

    def write(self, value: str) -> str:
        return value
