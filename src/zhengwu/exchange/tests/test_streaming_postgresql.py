"""PostgreSQL: a plain CSV file streamed by COPY in record batches stores what the row path stores.

The columnar checks run batch by batch and the rows go by one COPY … (FORMAT csv) inside the
load transaction (`ingest._stream_postgresql`); anything they refuse, and a repeated key (the key
index or the merge), rolls back to a savepoint and the row path reads the file again and names
the line. Batches are made small here, so every file is several batches.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from zhengwu.accounts.models import Department
from zhengwu.catalog.models import DataType, Resource
from zhengwu.core.actors import Actor
from zhengwu.core.idnumbers import random_credit_code
from zhengwu.exchange.store import columnar
from zhengwu.exchange.store.checking import csv_plan
from zhengwu.exchange.store.ingest import ingest_file
from zhengwu.exchange.store.models import StoreTable
from zhengwu.exchange.store.tables import count_records, table_name_for
from zhengwu.exchange.tests.columnar_scenarios import watched
from zhengwu.exchange.tests.test_store_fixtures import make_resource

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's (SQLite: test_columnar)"),
]

ITEMS: list[dict[str, Any]] = [
    {"code": "credit_code", "name": "统一社会信用代码", "data_type": DataType.CREDIT_CODE, "required": True},
    {"code": "name", "name": "名称", "data_type": DataType.STRING, "required": True, "max_length": 50},
    {"code": "capital", "name": "注册资本", "data_type": DataType.DECIMAL},
    {"code": "founded", "name": "成立日期", "data_type": DataType.DATE},
    {"code": "region", "name": "住所地区划", "data_type": DataType.REGION_CODE, "queryable": True},
    {"code": "kind", "name": "类型", "data_type": DataType.ENUM, "enum_values": ["有限责任公司", "个体工商户"]},
    {"code": "staff", "name": "人数", "data_type": DataType.INTEGER},
]
CODES = [item["code"] for item in ITEMS]


@pytest.fixture(autouse=True)
def small_batches(settings: Any, monkeypatch: Any) -> None:
    settings.ZHENGWU_LOAD_COLUMNAR_MIN_BYTES = 0
    monkeypatch.setattr(columnar, "BLOCK_BYTES", 2048)  # about 30 rows a batch


@pytest.fixture
def streamed(monkeypatch: Any) -> list[bool]:
    """Whether each load was streamed (True) or went to the row path (False)."""
    taken: list[bool] = []
    monkeypatch.setattr(columnar, "copy_batches", watched(columnar.copy_batches, taken))
    return taken


def _rows(count: int, seed: int = 7) -> list[list[str]]:
    rng = random.Random(seed)
    return [
        [
            random_credit_code(rng, prefix2="91", region_code="220102"),
            f"某某{index}有限公司",
            rng.choice(["100", "2.50", "1000.00", "0.5", "007", ""]),
            f"20{rng.randint(10, 24)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            rng.choice(["220102", "220000", ""]),
            rng.choice(["有限责任公司", "个体工商户"]),
            rng.choice(["12", "007", "", "-1"]),
        ]
        for index in range(count)
    ]


def _write(path: Path, rows: list[list[str]]) -> Path:
    path.write_text("\n".join(",".join(row) for row in [CODES, *rows]) + "\n", encoding="utf-8")
    return path


def _resource(market_dept: Department, number: int) -> Resource:
    return make_resource(market_dept, code=f"102001/{number:03d}", sequence=number, items=ITEMS)


def _table(resource: Resource) -> list[tuple[Any, ...]]:
    """The table's rows ([] when a failed first load left no table)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [table_name_for(resource)])
        if cursor.fetchone()[0] is None:
            return []
        cursor.execute(f'SELECT * FROM "{table_name_for(resource)}" ORDER BY "_seq"')  # noqa: S608
        return [row[:-3] + row[-2:] for row in cursor.fetchall()]  # all but _updated_at


def _both_ways(
    fast: Resource, slow: Resource, path: Path, mode: str, settings: Any, streamed: list[bool]
) -> tuple[Any, Any]:
    outcome = ingest_file(actor=Actor.platform(), resource=fast, path=path, mode=mode)
    assert streamed[-1], "the file was not streamed"
    settings.ZHENGWU_LOAD_COLUMNAR_MIN_BYTES = 1 << 40
    row_outcome = ingest_file(actor=Actor.platform(), resource=slow, path=path, mode=mode)
    settings.ZHENGWU_LOAD_COLUMNAR_MIN_BYTES = 0
    assert outcome.ok and row_outcome.ok, (outcome.errors, row_outcome.errors)
    assert _table(fast) == _table(slow)  # every column, _seq and _deleted included
    assert StoreTable.objects.get(resource=fast).last_seq == StoreTable.objects.get(resource=slow).last_seq
    return outcome, row_outcome


def test_a_streamed_load_stores_what_the_row_path_stores(
    market_dept: Department, tmp_path: Path, settings: Any, streamed: list[bool]
) -> None:
    fast, slow = _resource(market_dept, 1), _resource(market_dept, 2)
    rows = _rows(200)
    plan = csv_plan(_write(tmp_path / "a.csv", rows), encoding="utf-8", delimiter=",", has_quote=False)
    assert plan is not None and len(list(columnar.read_batches(plan, CODES))) >= 5
    outcome, _ = _both_ways(fast, slow, tmp_path / "a.csv", "replace", settings, streamed)
    assert outcome.rows_written == 200 and count_records(fast) == 200
    # into a table that holds rows: upsert (a stage merged), then replace (and the missing retired)
    more = [*rows, _rows(1, seed=99)[0]]
    _both_ways(fast, slow, _write(tmp_path / "b.csv", more), "upsert", settings, streamed)
    changed = [list(row) for row in rows[:150]]
    for row in changed[:10]:
        row[1] += "（已更名）"
    outcome, row_outcome = _both_ways(fast, slow, _write(tmp_path / "c.csv", changed), "replace", settings, streamed)
    assert outcome.rows_deleted == row_outcome.rows_deleted == 51
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = %s", [table_name_for(fast)])
        assert f"{table_name_for(fast)}_q_region" in {row[0] for row in cursor.fetchall()}


@pytest.mark.parametrize("where", ["last of a batch", "first of the next"])
@pytest.mark.parametrize("table", ["empty", "holding rows"])
def test_a_wrong_value_or_a_repeated_key_at_a_batch_boundary(
    market_dept: Department, tmp_path: Path, streamed: list[bool], where: str, table: str
) -> None:
    resource = _resource(market_dept, 3)
    rows = _rows(200)
    plan = csv_plan(_write(tmp_path / "a.csv", rows), encoding="utf-8", delimiter=",", has_quote=False)
    assert plan is not None
    boundary = next(columnar.read_batches(plan, CODES)).num_rows  # data rows 1…boundary: lines 2…boundary + 1
    before: list[tuple[Any, ...]] = []
    if table == "holding rows":
        assert ingest_file(actor=Actor.platform(), resource=resource, path=tmp_path / "a.csv", mode="upsert").ok
        before = _table(resource)
    index = boundary - 1 if where == "last of a batch" else boundary
    wrong = [list(row) for row in rows]
    wrong[index][3] = "2023-02-30"  # the same length: the batches stay as they were
    outcome = ingest_file(actor=Actor.platform(), resource=resource, path=_write(tmp_path / "w.csv", wrong))
    assert not outcome.ok and not streamed[-1]
    assert [(error["row"], error["code"]) for error in outcome.errors] == [(index + 2, "founded")]
    assert _table(resource) == before
    repeated = [list(row) for row in rows]
    repeated[boundary][0] = rows[boundary - 1][0]  # the first row of the next batch repeats the last of the first
    outcome = ingest_file(
        actor=Actor.platform(), resource=resource, path=_write(tmp_path / "r.csv", repeated), mode="upsert"
    )
    assert not outcome.ok and "主键重复" in outcome.errors[0]["message"]
    assert [(error["row"], error["code"]) for error in outcome.errors] == [(boundary + 2, "credit_code")]
    assert _table(resource) == before


def test_progress_is_reported_batch_by_batch(market_dept: Department, tmp_path: Path, streamed: list[bool]) -> None:
    resource = _resource(market_dept, 4)
    seen: list[tuple[int, float | None]] = []
    path = _write(tmp_path / "a.csv", _rows(200))
    assert ingest_file(
        actor=Actor.platform(), resource=resource, path=path, progress=lambda rows, part: seen.append((rows, part))
    ).ok
    assert streamed[-1] and len(seen) >= 5
    assert [rows for rows, _ in seen] == sorted(rows for rows, _ in seen) and seen[-1] == (200, 1.0)
