"""In-process profile of the machine API's reads (issue 21): where a call's microseconds go.

Calls `zhengwu.wsgi.application` itself N times per scenario — no server, no socket, no client —
so that a shared machine gives figures that mean something: one thread, one process, the same
path as under granian from the WSGI environ to the body. Reports per scenario the time of a call
(best of `--rounds`) and, with `--sections`, the inclusive time of the functions a call goes
through (token and grant, the record's read, masking, encoding, the access-log row's build and
its INSERT + COMMIT), each timed with `perf_counter_ns`; with `--cprofile SCENARIO`, cProfile's
top functions for one scenario.

    .venv/bin/python bench/profile_reads.py --workdir /tmp/zw-prof --rows 200000 --sections
    .venv/bin/python bench/profile_reads.py --workdir /tmp/zw-prof --cprofile changes
    .venv/bin/python bench/profile_reads.py --workdir /tmp/zw-prof-pg --rows 200000 --sections \
        --postgres postgres://postgres@127.0.0.1:5432/zw_prof
    valgrind --tool=callgrind --dump-before=getppid --callgrind-out-file=/tmp/cg.%p \
        .venv/bin/python bench/profile_reads.py --workdir /tmp/zw-prof --scenarios lookup \
        --calls 500 --rounds 1 --mark

With `--mark`, the first measured round of each scenario is framed by two calls of `os.getppid()`,
which nothing else on the path makes: callgrind's `--dump-before=getppid` then writes the
instructions of exactly that round (N calls, after the warm-up) as a dump of its own, the one
before the last (`callgrind_annotate` it, or read its `totals:` line). Instruction counts are
repeatable on a loaded machine, where the microseconds are not.

The work directory is `bench/query_bench.py`'s (its setup runs here when `setup.json` is
missing; a work directory of a query_bench run can be reused as it is). The staged access-log
rows the calls write are sealed at the end.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import random
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent

# (module, attribute) of the functions timed with --sections, in the order a call meets them.
SECTIONS = [
    ("zhengwu.exchange.sharing.fast_lookup", "WSGIRequest"),
    ("zhengwu.exchange.sharing.query_cache", "current"),
    ("zhengwu.exchange.sharing.query_cache", "client_for_token"),
    ("zhengwu.exchange.sharing.query", "refusal"),
    ("zhengwu.exchange.sharing.rate_limit", "exceeded"),
    ("zhengwu.exchange.store.tables", "get_record_with"),
    ("zhengwu.exchange.store.tables", "find_records"),
    ("zhengwu.exchange.store.tables", "changes_since"),
    ("zhengwu.exchange.store.tables", "find_records_with"),
    ("zhengwu.exchange.store.tables", "changes_since_with"),
    ("zhengwu.exchange.sharing.query", "record_answer"),
    ("zhengwu.exchange.sharing.query", "search_answer"),
    ("zhengwu.exchange.sharing.query", "changes_answer"),
    ("zhengwu.exchange.sharing.masking", "project"),
    ("zhengwu.exchange.sharing.query", "_encode_body"),
    ("zhengwu.exchange.sharing.access_log", "stage"),
    ("zhengwu.exchange.sharing.access_log", "pending_mac"),
    ("zhengwu.exchange.sharing.access_log", "_insert_pending"),
]


class Timed:
    """A function replaced by a wrapper that adds up its inclusive time and calls."""

    def __init__(self, module: Any, name: str) -> None:
        self.module, self.name = module, name
        self.original: Callable[..., Any] = getattr(module, name)
        self.ns = 0
        self.calls = 0
        original = self.original

        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter_ns()
            try:
                return original(*args, **kwargs)
            finally:
                self.ns += time.perf_counter_ns() - started
                self.calls += 1

        setattr(module, name, timed)

    def reset(self) -> None:
        self.ns = self.calls = 0


def environs(setup: dict[str, Any], workdir: Path, scenario: str, count: int) -> list[dict[str, Any]]:
    """`count` WSGI environs of the scenario, values picked as query_bench's wrk script picks them."""
    files = {"lookup": "keys", "bare": "keys", "search-region": "regions", "search-name": "names", "changes": "seqs"}
    values = (workdir / f"{files[scenario]}.txt").read_text().split()
    pick = random.Random(11)
    api = f"/api/v1/exchange/{setup['resource']}"
    out = []
    for _ in range(count):
        value = pick.choice(values)
        query = ""
        if scenario == "lookup":
            path = f"{api}/records/{value}"
        elif scenario == "bare":
            path = f"/bench/bare/{value}"
        elif scenario == "search-region":
            path, query = f"{api}/records", f"region_code={value}"
        elif scenario == "search-name":
            path, query = f"{api}/records", f"org_name={value}"
        else:
            path, query = f"{api}/changes", f"limit=100&since={value}"
        out.append(
            {
                "REQUEST_METHOD": "GET",
                "PATH_INFO": path.encode("utf-8").decode("latin-1"),
                "QUERY_STRING": query,
                "SCRIPT_NAME": "",
                "SERVER_NAME": "127.0.0.1",
                "SERVER_PORT": "8000",
                "SERVER_PROTOCOL": "HTTP/1.1",
                "REMOTE_ADDR": "127.0.0.1",
                "HTTP_HOST": "127.0.0.1:8000",
                "HTTP_AUTHORIZATION": f"Bearer {setup['token']}",
                "HTTP_X_PURPOSE": quote("案件协查"),
                "wsgi.url_scheme": "http",
                "wsgi.input": io.BytesIO(b""),
                "wsgi.errors": sys.stderr,
                "wsgi.multithread": True,
                "wsgi.multiprocess": True,
                "wsgi.run_once": False,
                "wsgi.version": (1, 0),
            }
        )
    return out


def run(app: Any, batch: list[dict[str, Any]]) -> float:
    """µs per call over the batch; every answer must be a 200."""
    statuses: list[str] = []

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable[[bytes], None]:
        statuses.append(status)
        return lambda data: None

    started = time.perf_counter_ns()
    for environ in batch:
        body = app(dict(environ), start_response)
        b"".join(body)
        if hasattr(body, "close"):
            body.close()
    took = time.perf_counter_ns() - started
    bad = [s for s in statuses if not s.startswith("200")]
    if bad:
        raise RuntimeError(f"{len(bad)} answers were not 200: {bad[:3]}")
    return took / len(batch) / 1000


def run_threads(app: Any, batch: list[dict[str, Any]], threads: int) -> float:
    """µs of wall time per call over the batch, split among `threads` threads (as a granian worker's)."""
    import threading

    from django.db import connection

    parts = [batch[i::threads] for i in range(threads)]
    took: list[float] = []
    barrier = threading.Barrier(threads + 1)

    def work(part: list[dict[str, Any]]) -> None:
        try:
            barrier.wait()
            run(app, part)
        finally:
            connection.close()

    workers = [threading.Thread(target=work, args=(part,)) for part in parts]
    for worker in workers:
        worker.start()
    barrier.wait()
    started = time.perf_counter_ns()
    for worker in workers:
        worker.join()
    took.append(time.perf_counter_ns() - started)
    return took[0] / len(batch) / 1000


def wal_reset() -> None:
    """The WAL emptied (a TRUNCATE checkpoint) and automatic checkpoints off on this connection,
    so that the WAL file afterwards holds exactly the frames the measured calls wrote (the
    connections of `--threads`' threads too, opened afterwards)."""
    from django.db import connection
    from django.db.backends.signals import connection_created

    def no_autocheckpoint(sender: Any, connection: Any, **kwargs: Any) -> None:
        connection.cursor().execute("PRAGMA wal_autocheckpoint=0")

    connection_created.connect(no_autocheckpoint, weak=False)
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_autocheckpoint=0")
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def wal_frames(calls: int) -> str:
    """What the WAL holds since `wal_reset`, per call (bench/wal_frames.py)."""
    from django.db import connection
    from wal_frames import report

    return report(Path(connection.settings_dict["NAME"]), calls)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workdir", type=Path, required=True)
    parser.add_argument("--rows", type=int, default=200_000, help="rows of the setup, if it runs (default 200,000)")
    parser.add_argument("--postgres", metavar="URL", help="a PostgreSQL database for the setup (created by it)")
    parser.add_argument("--calls", type=int, default=2000, help="calls per round (default 2,000)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--scenarios", default="bare,lookup,search-region,search-name,changes")
    parser.add_argument("--threads", type=int, default=1, help="calls made by this many threads at once")
    parser.add_argument("--no-group-commit", action="store_true", help="ZHENGWU_ACCESS_LOG_GROUP_COMMIT=false")
    parser.add_argument("--sections", action="store_true", help="time the path's functions")
    parser.add_argument("--src", type=Path, default=ROOT / "src", help="the code to profile (e.g. an export of main)")
    parser.add_argument("--cprofile", metavar="SCENARIO", help="cProfile one scenario (top 30 by own time)")
    parser.add_argument("--mark", action="store_true", help="frame the first round with os.getppid() (callgrind)")
    parser.add_argument("--wal", action="store_true", help="SQLite: count the WAL frames of the first round")
    args = parser.parse_args()

    workdir = args.workdir.resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "ZHENGWU_DATA_DIR": str(workdir / "data"),
        "DJANGO_SETTINGS_MODULE": "bench_settings",
        "PYTHONPATH": os.pathsep.join([str(BENCH), str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]),
    }
    env.pop("DATABASE_URL", None)
    if args.postgres:
        env["DATABASE_URL"] = args.postgres
    if not (workdir / "setup.json").exists():
        if args.postgres:
            sys.path.insert(0, str(BENCH))
            from query_bench import pg_recreate

            pg_recreate(args.postgres)
        child = [sys.executable, str(BENCH / "query_bench.py"), "--rows", str(args.rows), "--setup-child", str(workdir)]
        subprocess.run(child, check=True, env=env)  # noqa: S603 - our own script
    setup = json.loads((workdir / "setup.json").read_text())
    os.environ.update({k: v for k, v in env.items() if k in ("ZHENGWU_DATA_DIR", "DJANGO_SETTINGS_MODULE")})
    os.environ.pop("DATABASE_URL", None)
    if args.postgres:
        os.environ["DATABASE_URL"] = args.postgres
    os.environ["BENCH_RESOURCE_CODE"] = setup["resource"]
    if args.no_group_commit:
        os.environ["ZHENGWU_ACCESS_LOG_GROUP_COMMIT"] = "false"
    sys.path[:0] = [str(BENCH), str(args.src.resolve())]

    import importlib
    import logging

    from zhengwu.wsgi import application

    logging.getLogger("zhengwu.access").setLevel(logging.WARNING)  # the bare view's access lines: not measured

    modules = [(importlib.import_module(module), name) for module, name in SECTIONS] if args.sections else []
    timers = [Timed(module, name) for module, name in modules if hasattr(module, name)]  # (older trees lack some)
    scenarios = [s.strip() for s in args.scenarios.split(",") if s.strip()]
    print(f"load {os.getloadavg()[0]:.2f}; {setup['rows']:,} rows; {args.calls:,} calls × {args.rounds} rounds")
    for scenario in scenarios:
        batch = environs(setup, workdir, scenario, args.calls)
        run(application, batch[:200])  # warm-up: caches, prepared statements
        best = None
        for round_number in range(args.rounds):
            for timer in timers:
                timer.reset()
            if args.wal and round_number == 0:
                wal_reset()
            if args.mark and round_number == 0:
                os.getppid()  # callgrind --dump-before=getppid: the counts so far go to a dump of their own
            took = run(application, batch) if args.threads == 1 else run_threads(application, batch, args.threads)
            if args.mark and round_number == 0:
                os.getppid()  # …and the round's, to the next one
            if args.wal and round_number == 0:
                wal = wal_frames(len(batch))
            if best is None or took < best[0]:
                best = (took, [(f"{t.name}", t.ns / args.calls / 1000, t.calls / args.calls) for t in timers])
        assert best is not None
        print(f"\n{scenario}: {best[0]:.0f} µs a call (best of {args.rounds}, {args.threads} thread(s))")
        if args.wal:
            print(wal)
        for name, us, per in best[1]:
            if per:
                print(f"    {name:<20} {us:8.1f} µs  ({per:.2g} a call)")
        if args.cprofile == scenario:
            profiler = cProfile.Profile()
            profiler.enable()
            run(application, batch)
            profiler.disable()
            stream = io.StringIO()
            pstats.Stats(profiler, stream=stream).sort_stats("tottime").print_stats(30)
            print(stream.getvalue())

    from zhengwu.exchange.sharing import access_log

    staging = getattr(access_log, "_staging", None)
    if staging is not None:
        print(f"\naccess-log commits (group commit): {staging.batches:,}")
    from zhengwu.exchange.sharing.access_log import seal_pending

    started = time.perf_counter()
    sealed = seal_pending()
    print(f"\nsealed {sealed:,} staged rows in {time.perf_counter() - started:.1f} s; load {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
