"""File downloads from pages: the response that names the file, and the plain Excel export (a
sheet or a few, a header row, then the rows), every cell through `spreadsheets.xlsx_row`."""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from django.http import HttpResponse

from zhengwu.core.spreadsheets import xlsx_row

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PLAIN_NAME = re.compile(r"[A-Za-z0-9._-]+")


def attachment(content: bytes | str, filename: str, content_type: str) -> HttpResponse:
    """`content` as a download saved as `filename`. A plain name (letters, digits, `.`, `-`, `_`)
    is given as it is; any other (Chinese, a stored file's own name) in RFC 6266's UTF-8 form,
    percent-encoded, which carries it whole and lets no quote or semicolon break the header."""
    response = HttpResponse(content, content_type=content_type)
    if PLAIN_NAME.fullmatch(filename):
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    else:
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


@dataclass(frozen=True)
class Sheet:
    """One sheet of an export: its tab's title, the header row, the rows."""

    title: str
    header: Sequence[str]
    rows: Iterable[Sequence[Any]]


def xlsx(*sheets: Sheet) -> tuple[bytes, int]:
    """A workbook of `sheets`, and how many rows it holds below the headers (what an export's audit
    event records). Written as the rows come (openpyxl's write-only mode), so a long export can
    hand over a generator and never hold every row in memory."""
    from openpyxl import Workbook  # only the exports need it

    book = Workbook(write_only=True)
    count = 0
    for each in sheets:
        sheet = book.create_sheet(each.title)
        sheet.append(xlsx_row(sheet, each.header))
        for row in each.rows:
            sheet.append(xlsx_row(sheet, row))
            count += 1
    out = io.BytesIO()
    book.save(out)
    return out.getvalue(), count
