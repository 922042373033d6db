"""Loading files into the store: formats, encodings, every data type, all-or-nothing, crashes."""

from __future__ import annotations

import codecs
import csv
import io
import json
import os
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from zhengwu.accounts.models import Department, Role, User
from zhengwu.audit.models import AuditEvent
from zhengwu.catalog.models import DataType, Resource
from zhengwu.conftest import make_staff
from zhengwu.core.actors import Actor
from zhengwu.core.errors import ApplicationError
from zhengwu.exchange.errors import ExchangeError
from zhengwu.exchange.store import checking, ingest
from zhengwu.exchange.store import tables as store
from zhengwu.exchange.store.ingest import error_report_csv, error_report_xlsx, ingest_file
from zhengwu.exchange.store.models import LoadJob
from zhengwu.exchange.store.tasks import loadjob_run_task
from zhengwu.exchange.store.validation import ColumnSpec, Invalid, compile_converter
from zhengwu.exchange.tests.test_store_fixtures import (  # noqa: F401 - fixtures
    GOOD_ROW,
    HEADER_CODES,
    HEADER_NAMES,
    credit_codes,
    enterprises_fixture,
    make_resource,
    market_officer_fixture,
    police_officer_fixture,
    row_for,
    write_csv,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True, params=["one process", "worker processes"])
def load_processes(request: Any, settings: Any, monkeypatch: Any) -> str:
    """Every test here runs twice: rows checked in this process, and by forked workers in
    chunks of a line or two (so chunk boundaries, row numbers and ordering are exercised)."""
    if request.param == "worker processes":
        settings.ZHENGWU_LOAD_PROCESSES = 2
        settings.ZHENGWU_LOAD_PARALLEL_MIN_BYTES = 0
        monkeypatch.setattr(checking, "CHUNK_BYTES", 64)
    else:
        settings.ZHENGWU_LOAD_PROCESSES = 1
    return str(request.param)


def column(data_type: str, **extra: Any) -> Any:
    return compile_converter(ColumnSpec(code="c", name="列", data_type=data_type, **extra))


# --- every data type -----------------------------------------------------------------------

GOOD: list[tuple[str, dict[str, Any], str, Any]] = [
    (DataType.STRING, {"max_length": 4}, " 吉林长春 ", "吉林长春"),
    (DataType.INTEGER, {}, "-42", -42),
    (DataType.INTEGER, {}, "+7", 7),
    (DataType.DECIMAL, {}, "1234.50", __import__("decimal").Decimal("1234.50")),
    (DataType.DECIMAL, {}, "1,234.5", __import__("decimal").Decimal("1234.5")),
    (DataType.DATE, {}, "2024-02-29", __import__("datetime").date(2024, 2, 29)),
    (DataType.DATE, {}, "2024/02/29", __import__("datetime").date(2024, 2, 29)),
    (DataType.DATE, {}, "20240229", __import__("datetime").date(2024, 2, 29)),
    (DataType.BOOLEAN, {}, "是", True),
    (DataType.BOOLEAN, {}, "FALSE", False),
    (DataType.BOOLEAN, {}, "1", True),
    (DataType.BOOLEAN, {}, "0", False),
    (DataType.ENUM, {"enum_values": ("在业", "注销")}, "注销", "注销"),
    (DataType.RESIDENT_ID, {}, "11010519491231002X", "11010519491231002X"),
    (DataType.RESIDENT_ID, {}, "11010519491231002x", "11010519491231002X"),
    (DataType.CREDIT_CODE, {}, "91110000600037341L", "91110000600037341L"),
    (DataType.CREDIT_CODE, {}, "９１１１００００６０００３７３４１Ｌ", "91110000600037341L"),
    (DataType.REGION_CODE, {}, "220102", "220102"),
]

BAD: list[tuple[str, dict[str, Any], str, str]] = [
    (DataType.STRING, {"max_length": 3}, "吉林长春", "超过最大长度 3"),
    (DataType.INTEGER, {}, "1.5", "应为整数"),
    (DataType.INTEGER, {}, "１２", "应为整数"),
    (DataType.INTEGER, {}, "99999999999999999999", "超出范围"),
    (DataType.DECIMAL, {}, "NaN", "应为数字"),
    (DataType.DECIMAL, {}, "1e5", "应为数字"),
    (DataType.DATE, {}, "2023-02-29", "应为日期"),
    (DataType.DATE, {}, "29/02/2024", "应为日期"),
    (DataType.DATETIME, {}, "昨天", "应为日期时间"),
    (DataType.BOOLEAN, {}, "也许", "应为 是/否"),
    (DataType.ENUM, {"enum_values": ("在业", "注销")}, "吊销", "不是允许的取值"),
    (DataType.RESIDENT_ID, {}, "110105194912310021", "校验码错误"),
    (DataType.RESIDENT_ID, {}, "11010519491331002X", "不是有效日期"),
    (DataType.CREDIT_CODE, {}, "91110000600037341A", "校验码错误"),
    (DataType.CREDIT_CODE, {}, "91110000600037342L", "组织机构代码"),
    (DataType.CREDIT_CODE, {}, "9111000060003734", "应为 18 位"),
    (DataType.REGION_CODE, {}, "999999", "行政区划代码"),
]


@pytest.mark.parametrize(("data_type", "extra", "text", "expected"), GOOD)
def test_good_values_convert(data_type: str, extra: dict[str, Any], text: str, expected: Any) -> None:
    assert column(data_type, **extra)(text) == expected


@pytest.mark.parametrize(("data_type", "extra", "text", "message"), BAD)
def test_bad_values_are_invalid_with_a_chinese_message(
    data_type: str, extra: dict[str, Any], text: str, message: str
) -> None:
    value = column(data_type, **extra)(text)
    assert isinstance(value, Invalid)
    assert message in value.message


def test_datetimes_are_local_unless_zoned() -> None:
    convert = column(DataType.DATETIME)
    local = convert("2024-05-06 07:08:09")
    assert local.utcoffset().total_seconds() == 8 * 3600
    assert convert("2024/05/06 07:08").minute == 8
    assert convert("2024-05-06T07:08:09+00:00").utcoffset().total_seconds() == 0


def test_required_and_optional_empty_cells() -> None:
    assert column(DataType.INTEGER)("  ") is None
    assert column(DataType.INTEGER, required=True)("").message == "必填项为空"


# --- files ---------------------------------------------------------------------------------


def test_csv_with_item_names_as_header(enterprises: Resource, market_officer: User, tmp_path: Path) -> None:
    codes = credit_codes(3)
    path = write_csv(tmp_path / "e.csv", HEADER_NAMES, [row_for(code) for code in codes])
    result = ingest_file(actor=Actor.person(market_officer), resource=enterprises, path=path)
    assert result.ok and result.rows_written == 3
    job = LoadJob.objects.get()
    assert job.state == LoadJob.State.SUCCEEDED and job.rows_written == 3 and len(job.file_sm3) == 64
    assert job.actor == market_officer and job.encoding == "utf-8" and job.file_format == "csv"
    enterprises.refresh_from_db()
    assert enterprises.last_loaded_at is not None
    assert AuditEvent.objects.filter(action="exchange.load", outcome="success").count() == 1


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8-sig"])
def test_chinese_encodings_are_detected(enterprises: Resource, tmp_path: Path, encoding: str) -> None:
    rows = [row_for(code, name="吉林省长春市朝阳区某某商贸有限公司") for code in credit_codes(2)]
    if encoding == "gb18030":
        rows[0][1] = "𠀀字商行"  # a character outside GBK
    path = write_csv(tmp_path / "e.csv", HEADER_NAMES, rows, encoding=encoding)
    result = ingest_file(actor=Actor.platform(), resource=enterprises, path=path)
    assert result.ok, result.errors
    assert result.job.encoding == {"gbk": "gb18030", "gb18030": "gb18030", "utf-8-sig": "utf-8-bom"}[encoding]
    assert store.get_record(enterprises, rows[0][0])["name"] == rows[0][1]  # type: ignore[index]


def test_a_cut_utf8_sequence_is_named_by_line_and_byte(enterprises: Resource, tmp_path: Path) -> None:
    rows = [row_for(code, name="吉林省长春市朝阳区某某商贸有限公司") for code in credit_codes(3)]
    path = write_csv(tmp_path / "e.csv", HEADER_NAMES, rows, encoding="utf-8")
    data = path.read_bytes().rstrip(b"\r\n")
    cut = data.rindex("公司".encode()) + 4  # the file ends inside 司's three bytes
    path.write_bytes(data[:cut])
    result = ingest_file(actor=Actor.platform(), resource=enterprises, path=path)
    assert not result.ok and result.job.state == LoadJob.State.FAILED
    assert result.message.startswith("文件按 UTF-8 编码读取，第 4 行第 ")
    assert f"全文件第 {cut} 字节，0xE5）" in result.message and "截断" in result.message
    assert "GB18030" not in result.message and store.count_records(enterprises) == 0


def test_a_file_in_no_known_encoding_is_named_by_line_and_byte(enterprises: Resource, tmp_path: Path) -> None:
    path = tmp_path / "e.csv"
    path.write_bytes(",".join(HEADER_CODES).encode() + b"\n" + b"\x80\x80" + b",x" * 5 + b"\n")
    result = ingest_file(actor=Actor.platform(), resource=enterprises, path=path)
    assert not result.ok
    assert "既不是 UTF-8 也不是 GB18030" in result.message and "第 2 行第 1 字节" in result.message


@pytest.mark.parametrize("content", [b"", codecs.BOM_UTF8, b"\n\n"])
def test_an_empty_file_is_called_empty(enterprises: Resource, tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "e.csv"
    path.write_bytes(content)
    result = ingest_file(actor=Actor.platform(), resource=enterprises, path=path)
    assert not result.ok and result.message == "文件为空：没有表头，也没有数据行。"
    assert result.error_count == 1


def test_tab_separated_file(enterprises: Resource, tmp_path: Path) -> None:
    path = tmp_path / "e.txt"
    path.write_text("\t".join(HEADER_CODES) + "\n" + "\t".join(GOOD_ROW) + "\n", encoding="utf-8")
    assert ingest_file(actor=Actor.platform(), resource=enterprises, path=path).ok


def test_xlsx_with_typed_cells(enterprises: Resource, tmp_path: Path) -> None:
    import datetime as dt

    book = Workbook()
    sheet = book.active
    sheet.append(HEADER_NAMES)
    sheet.append(
        [
            "91110000600037341L",
            "某公司",
            "张三",
            "11010519491231002X",
            100.5,
            dt.datetime(2001, 2, 3),
            "110105",
            "股份有限公司",
            True,
            12,
            dt.datetime(2024, 5, 6, 7, 8, 9),
        ]
    )
    sheet.append([None] * 11)  # a blank row Excel leaves behind
    path = tmp_path / "e.xlsx"
    book.save(path)
    result = ingest_file(actor=Actor.platform(), resource=enterprises, path=path)
    assert result.ok, result.errors
    record = store.get_record(enterprises, "91110000600037341L")
    assert record is not None and record["founded"].isoformat() == "2001-02-03" and record["staff"] == 12
    assert result.job.file_format == "xlsx"


def test_xlsx_error_rows_are_sheet_rows(enterprises: Resource, tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER_CODES)
    sheet.append(GOOD_ROW)
    sheet.append(row_for(credit_codes(1)[0], founded="2023-02-30"))
    path = tmp_path / "e.xlsx"
    book.save(path)
    result = ingest_file(actor=Actor.platform(), resource=enterprises, path=path)
    assert not result.ok
    assert [(e["row"], e["code"]) for e in result.errors] == [(3, "founded")]


def test_json_array_of_objects(enterprises: Resource, tmp_path: Path) -> None:
    records = [dict(zip(HEADER_CODES, row_for(code), strict=True)) for code in credit_codes(2)]
    records[0]["staff"] = 30
    records[0]["active"] = False
    path = tmp_path / "e.json"
    path.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    result = ingest_file(actor=Actor.platform(), resource=enterprises, path=path)
    assert result.ok, result.errors
    assert store.get_record(enterprises, records[0]["credit_code"])["staff"] == 30  # type: ignore[index]


def test_a_lone_surrogate_in_a_json_file_is_a_row_error(enterprises: Resource, tmp_path: Path) -> None:
    # No database can encode it: the load crashed (UnicodeEncodeError) without naming the row.
    records = [dict(zip(HEADER_CODES, row_for(code), strict=True)) for code in credit_codes(2)]
    path = tmp_path / "e.json"
    path.write_text(
        json.dumps(records, ensure_ascii=False).replace("某某有限公司", "某\\ud800公司", 1), encoding="utf-8"
    )
    result = ingest_file(actor=Actor.platform(), resource=enterprises, path=path)
    assert not result.ok and [(e["row"], e["code"]) for e in result.errors] == [(1, "name")]
    assert "U+D800" in result.errors[0]["message"] and result.errors[0]["value"] == "某\ufffd公司"


def test_json_nested_values_and_not_an_array(enterprises: Resource, tmp_path: Path) -> None:
    path = tmp_path / "e.json"
    record = dict(zip(HEADER_CODES, GOOD_ROW, strict=True)) | {"name": {"x": 1}}
    path.write_text(json.dumps([record]), encoding="utf-8")
    result = ingest_file(actor=Actor.platform(), resource=enterprises, path=path)
    assert not result.ok and result.errors[0]["code"] == "name"
    path.write_text('{"a": 1}', encoding="utf-8")
    assert not ingest_file(actor=Actor.platform(), resource=enterprises, path=path).ok
    path.write_text("[{", encoding="utf-8")
    assert not ingest_file(actor=Actor.platform(), resource=enterprises, path=path).ok


# --- errors ----------------------------------------------------------------------------------


def test_bad_values_are_reported_by_row_and_nothing_is_written(enterprises: Resource, tmp_path: Path) -> None:
    good, other, third = credit_codes(3)
    rows = [
        row_for(good),
        row_for("91110000600037341A"),  # bad checksum: row 3
        row_for(other, rep_id="110105194912310021", kind="合伙"),  # row 4: two errors
        row_for(good),  # row 5: duplicate key
        row_for(third, name=""),  # row 6: required
    ]
    path = write_csv(tmp_path / "e.csv", HEADER_CODES, rows)
    result = ingest_file(actor=Actor.platform(), resource=enterprises, path=path)
    assert not result.ok and result.error_count == 5
    assert [(e["row"], e["code"]) for e in result.errors] == [
        (3, "credit_code"),
        (4, "rep_id"),
        (4, "kind"),
        (5, "credit_code"),
        (6, "name"),
    ]
    assert "校验码" in result.errors[0]["message"]
    assert result.errors[1]["value"] == "1101**********0021"  # personal values masked in the report
    assert store.count_records(enterprises) == 0
    job = LoadJob.objects.get()
    assert job.state == LoadJob.State.FAILED and job.error_count == 5 and job.rows_written == 0
    assert AuditEvent.objects.filter(action="exchange.load", outcome="failure").exists()


def test_error_reports_as_csv_and_excel(enterprises: Resource, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "e.csv", HEADER_CODES, [row_for("91110000600037341A", name="=HYPERLINK(1)")])
    job = ingest_file(actor=Actor.platform(), resource=enterprises, path=path).job
    text = error_report_csv(job).decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(text)))
    assert lines[0] == ["行号", "信息项", "编码", "值", "错误说明"]
    assert lines[1][:3] == ["2", "统一社会信用代码", "credit_code"]
    sheet = load_workbook(io.BytesIO(error_report_xlsx(job))).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[1] == ["行号", "信息项", "编码", "值", "错误说明"]
    assert values[2][0] == 2 and "校验码" in values[2][4]


def test_error_list_is_capped_but_counted(enterprises: Resource, tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.setattr(ingest, "MAX_REPORTED_ERRORS", 5)
    rows = [row_for(code, staff="x") for code in credit_codes(12)]
    result = ingest_file(
        actor=Actor.platform(), resource=enterprises, path=write_csv(tmp_path / "e.csv", HEADER_CODES, rows)
    )
    assert result.error_count == 12 and len(result.errors) == 5
    assert "仅列出前 5 处" in error_report_csv(result.job).decode("utf-8-sig")


def test_missing_and_unknown_columns(enterprises: Resource, tmp_path: Path) -> None:
    header = ["单位名称", "注册资本", "电话号码"]
    path = write_csv(tmp_path / "e.csv", header, [["某公司", "1", "123"]])
    result = ingest_file(actor=Actor.platform(), resource=enterprises, path=path)
    assert not result.ok
    messages = [e["message"] for e in result.errors]
    assert any("未知列“电话号码”" in m for m in messages)
    assert any("缺少必填列“统一社会信用代码”" in m for m in messages)
    assert all(e["row"] == 1 for e in result.errors)


def test_wrong_number_of_cells_and_empty_files(enterprises: Resource, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "e.csv", HEADER_CODES, [GOOD_ROW[:5]])
    assert "本行有 5 列" in ingest_file(actor=Actor.platform(), resource=enterprises, path=path).errors[0]["message"]
    path = write_csv(tmp_path / "f.csv", HEADER_CODES, [])
    assert (
        ingest_file(actor=Actor.platform(), resource=enterprises, path=path).errors[0]["message"] == "文件中没有数据行"
    )


def test_old_excel_files_are_refused(enterprises: Resource, tmp_path: Path) -> None:
    path = tmp_path / "e.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 100)
    result = ingest_file(actor=Actor.platform(), resource=enterprises, path=path)
    assert not result.ok and ".xlsx" in result.job.message


def test_oversized_file_is_refused_before_reading(enterprises: Resource, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "e.csv", HEADER_CODES, [row_for(code) for code in credit_codes(20)])
    with pytest.raises(ApplicationError) as raised:
        ingest_file(actor=Actor.platform(), resource=enterprises, path=path, max_bytes=1000)
    assert raised.value.code == ExchangeError.FILE_TOO_LARGE
    assert not LoadJob.objects.exists()
    assert store.count_records(enterprises) == 0


def test_crash_half_way_leaves_old_data_intact(enterprises: Resource, tmp_path: Path, monkeypatch: Any) -> None:
    old = credit_codes(3, seed=1)
    assert ingest_file(
        actor=Actor.platform(),
        resource=enterprises,
        path=write_csv(tmp_path / "a.csv", HEADER_CODES, [row_for(c) for c in old]),
    ).ok
    monkeypatch.setattr(store, "BATCH_SIZE", 10)
    monkeypatch.setattr(checking, "BATCH_SIZE", 10)
    original = store.TableWriter.add_columns
    calls = {"n": 0}

    def failing(self: store.TableWriter, rows: Any) -> None:
        calls["n"] += 1
        if calls["n"] == 3:  # after 20 rows were written
            raise OSError("disk on fire")
        original(self, rows)

    monkeypatch.setattr(store.TableWriter, "add_columns", failing)
    new = [row_for(c) for c in credit_codes(50, seed=2)]
    with pytest.raises(ApplicationError) as raised:
        ingest_file(actor=Actor.platform(), resource=enterprises, path=write_csv(tmp_path / "b.csv", HEADER_CODES, new))
    assert raised.value.code == ExchangeError.LOAD_FAILED
    assert sorted(r["credit_code"] for r in store.find_records(enterprises, {}, after=None, limit=100)[0]) == old
    job = LoadJob.objects.order_by("-pk").first()
    assert job is not None and job.state == LoadJob.State.FAILED and "原有数据保持不变" in job.message
    assert store.changes_since(enterprises, 3, limit=10) == ([], 3)


def test_database_failure_while_writing_rolls_back(enterprises: Resource, tmp_path: Path, monkeypatch: Any) -> None:
    old = credit_codes(2, seed=1)
    path = write_csv(tmp_path / "a.csv", HEADER_CODES, [row_for(c) for c in old])
    assert ingest_file(actor=Actor.platform(), resource=enterprises, path=path).ok
    original_init = store.TableWriter.__init__

    def broken_init(self: store.TableWriter, *args: Any, **kwargs: Any) -> None:
        original_init(self, *args, **kwargs)
        self.seq = 0  # the new rows' _seq collide with the old rows' in the unique index

    monkeypatch.setattr(store.TableWriter, "__init__", broken_init)
    new = write_csv(tmp_path / "b.csv", HEADER_CODES, [row_for(c) for c in credit_codes(30, seed=3)])
    with pytest.raises(ApplicationError) as raised:
        ingest_file(actor=Actor.platform(), resource=enterprises, path=new)
    assert raised.value.code == ExchangeError.LOAD_FAILED
    assert sorted(r["credit_code"] for r in store.find_records(enterprises, {}, after=None, limit=100)[0]) == old


def test_sequence_numbers_run_on_across_batches_in_both_modes(
    enterprises: Resource, tmp_path: Path, monkeypatch: Any
) -> None:
    monkeypatch.setattr(checking, "BATCH_SIZE", 7)
    codes = credit_codes(30)
    path = write_csv(tmp_path / "e.csv", HEADER_CODES, [row_for(c) for c in codes])
    assert ingest_file(actor=Actor.platform(), resource=enterprises, path=path).ok
    changes, last = store.changes_since(enterprises, 0, limit=100)
    assert [r["_seq"] for r in changes] == list(range(1, 31)) and last == 30
    # Replacing a non-empty table: the changed rows come after, the dropped ones after them.
    rows = [row_for(c) for c in codes[:20]]
    for row in rows[:10]:
        row[1] = row[1] + "（更名）"
    result = ingest_file(
        actor=Actor.platform(), resource=enterprises, path=write_csv(tmp_path / "f.csv", HEADER_CODES, rows)
    )
    assert result.ok and result.rows_deleted == 10
    changes, last = store.changes_since(enterprises, 30, limit=100)
    seqs = [r["_seq"] for r in changes]
    assert len(changes) == 20 and seqs == sorted(set(seqs)) and last == seqs[-1]
    assert seqs[:10] == list(range(31, 41))  # the unchanged rows were not written
    assert [r["credit_code"] for r in changes[:10]] == codes[:10]
    assert {r["credit_code"] for r in changes[10:]} == set(codes[20:])
    assert store.count_records(enterprises) == 20


def test_replace_versus_upsert(enterprises: Resource, tmp_path: Path) -> None:
    a, b, c = credit_codes(3)
    ingest_file(
        actor=Actor.platform(),
        resource=enterprises,
        path=write_csv(tmp_path / "1.csv", HEADER_CODES, [row_for(a), row_for(b)]),
    )
    # upsert with only some columns: b changes its name, c is new, a stays; absent columns keep values
    path = write_csv(tmp_path / "2.csv", ["credit_code", "name"], [[b, "新名称"], [c, "新公司"]])
    result = ingest_file(actor=Actor.platform(), resource=enterprises, path=path, mode="upsert")
    assert result.ok and result.rows_written == 2 and result.rows_deleted == 0
    assert store.count_records(enterprises) == 3
    record_b = store.get_record(enterprises, b)
    assert record_b is not None and record_b["name"] == "新名称" and record_b["staff"] == 12
    # replace: only c remains
    result = ingest_file(
        actor=Actor.platform(), resource=enterprises, path=write_csv(tmp_path / "3.csv", HEADER_CODES, [row_for(c)])
    )
    assert result.ok and result.rows_deleted == 2
    assert store.count_records(enterprises) == 1 and store.get_record(enterprises, a) is None


def test_a_control_character_is_a_row_error_on_every_database(enterprises: Resource, tmp_path: Path) -> None:
    # PostgreSQL cannot store NUL; SQLite could, but the file is the same broken export there.
    old = credit_codes(2, seed=1)
    assert ingest_file(
        actor=Actor.platform(),
        resource=enterprises,
        path=write_csv(tmp_path / "a.csv", HEADER_CODES, [row_for(c) for c in old]),
    ).ok
    rows = [row_for(c) for c in credit_codes(3, seed=2)]
    rows[1][HEADER_CODES.index("name")] = "某\x00公司"
    result = ingest_file(
        actor=Actor.platform(), resource=enterprises, path=write_csv(tmp_path / "b.csv", HEADER_CODES, rows)
    )
    assert not result.ok
    assert [(e["row"], e["code"]) for e in result.errors] == [(3, "name")]
    assert "U+0000" in result.errors[0]["message"] and result.errors[0]["value"] == "某␀公司"
    job = LoadJob.objects.order_by("-pk").first()
    assert job is not None and job.errors[0]["value"] == "某␀公司"
    assert load_workbook(io.BytesIO(error_report_xlsx(job))).active is not None
    assert sorted(r["credit_code"] for r in store.find_records(enterprises, {}, after=None, limit=10)[0]) == old


def _temporary_tables() -> set[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_temp_master WHERE type = 'table'")
        else:
            cursor.execute("SELECT relname FROM pg_class WHERE relpersistence = 't' AND relkind = 'r'")
        return {row[0] for row in cursor.fetchall()}


def test_each_write_path_stamps_the_rows_and_leaves_no_temporary_table(
    enterprises: Resource, tmp_path: Path, monkeypatch: Any
) -> None:
    # Into an empty table, replacing a non-empty one (a stage on PostgreSQL, a key table on
    # SQLite) and upserting (a stage on PostgreSQL): the same rows, stamps and change feed.
    monkeypatch.setattr(checking, "BATCH_SIZE", 4)
    codes = credit_codes(10)
    before = _temporary_tables()
    loads = [
        ("replace", [row_for(c) for c in codes[:6]]),
        ("replace", [row_for(c, name="改名") for c in codes[2:8]]),
        ("upsert", [row_for(c, name="再改名") for c in codes[7:10]]),
    ]
    for number, (mode, rows) in enumerate(loads):
        started = timezone.now().replace(microsecond=0)
        path = write_csv(tmp_path / f"{number}.csv", HEADER_CODES, rows)
        assert ingest_file(actor=Actor.platform(), resource=enterprises, path=path, mode=mode).ok
        changes, _ = store.changes_since(enterprises, 0, limit=100)
        stamped = [r for r in changes if r["_updated_at"] >= started]
        assert stamped and all(r["_updated_at"] <= timezone.now() for r in stamped)
        assert _temporary_tables() == before
    records = {r["credit_code"]: r["name"] for r in store.find_records(enterprises, {}, after=None, limit=100)[0]}
    assert records == {c: "改名" for c in codes[2:7]} | {c: "再改名" for c in codes[7:10]}
    changes, last = store.changes_since(enterprises, 0, limit=100)
    assert sorted(r["_seq"] for r in changes) == [r["_seq"] for r in changes] and last == changes[-1]["_seq"]
    assert sorted(r["credit_code"] for r in changes if r["_op"] == "delete") == codes[0:2]  # by the second load


def test_invalid_mode(enterprises: Resource, tmp_path: Path) -> None:
    with pytest.raises(ApplicationError):
        ingest_file(
            actor=Actor.platform(),
            resource=enterprises,
            path=write_csv(tmp_path / "e.csv", HEADER_CODES, [GOOD_ROW]),
            mode="merge",
        )


# --- who may load ----------------------------------------------------------------------------


def test_only_the_provider_departments_data_officer_may_load(
    enterprises: Resource,
    market_officer: User,
    police_officer: User,
    market_dept: Department,
    market_clerk: User,
    citizen: User,
    tmp_path: Path,
) -> None:
    path = write_csv(tmp_path / "e.csv", HEADER_CODES, [GOOD_ROW])
    for refused in (police_officer, market_clerk, citizen):
        with pytest.raises(ApplicationError) as raised:
            ingest_file(actor=Actor.person(refused), resource=enterprises, path=path)
        assert raised.value.status == 403
    assert store.count_records(enterprises) == 0 and not LoadJob.objects.exists()
    assert AuditEvent.objects.filter(action="exchange.load", outcome="denied").count() == 3
    inactive = make_staff("gone_officer", market_dept, Role.DATA_OFFICER)
    inactive.is_active = False
    inactive.save()
    with pytest.raises(ApplicationError):
        ingest_file(actor=Actor.person(inactive), resource=enterprises, path=path)
    assert ingest_file(actor=Actor.person(market_officer), resource=enterprises, path=path).ok


def test_unpublished_resources_take_no_data(market_dept: Department, market_officer: User, tmp_path: Path) -> None:
    draft = make_resource(market_dept, state=Resource.State.DRAFT)
    with pytest.raises(ApplicationError) as raised:
        ingest_file(
            actor=Actor.person(market_officer),
            resource=draft,
            path=write_csv(tmp_path / "e.csv", HEADER_CODES, [GOOD_ROW]),
        )
    assert raised.value.code == ExchangeError.NOT_PUBLISHED


def test_queued_job_runs_through_the_huey_task(enterprises: Resource, market_officer: User, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "e.csv", HEADER_CODES, [row_for(code) for code in credit_codes(5)])
    job = ingest.loadjob_create(
        actor=Actor.person(market_officer), resource=enterprises, path=path, source=LoadJob.Source.COMMAND
    )
    assert job.state == LoadJob.State.PENDING
    loadjob_run_task.call_local(job.pk)
    job.refresh_from_db()
    assert job.state == LoadJob.State.SUCCEEDED and job.rows_written == 5
    # running it again does nothing
    assert ingest.loadjob_run(job_id=job.pk).ok


def test_progress_is_reported(enterprises: Resource, tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.setattr(ingest, "PROGRESS_EVERY", 2)
    monkeypatch.setattr(checking, "BATCH_SIZE", 2)
    seen: list[tuple[int, float | None]] = []
    path = write_csv(tmp_path / "e.csv", HEADER_CODES, [row_for(code) for code in credit_codes(5)])
    ingest_file(
        actor=Actor.platform(),
        resource=enterprises,
        path=path,
        progress=lambda rows, fraction: seen.append((rows, fraction)),
    )
    assert [rows for rows, _ in seen] == [2, 4, 5]
    assert seen[-1][1] == 1.0


# --- checking in worker processes ------------------------------------------------------------


def _spy_on_workers(monkeypatch: Any) -> list[int]:
    used: list[int] = []
    original = ingest.check_csv_chunks

    def spy(*args: Any) -> Any:
        used.append(1)
        return original(*args)

    monkeypatch.setattr(ingest, "check_csv_chunks", spy)
    return used


def test_worker_processes_keep_row_numbers_order_and_duplicates(
    enterprises: Resource, tmp_path: Path, monkeypatch: Any, load_processes: str
) -> None:
    used = _spy_on_workers(monkeypatch)
    codes = credit_codes(40, seed=11)
    path = write_csv(tmp_path / "big.csv", HEADER_CODES, [row_for(code) for code in codes])
    result = ingest_file(actor=Actor.platform(), resource=enterprises, path=path)
    assert result.ok and result.rows_written == 40
    assert bool(used) == (load_processes == "worker processes")
    changes, _ = store.changes_since(enterprises, 0, limit=100)
    assert [row["credit_code"] for row in changes] == codes  # the change feed keeps the file's order

    rows = [row_for(code) for code in credit_codes(40, seed=12)]
    rows[30] = row_for(rows[30][0], staff="x")  # line 33 (after the blank line below)
    rows[35] = list(rows[3])  # line 38 repeats the key of line 5
    rows.insert(20, [""] * len(HEADER_CODES))  # line 22: a blank row, skipped but counted as a line
    result = ingest_file(
        actor=Actor.platform(), resource=enterprises, path=write_csv(tmp_path / "bad.csv", HEADER_CODES, rows)
    )
    assert not result.ok and result.rows_written == 0
    assert [(e["row"], e["code"]) for e in result.errors] == [(33, "staff"), (38, "credit_code")]
    assert [row["credit_code"] for row in store.find_records(enterprises, {}, after=None, limit=100)[0]] == codes


def test_a_file_with_quoted_fields_is_checked_in_one_process(
    enterprises: Resource, tmp_path: Path, monkeypatch: Any, load_processes: str
) -> None:
    used = _spy_on_workers(monkeypatch)
    codes = credit_codes(5, seed=13)
    rows = [row_for(code, name=f"某某,第{index}\n分公司") for index, code in enumerate(codes)]
    result = ingest_file(
        actor=Actor.platform(), resource=enterprises, path=write_csv(tmp_path / "q.csv", HEADER_CODES, rows)
    )
    assert result.ok and result.rows_written == 5
    assert used == []  # a quoted field may hold a line break: no splitting at line ends
    assert store.get_record(enterprises, codes[2])["name"] == "某某,第2\n分公司"


def test_a_load_whose_process_died_is_failed_and_its_files_removed(
    enterprises: Resource, tmp_path: Path, market_officer: User
) -> None:
    import subprocess
    import sys

    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    upload = ingest.upload_path("e.csv")
    upload.write_text("x")

    def running(runner: str, stored: Path) -> LoadJob:
        return LoadJob.objects.create(
            resource=enterprises,
            actor=market_officer,
            source=LoadJob.Source.UPLOAD,
            stored_path=str(stored),
            state=LoadJob.State.RUNNING,
            started_at=timezone.now(),
            runner=runner,
        )

    host = ingest.this_process().split(":")[0]
    orphan = running(f"{host}:{dead.pid}:1", upload)
    ingest.progress_path(orphan.pk).write_text('{"rows": 5, "fraction": 0.1}')
    alive = running(ingest.this_process(), tmp_path / "alive.csv")
    elsewhere = running(f"another-node:{dead.pid}:1", tmp_path / "other.csv")
    reused = running(f"{host}:{os.getpid()}:0", tmp_path / "reused.csv")  # our pid, another start time

    assert sorted(ingest.loadjob_fail_abandoned()) == sorted([orphan.pk, reused.pk])
    orphan.refresh_from_db()
    assert orphan.state == LoadJob.State.FAILED and orphan.finished_at is not None
    assert "已中止" in orphan.message and orphan.error_count == 1
    assert not upload.exists() and not ingest.progress_path(orphan.pk).exists()
    for job in (alive, elsewhere):
        job.refresh_from_db()
        assert job.state == LoadJob.State.RUNNING
    event = AuditEvent.objects.filter(action="exchange.load", outcome="failure").latest("seq")
    assert event.details["job"] == orphan.pk or event.details["job"] == reused.pk
    assert ingest.loadjob_fail_abandoned() == []  # once only


def test_a_running_load_records_its_process(enterprises: Resource, tmp_path: Path) -> None:
    seen: list[str] = []

    def progress(rows: int, fraction: float | None) -> None:
        seen.append(LoadJob.objects.get().runner)

    path = write_csv(tmp_path / "e.csv", HEADER_NAMES, [row_for(code) for code in credit_codes(2)])
    assert ingest_file(actor=Actor.platform(), resource=enterprises, path=path, progress=progress).ok
    assert seen and seen[0] == ingest.this_process()


def test_progress_goes_to_the_file_at_most_every_half_second_and_always_at_the_end() -> None:
    seen: list[tuple[int, float | None]] = []
    report = ingest._progress_writer(987654, lambda rows, fraction: seen.append((rows, fraction)))
    try:
        report(0, 0.0)
        report(100, 0.1)  # within half a second of the last write: only the callback hears it
        assert json.loads(ingest.progress_path(987654).read_text()) == {"rows": 0, "fraction": 0.0}
        report(200, 1.0)
        assert json.loads(ingest.progress_path(987654).read_text()) == {"rows": 200, "fraction": 1.0}
        assert seen == [(0, 0.0), (100, 0.1), (200, 1.0)]
    finally:
        ingest.progress_path(987654).unlink(missing_ok=True)
