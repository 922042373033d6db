"""Where a load's time goes: each part of `ingest_file` timed alone on the loading benchmark's file.

    .venv/bin/python bench/ingest_bench.py --rows 1000000 --workdir /tmp/ib   # first: CSV + resource
    .venv/bin/python bench/ingest_parts.py --workdir /tmp/ib

Parts, one after another in this process (so each is its own cost, not its share of a run):
1. reading the file and parsing it with `csv.reader` (the workers' first step);
2. checking every value with the resource's converters (`exchange.checking.Checker`);
3. `executemany` of the rows into a table shaped like the store's, in a fresh SQLite file with
   the store's pragmas, in one transaction; then the key and sequence indexes; the commit
   (WAL written, no checkpoint); the WAL checkpoint;
4. the stage-file alternative: the rows written to a separate SQLite file, then copied by one
   `INSERT … SELECT` from it attached.
Results are discussed in docs/benchmarks.md ("Loading a resource").
"""

from __future__ import annotations

import argparse
import csv
import gc
import io
import os
import sqlite3
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

STAMP = "'2026-12-05T00:00:00Z'"


@contextmanager
def timed(label: str, results: list[tuple[str, float]]) -> Iterator[None]:
    started = time.perf_counter()
    yield
    results.append((label, time.perf_counter() - started))


def fresh(path: Path, codes: list[str]) -> sqlite3.Connection:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    db = sqlite3.connect(path, isolation_level=None)
    for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "cache_size=-262144", "wal_autocheckpoint=0"):
        db.execute(f"PRAGMA {pragma}")
    columns = ", ".join(f'"{code}" text' for code in codes)
    db.execute(
        f'CREATE TABLE t ({columns}, "_seq" integer NOT NULL, "_updated_at" text NOT NULL, '
        '"_deleted" integer NOT NULL DEFAULT 0, "_disputed" integer NOT NULL DEFAULT 0)'
    )
    return db


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workdir", type=Path, required=True, help="the --workdir of a bench/ingest_bench.py run")
    args = parser.parse_args()
    csv_path = next(args.workdir.glob("enterprises-*.csv"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhengwu.settings")
    os.environ["ZHENGWU_DATA_DIR"] = str(args.workdir / "data")
    os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    from zhengwu.catalog.models import Resource
    from zhengwu.exchange.store.checking import Checker, check_parsed
    from zhengwu.exchange.store.tables import table_spec

    spec = table_spec(Resource.objects.get(code="bench/1"))
    codes = [column.code for column in spec.columns]
    checker = Checker(codes, [spec.batch_converter(c) for c in codes], [spec.db_converter(c) for c in codes])
    results: list[tuple[str, float]] = []

    # As a worker does: chunks of about 4 MiB, parsed, then checked.
    parse = check = 0.0
    checked = []
    rows = 0
    with csv_path.open("rb") as handle:
        handle.readline()  # the header
        while chunk := handle.read(4 * 1024 * 1024):
            chunk += handle.readline()
            started = time.perf_counter()
            parsed: list[Sequence[str]] = list(csv.reader(io.StringIO(chunk.decode("utf-8"), newline="")))
            parse += time.perf_counter() - started
            started = time.perf_counter()
            checked += [batch for batch in check_parsed(checker, parsed, 0) if batch.columns]
            check += time.perf_counter() - started
            rows += len(parsed)
            gc.freeze()  # what is kept for the writing parts: a worker's heap holds one chunk only
    results += [("read + csv.reader (workers)", parse), ("check every value (workers)", check)]
    assert sum(len(batch.numbers) for batch in checked) == rows, "the benchmark file should be valid"

    names = ", ".join(f'"{code}"' for code in codes)
    marks = ", ".join("?" * (len(codes) + 1))
    db = fresh(args.workdir / "parts.sqlite3", codes)
    db.execute("BEGIN")
    with timed("executemany into the typed table (loader)", results):
        seq = 0
        for batch in checked:
            count = len(batch.numbers)
            db.executemany(
                f'INSERT INTO t ({names}, "_seq", "_updated_at") VALUES ({marks}, {STAMP})',  # noqa: S608
                zip(*batch.columns, range(seq + 1, seq + count + 1), strict=True),  # as TableWriter does
            )
            seq += count
    with timed("key + sequence indexes (loader)", results):
        db.execute(f'CREATE UNIQUE INDEX t_key ON t ("{spec.key}")')
        db.execute('CREATE UNIQUE INDEX t_seq ON t ("_seq")')
    with timed("commit, WAL written (loader)", results):
        db.execute("COMMIT")
    with timed("WAL checkpoint (loader)", results):
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()

    stage_path = args.workdir / "parts-stage.sqlite3"
    stage_path.unlink(missing_ok=True)
    with timed("alternative: write a stage file (workers)", results):
        stage = sqlite3.connect(stage_path, isolation_level=None)
        stage.execute("PRAGMA journal_mode=OFF")
        stage.execute("PRAGMA synchronous=OFF")
        stage.execute(f"CREATE TABLE r ({names})")
        stage.execute("BEGIN")
        insert = f"INSERT INTO r VALUES ({', '.join('?' * len(codes))})"  # noqa: S608
        for batch in checked:
            stage.executemany(insert, zip(*batch.columns, strict=True))
        stage.execute("COMMIT")
        stage.close()
    db = fresh(args.workdir / "parts-copy.sqlite3", codes)
    db.execute(f"ATTACH '{stage_path}' AS stage")
    db.execute("BEGIN")
    with timed("alternative: INSERT … SELECT from it (loader)", results):
        db.execute(f'INSERT INTO t ({names}, "_seq", "_updated_at") SELECT {names}, rowid, {STAMP} FROM stage.r')  # noqa: S608
    db.execute("COMMIT")
    db.close()

    print(f"{rows:,} rows of {csv_path.name}; Python {sys.version.split()[0]}, SQLite {sqlite3.sqlite_version}")
    print()
    print("| part | seconds |")
    print("|---|---:|")
    for label, seconds in results:
        print(f"| {label} | {seconds:.2f} |")


if __name__ == "__main__":
    main()
