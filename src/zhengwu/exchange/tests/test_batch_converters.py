"""The column-at-once converters agree with the per-cell converters wherever they accept a column.

The loader trusts a batch converter's result without looking at the cells again, so a batch
converter that accepted a wrong value would let it into the store: these properties would fail.
"""

from __future__ import annotations

import random
from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from zhengwu.catalog.models import DataType
from zhengwu.core.idnumbers import CREDIT_CHARSET, credit_code_check_char, random_credit_code
from zhengwu.exchange.store.tables import _compose, _to_db
from zhengwu.exchange.store.validation import ColumnSpec, Invalid, compile_batch_converter, compile_converter


def _credit(seed: int) -> str:
    return random_credit_code(random.Random(seed), prefix2="91", region_code="220102")


def _mutate(code: str, position: int, seed: int) -> str:
    """One character of a valid code changed to another of the charset: wrong checksum (mostly)."""
    replacement = CREDIT_CHARSET[seed % len(CREDIT_CHARSET)]
    return code[:position] + replacement + code[position + 1 :]


def _reseal(code: str) -> str:
    """The code with its last character (GB 32100, mod 31) recomputed: only the 9th–17th may be wrong."""
    return code[:17] + credit_code_check_char(code[:17])


credit_cells = st.one_of(
    st.integers(0, 10**6).map(_credit),
    # a wrong organisation-code check character (GB 11714) behind a right final check character
    st.tuples(st.integers(0, 10**6), st.integers(8, 16), st.integers(0, 100)).map(
        lambda t: _reseal(_mutate(_credit(t[0]), t[1], t[2]))
    ),
    st.tuples(st.integers(0, 10**6), st.integers(0, 17), st.integers(0, 100)).map(
        lambda t: _mutate(_credit(t[0]), t[1], t[2])
    ),
    st.text(alphabet="0123456789ABCDEFGHJKLMNPQRTUWXY", min_size=17, max_size=19),
)
decimal_cells = st.one_of(
    st.decimals(allow_nan=False, allow_infinity=False, places=3, min_value=-(10**9), max_value=10**9).map(str),
    st.from_regex(r"[+-]?[0-9]{0,6}(\.[0-9]{0,4})?", fullmatch=True),
    st.sampled_from(["100.00", "1.10", "007", "-0", "0.0", ".5", "5.", "1e5", "1,234.5", "1\n2", ""]),
    # more digits than Decimal's default 28: stored exactly, never rounded
    st.sampled_from(["1" * 30, "1" * 30 + ".50", "-0." + "0" * 30 + "1", "9" * 29 + "00"]),
)

string_cells = st.text(
    alphabet=st.sampled_from(["a", "长", " ", "\t", "\n", "\x00", "\x1f", "\x7f", "\x0b", "\ud800"]), max_size=8
)


def _agree(data_type: str, cells: list[str], **extra: Any) -> None:
    column = ColumnSpec(code="c", name="列", data_type=data_type, **extra)
    for text_storage, vendor in ((True, "sqlite"), (False, "postgresql")):
        batch = compile_batch_converter(column, text_storage=text_storage)(cells)
        if batch is None:
            continue  # the loader falls back to the cell converter
        cell = _compose(compile_converter(column), _to_db(data_type, vendor))
        assert batch == [cell(value) for value in cells], (vendor, cells)
        assert [type(value) for value in batch] == [type(cell(value)) for value in cells]


@settings(max_examples=300, deadline=None)
@given(st.lists(credit_cells, min_size=1, max_size=20))
def test_credit_code_columns(cells: list[str]) -> None:
    _agree(DataType.CREDIT_CODE, cells)


@settings(max_examples=300, deadline=None)
@given(st.lists(decimal_cells, min_size=1, max_size=20))
def test_decimal_columns(cells: list[str]) -> None:
    _agree(DataType.DECIMAL, cells)


@settings(max_examples=300, deadline=None)
@given(st.lists(string_cells, min_size=1, max_size=20))
def test_string_columns(cells: list[str]) -> None:
    _agree(DataType.STRING, cells)
    _agree(DataType.STRING, cells, max_length=5)


def test_a_control_character_is_refused_with_its_position() -> None:
    spec = ColumnSpec(code="name", name="单位名称", data_type=DataType.STRING, max_length=20)
    assert compile_batch_converter(spec, text_storage=True)(["某公司", "某\x00公司"]) is None
    refused = compile_converter(spec)("某\x00公司")
    assert isinstance(refused, Invalid) and "第 2 个字符" in refused.message and "U+0000" in refused.message
    # tab and line breaks are text (a multi-line address), not broken bytes
    assert compile_batch_converter(spec, text_storage=False)(["一\t二", "三\n四"]) == ["一\t二", "三\n四"]


def test_the_fast_paths_are_taken_for_clean_columns() -> None:
    codes = [_credit(seed) for seed in range(50)]
    spec = ColumnSpec(code="c", name="列", data_type=DataType.CREDIT_CODE)
    assert compile_batch_converter(spec, text_storage=True)(codes) == codes
    assert compile_batch_converter(spec, text_storage=True)([*codes, _mutate(codes[0], 16, 3)]) is None
    money = ColumnSpec(code="m", name="金额", data_type=DataType.DECIMAL)
    assert compile_batch_converter(money, text_storage=True)(["1", "2.5", "100.00"]) == ["1", "2.5", "100"]
    assert compile_batch_converter(money, text_storage=False)(["100.00"]) == [Decimal("100.00")]
