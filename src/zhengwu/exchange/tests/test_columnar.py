"""The columnar loading path (exchange.store.columnar) stores exactly what the row path stores.

The column checks only have to be right when they accept: anything they refuse goes to the row
path. So every property here is "accepted ⇒ the same values as the cell converters". The path
itself (fork, ADBC writer, swap) needs a database file another process can open; the test
suite's database is in memory, so `columnar_scenarios.py` runs it in a subprocess on a file.
"""

from __future__ import annotations

import builtins
import json
import os
import random
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zhengwu.catalog.models import DataType
from zhengwu.core.idnumbers import make_resident_id, random_resident_id, resident_id_check_char
from zhengwu.exchange.store import columnar
from zhengwu.exchange.store.tables import _compose, _to_db
from zhengwu.exchange.store.validation import CONTROL_CHARACTER, ColumnSpec, Invalid, compile_converter
from zhengwu.exchange.tests.test_batch_converters import _credit, credit_cells, decimal_cells, string_cells

date_cells = st.one_of(
    st.dates().map(lambda value: value.isoformat()),
    st.from_regex(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", fullmatch=True),
    st.sampled_from(["0000-01-01", "2023-02-29", "2024-02-29", "2024/02/01", "20240201", " 2024-01-01", ""]),
)
integer_cells = st.one_of(
    st.integers(-(2**64), 2**64).map(str),
    st.from_regex(r"[+-]?[0-9]{1,20}", fullmatch=True),
    st.sampled_from(["007", "+5", "-0", "", " 5", "1.0", "٣"]),
)


def _resident(seed: int) -> str:
    return random_resident_id(random.Random(seed), born_from=date(1900, 1, 1), born_to=date(2025, 12, 31))


resident_cells = st.one_of(
    st.integers(0, 10**6).map(_resident),
    # one character changed: a wrong check character, birth date or province (mostly)
    st.tuples(st.integers(0, 10**6), st.integers(0, 17), st.sampled_from("0123456789Xx")).map(
        lambda t: _resident(t[0])[: t[1]] + t[2] + _resident(t[0])[t[1] + 1 :]
    ),
    st.integers(0, 10**6).map(lambda seed: _resident(seed)[:17] + "x"),  # the row path upper-cases it
    st.sampled_from(["", "11010519491231002", "110105194912310021X", "110105190002290011", "11010520991231001X"]),
)
enum_cells = st.sampled_from(["存续", "在业", "注销", "注销 ", "其他", "", "\u3000存续"])
region_cells = st.sampled_from(["220102", "220000", "999999", "22010", " 220102", "", "２２０１０２"])


def _agree(data_type: str, cells: list[str], **extra: Any) -> bool:
    """True when the columnar check accepted the column (and then stored what the row path does)."""
    cells = [cell for cell in cells if not any("\ud800" <= char <= "\udfff" for char in cell)]  # not UTF-8
    if not cells:
        return False
    accepted = False
    for required in (False, True):
        column = ColumnSpec(code="c", name="列", data_type=data_type, required=required, **extra)
        stored = columnar.check_column(pa.chunked_array([pa.array(cells, pa.string())]), column)
        if stored is None:
            continue
        accepted = True
        cell = _compose(compile_converter(column), _to_db(data_type, "sqlite"))
        expected = [cell(value) for value in cells]
        assert not any(isinstance(value, Invalid) for value in expected), (column, cells)
        assert stored.to_pylist() == expected, (column, cells)
    return accepted


@settings(max_examples=200, deadline=None)
@given(st.lists(credit_cells, min_size=1, max_size=20))
def test_credit_code_columns(cells: list[str]) -> None:
    _agree(DataType.CREDIT_CODE, cells)


@settings(max_examples=200, deadline=None)
@given(st.lists(decimal_cells, min_size=1, max_size=20))
def test_decimal_columns(cells: list[str]) -> None:
    _agree(DataType.DECIMAL, cells)


def test_decimals_with_zeros_after_the_point_take_one_rewrite_and_are_stored_as_the_row_path_does() -> None:
    cells = ["12.50", "3.00", "0.0", "-0.00", "100.", "10.0", "100.10", "-7.70", "0.10", "1.000000", "5"]
    cells.append("1" * 30 + ".50")
    assert _agree(DataType.DECIMAL, cells)
    assert _agree(DataType.DECIMAL, [*cells, "007", "+.50"])  # and beside values that need the other rewrites


@settings(max_examples=200, deadline=None)
@given(st.lists(string_cells, min_size=1, max_size=20))
def test_string_columns(cells: list[str]) -> None:
    _agree(DataType.STRING, cells)
    _agree(DataType.STRING, cells, max_length=3)


@settings(max_examples=200, deadline=None)
@given(st.lists(date_cells, min_size=1, max_size=10))
def test_date_columns(cells: list[str]) -> None:
    _agree(DataType.DATE, cells)


@settings(max_examples=200, deadline=None)
@given(st.lists(integer_cells, min_size=1, max_size=10))
def test_integer_columns(cells: list[str]) -> None:
    _agree(DataType.INTEGER, cells)


@settings(max_examples=300, deadline=None)
@given(st.lists(resident_cells, min_size=1, max_size=10))
def test_resident_id_columns(cells: list[str]) -> None:
    _agree(DataType.RESIDENT_ID, cells)


def test_resident_ids_of_a_whole_century_are_accepted() -> None:
    numbers = [_resident(seed) for seed in range(300)]
    column = ColumnSpec(code="c", name="列", data_type=DataType.RESIDENT_ID, required=True)
    stored = columnar.check_column(pa.chunked_array([pa.array(numbers[:100]), pa.array(numbers[100:])]), column)
    assert stored is not None and stored.to_pylist() == numbers
    assert columnar.check_column(pa.array([make_resident_id("220102", date(2000, 2, 29), 11)]), column) is not None
    # each with a right check character: no such day, or born before 1900 or after today
    for birth in ("19000229", "19990229", "20230431", "20231300", "18991231", "20991231"):
        first17 = f"220102{birth}011"
        assert columnar.check_column(pa.array([first17 + resident_id_check_char(first17)]), column) is None


@settings(max_examples=100, deadline=None)
@given(st.lists(enum_cells, min_size=1, max_size=10), st.lists(region_cells, min_size=1, max_size=10))
def test_enum_and_region_columns(enums: list[str], codes: list[str]) -> None:
    _agree(DataType.ENUM, enums, enum_values=("存续", "在业", "注销"))
    _agree(DataType.REGION_CODE, codes)


@pytest.mark.parametrize(
    ("data_type", "cells", "extra"),
    [
        (DataType.CREDIT_CODE, [_credit(1), _credit(2)[:17] + "0"], {}),
        (DataType.CREDIT_CODE, [_credit(1).lower()], {}),  # the row path accepts and upper-cases it
        (DataType.DATE, ["2023-02-30"], {}),
        (DataType.DATE, ["0000-01-01"], {}),
        (DataType.DATE, ["2024/02/01"], {}),
        (DataType.STRING, [" 前后有空格"], {}),
        (DataType.STRING, ["全角空格\u3000"], {}),
        (DataType.STRING, ["控制\x07字符"], {}),
        (DataType.STRING, ["超长的名称"], {"max_length": 4}),
        (DataType.DECIMAL, ["1,234.5"], {}),
        (DataType.INTEGER, ["9223372036854775808"], {}),
        (DataType.INTEGER, ["+5"], {}),
        (DataType.ENUM, ["其他"], {"enum_values": ("存续",)}),
        (DataType.REGION_CODE, ["999999"], {}),
        (DataType.STRING, ["", "有值"], {"required": True}),
    ],
)
def test_what_the_columnar_check_leaves_to_the_row_path(data_type: str, cells: list[str], extra: Any) -> None:
    column = ColumnSpec(code="c", name="列", data_type=data_type, **extra)
    assert columnar.check_column(pa.array(cells, pa.string()), column) is None


def test_clean_columns_are_accepted_and_rewritten_as_the_row_path_stores_them() -> None:
    money = ColumnSpec(code="m", name="金额", data_type=DataType.DECIMAL)
    stored = columnar.check_column(pa.array(["1", "2.50", "", "+.5", "007", "1" * 30 + ".10"]), money)
    assert stored is not None and stored.to_pylist() == ["1", "2.5", None, "0.5", "7", "1" * 30 + ".1"]
    count = ColumnSpec(code="n", name="人数", data_type=DataType.INTEGER)
    stored = columnar.check_column(pa.array(["007", "", "-3"]), count)
    assert stored is not None and stored.to_pylist() == [7, None, -3]
    codes = [_credit(seed) for seed in range(100)]
    assert columnar.credit_codes_ok(pa.chunked_array([pa.array(codes[:50]), pa.array(codes[50:])]))


def test_the_checks_give_arrow_no_python_value_without_its_type(monkeypatch: pytest.MonkeyPatch) -> None:
    """Arrow infers an untyped value's type by trying to import dateutil, which is not installed:
    a search of sys.path on every call, several a record batch."""
    columns = [
        (ColumnSpec(code="s", name="名称", data_type=DataType.STRING, max_length=4), ["长春", "", "a b"]),
        (ColumnSpec(code="e", name="状态", data_type=DataType.ENUM, enum_values=["存续", "注销"]), ["存续", ""]),
        (ColumnSpec(code="r", name="区划", data_type=DataType.REGION_CODE), ["220102", ""]),
        (ColumnSpec(code="c", name="代码", data_type=DataType.CREDIT_CODE), [_credit(1), ""]),
        (ColumnSpec(code="p", name="身份证", data_type=DataType.RESIDENT_ID), [_resident(1), ""]),
        (ColumnSpec(code="d", name="日期", data_type=DataType.DATE), ["2024-02-29", ""]),
        (ColumnSpec(code="m", name="金额", data_type=DataType.DECIMAL), ["2.50", "007", ""]),
        (ColumnSpec(code="n", name="人数", data_type=DataType.INTEGER), ["7", ""]),
    ]
    for column, cells in columns:  # imports made once are not what this looks for
        assert columnar.check_column(pa.array(cells, pa.string()), column) is not None, column
    attempted: list[str] = []
    real_import = builtins.__import__

    def watched(name: str, *args: Any, **kwargs: Any) -> Any:
        if name not in sys.modules:
            attempted.append(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", watched)
    for column, cells in columns:
        columnar.check_column(pa.array(cells, pa.string()), column)
    monkeypatch.undo()
    assert attempted == []


def test_the_space_characters_checked_on_bytes_are_all_that_strip_removes() -> None:
    assert [chr(code) for code in range(0x110000) if chr(code).isspace()] == columnar._SPACE_CHARACTERS


@pytest.mark.parametrize("space", [chr(code) for code in range(0x3001) if chr(code).isspace()])
def test_a_space_character_at_either_end_is_left_to_the_row_path_and_inside_is_kept(space: str) -> None:
    column = ColumnSpec(code="c", name="列", data_type=DataType.STRING)
    for cells in ([space + "名称"], ["名称" + space], ["甲", space], [space], ["乙", "a" + space]):
        assert columnar.check_column(pa.array(cells, pa.string()), column) is None, cells
    inside = ["名" + space + "称", "a" + space + "b"]
    if not CONTROL_CHARACTER.search(space):  # \x0b, \x0c, \x1c–\x1f are both
        assert columnar.check_column(pa.array(inside, pa.string()), column) is not None


def test_control_characters_are_found_on_bytes_and_others_that_share_their_bytes_are_not() -> None:
    column = ColumnSpec(code="c", name="列", data_type=DataType.STRING)
    for code in [*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F]:
        assert columnar.check_column(pa.array(["前", f"中{chr(code)}后"]), column) is None, code
    # characters whose UTF-8 continuation bytes look like C1 controls or spaces' last bytes
    clean = ["耀", "\u20ac", "\u0100\u3001", "\u3001耀", "a\tb", "\u200b"]
    assert columnar.check_column(pa.array(clean, pa.string()), column) is not None


def _decodes(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


# surrogates, overlong forms, beyond U+10FFFF, cut and stray continuation bytes, and good text
utf8_pieces = st.sampled_from(
    [b"\xed\xa0\x80", b"\xc0\x80", b"\xe0\x80\x80", b"\xf4\x90\x80\x80", b"\xf8\x88\x80\x80\x80", b"\xe4", b"\x80"]
    + [text.encode() for text in ("a", "中", "𠀀", "\u00e9", "\U0010ffff", "\ud7ff", "\ue000", ",", "\n")]
)


@given(st.lists(utf8_pieces, max_size=12))
def test_the_utf8_check_is_pythons_decoder(pieces: list[bytes]) -> None:
    data = b"".join(pieces)
    assert columnar.utf8_valid(data) == _decodes(data)


@pytest.mark.parametrize("shift", range(6))
def test_the_encoding_scan_reads_a_character_cut_between_chunks(tmp_path: Path, shift: int) -> None:
    from zhengwu.exchange.store import ingest

    path = tmp_path / "scan.csv"
    for text, tail, expected in [
        ("𠀀中", b"", ("utf-8", False)),
        ("中", b"\xe4\xb8", ("gb18030", False)),  # the file ends inside a character
        ("中", b'"', ("utf-8", True)),
        ("中", b"\xed\xa0\x80", ("gb18030", False)),  # a surrogate's bytes, whatever the cut
    ]:
        data = b"a" * (ingest.CHUNK - shift) + text.encode() * 3 + tail
        path.write_bytes(data)
        assert ingest._scan(path) == expected, (shift, text, tail)
        assert (expected[0] == "utf-8") == _decodes(data)


def test_dates_are_checked_day_by_day_in_the_calendar() -> None:
    column = ColumnSpec(code="d", name="日期", data_type=DataType.DATE)
    good = ["0001-01-01", "2024-02-29", "2000-02-29", "9999-12-31", "2023-04-30"]
    assert columnar.check_column(pa.array(good), column) is not None
    for bad in ("1900-02-29", "2023-04-31", "2023-00-10", "2023-13-01", "2023-01-00", "2023-1-01", "2023-01-1x"):
        assert columnar.check_column(pa.array([good[0], bad]), column) is None, bad


def _scenarios(directory: Path, *which: str) -> dict[str, Any]:
    env = {**os.environ, "ZHENGWU_DATA_DIR": str(directory), "DJANGO_SETTINGS_MODULE": "zhengwu.settings"}
    env.pop("DATABASE_URL", None)
    env["ZHENGWU_LOAD_COLUMNAR_MIN_BYTES"] = "0"
    done = subprocess.run(  # noqa: S603 - our own script
        [sys.executable, "-m", "zhengwu.exchange.tests.columnar_scenarios", str(directory), *which],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    results: dict[str, Any] = json.loads((directory / "results.json").read_text())
    return results


@pytest.fixture(scope="module")
def scenarios(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return _scenarios(tmp_path_factory.mktemp("columnar"))


def test_the_whole_path_on_a_database_file(scenarios: dict[str, Any]) -> None:
    """Loads through the columnar path and the row path compared (into an empty table, upsert and
    replace into a table with rows), a bad value, duplicate keys, a writer that crashes, each
    file streamed in several record batches: see columnar_scenarios.py."""
    results = scenarios
    assert len(results["batches"]) >= 5 and sum(results["batches"]) == 300  # each file in several batches
    same = results["same_as_row_path"]
    assert same["columnar_taken"] and not same["row_path_columnar_taken"]
    assert same["rows"] == same["row_path_rows"] and same["count"] == 300
    assert same["last_seq"] == 300 and same["feed_first_seq"] == 1
    # The queryable items' indexes (item, key), built by both paths' index phase (docs/rules.md, 可查询数据项).
    wanted = [["_q_name", "name", "credit_code"], ["_q_region", "region", "credit_code"]]
    assert same["indexes"] == same["row_path_indexes"] == wanted
    assert same["recorded"] == [["name"], ["region"]]
    odd = results["odd_file"]  # BOM, LF, blank lines, other column order, a column left out
    assert odd["ok"] and odd["columnar_taken"] and odd["rows"] == odd["row_path_rows"] and odd["count"] == 300
    bad = results["bad_value"]
    assert not bad["ok"] and bad["errors"][0]["row"] == 42 and bad["errors"][0]["code"] == "founded"
    assert bad["count"] == 0 and not bad["load_tables"]
    duplicate = results["duplicate_key"]
    assert not duplicate["ok"] and "主键重复" in duplicate["errors"][0]["message"]
    assert duplicate["count"] == 0 and not duplicate["load_tables"] and duplicate["columnar_taken"]
    for name, count, written, deleted in (("upsert_into_rows", 301, 301, 0), ("replace_into_rows", 201, 201, 100)):
        merged = results[name]
        assert merged["ok"] and merged["columnar_taken"], name
        assert merged["rows"] == merged["row_path_rows"], name  # every column, _seq and _deleted included
        assert merged["count"] == count and not merged["load_tables"], name
        assert merged["written"] == [written, written] and merged["deleted"] == [deleted, deleted], name
        assert merged["last_seq"][0] == merged["last_seq"][1], name
        assert merged["indexes"][0] == merged["indexes"][1] == wanted, name
    duplicate = results["duplicate_into_rows"]
    assert not duplicate["ok"] and "主键重复" in duplicate["errors"][0]["message"] and duplicate["columnar_taken"]
    assert duplicate["unchanged"] and not duplicate["load_tables"]
    crash = results["writer_crash"]
    assert not crash["ok"] and "加载中断" in crash["message"] and crash["count"] == 0 and not crash["load_tables"]
    assert results["sm3_recorded"]


def test_an_error_or_a_duplicate_at_a_batch_boundary_is_named_by_its_line(scenarios: dict[str, Any]) -> None:
    """The last row of a record batch and the first of the next: a wrong value in either, and a key
    repeated across the boundary, fail the load with the line named and nothing written."""
    results = scenarios
    boundary = results["batches"][0]  # the first batch holds data rows 1…boundary: lines 2…boundary + 1
    for name, line, code, words in (
        ("last_of_batch", boundary + 1, "founded", "应为日期"),
        ("first_of_next", boundary + 2, "founded", "应为日期"),
        ("duplicate_across", boundary + 2, "credit_code", "主键重复"),
    ):
        outcome = results[name]
        assert not outcome["ok"], name
        assert [(row, column) for row, column, _ in outcome["errors"]] == [(line, code)], (name, outcome)
        assert words in outcome["errors"][0][2], name
        assert outcome["count"] == 0 and not outcome["load_tables"], name
    # The column checks refuse a wrong value in the batch (the row path then names it); a repeated
    # key passes them and fails the load table's unique index.
    assert not results["last_of_batch"]["columnar_taken"] and not results["first_of_next"]["columnar_taken"]
    assert results["duplicate_across"]["columnar_taken"]


def test_a_loads_memory_does_not_grow_with_the_file(tmp_path: Path) -> None:
    """20,000 then 80,000 rows in batches of 64 KiB: the peak of Arrow's memory pool (the file's
    columns, the stored columns, the IPC stream) and of Python's allocations stay within 1.5×
    (reading the whole file, as the path did before issue 21, makes Arrow's peak about 4×)."""
    measured = _scenarios(tmp_path, "memory")["memory"]
    small, large = measured["20000"], measured["80000"]
    assert small["ok"] and large["ok"] and small["columnar_taken"] and large["columnar_taken"]
    assert large["file_bytes"] > 3.5 * small["file_bytes"]
    assert large["arrow_peak"] <= 1.5 * small["arrow_peak"], measured
    assert large["python_peak"] <= 1.5 * small["python_peak"], measured


def test_a_worker_warms_the_path_up_at_its_start() -> None:
    from zhengwu.exchange.store import tasks

    tasks.loading_libraries_at_start()  # the Huey on_startup hook
    assert {"numpy", "pyarrow.compute", "pyarrow.csv", "pyarrow.ipc"} <= set(sys.modules)
    assert columnar._region_codes.cache_info().currsize == 1


def test_the_reader_warm_up_uses_reads_every_row_of_several_blocks_as_text() -> None:
    """`warm_up` runs the loads' own CSV reader over a few blocks (a Huey worker's start)."""
    line = "0012,预热,\n"
    rows = 3 * columnar.BLOCK_BYTES // len(line.encode()) + 1
    batches = list(columnar._csv_batches(pa.BufferReader((line * rows).encode()), ["a", "b", "c"], ","))
    assert len(batches) > 2  # more than one block: the reader's threads ran
    table = pa.Table.from_batches(batches)
    assert table.num_rows == rows and table.schema.types == [pa.string()] * 3
    assert table.column("a")[0].as_py() == "0012" and table.column("c")[rows - 1].as_py() == ""
    columnar.warm_up()
