"""Evaluation-run benchmark (考核评估): one run over 50 departments, 1,000,000 access-log rows and
1,000,000 supervision timers (target ≤ 30 s on SQLite; docs/benchmarks.md).

    .venv/bin/python bench/governance_bench.py                         # SQLite, 1M + 1M
    .venv/bin/python bench/governance_bench.py --rows 200000           # a quicker run
    .venv/bin/python bench/governance_bench.py --postgres postgres://postgres@127.0.0.1:5432/zhengwu_bench_governance

1. A fresh database (SQLite in a temporary ZHENGWU_DATA_DIR, or the PostgreSQL database named in
   --postgres, which is DROPPED and re-created), migrated; 50 departments.
2. N timers as `supervision_bench` makes them (9 kinds over two years, every state and light), and N
   access-log rows over the last year (providers and consumers among the 50 departments, 90 % OK),
   inserted in bulk (the rows bypass the hash chain: the run reads counts, not the chain).
3. The full default indicator set (18 measures, 100 points); `--repeat` runs (default 3, after one
   warm-up), each `run_start` + `run_compute` over the last 365 days: every measure's one aggregate,
   the scores of 50 departments, stored with the audit event. Prints the median and the machine's load.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import supervision_bench  # bench/ is the script's folder, first on sys.path
from query_bench import pg_recreate
from supervision_bench import log, machine

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

DEPARTMENTS = 50
LOG_COLUMNS = [
    "seq", "at", "api_client_label", "consumer_label", "resource_code", "operation", "purpose", "keys", "filters",
    "key_indexes", "item_codes", "rows", "outcome", "reason", "latency_ms", "zone", "mac", "consumer_id",
    "provider_id", "prev_hash", "hash",
]  # fmt: skip


def access_rows(n: int, departments: list[int], seed: int = 2026) -> Any:
    from zhengwu.core import workdays

    rng = random.Random(seed)
    now = datetime.now(tz=workdays.CHINA_TZ).replace(microsecond=0)
    weights = [1.0 / (1 + i * 0.1) for i in range(len(departments))]
    providers = rng.choices(departments, weights=weights, k=4096)
    for i in range(n):
        at = now - timedelta(seconds=rng.randint(0, 365 * 86400))
        outcome = "ok" if rng.random() < 0.9 else rng.choice(["not_found", "denied", "rate_limited"])
        yield (
            i + 1, at, "bench", "bench", "201001/001", "record", "核查", "[]", "{}", "[]", "[]", 1, outcome, "", 12,
            "internal", "-", rng.choice(departments), providers[i % 4096], "-", "-",
        )  # fmt: skip


def insert_access_log(n: int, departments: list[int], batch: int = 20_000) -> None:
    from django.db import connection, transaction

    from zhengwu.exchange.sharing.models import AccessLog

    table = AccessLog._meta.db_table
    columns = ", ".join(connection.ops.quote_name(c) for c in LOG_COLUMNS)
    with connection.cursor() as cursor:
        # the unique pending_id's index backs a constraint (PostgreSQL will not drop it): kept
        indexes = [
            (name, sql)
            for name, sql in supervision_bench._secondary_indexes(cursor, connection.vendor, table)
            if not name.endswith("_key") and "pending_id" not in name
        ]
        for name, _sql in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
    rows = access_rows(n, departments)
    if connection.vendor == "postgresql":
        with (
            transaction.atomic(),
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
    else:
        adapt = connection.ops.adapt_datetimefield_value
        marks = ", ".join(["%s"] * len(LOG_COLUMNS))
        sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608 - our identifiers
        with transaction.atomic(), connection.cursor() as cursor:
            buffer: list[list[Any]] = []
            for row in rows:
                buffer.append([adapt(v) if i == 1 else v for i, v in enumerate(row)])
                if len(buffer) >= batch:
                    cursor.executemany(sql, buffer)
                    buffer.clear()
            if buffer:
                cursor.executemany(sql, buffer)
    with connection.cursor() as cursor:
        for _name, sql in indexes:
            cursor.execute(sql)
        cursor.execute(f"VACUUM ANALYZE {table}" if connection.vendor == "postgresql" else "ANALYZE")


def one_run(indicator_set: Any) -> float:
    from zhengwu.core.actors import Actor
    from zhengwu.governance.services import evaluations

    end = date.today() - timedelta(days=1)
    started = time.perf_counter()
    run = evaluations.run_start(
        actor=Actor.platform(), indicator_set=indicator_set, period_start=end - timedelta(days=364), period_end=end
    )
    run = evaluations.run_compute(actor=Actor.platform(), run=run)
    elapsed = time.perf_counter() - started
    assert run.scores.count() == DEPARTMENTS * indicator_set.indicators.count()
    return elapsed


def baseline() -> float:
    """The machine's pace: plain full counts of the two big tables (what any aggregate over them costs at least)."""
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        for table, column in (("exchange_accesslog", "provider_id"), ("supervision_timer", "department_id")):
            cursor.execute(f"SELECT COUNT(*), COUNT({column}) FROM {table}")  # noqa: S608 - our identifiers
            cursor.fetchall()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000, help="timers and access-log rows (each)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--postgres", metavar="URL")
    parser.add_argument("--workdir", type=Path)
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="zhengwu-governance-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    os.environ["ZHENGWU_DATA_DIR"] = str(workdir / "data")
    os.environ.pop("DATABASE_URL", None)
    backend = "SQLite"
    if args.postgres:
        pg_recreate(args.postgres)
        os.environ["DATABASE_URL"] = args.postgres
        backend = "PostgreSQL"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhengwu.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from zhengwu.core.actors import Actor
    from zhengwu.governance.services import evaluations

    log(f"workdir {workdir}, backend {backend}, {args.rows:,} timers and access-log rows")
    call_command("migrate", verbosity=0)
    supervision_bench.DEPARTMENTS = DEPARTMENTS
    departments, _user = supervision_bench.setup_people()
    started = time.perf_counter()
    supervision_bench.insert(args.rows, departments)
    log(f"timers inserted in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    insert_access_log(args.rows, departments)
    log(f"access log inserted in {time.perf_counter() - started:.1f} s")
    indicator_set = evaluations.indicator_set_create(actor=Actor.platform(), year=date.today().year, name="基准测试")
    before = machine()
    warm = one_run(indicator_set)
    log(f"warm-up run: {warm:.2f} s")
    times = []
    for i in range(args.repeat):
        times.append(one_run(indicator_set))
        log(f"run {i + 1}: {times[-1]:.2f} s")
    base = statistics.median(baseline() for _ in range(3))
    log(f"baseline (two full-table counts): {base:.2f} s")
    after = machine()
    result = {
        "backend": backend,
        "rows": args.rows,
        "departments": DEPARTMENTS,
        "indicators": indicator_set.indicators.count(),
        "median_seconds": round(statistics.median(times), 2),
        "runs": [round(t, 2) for t in times],
        "warm_up_seconds": round(warm, 2),
        "baseline_seconds": round(base, 2),
        "machine_before": before,
        "machine_after": after,
    }
    (workdir / "results.json").write_text(json.dumps(result, ensure_ascii=False, indent=2))
    print()
    header = ("backend", "timers", "access-log rows", "departments", "indicators", "run (median)", "runs",
              "two full counts", "load")  # fmt: skip
    print("| " + " | ".join(header) + " |")
    print("|---|---|---|---|---|---|---|---|---|")
    print(
        f"| {backend} | {args.rows:,} | {args.rows:,} | {DEPARTMENTS} | {result['indicators']} | "
        f"{result['median_seconds']} s | {', '.join(f'{t:.2f}' for t in times)} s | {result['baseline_seconds']} s | "
        f"{before['load']} → {after['load']} (nproc {before['nproc']}) |"
    )


if __name__ == "__main__":
    main()
