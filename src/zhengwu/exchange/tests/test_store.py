"""The data store: typed tables, keyed reads, filters with keyset pages, the change feed."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from zhengwu.accounts.models import Department
from zhengwu.catalog.models import DataItem, DataType, Resource
from zhengwu.core.actors import Actor
from zhengwu.core.errors import ApplicationError
from zhengwu.exchange.errors import ExchangeError
from zhengwu.exchange.store import tables as store
from zhengwu.exchange.store.ingest import ingest_file
from zhengwu.exchange.store.models import StoreTable
from zhengwu.exchange.tests.test_store_fixtures import (  # noqa: F401 - fixtures
    HEADER_CODES,
    credit_codes,
    enterprises_fixture,
    make_resource,
    market_officer_fixture,
    row_for,
    write_csv,
)

pytestmark = pytest.mark.django_db


def load(resource: Resource, tmp_path: Path, rows: list[list[str]], mode: str = "replace") -> Any:
    path = write_csv(tmp_path / f"load-{mode}-{len(rows)}.csv", HEADER_CODES, rows)
    result = ingest_file(actor=Actor.platform(), resource=resource, path=path, mode=mode)
    assert result.ok, result.errors
    return result


def test_ensure_table_creates_typed_columns_and_is_idempotent(enterprises: Resource) -> None:
    name = store.ensure_table(enterprises)
    assert name == f"xd_{enterprises.pk}"
    assert store.ensure_table(enterprises) == name
    table = StoreTable.objects.get(resource=enterprises)
    assert table.key_column == "credit_code"
    with connection.cursor() as cursor:
        columns = [c.name for c in connection.introspection.get_table_description(cursor, name)]
    assert columns[: len(HEADER_CODES)] == HEADER_CODES
    assert columns[-4:] == ["_seq", "_updated_at", "_deleted", "_disputed"]


def test_new_version_adds_columns_and_refuses_type_change(enterprises: Resource) -> None:
    store.ensure_table(enterprises)
    DataItem.objects.create(resource=enterprises, position=50, code="phone", name="联系电话", data_type=DataType.STRING)
    enterprises.version = 2
    enterprises.save()
    record = store.find_records(enterprises, {}, after=None, limit=1)  # reads add the new column
    assert record == ([], None)
    assert "phone" in StoreTable.objects.get(resource=enterprises).columns
    store.ensure_table(enterprises)
    DataItem.objects.filter(resource=enterprises, code="staff").update(data_type=DataType.DATE)
    enterprises.version = 3
    enterprises.save()
    with pytest.raises(ApplicationError) as raised:
        store.ensure_table(enterprises)
    assert raised.value.code == ExchangeError.INVALID_SCHEMA


@pytest.mark.parametrize("bad_code", ["1abc", "a-b", "名称", 'x"; DROP TABLE y; --', "_seq"])
def test_item_codes_that_cannot_be_columns_are_refused(market_dept: Department, bad_code: str) -> None:
    items = [
        {"code": "id", "name": "编号", "data_type": DataType.STRING, "required": True},
        {"code": bad_code, "name": "坏列", "data_type": DataType.STRING},
    ]
    resource = make_resource(market_dept, items=items, key_item="id")
    with pytest.raises(ApplicationError) as raised:
        store.ensure_table(resource)
    assert raised.value.code == ExchangeError.INVALID_SCHEMA


def test_unstructured_resources_have_no_table(market_dept: Department) -> None:
    resource = make_resource(market_dept, format_class="image")
    with pytest.raises(ApplicationError) as raised:
        store.ensure_table(resource)
    assert raised.value.code == ExchangeError.NOT_STRUCTURED


def test_get_record_returns_typed_values(enterprises: Resource, tmp_path: Path) -> None:
    load(enterprises, tmp_path, [row_for("91110000600037341L", name="北京某某科技有限公司")])
    record = store.get_record(enterprises, "91110000600037341L")
    assert record is not None
    assert record["name"] == "北京某某科技有限公司"
    assert record["capital"] == Decimal("100.5")
    assert record["founded"] == date(2001, 2, 3)
    assert record["active"] is True
    assert record["staff"] == 12
    assert isinstance(record["checked_at"], datetime) and record["checked_at"].tzinfo is not None
    assert record["checked_at"].astimezone().strftime("%H:%M") is not None
    assert record["_disputed"] is False
    assert store.get_record(enterprises, "91110000600037341X") is None
    assert store.get_record(enterprises, "no such key") is None
    assert store.count_records(enterprises) == 1


def test_reads_before_any_load_are_empty(enterprises: Resource) -> None:
    assert store.get_record(enterprises, "91110000600037341L") is None
    assert store.find_records(enterprises, {}, after=None, limit=10) == ([], None)
    assert store.changes_since(enterprises, 0, limit=10) == ([], 0)
    assert store.count_records(enterprises) == 0


def test_find_records_filters_and_pages_by_key(enterprises: Resource, tmp_path: Path) -> None:
    codes = credit_codes(7)
    rows = [row_for(code, kind="股份有限公司" if i % 2 else "有限责任公司") for i, code in enumerate(codes)]
    load(enterprises, tmp_path, rows)
    page, after = store.find_records(enterprises, {"kind": "有限责任公司"}, after=None, limit=2)
    expected = [code for i, code in enumerate(codes) if i % 2 == 0]
    seen = [r["credit_code"] for r in page]
    while after is not None:
        page, after = store.find_records(enterprises, {"kind": "有限责任公司"}, after=after, limit=2)
        seen += [r["credit_code"] for r in page]
    assert seen == expected
    assert store.find_records(enterprises, {"active": "true", "staff": "12"}, after=None, limit=100)[0]
    assert store.find_records(enterprises, {"founded": "2001/02/03"}, after=None, limit=100)[0]
    with pytest.raises(ApplicationError) as raised:
        store.find_records(enterprises, {"nope": "1"}, after=None, limit=10)
    assert raised.value.code == ExchangeError.INVALID_FILTER
    with pytest.raises(ApplicationError):
        store.find_records(enterprises, {"staff": "many"}, after=None, limit=10)
    hostile = "x' OR '1'='1"
    assert store.find_records(enterprises, {"name": hostile}, after=None, limit=10) == ([], None)


def test_change_feed_reports_upserts_then_deletes(enterprises: Resource, tmp_path: Path) -> None:
    a, b, c = credit_codes(3)
    load(enterprises, tmp_path, [row_for(a), row_for(b)])
    changes, cursor = store.changes_since(enterprises, 0, limit=100)
    assert [(r["credit_code"], r["_op"]) for r in changes] == [(a, "upsert"), (b, "upsert")]
    load(enterprises, tmp_path, [row_for(b, name="改名公司"), row_for(c)])  # replace: a is gone
    changes, cursor2 = store.changes_since(enterprises, cursor, limit=100)
    assert [(r["credit_code"], r["_op"]) for r in changes] == [(b, "upsert"), (c, "upsert"), (a, "delete")]
    assert "name" not in changes[-1]
    assert store.get_record(enterprises, a) is None
    assert store.count_records(enterprises) == 2
    assert store.changes_since(enterprises, cursor2, limit=100) == ([], cursor2)
    first, mid = store.changes_since(enterprises, cursor, limit=1)
    assert len(first) == 1 and mid == first[0]["_seq"]
    # a row deleted by one replacement comes back with the next
    load(enterprises, tmp_path, [row_for(a), row_for(b), row_for(c)])
    assert store.get_record(enterprises, a) is not None


def test_set_disputed_marks_the_record_and_moves_it_in_the_feed(enterprises: Resource, tmp_path: Path) -> None:
    a, b = credit_codes(2)
    load(enterprises, tmp_path, [row_for(a), row_for(b)])
    _, cursor = store.changes_since(enterprises, 0, limit=100)
    store.set_disputed(enterprises, a, True)
    assert store.get_record(enterprises, a)["_disputed"] is True  # type: ignore[index]
    changes, _ = store.changes_since(enterprises, cursor, limit=100)
    assert [(r["credit_code"], r["_disputed"]) for r in changes] == [(a, True)]
    store.set_disputed(enterprises, a, False)
    assert store.get_record(enterprises, a)["_disputed"] is False  # type: ignore[index]
    with pytest.raises(ApplicationError) as raised:
        store.set_disputed(enterprises, credit_codes(1, seed=99)[0], True)
    assert raised.value.code == ExchangeError.RECORD_NOT_FOUND


def test_integer_keys_page_numerically(market_dept: Department, tmp_path: Path) -> None:
    items = [
        {"code": "no", "name": "编号", "data_type": DataType.INTEGER, "required": True},
        {"code": "label", "name": "名称", "data_type": DataType.STRING},
    ]
    resource = make_resource(market_dept, items=items, key_item="no")
    path = write_csv(tmp_path / "n.csv", ["no", "label"], [[str(n), f"第{n}"] for n in (10, 9, 100, 2)])
    assert ingest_file(actor=Actor.platform(), resource=resource, path=path).ok
    page, after = store.find_records(resource, {}, after=None, limit=3)
    assert [r["no"] for r in page] == [2, 9, 10] and after == "10"
    page, after = store.find_records(resource, {}, after=after, limit=3)
    assert [r["no"] for r in page] == [100] and after is None
    assert store.get_record(resource, "9")["label"] == "第9"  # type: ignore[index]


@pytest.mark.parametrize("mode", ["replace", "upsert"])
def test_a_reload_gives_new_sequence_numbers_to_changed_rows_only(
    enterprises: Resource, tmp_path: Path, mode: str
) -> None:
    a, b, c = credit_codes(3)
    load(enterprises, tmp_path, [row_for(a), row_for(b), row_for(c)])
    before = {r["credit_code"]: (r["_seq"], r["_updated_at"]) for r in store.changes_since(enterprises, 0, limit=10)[0]}
    _, cursor = store.changes_since(enterprises, 0, limit=100)
    load(enterprises, tmp_path, [row_for(a), row_for(b, name="改名公司"), row_for(c)], mode=mode)
    changes, _ = store.changes_since(enterprises, cursor, limit=100)
    assert [(r["credit_code"], r["_op"], r["name"]) for r in changes] == [(b, "upsert", "改名公司")]
    for key in (a, c):
        record = store.get_record(enterprises, key)
        assert record is not None and (record["_seq"], record["_updated_at"]) == before[key]
    if mode == "replace":  # a replacement without a row still retires it, and only it
        _, cursor = store.changes_since(enterprises, 0, limit=100)
        load(enterprises, tmp_path, [row_for(a), row_for(b, name="改名公司")])
        changes, _ = store.changes_since(enterprises, cursor, limit=100)
        assert [(r["credit_code"], r["_op"]) for r in changes] == [(c, "delete")]
        assert store.count_records(enterprises) == 2
