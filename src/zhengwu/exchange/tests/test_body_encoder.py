"""The query API's bodies are ninja's JSON, byte for byte, though the store's typed values are
turned into text before encoding (sharing.query.typed_as_text)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

from ninja.responses import NinjaJSONEncoder

from zhengwu.exchange.sharing.query import _encode_body, typed_as_text


class Day(date):
    """A subclass: not the exact type, so it is left to the encoder."""


def test_the_body_is_ninjas_json_for_every_value_the_store_holds() -> None:
    values = [
        Decimal("42977.00"),
        Decimal("1E+3"),
        Decimal("-0.0000001"),
        Decimal("NaN"),
        date(2019, 8, 20),
        date(1, 1, 1),
        datetime(2026, 12, 7, 4, 44, 18, 122842, tzinfo=UTC),
        datetime(2026, 12, 7, 4, 44, 18, tzinfo=UTC),
        datetime(2026, 12, 7, 12, 44, 18, 5, tzinfo=timezone(timedelta(hours=8))),
        datetime(2026, 12, 7, 12, 44, 18),
        Day(2020, 2, 29),
        "长春市南关区",
        "***",
        None,
        True,
        3,
        1.5,
    ]
    rows = [{"v": value, "w": value} for value in values]
    converted = [typed_as_text(dict(row), ["v"]) for row in rows]
    assert [type(row["v"]) for row in converted if isinstance(row["w"], (Decimal, datetime))] == [str] * 8
    expected = NinjaJSONEncoder().encode({"resource": "102001/001", "items": rows})
    assert _encode_body({"resource": "102001/001", "items": converted}) == expected
