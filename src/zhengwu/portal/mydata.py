"""我的数据 (个人信息保护法 Arts. 45–47, docs/rules.md §16): what the platform holds about one person,
assembled here, above every app, from each app's `selectors.personal_data(user)` (the layers: an
app never reaches up, so the page that joins them lives in the portal), and exported as JSON or Excel.
"""

from __future__ import annotations

import io
import json
from typing import Any

from django.utils import timezone
from openpyxl import Workbook

from zhengwu.accounts import selectors as accounts
from zhengwu.accounts.models import User
from zhengwu.core.contracts import DataSection
from zhengwu.core.spreadsheets import xlsx_row
from zhengwu.disclosure import selectors as disclosure
from zhengwu.eservices import selectors as eservices
from zhengwu.exchange.sharing import selectors as sharing
from zhengwu.participation import selectors as participation

CONTRIBUTORS = (accounts, eservices, disclosure, participation, sharing)


def sections_of(user: User) -> list[DataSection]:
    return [section for app in CONTRIBUTORS for section in app.personal_data(user)]


def as_json(user: User) -> str:
    """Every section as {key: {title, rows: [{column: value}]}}, with when it was made."""
    payload: dict[str, Any] = {"exported_at": timezone.localtime().isoformat(timespec="seconds")}
    for section in sections_of(user):
        payload[section.key] = {
            "title": section.title,
            "rows": [dict(zip(section.columns, row, strict=True)) for row in section.rows],
        }
    return json.dumps(payload, ensure_ascii=False, indent=2)


def as_xlsx(user: User) -> bytes:
    """One sheet per section, its columns as the header."""
    workbook = Workbook(write_only=True)
    for section in sections_of(user):
        sheet = workbook.create_sheet(section.title[:31])
        sheet.append(xlsx_row(sheet, section.columns))
        for row in section.rows:
            sheet.append(xlsx_row(sheet, row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
