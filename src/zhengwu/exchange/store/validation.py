"""Value checks of the data store: one compiled converter per data item (信息项).

`compile_converter(spec)` returns a function that takes the text of one cell and returns the
typed Python value, `None` for an empty optional cell, or an `Invalid` carrying a Chinese
message. No exception is raised on the happy path, and none at all for bad values of the common
types: the loader validates millions of cells, so each converter is a few comparisons and one
constructor call. Identity numbers are checked by a fast inline checksum; only a value that
fails it goes to `core.idnumbers` for the exact message.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Context, Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from zhengwu.catalog.models import DataType
from zhengwu.core import regions
from zhengwu.core.errors import ApplicationError
from zhengwu.core.idnumbers import (
    CREDIT_CHARSET,
    CREDIT_WEIGHTS,
    EARLIEST_BIRTH,
    ORG_CODE_WEIGHTS,
    REGISTRATION_AUTHORITIES,
    RESIDENT_ID_CHECK,
    RESIDENT_ID_WEIGHTS,
    validate_credit_code,
    validate_resident_id,
)

INT_MIN, INT_MAX = -(2**63), 2**63 - 1
DECIMAL_PATTERN = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
TRUE_WORDS = frozenset({"是", "true", "1", "y", "yes", "t", "真"})
FALSE_WORDS = frozenset({"否", "false", "0", "n", "no", "f", "假"})


class Invalid:
    """A value that failed its check; `message` says why, in Chinese."""

    __slots__ = ("message",)

    def __init__(self, message: str) -> None:
        self.message = message

    def __repr__(self) -> str:
        return f"Invalid({self.message!r})"


Converter = Callable[[str], Any]


@dataclass(frozen=True)
class ColumnSpec:
    """What the store needs to know of one data item."""

    code: str
    name: str
    data_type: str
    required: bool = False
    max_length: int | None = None
    enum_values: tuple[str, ...] = field(default_factory=tuple)
    is_personal: bool = False

    @classmethod
    def from_item(cls, item: Any, *, is_key: bool = False) -> ColumnSpec:
        return cls(
            code=item.code,
            name=item.name,
            data_type=item.data_type,
            required=bool(item.required or is_key),
            max_length=item.max_length,
            enum_values=enum_strings(item.enum_values),
            is_personal=bool(item.is_personal),
        )


def enum_strings(values: Iterable[Any] | None) -> tuple[str, ...]:
    """The allowed values of an enum item: plain strings, or objects with a value/code/name."""
    result: list[str] = []
    for value in values or ():
        if isinstance(value, dict):
            value = value.get("value", value.get("code", value.get("name", "")))
        text = str(value).strip()
        if text:
            result.append(text)
    return tuple(result)


# --- fast identity checks --------------------------------------------------------------------

_CREDIT_VALUE = {char: index for index, char in enumerate(CREDIT_CHARSET)}
_CREDIT_PAIRS = tuple(enumerate(CREDIT_WEIGHTS))
_ORG_VALUE = {char: (int(char) if char.isdigit() else ord(char) - ord("A") + 10) for char in CREDIT_CHARSET}
_ORG_PAIRS = tuple(enumerate(ORG_CODE_WEIGHTS, start=8))
_ORG_CHECK = {10: "X", 11: "0"}
_ID_PAIRS = tuple(enumerate(RESIDENT_ID_WEIGHTS))
_DIGITS = frozenset("0123456789")


def credit_code_ok(code: str) -> bool:
    """True when `code` is an 18-character credit code in canonical form with both checks right."""
    if len(code) != 18 or code[0] not in REGISTRATION_AUTHORITIES or code[1] not in "123456789":
        return False
    if not code[2:8].isdigit() or not code.isascii():
        return False
    values = _CREDIT_VALUE
    try:
        total = 0
        for index, weight in _CREDIT_PAIRS:
            total += values[code[index]] * weight
        org_total = 0
        org = _ORG_VALUE
        for index, weight in _ORG_PAIRS:
            org_total += org[code[index]] * weight
        check18 = values[code[17]]
    except KeyError:
        return False
    org_check = 11 - org_total % 11
    if code[16] != _ORG_CHECK.get(org_check, str(org_check)):
        return False
    return (31 - total % 31) % 31 == check18


def resident_id_ok(number: str, today: date) -> bool:
    """True when `number` is a canonical 18-character ID number with a valid birth date and check."""
    if len(number) != 18 or not number[:17].isdigit() or not number.isascii():
        return False
    if not regions.is_province_code(number[:2]):
        return False
    try:
        birth = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    if birth < EARLIEST_BIRTH or birth > today:
        return False
    total = 0
    for index, weight in _ID_PAIRS:
        total += (ord(number[index]) - 48) * weight
    return RESIDENT_ID_CHECK[total % 11] == number[17]


# --- converters ------------------------------------------------------------------------------


def _local_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


# C0 control characters other than tab and line breaks, and DEL. PostgreSQL cannot store NUL,
# an Excel sheet cannot hold any of them, and in a department's data file they mean a broken
# export: such a cell is refused with its position, on every database alike. So is a lone
# surrogate (a JSON file may escape one, "\ud800"), which no database can encode.
CONTROL_CHARACTER = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
_CONTROL_PICTURES = (
    {code: 0x2400 + code for code in (*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20))}
    | {0x7F: 0x2421}
    | dict.fromkeys(range(0xD800, 0xE000), 0xFFFD)
)


def visible(text: str) -> str:
    """The text with each such character shown as a symbol (␀ for NUL, � for a surrogate), for reports."""
    return text.translate(_CONTROL_PICTURES)


def _bad_character(found: re.Match[str]) -> Invalid:
    where, code = found.start() + 1, ord(found.group())
    if 0xD800 <= code < 0xE000:
        return Invalid(f"第 {where} 个字符无效（U+{code:04X}，不成对的代理字符），请检查文件编码后重新上传")
    return Invalid(f"第 {where} 个字符是不可见的控制字符（U+{code:04X}），请删除后重新上传")


def _string(spec: ColumnSpec) -> Converter:
    limit = spec.max_length or None
    control = CONTROL_CHARACTER.search

    def convert(text: str) -> Any:
        if limit and len(text) > limit:
            return Invalid(f"长度为 {len(text)}，超过最大长度 {limit}")
        if found := control(text):
            return _bad_character(found)
        return text

    return convert


def _integer(spec: ColumnSpec) -> Converter:
    def convert(text: str) -> Any:
        digits = text[1:] if text[0] in "+-" else text
        if not (digits.isascii() and digits.isdigit()):
            return Invalid("应为整数")
        value = int(text)
        if value < INT_MIN or value > INT_MAX:
            return Invalid("整数超出范围")
        return value

    return convert


def _decimal(spec: ColumnSpec) -> Converter:
    match = DECIMAL_PATTERN.fullmatch

    def convert(text: str) -> Any:
        if match(text) is None:
            plain = text.replace(",", "")
            if "," not in text or match(plain) is None:
                return Invalid("应为数字（如 1234.56）")
            text = plain
        try:
            return Decimal(text)
        except InvalidOperation:  # pragma: no cover - the pattern admits only valid literals
            return Invalid("应为数字（如 1234.56）")

    return convert


def decimal_text(value: Decimal) -> str:
    """The canonical text of a decimal (no exponent, no trailing zeros), exact at any length:
    normalize() alone rounds to the context's 28 digits."""
    return format(value.normalize(Context(prec=max(len(value.as_tuple().digits), 28))), "f")


def parse_date(text: str) -> date | None:
    """YYYY-MM-DD, YYYY/MM/DD or YYYYMMDD; None if it is none of these or no real date."""
    length = len(text)
    if length == 10:
        sep = text[4]
        if sep not in "-/" or text[7] != sep:
            return None
        year, month, day = text[:4], text[5:7], text[8:]
    elif length == 8:
        year, month, day = text[:4], text[4:6], text[6:]
    else:
        return None
    if not (year.isdigit() and month.isdigit() and day.isdigit() and year.isascii()):
        return None
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        return None


def _parsed(parse: Callable[[str], Any], message: str) -> Callable[[ColumnSpec], Converter]:
    """The converter of a type read by `parse`, which returns None for text it cannot read."""

    def for_column(spec: ColumnSpec) -> Converter:
        def convert(text: str) -> Any:
            value = parse(text)
            if value is None:
                return Invalid(message)
            return value

        return convert

    return for_column


def parse_datetime(text: str) -> datetime | None:
    """ISO 8601 date and time (space or T; / allowed in the date); naive values are local time."""
    candidate = text.replace("/", "-") if "/" in text[:10] else text
    if len(candidate) < 10 or not candidate[:4].isdigit():
        return None
    try:
        value = datetime.fromisoformat(candidate)
    except ValueError:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=_local_zone())
    return value


_date = _parsed(parse_date, "应为日期，格式 YYYY-MM-DD、YYYY/MM/DD 或 YYYYMMDD")
_datetime = _parsed(parse_datetime, "应为日期时间，格式 YYYY-MM-DD HH:MM:SS")


def _boolean(spec: ColumnSpec) -> Converter:
    def convert(text: str) -> Any:
        word = text.lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        return Invalid("应为 是/否、true/false 或 1/0")

    return convert


def _enum(spec: ColumnSpec) -> Converter:
    allowed = frozenset(spec.enum_values)
    shown = "、".join(spec.enum_values[:20]) + ("……" if len(spec.enum_values) > 20 else "")

    def convert(text: str) -> Any:
        if text in allowed:
            return text
        return Invalid(f"不是允许的取值（{shown}）")

    return convert


def _resident_id(spec: ColumnSpec) -> Converter:
    today = timezone.localdate()

    def convert(text: str) -> Any:
        if resident_id_ok(text, today):
            return text
        try:
            return validate_resident_id(text, today=today).number
        except ApplicationError as error:
            return Invalid(error.message)

    return convert


def _credit_code(spec: ColumnSpec) -> Converter:
    def convert(text: str) -> Any:
        if credit_code_ok(text):
            return text
        try:
            return validate_credit_code(text).code
        except ApplicationError as error:
            return Invalid(error.message)

    return convert


def _region_code(spec: ColumnSpec) -> Converter:
    def convert(text: str) -> Any:
        if regions.is_valid_region_code(text):
            return text
        return Invalid("不是有效的行政区划代码（GB/T 2260）")

    return convert


_FACTORIES: dict[str, Callable[[ColumnSpec], Converter]] = {
    DataType.STRING: _string,
    DataType.INTEGER: _integer,
    DataType.DECIMAL: _decimal,
    DataType.DATE: _date,
    DataType.DATETIME: _datetime,
    DataType.BOOLEAN: _boolean,
    DataType.ENUM: _enum,
    DataType.RESIDENT_ID: _resident_id,
    DataType.CREDIT_CODE: _credit_code,
    DataType.REGION_CODE: _region_code,
}

REQUIRED_MISSING = Invalid("必填项为空")


def compile_converter(spec: ColumnSpec) -> Converter:
    """One function for one column: cell text → typed value, None (empty) or Invalid."""
    try:
        inner = _FACTORIES[spec.data_type](spec)
    except KeyError:
        raise ValueError(f"unknown data type {spec.data_type!r}") from None
    required = spec.required

    def convert(raw: str) -> Any:
        text = raw.strip()
        if not text:
            return REQUIRED_MISSING if required else None
        return inner(text)

    return convert


def cell_text(value: Any) -> str:
    """The text of a cell read from XLSX or JSON (numbers, dates, booleans) for the converters."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 2**63 else repr(value)
    if isinstance(value, datetime):
        if value.hour == value.minute == value.second == value.microsecond == 0 and value.tzinfo is None:
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(type(value).__name__)


# --- batch converters: a whole column of a batch at once ------------------------------------
#
# The loader converts a batch (thousands of rows) column by column. A batch converter either
# returns the converted column, or None when any cell is not in the common canonical form; the
# loader then runs the per-cell converter above over that column, which finds the exact errors
# (or accepts the less common forms). So the batch path only has to be right when it accepts.
# With `text_storage` (SQLite) dates, decimals and datetimes come out as the text stored.

BatchConverter = Callable[[Sequence[str]], list[Any] | None]

_INT_RE = re.compile(r"[+-]?[0-9]{1,19}")
_DEC_RE = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
_CANONICAL_DECIMAL = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]*[1-9])?")
_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_CANONICAL_COLUMN = re.compile(r"(?:-?(?:0|[1-9][0-9]*)(?:\.[0-9]*[1-9])?\n)*-?(?:0|[1-9][0-9]*)(?:\.[0-9]*[1-9])?")
_BOOLS = {word: True for word in TRUE_WORDS} | {word: False for word in FALSE_WORDS}
_CREDIT_SET = frozenset(CREDIT_CHARSET)
_CREDIT_DIGITS = str.maketrans(CREDIT_CHARSET, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"[: len(CREDIT_CHARSET)])
_AUTHORITIES = frozenset(REGISTRATION_AUTHORITIES)


# The organisation-code check (GB 11714) of characters 9–16 as four lookups of character pairs:
# each table maps a pair of charset characters at one position to its weighted sum.
_ORG_PAIR_SUMS = tuple(
    {
        first + second: _ORG_VALUE[first] * ORG_CODE_WEIGHTS[2 * pair]
        + _ORG_VALUE[second] * ORG_CODE_WEIGHTS[2 * pair + 1]
        for first in CREDIT_CHARSET
        for second in CREDIT_CHARSET
    }
    for pair in range(4)
)
_ORG_CHECK_CHAR = tuple(_ORG_CHECK.get(11 - total % 11, str(11 - total % 11)) for total in range(11))


def _credit_batch(values: Sequence[str]) -> list[Any] | None:
    # Weights 1 3 9 27 … are 3^i mod 31, and 34 ≡ 3 (mod 31): the weighted sum of the first 17
    # characters is int(reversed digits, 34) mod 31 once each character is its charset index.
    if set(map(len, values)) != {18} or not set("".join(values)) <= _CREDIT_SET:
        return None
    if not {value[0] for value in values} <= _AUTHORITIES or "0" in {value[1] for value in values}:
        return None
    if not "".join([value[2:8] for value in values]).isdigit():
        return None
    charset, digits = CREDIT_CHARSET, _CREDIT_DIGITS
    expected = [charset[-int(value.translate(digits)[16::-1], 34) % 31] for value in values]
    if expected != [value[17] for value in values]:
        return None
    p0, p1, p2, p3 = _ORG_PAIR_SUMS
    check = _ORG_CHECK_CHAR
    expected = [
        check[(p0[value[8:10]] + p1[value[10:12]] + p2[value[12:14]] + p3[value[14:16]]) % 11] for value in values
    ]
    if expected != [value[16] for value in values]:
        return None
    return list(values)


def _resident_batch(values: Sequence[str]) -> list[Any] | None:
    # Weights 7 9 10 5 … 2 are 2^(17-i) mod 11, and 13 ≡ 2 (mod 11).
    if set(map(len, values)) != {18}:
        return None
    firsts = "".join([value[:17] for value in values])
    if not (firsts.isascii() and firsts.isdigit()) or not {value[17] for value in values} <= set("0123456789X"):
        return None
    if not all(regions.is_province_code(prefix) for prefix in {value[:2] for value in values}):
        return None
    today = timezone.localdate()
    for birth_text in {value[6:14] for value in values}:
        try:
            birth = date(int(birth_text[:4]), int(birth_text[4:6]), int(birth_text[6:]))
        except ValueError:
            return None
        if birth < EARLIEST_BIRTH or birth > today:
            return None
    check = RESIDENT_ID_CHECK
    for value in values:
        if check[(2 * int(value[:17], 13)) % 11] != value[17]:
            return None
    return list(values)


def _batch_inner(spec: ColumnSpec, text_storage: bool) -> Callable[[list[str]], list[Any] | None]:
    data_type = spec.data_type
    if data_type == DataType.STRING:
        limit = spec.max_length

        def strings(values: list[str]) -> list[Any] | None:
            if limit and max(map(len, values)) > limit:
                return None
            return None if CONTROL_CHARACTER.search("".join(values)) else values

        return strings
    if data_type == DataType.INTEGER:

        def integers(values: list[str]) -> list[Any] | None:
            if not all(map(_INT_RE.fullmatch, values)):
                return None
            numbers = list(map(int, values))
            return numbers if min(numbers) >= INT_MIN and max(numbers) <= INT_MAX else None

        return integers
    if data_type == DataType.DECIMAL:

        def decimals(values: list[str]) -> list[Any] | None:
            if not text_storage:
                return list(map(Decimal, values)) if all(map(_DEC_RE.fullmatch, values)) else None
            joined = "\n".join(values)
            if joined.count("\n") == len(values) - 1 and _CANONICAL_COLUMN.fullmatch(joined):
                return values  # the common case, checked by one regex run over the whole column
            # Stored as canonical text (no exponent, no trailing zeros); most values already are.
            canonical, general = _CANONICAL_DECIMAL.fullmatch, _DEC_RE.fullmatch
            texts = [
                value if canonical(value) else decimal_text(Decimal(value)) if general(value) else None
                for value in values
            ]
            return None if None in texts else texts

        return decimals
    if data_type == DataType.DATE:

        def dates(values: list[str]) -> list[Any] | None:
            if not all(map(_DATE_RE.fullmatch, values)):
                return None
            try:
                parsed = list(map(date.fromisoformat, values))
            except ValueError:
                return None
            return values if text_storage else parsed

        return dates
    if data_type == DataType.BOOLEAN:

        def booleans(values: list[str]) -> list[Any] | None:
            flags = list(map(_BOOLS.get, map(str.lower, values)))
            return None if None in flags else flags

        return booleans
    if data_type == DataType.ENUM:
        allowed = frozenset(spec.enum_values)
        return lambda values: values if set(values) <= allowed else None
    if data_type == DataType.REGION_CODE:
        return lambda values: values if all(map(regions.is_valid_region_code, set(values))) else None
    if data_type == DataType.CREDIT_CODE:
        return _credit_batch
    if data_type == DataType.RESIDENT_ID:
        return _resident_batch
    return lambda values: None  # datetime: the per-cell converter


def compile_batch_converter(spec: ColumnSpec, *, text_storage: bool) -> BatchConverter:
    """Column of cell texts → column of stored values, or None to fall back to the cell converter."""
    inner = _batch_inner(spec, text_storage)
    required = spec.required

    def convert(column: Sequence[str]) -> list[Any] | None:
        values = list(map(str.strip, column))
        if "" not in values:
            return inner(values)
        if required:
            return None
        present = [index for index, value in enumerate(values) if value]
        if not present:
            return [None] * len(values)
        converted = inner([values[index] for index in present])
        if converted is None:
            return None
        result: list[Any] = [None] * len(values)
        for index, value in zip(present, converted, strict=True):
            result[index] = value
        return result

    return convert
