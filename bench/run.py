"""`make bench`: every benchmark of bench/, one after the other, at the sizes the issues name.

    .venv/bin/python bench/run.py            # full sizes (about an hour on a 2-core machine)
    .venv/bin/python bench/run.py --quick    # small sizes, to check the scripts run
    .venv/bin/python bench/run.py --only supervision_bench query_bench

Each script prints its own Markdown report (see bench/README.md); the PostgreSQL runs are added
when a server is reachable at BENCH_POSTGRES (default postgres://postgres@127.0.0.1:5432). The
query and portal benchmarks need `wrk`, the query benchmark also Datasette (bench/README.md).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
SERVER = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")

# (script, full-size arguments, quick arguments, PostgreSQL database or "" for SQLite only)
RUNS: list[tuple[str, list[str], list[str], str]] = [
    ("ingest_bench", ["--rows", "1000000"], ["--rows", "20000"], ""),
    (
        "query_bench",
        ["--rows", "1000000"],
        ["--rows", "20000", "--duration", "3s", "--repeat", "1"],
        "zhengwu_bench_exchange",
    ),
    ("supervision_bench", ["--timers", "1000000"], ["--timers", "20000", "--repeat", "5"], "zhengwu_bench_supervision"),
    ("submit_bench", ["--count", "300", "--repeat", "3"], ["--count", "100", "--repeat", "1"], ""),
    ("disclosure_search_bench", ["--items", "100000"], ["--items", "5000", "--repeat", "1"], ""),
    ("portal_pages_bench", [], ["--duration", "3s", "--repeat", "1"], ""),
]


def postgres_reachable() -> bool:
    try:
        import psycopg

        psycopg.connect(f"{SERVER}/postgres", connect_timeout=3).close()
    except Exception:
        return False
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--only", nargs="*", default=[], help="script names without .py")
    args = parser.parse_args()
    with_postgres = postgres_reachable()
    failed = []
    for script, full, quick, database in RUNS:
        if args.only and script not in args.only:
            continue
        runs = [quick if args.quick else full]
        if database and with_postgres:
            runs.append([*runs[0], "--postgres", f"{SERVER}/{database}"])
        for extra in runs:
            command = [sys.executable, str(BENCH / f"{script}.py"), *extra]
            print(f"\n=== {' '.join(command[1:])}", flush=True)
            if subprocess.run(command, check=False).returncode != 0:  # noqa: S603
                failed.append(" ".join(command[1:]))
    if failed:
        sys.exit("failed: " + "; ".join(failed))


if __name__ == "__main__":
    main()
