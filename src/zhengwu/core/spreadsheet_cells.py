"""Reading an uploaded workbook: a cell's value as the text a person typed (the write side is
`core.spreadsheets`).

openpyxl gives a number typed into a cell as a float (`12.0` for 12), a blank cell as None, and
keeps the spaces around text; an import compares the cell with codes, labels and 是/否, so every
import reads cells the same way.
"""

from __future__ import annotations

from typing import Any


def cell_text(value: Any) -> str:
    """The cell as text: "" for a blank cell, a whole number without ".0", no surrounding spaces."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()
