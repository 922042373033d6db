"""GB/T 2260 administrative divisions (行政区划代码): provinces, prefecture-level cities, counties.

The table is `core/data/gb2260.csv` (code,name), built from PyPI packages by
`core/data/build_gb2260.py` (see its docstring for the sources and the cleaning rules); nothing
here is typed by hand. It is read once, on first use.

Levels follow the code: `XX0000` is a province, `XXXX00` a prefecture-level city (地级), any
other code a county-level division (县级). A county whose prefecture code is not in the table
hangs directly under its province: the districts of the 直辖市 (110105 朝阳区 → 110000 北京市)
and the county-level cities a province governs directly (419001 济源市 → 410000 河南省).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Literal

from zhengwu.core.errors import ApplicationError, CoreError

Level = Literal["province", "city", "county"]

DATA_FILE = "data/gb2260.csv"


@dataclass(frozen=True, slots=True)
class Division:
    code: str
    name: str
    level: Level
    parent_code: str | None


@dataclass(frozen=True, slots=True)
class _Table:
    by_code: dict[str, Division]
    children: dict[str, tuple[Division, ...]]
    provinces: tuple[Division, ...]


def _level(code: str) -> Level:
    if code.endswith("0000"):
        return "province"
    if code.endswith("00"):
        return "city"
    return "county"


def _parent(code: str, names: dict[str, str]) -> str | None:
    if code.endswith("0000"):
        return None
    if code.endswith("00"):
        return code[:2] + "0000"
    prefecture = code[:4] + "00"
    return prefecture if prefecture in names else code[:2] + "0000"


@cache
def _table() -> _Table:
    text = resources.files("zhengwu.core").joinpath(DATA_FILE).read_text(encoding="utf-8")
    names: dict[str, str] = {}
    for row in csv.DictReader(io.StringIO(text)):
        names[row["code"]] = row["name"]
    by_code = {code: Division(code, name, _level(code), _parent(code, names)) for code, name in sorted(names.items())}
    children: dict[str, list[Division]] = {}
    for division in by_code.values():
        if division.parent_code is not None:
            children.setdefault(division.parent_code, []).append(division)
    return _Table(
        by_code=by_code,
        children={code: tuple(items) for code, items in children.items()},
        provinces=tuple(d for d in by_code.values() if d.level == "province"),
    )


def _error(message: str) -> ApplicationError:
    return ApplicationError(CoreError.INVALID_REGION_CODE, message, {"region_code": message})


def get_division(code: str) -> Division:
    """The division with this 6-digit code, or ApplicationError(INVALID_REGION_CODE)."""
    code = code.strip()
    if len(code) != 6 or not code.isascii() or not code.isdigit():
        raise _error(f"行政区划代码 {code or '（空）'} 格式错误：应为 6 位数字")
    division = _table().by_code.get(code)
    if division is None:
        raise _error(f"行政区划代码 {code} 不存在")
    return division


def is_valid_region_code(code: str) -> bool:
    return code in _table().by_code


def all_codes() -> list[str]:
    """Every valid GB/T 2260 code (for checks of a whole column at once)."""
    return list(_table().by_code)


def is_province_code(prefix: str) -> bool:
    """True if `prefix` (2 digits, or a 6-digit code) starts with a GB/T 2260 province code."""
    if len(prefix) < 2 or not prefix[:2].isascii() or not prefix[:2].isdigit():
        return False
    return prefix[:2] + "0000" in _table().by_code


def provinces() -> list[Division]:
    """The 34 province-level divisions, ordered by code."""
    return list(_table().provinces)


def children(code: str) -> list[Division]:
    """The divisions directly under `code`, ordered by code."""
    return list(_table().children.get(get_division(code).code, ()))


def divisions_under(code: str) -> list[Division]:
    """`code` itself and every division below it, ordered by code."""
    root = get_division(code)
    table = _table()
    found = [root]
    stack = [root.code]
    while stack:
        for child in table.children.get(stack.pop(), ()):
            found.append(child)
            stack.append(child.code)
    return sorted(found, key=lambda d: d.code)


def ancestors(code: str) -> list[Division]:
    """The chain from the province down to `code` itself."""
    table = _table()
    chain = [get_division(code)]
    while chain[-1].parent_code is not None:
        chain.append(table.by_code[chain[-1].parent_code])
    return chain[::-1]


def full_name(code: str) -> str:
    """The names from province to `code`, joined: 220104 → 吉林省长春市朝阳区, 110105 → 北京市朝阳区."""
    return "".join(d.name for d in ancestors(code))
