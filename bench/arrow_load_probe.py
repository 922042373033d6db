"""A probe for the team's decision on issue 3's loading target (≥ 0.5× `sqlite3 .import`): how fast
would a compiled path from file to table be, with the same checks? Not a project path, not a
project dependency (run it in a venv of its own, like Datasette):

    python3 -m venv /tmp/arrowvenv && /tmp/arrowvenv/bin/pip install pyarrow numpy adbc-driver-sqlite
    /tmp/arrowvenv/bin/python bench/arrow_load_probe.py --workdir /tmp/ib     # ingest_bench.py's CSV

On the loading benchmark's CSV: Arrow's multi-threaded CSV reader; every value checked column at a
time in compiled code (credit codes by both checksums with numpy, lengths, control characters,
decimals and dates by pattern and parse, region codes and enums by set membership, unique keys);
the typed table written by the ADBC SQLite driver into a fresh WAL database with the store's
meta columns, both unique indexes built, committed and checkpointed. Beside it, `sqlite3
.import` of the same file, in the same run. It does not do what the project's loader also does
(row-level error reports, the change feed's upsert, the audit event, one transaction with the
catalog), so it is a lower bound for such a path, not a measurement of one.
"""

from __future__ import annotations

import argparse
import csv
import os
import resource
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from pyarrow import csv as pacsv

ROOT = Path(__file__).resolve().parent.parent
CREDIT_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # as zhengwu.core.idnumbers
CREDIT_WEIGHTS = np.array([1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28])
ORG_WEIGHTS = np.array([3, 7, 9, 10, 5, 8, 4, 2])
AUTHORITIES = "123456789ANY"
KINDS = ["有限责任公司", "股份有限公司", "个人独资企业", "合伙企业", "个体工商户"]
STATES = ["存续", "在业", "吊销", "注销", "迁出"]
CONTROL = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"


def _lookup(values: dict[str, int]) -> np.ndarray:
    table = np.full(256, 255, dtype=np.uint8)
    for char, value in values.items():
        table[ord(char)] = value
    return table


CREDIT_VALUE = _lookup({c: i for i, c in enumerate(CREDIT_CHARSET)})
ORG_VALUE = _lookup({c: (int(c) if c.isdigit() else ord(c) - 55) for c in CREDIT_CHARSET})
AUTHORITY = _lookup(dict.fromkeys(AUTHORITIES, 1))


def credit_codes_ok(column: pa.ChunkedArray) -> bool:
    if pc.any(pc.not_equal(pc.binary_length(column), 18)).as_py():
        return False
    for chunk in column.chunks:
        offsets = np.frombuffer(chunk.buffers()[1], dtype=np.int32, count=len(chunk) + 1, offset=chunk.offset * 4)
        data = np.frombuffer(chunk.buffers()[2], dtype=np.uint8)[offsets[0] : offsets[-1]].reshape(-1, 18)
        values = CREDIT_VALUE[data]
        if (values == 255).any() or (AUTHORITY[data[:, 0]] != 1).any() or (data[:, 1] == ord("0")).any():
            return False
        if ((data[:, 2:8] < ord("0")) | (data[:, 2:8] > ord("9"))).any():
            return False
        org = ORG_VALUE[data[:, 8:16]].astype(np.int64) @ ORG_WEIGHTS
        org_check = 11 - org % 11  # 10 → X, 11 → 0
        expected16 = np.where(org_check == 10, ord("X"), np.where(org_check == 11, ord("0"), org_check + ord("0")))
        if (expected16 != data[:, 16]).any():
            return False
        total = values[:, :17].astype(np.int64) @ CREDIT_WEIGHTS
        if ((31 - total % 31) % 31 != values[:, 17]).any():
            return False
    return True


def text_ok(column: pa.ChunkedArray, limit: int, *, required: bool) -> bool:
    lengths = pc.utf8_length(column)
    if required and pc.any(pc.equal(lengths, 0)).as_py():
        return False
    return (
        not pc.any(pc.greater(lengths, limit)).as_py() and not pc.any(pc.match_substring_regex(column, CONTROL)).as_py()
    )


def check(table: pa.Table, regions: pa.Array) -> bool:
    c = table.columns
    # Checked by pattern and kept as written (zhengwu also rewrites "100.00" as "100": not done here).
    decimal_ok = pc.all(pc.match_substring_regex(c[3], r"^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)$")).as_py()
    try:
        pc.cast(c[4], pa.date32())  # strict: 2023-02-30 is refused (strptime would roll it over)
        dates_ok = True
    except pa.ArrowInvalid:
        dates_ok = False
    return bool(
        credit_codes_ok(c[0])
        and pc.count_distinct(c[0]).as_py() == len(table)
        and text_ok(c[1], 200, required=True)
        and text_ok(c[2], 50, required=False)
        and decimal_ok
        and dates_ok
        and pc.all(pc.is_in(c[5], value_set=regions)).as_py()
        and pc.all(pc.is_in(c[6], value_set=pa.array(KINDS))).as_py()
        and pc.all(pc.is_in(c[7], value_set=pa.array(STATES))).as_py()
        and text_ok(c[8], 200, required=False)
    )


def arrow_load(csv_path: Path, database: Path, regions: pa.Array) -> dict[str, float]:
    import adbc_driver_sqlite.dbapi

    for suffix in ("", "-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    parts: dict[str, float] = {}
    started = time.perf_counter()
    names = ["credit_code", "name", "legal_rep", "capital", "founded", "region", "kind", "status", "address"]
    table = pacsv.read_csv(
        csv_path,
        read_options=pacsv.ReadOptions(column_names=names, skip_rows=1),
        convert_options=pacsv.ConvertOptions(column_types=dict.fromkeys(names, pa.string())),
    )
    parts["read"] = time.perf_counter() - started
    mark = time.perf_counter()
    if not check(table, regions):
        sys.exit("the benchmark file should be valid")
    parts["check"] = time.perf_counter() - mark
    mark = time.perf_counter()
    count = len(table)
    table = table.append_column("_seq", pa.array(np.arange(1, count + 1, dtype=np.int64)))
    table = table.append_column("_updated_at", pa.array(["2026-12-06T00:00:00Z"] * count))
    with sqlite3.connect(database) as setup:
        setup.execute("PRAGMA journal_mode=WAL")  # as the project's databases (kept by the file)
    with adbc_driver_sqlite.dbapi.connect(str(database)) as db:
        cursor = db.cursor()
        cursor.adbc_ingest("t", table, mode="create")
        parts["write"] = time.perf_counter() - mark
        mark = time.perf_counter()
        cursor.execute('CREATE UNIQUE INDEX t_key ON t ("credit_code")')
        cursor.execute('CREATE UNIQUE INDEX t_seq ON t ("_seq")')
        db.commit()
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        cursor.close()
    parts["indexes, commit, checkpoint"] = time.perf_counter() - mark
    parts["total"] = time.perf_counter() - started
    with sqlite3.connect(database) as check_db:
        assert check_db.execute("SELECT count(*) FROM t").fetchone()[0] == count
    return parts


def sqlite_import(csv_path: Path, workdir: Path) -> float:
    database = workdir / "probe-import.sqlite3"
    database.unlink(missing_ok=True)
    started = time.perf_counter()
    subprocess.run([shutil.which("sqlite3") or "sqlite3", str(database), f".import --csv {csv_path} t"], check=True)  # noqa: S603
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workdir", type=Path, required=True, help="the --workdir of a bench/ingest_bench.py run")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    csv_path = next(args.workdir.glob("enterprises-*.csv"))
    with (ROOT / "src/zhengwu/core/data/gb2260.csv").open(encoding="utf-8") as handle:
        regions = pa.array([row["code"] for row in csv.DictReader(handle)])
    runs: list[tuple[float, dict[str, float]]] = []
    for _ in range(args.repeat):
        runs.append(
            (sqlite_import(csv_path, args.workdir), arrow_load(csv_path, args.workdir / "probe.sqlite3", regions))
        )
    cores = os.cpu_count()
    print(f"{csv_path.name}; {cores} cores; pyarrow {pa.__version__}; load {os.getloadavg()[0]:.1f}")
    print("| run | .import s | Arrow path s | ratio | read | check | write | indexes, commit, checkpoint |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for number, (imported, parts) in enumerate(runs, 1):
        print(
            f"| {number} | {imported:.2f} | {parts['total']:.2f} | {imported / parts['total']:.2f}× "
            f"| {parts['read']:.2f} | {parts['check']:.2f} | {parts['write']:.2f} "
            f"| {parts['indexes, commit, checkpoint']:.2f} |"
        )
    used: Any = resource.getrusage(resource.RUSAGE_SELF)
    print(f"CPU of this process over all runs: {used.ru_utime + used.ru_stime:.1f} s")


if __name__ == "__main__":
    main()
