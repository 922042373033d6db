"""Where a small load's time goes beyond `sqlite3 .import`: each phase of `ingest_file`, timed in place.

    .venv/bin/python bench/ingest_bench.py --rows 100000 --workdir /tmp/ib   # first: the CSV file
    .venv/bin/python bench/ingest_phases.py --workdir /tmp/ib --rows 100000 --repeat 5

One process, as a warm Huey worker (`columnar.warm_up()` first, Django migrated once into a fresh
SQLite database under --workdir). Each round runs `sqlite3 .import` of the file into a fresh
database, then `ingest_file` into a fresh resource (an empty table: the columnar path's swap),
so the two alternate under the same load. The functions the load calls are wrapped in place
(their code is not changed): each phase's wall seconds and CPU seconds (the loading process's
threads by `time.process_time`, the forked writer's by `RUSAGE_CHILDREN`, counted when it is
joined), and the writer's own steps, timed inside it. Prints the medians over the rounds, and
the 1-minute load average at the start and the end (docs/benchmarks.md).
"""

from __future__ import annotations

import argparse
import json
import os
import resource as rusage
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Generator, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ingest_bench import bench_resource, sqlite_import  # bench/ is the script's folder, first on sys.path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

Phases = dict[str, list[float]]  # phase → [wall s, CPU s] of this round


def _children_cpu() -> float:
    used = rusage.getrusage(rusage.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


@contextmanager
def _timed(phases: Phases, name: str, *, children: bool = False) -> Iterator[None]:
    wall, cpu = time.perf_counter(), time.process_time() + (_children_cpu() if children else 0.0)
    try:
        yield
    finally:
        spent = phases.setdefault(name, [0.0, 0.0])
        spent[0] += time.perf_counter() - wall
        spent[1] += time.process_time() + (_children_cpu() if children else 0.0) - cpu


def _wrap(owner: Any, attribute: str, phases: Phases, name: str, *, children: bool = False) -> None:
    inner = getattr(owner, attribute)

    def timed(*args: Any, **kwargs: Any) -> Any:
        with _timed(phases, name, children=children):
            return inner(*args, **kwargs)

    setattr(owner, attribute, timed)


def _instrument(phases: Phases, writer_log: Path) -> None:
    """Wrap the phases of a load (module attributes, looked up at call time)."""
    import multiprocessing.process

    from adbc_driver_manager import dbapi
    from django.db.backends.base.base import BaseDatabaseWrapper

    from zhengwu.exchange.store import columnar, ingest

    for owner, attribute, name in [
        (ingest, "loadjob_create", "job created (authorize, stat, LoadJob row)"),
        (ingest, "_scan", "_scan: encoding and quote pass"),
        (ingest, "_detect_format", "format sniffed"),
        (ingest, "_open_csv", "CSV opened, header, plan"),
        (ingest, "_map_header", "header mapped"),
        (columnar, "_target", "target table (ensure_table, StoreTable, schema)"),
        (columnar, "_stored_batch", "columns to store made (per batch)"),
        (columnar, "_accepts", "checks (per column)"),
        (columnar, "_swap", "swap: drop, rename, key and _seq indexes"),
        (columnar, "discard", "load table dropped (after commit)"),
        (ingest, "sync_indexes", "queryable indexes (sync_indexes)"),
        (ingest, "resource_mark_loaded", "catalog: resource marked loaded"),
        (ingest, "_finish_job", "job finished (LoadJob row)"),
        (ingest, "_audit", "audit event"),
        (ingest, "_progress_writer", "progress writer made"),
        (columnar, "prepare", "prepare in all: read, check, fork, write, the writer's commit"),
        (columnar, "apply", "apply in all: swap or merge"),
        (BaseDatabaseWrapper, "_commit", "Django's commits"),
    ]:
        _wrap(owner, attribute, phases, name)
    _wrap(multiprocessing.process.BaseProcess, "start", phases, "writer forked (Process.start)")
    _wrap(multiprocessing.process.BaseProcess, "join", phases, "waiting for the writer (join)", children=True)
    reading = columnar.read_batches

    def read_batches(*args: Any, **kwargs: Any) -> Generator[Any, None, None]:
        batches = reading(*args, **kwargs)
        while True:
            with _timed(phases, "Arrow reader (per batch)"):
                batch = next(batches, None)
            if batch is None:
                return
            yield batch

    columnar.read_batches = read_batches
    import pyarrow.ipc

    opening = pyarrow.ipc.new_stream

    class TimedStream:
        """The IPC stream to the writer: its time is the pipe's, waiting whenever the writer is behind."""

        def __init__(self, inner: Any) -> None:
            self.inner = inner

        def write_batch(self, batch: Any) -> None:
            with _timed(phases, "batches sent down the pipe (waits while the writer is behind)"):
                self.inner.write_batch(batch)

        def close(self) -> None:
            self.inner.close()

    pyarrow.ipc.new_stream = lambda *args, **kwargs: TimedStream(opening(*args, **kwargs))
    made = ingest._progress_writer

    def progress_writer(job_id: int, inner: Any) -> Any:
        report = made(job_id, inner)

        def timed(rows: int, fraction: float | None) -> None:
            with _timed(phases, "progress file"):
                report(rows, fraction)

        return timed

    ingest._progress_writer = progress_writer
    digest = ingest._FileDigest.value

    def digest_value(self: Any) -> str:
        with _timed(phases, "SM3 digest waited for"):
            return digest(self)

    ingest._FileDigest.value = digest_value  # type: ignore[method-assign]

    # The forked writer's steps, appended to `writer_log` as it goes (its own process).
    def logged(owner: Any, attribute: str, name: str) -> None:
        inner = getattr(owner, attribute)

        def timed(*args: Any, **kwargs: Any) -> Any:
            wall, cpu = time.perf_counter(), time.process_time()
            try:
                return inner(*args, **kwargs)
            finally:
                step = name if attribute != "execute" else f"{name}: {str(args[1]).split(' (')[0][:40]}"
                with writer_log.open("a") as log:
                    log.write(json.dumps([step, time.perf_counter() - wall, time.process_time() - cpu]) + "\n")

        setattr(owner, attribute, timed)

    logged(dbapi.Cursor, "execute", "writer")
    logged(dbapi.Cursor, "adbc_ingest", "writer: adbc_ingest (the rows)")
    logged(dbapi.Connection, "commit", "writer: commit")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workdir", type=Path, required=True, help="the --workdir of a bench/ingest_bench.py run")
    parser.add_argument("--rows", type=int, default=100000, help="which generated file (default 100000)")
    parser.add_argument("--repeat", type=int, default=5, help="rounds (default 5)")
    args = parser.parse_args()
    csv_path = args.workdir / f"enterprises-{args.rows}.csv"
    data_dir = args.workdir / "phases-data"
    for name in ("zhengwu.sqlite3", "zhengwu.sqlite3-wal", "zhengwu.sqlite3-shm"):
        (data_dir / name).unlink(missing_ok=True)
    os.environ.update(ZHENGWU_DATA_DIR=str(data_dir), DJANGO_SETTINGS_MODULE="zhengwu.settings")
    os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from zhengwu.core.actors import Actor
    from zhengwu.exchange.store.columnar import warm_up
    from zhengwu.exchange.store.ingest import ingest_file

    warm_up()
    writer_log = args.workdir / "phases-writer.jsonl"
    rounds: list[Phases] = []
    phases: Phases = {}
    _instrument(phases, writer_log)
    load_before = os.getloadavg()[0]
    for round_number in range(1, args.repeat + 1):
        imported = sqlite_import(csv_path, args.workdir)
        target = bench_resource(f"bench/phases-{round_number}")
        phases.clear()
        writer_log.unlink(missing_ok=True)
        started, cpu = time.perf_counter(), time.process_time() + _children_cpu()
        result = ingest_file(actor=Actor.platform(), resource=target, path=csv_path)
        total = [time.perf_counter() - started, time.process_time() + _children_cpu() - cpu]
        assert result.ok and result.rows_written == args.rows, result.message
        this: Phases = {name: list(spent) for name, spent in phases.items()}
        for line in writer_log.read_text().splitlines():
            step, wall, used = json.loads(line)
            spent = this.setdefault(step, [0.0, 0.0])
            spent[0], spent[1] = spent[0] + wall, spent[1] + used
        this["TOTAL ingest_file (CPU: both processes)"] = total
        this["sqlite3 .import (CPU: the shell)"] = [imported["seconds"], imported["cpu"]]
        rounds.append(this)
        print(f"ingest_file {total[0]:.3f} s (CPU {total[1]:.3f}), .import {imported['seconds']:.3f} s", flush=True)
    print(
        f"\n{args.rows:,} rows, {args.repeat} rounds, medians; 1-minute load average {load_before:.1f} at the start, "
        f"{os.getloadavg()[0]:.1f} at the end\n"
    )
    print("| phase | wall s | CPU s |")
    print("|---|---:|---:|")
    median: Callable[[str, int], float] = lambda name, index: statistics.median(  # noqa: E731
        this.get(name, [0.0, 0.0])[index] for this in rounds
    )
    names: dict[str, None] = defaultdict(lambda: None)
    for this in rounds:
        names.update(dict.fromkeys(this))
    for name in names:
        print(f"| {name} | {median(name, 0):.3f} | {median(name, 1):.3f} |")


if __name__ == "__main__":
    main()
