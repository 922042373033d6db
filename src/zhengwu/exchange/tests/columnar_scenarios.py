"""Scenarios of the columnar loading path on a database file (run by test_columnar.py in a
subprocess: `python -m zhengwu.exchange.tests.columnar_scenarios DIR [memory]`, with
ZHENGWU_DATA_DIR=DIR and ZHENGWU_LOAD_COLUMNAR_MIN_BYTES=0). Writes DIR/results.json.

The record batches are made small (`BLOCK_BYTES`), so every file here is streamed in several
batches and the batch boundaries are exercised. `memory` loads N and 4N rows in a fresh process
and records the peaks of Arrow's memory pool and of Python's allocations during each load."""

from __future__ import annotations

import csv
import json
import random
import sys
import tracemalloc
from pathlib import Path
from typing import Any

import django


def watched(function: Any, taken: list[bool]) -> Any:
    """`function`, noting in `taken` whether each call took the columnar path (returned something)."""

    def watching(*args: Any, **kwargs: Any) -> Any:
        result = function(*args, **kwargs)
        taken.append(result is not None)
        return result

    return watching


BLOCK_BYTES = 4096  # about 45 rows of the files below: a 300-row file is seven batches


def main(directory: Path, which: str = "all") -> None:
    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import override_settings

    from zhengwu.accounts.models import Department, Region
    from zhengwu.catalog.models import DataItem, DataType, Resource
    from zhengwu.core.actors import Actor
    from zhengwu.core.idnumbers import random_credit_code
    from zhengwu.exchange.store import columnar
    from zhengwu.exchange.store.checking import csv_plan
    from zhengwu.exchange.store.ingest import ingest_file
    from zhengwu.exchange.store.models import StoreTable
    from zhengwu.exchange.store.tables import changes_since, count_records, table_name_for

    call_command("migrate", verbosity=0)
    region = Region.objects.create(code="220000", name="吉林省", level="province")
    department = Department.objects.create(
        credit_code="11220000013544357T", name="吉林省市场监督管理厅", region=region, level="province"
    )
    header = ["统一社会信用代码", "名称", "注册资本", "成立日期", "住所地区划", "类型", "人数", "备注"]
    items: list[tuple[str, str, dict[str, Any]]] = [
        ("credit_code", DataType.CREDIT_CODE, {"required": True}),
        ("name", DataType.STRING, {"required": True, "max_length": 50, "queryable": True}),
        ("capital", DataType.DECIMAL, {}),
        ("founded", DataType.DATE, {}),
        ("region", DataType.REGION_CODE, {"queryable": True}),
        ("kind", DataType.ENUM, {"enum_values": ["有限责任公司", "个体工商户"]}),
        ("staff", DataType.INTEGER, {}),
        ("note", DataType.STRING, {"max_length": 20}),
    ]

    def resource(sequence: int) -> Resource:
        made = Resource.objects.create(
            catalog_class="base", category="1", item="02", subitem="001", sequence=sequence,
            code=f"test/{sequence}", name=f"法人（{sequence}）", provider=department,
            provider_code=department.credit_code, summary="测试", format_class="database",
            share_type="unconditional", update_cycle="daily", key_item="credit_code",
            state=Resource.State.PUBLISHED, version=1,
        )  # fmt: skip
        for position, (code, data_type, extra) in enumerate(items, start=1):
            DataItem.objects.create(
                resource=made, position=position, code=code, name=header[position - 1], data_type=data_type, **extra
            )
        return made

    rng = random.Random(7)

    def make_rows(count: int) -> list[list[str]]:
        return [
            [
                random_credit_code(rng, prefix2="91", region_code="220102"),
                f"某某{index}有限公司",
                rng.choice(["100", "2.50", "1000.00", "0.5", ""]),
                f"20{rng.randint(10, 24)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                rng.choice(["220102", "220000", ""]),
                rng.choice(["有限责任公司", "个体工商户"]),
                rng.choice(["12", "007", "", "-1"]),
                rng.choice(["", "备注", "多 个 字"]),
            ]
            for index in range(count)
        ]

    def write(name: str, data: list[list[str]]) -> Path:
        path = directory / name
        with path.open("w", encoding="utf-8", newline="") as handle:
            csv.writer(handle, quoting=csv.QUOTE_NONE, escapechar=None).writerows([header, *data])
        return path

    taken: list[bool] = []
    columnar.prepare = watched(columnar.prepare, taken)  # type: ignore[assignment]

    def table_rows(made: Resource) -> list[tuple[Any, ...]]:
        with connection.cursor() as cursor:
            cursor.execute(f'SELECT * FROM "{table_name_for(made)}" ORDER BY "_seq"')  # noqa: S608
            return [row[:-3] + row[-2:] for row in cursor.fetchall()]  # all but _updated_at

    def indexes(made: Resource) -> list[list[str]]:
        """The indexes of queryable items on the table: [name without the table, column, column…]."""
        table = table_name_for(made)
        with connection.cursor() as cursor:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = %s", [table])
            names = sorted(row[0] for row in cursor.fetchall() if row[0].startswith(table + "_q_"))
            found = []
            for name in names:
                cursor.execute(f'PRAGMA index_info("{name}")')
                found.append([name[len(table) :], *(row[2] for row in cursor.fetchall())])
        return found

    def load_tables() -> list[str]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT name FROM sqlite_master WHERE name LIKE 'zw_load_%'")
            return [row[0] for row in cursor.fetchall()]

    results: dict[str, Any] = {}
    columnar.BLOCK_BYTES = BLOCK_BYTES
    if which == "memory":
        results["memory"] = memory(make_rows, write, resource, ingest_file, Actor.platform(), taken)
        (directory / "results.json").write_text(json.dumps(results))
        return
    rows = make_rows(300)
    good = write("good.csv", rows)
    codes = [code for code, _, _ in items]
    plan = csv_plan(good, encoding="utf-8", delimiter=",", has_quote=False)
    assert plan is not None
    batch_rows = [batch.num_rows for batch in columnar.read_batches(plan, codes)]
    results["batches"] = batch_rows
    fast = resource(1)
    outcome = ingest_file(actor=Actor.platform(), resource=fast, path=good, mode="replace")
    assert outcome.ok, outcome.errors
    fast_taken = taken[-1]
    slow = resource(2)
    with override_settings(ZHENGWU_LOAD_COLUMNAR_MIN_BYTES=1 << 40):
        taken.append(False)
        assert ingest_file(actor=Actor.platform(), resource=slow, path=good, mode="replace").ok
    feed, _ = changes_since(fast, 0, limit=5)
    results["same_as_row_path"] = {
        "columnar_taken": fast_taken,
        "row_path_columnar_taken": taken[-1],
        "rows": table_rows(fast),
        "row_path_rows": table_rows(slow),
        "count": count_records(fast),
        "last_seq": StoreTable.objects.get(resource=fast).last_seq,
        "feed_first_seq": feed[0]["_seq"] if feed and "_seq" in feed[0] else 1,
        "indexes": indexes(fast),
        "row_path_indexes": indexes(slow),
        "recorded": StoreTable.objects.get(resource=fast).query_indexes,
    }
    results["sm3_recorded"] = len(outcome.job.file_sm3) == 64

    # What spreadsheets and other systems write: a UTF-8 BOM, LF line ends, blank lines, the
    # columns in another order, an optional column left out, no line end after the last row.
    order = [7, 0, 3, 1, 2, 4, 5]  # no 备注 (note, index 6)
    lines = [",".join(header[index] for index in order)]
    for number, row in enumerate(rows):
        lines.append(",".join(row[index] for index in order))
        if number % 50 == 0:
            lines.append("")
    odd = directory / "odd.csv"
    odd.write_bytes(b"\xef\xbb\xbf" + "\n".join(lines).encode())
    odd_fast, odd_slow = resource(6), resource(7)
    outcome = ingest_file(actor=Actor.platform(), resource=odd_fast, path=odd, mode="replace")
    odd_taken = taken[-1]
    with override_settings(ZHENGWU_LOAD_COLUMNAR_MIN_BYTES=1 << 40):
        row_outcome = ingest_file(actor=Actor.platform(), resource=odd_slow, path=odd, mode="replace")
    results["odd_file"] = {
        "ok": outcome.ok and row_outcome.ok,
        "columnar_taken": odd_taken,
        "rows": table_rows(odd_fast),
        "row_path_rows": table_rows(odd_slow),
        "count": count_records(odd_fast),
    }

    bad_rows = [list(row) for row in rows]
    bad_rows[40][3] = "2023-02-30"
    bad = resource(3)
    outcome = ingest_file(actor=Actor.platform(), resource=bad, path=write("bad.csv", bad_rows), mode="replace")
    results["bad_value"] = {
        "ok": outcome.ok,
        "errors": outcome.errors,
        "count": count_records(bad),
        "load_tables": load_tables(),
    }

    # A wrong value in the last row of the first batch, in the first row of the second; the
    # first row of the second batch repeating the key of the last row of the first. Values of
    # the same length, so the batches stay as they were.
    boundary = batch_rows[0]  # rows[boundary - 1] ends the first batch: line boundary + 1
    for name, index, change in (
        ("last_of_batch", boundary - 1, (3, "2023-02-30")),
        ("first_of_next", boundary, (3, "2023-02-30")),
        ("duplicate_across", boundary, (0, rows[boundary - 1][0])),
    ):
        changed_rows = [list(row) for row in rows]
        changed_rows[index][change[0]] = change[1]
        made = resource(10 + len(results))
        outcome = ingest_file(actor=Actor.platform(), resource=made, path=write(f"{name}.csv", changed_rows))
        results[name] = {
            "ok": outcome.ok,
            "errors": [(error["row"], error["code"], error["message"]) for error in outcome.errors],
            "count": count_records(made),
            "load_tables": load_tables(),
            "columnar_taken": taken[-1],
        }

    duplicate_rows = [*rows, list(rows[5])]
    duplicate = resource(4)
    outcome = ingest_file(
        actor=Actor.platform(), resource=duplicate, path=write("dup.csv", duplicate_rows), mode="replace"
    )
    results["duplicate_key"] = {
        "ok": outcome.ok,
        "errors": outcome.errors,
        "count": count_records(duplicate),
        "load_tables": load_tables(),
        "columnar_taken": taken[-1],
    }

    def both_ways(name: str, data: list[list[str]], mode: str) -> dict[str, Any]:
        """The same file into `fast` (columnar path) and `slow` (row path), which hold the same rows."""
        path = write(name, data)
        outcome = ingest_file(actor=Actor.platform(), resource=fast, path=path, mode=mode)
        columnar_taken = taken[-1]
        with override_settings(ZHENGWU_LOAD_COLUMNAR_MIN_BYTES=1 << 40):
            taken.append(False)
            row_outcome = ingest_file(actor=Actor.platform(), resource=slow, path=path, mode=mode)
        return {
            "ok": outcome.ok and row_outcome.ok,
            "columnar_taken": columnar_taken,
            "rows": table_rows(fast),
            "row_path_rows": table_rows(slow),
            "count": count_records(fast),
            "written": (outcome.rows_written, row_outcome.rows_written),
            "deleted": (outcome.rows_deleted, row_outcome.rows_deleted),
            "last_seq": (
                StoreTable.objects.get(resource=fast).last_seq,
                StoreTable.objects.get(resource=slow).last_seq,
            ),
            "load_tables": load_tables(),
            "indexes": (indexes(fast), indexes(slow)),
        }

    new_row = [random_credit_code(rng, prefix2="91", region_code="220102"), "新公司", "1", "", "", "", "", ""]
    results["upsert_into_rows"] = both_ways("more.csv", [*rows, new_row], "upsert")
    changed = [list(row) for row in rows[:200]]
    for row in changed[:10]:
        row[1] += "（已更名）"
    results["replace_into_rows"] = both_ways("changed.csv", [*changed, new_row], "replace")
    before = table_rows(fast)
    outcome = ingest_file(
        actor=Actor.platform(), resource=fast, path=write("dup2.csv", [*changed, changed[3]]), mode="upsert"
    )
    results["duplicate_into_rows"] = {
        "ok": outcome.ok,
        "errors": outcome.errors,
        "columnar_taken": taken[-1],
        "unchanged": table_rows(fast) == before,
        "load_tables": load_tables(),
    }

    def crash(*args: Any) -> None:
        raise OSError("disk full")

    columnar._write = crash  # type: ignore[assignment]
    crashed = resource(5)
    try:
        outcome = ingest_file(actor=Actor.platform(), resource=crashed, path=good, mode="replace")
        message = outcome.message
        ok = outcome.ok
    except Exception as error:
        ok, message = False, getattr(error, "message", str(error))
    results["writer_crash"] = {
        "ok": ok,
        "message": message,
        "count": count_records(crashed),
        "load_tables": load_tables(),
    }
    (directory / "results.json").write_text(json.dumps(results, ensure_ascii=False, default=str))


def memory(
    make_rows: Any, write: Any, resource: Any, ingest_file: Any, actor: Any, taken: list[bool]
) -> dict[str, Any]:
    """Load N then 4N rows (batches of 64 KiB); for each, the peak of Arrow's memory pool (a
    high-water mark over the process's life: it can only grow) and of Python's allocations."""
    import pyarrow as pa

    from zhengwu.exchange.store import columnar

    columnar.BLOCK_BYTES = 64 * 1024
    pool = pa.default_memory_pool()
    measured: dict[str, Any] = {}
    warm = write("warm.csv", make_rows(1000))  # a first load: imports and caches, not measured
    assert ingest_file(actor=actor, resource=resource(99), path=warm).ok
    tracemalloc.start()
    for number, count in enumerate((20_000, 80_000)):
        path = write(f"memory-{count}.csv", make_rows(count))
        made = resource(100 + number)
        tracemalloc.reset_peak()
        outcome = ingest_file(actor=actor, resource=made, path=path)
        measured[str(count)] = {
            "ok": outcome.ok,
            "columnar_taken": taken[-1],
            "file_bytes": path.stat().st_size,
            "arrow_peak": pool.max_memory(),
            "python_peak": tracemalloc.get_traced_memory()[1],
        }
    tracemalloc.stop()
    return measured


if __name__ == "__main__":
    main(Path(sys.argv[1]), *sys.argv[2:3])
