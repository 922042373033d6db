"""Masking of personal items in shared records (unless the grant allows plain values).

- resident ID number: first 4 and last 4 kept, `2201**********123X`;
- mobile / phone number: first 3 and last 4 kept, `139****1234`;
- address: the first 6 characters kept, the rest replaced by `****`;
- any other personal value: first character kept (`张*`, `王**`); non-text values become `***`.

Which rule applies comes from the data item's type (`resident_id`) or, for phones and addresses
(no data type of their own), from its code or name (phone/mobile/tel/电话/手机, address/addr/地址/住址).
Masked values are always strings.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from zhengwu.catalog.models import DataType

PHONE_HINTS = ("phone", "mobile", "tel", "电话", "手机", "联系方式")
ADDRESS_HINTS = ("address", "addr", "地址", "住址", "住所")


def mask_resident_id(value: str) -> str:
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_phone(value: str) -> str:
    if len(value) <= 7:
        return value[:1] + "*" * (len(value) - 1) if value else value
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_address(value: str) -> str:
    return value[:6] + "****" if len(value) > 6 else value[:1] + "****"


def mask_other(value: str) -> str:
    if not value:
        return value
    return value[0] + "*" * max(1, len(value) - 1)


@dataclass(frozen=True)
class ItemRule:
    code: str
    personal: bool
    kind: str  # "resident_id" | "phone" | "address" | "other"


def rule_for(code: str, name: str, data_type: str, is_personal: bool) -> ItemRule:
    text = f"{code} {name}".lower()
    if data_type == DataType.RESIDENT_ID:
        kind = "resident_id"
    elif any(h in text for h in PHONE_HINTS):
        kind = "phone"
    elif any(h in text for h in ADDRESS_HINTS):
        kind = "address"
    else:
        kind = "other"
    return ItemRule(code=code, personal=is_personal or data_type == DataType.RESIDENT_ID, kind=kind)


def mask_value(value: Any, kind: str) -> Any:
    if value is None or value == "":
        return value
    if not isinstance(value, str):
        return "***"
    if kind == "resident_id":
        return mask_resident_id(value)
    if kind == "phone":
        return mask_phone(value)
    if kind == "address":
        return mask_address(value)
    return mask_other(value)


def project(record: Mapping[str, Any], rules: Iterable[ItemRule], *, plain_personal: bool) -> dict[str, Any]:
    """Only the granted items of `record`, personal ones masked unless `plain_personal`."""
    out: dict[str, Any] = {}
    for rule in rules:
        if rule.code not in record:
            continue
        value = record[rule.code]
        out[rule.code] = mask_value(value, rule.kind) if rule.personal and not plain_personal else value
    return out
