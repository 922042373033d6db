"""The remote-copy drill, measured: how much is lost (RPO) and how long until the remote site serves
again (RTO), on SQLite with Litestream and on PostgreSQL with a streaming standby.

    .venv/bin/python bench/recovery_drill.py                          # the demo, both engines
    .venv/bin/python bench/recovery_drill.py --enterprises 1000000    # with the 1M-row 法人 base
    .venv/bin/python bench/recovery_drill.py --engines sqlite --out /tmp/drill.json

Method (each engine, one run; the machine and its load are printed beside the figures)
1. A site of its own (a temporary data directory; on PostgreSQL two clusters of its own, made with
   initdb and run as the `postgres` user, like the drill test `ops/tests/test_replica_pg.py`):
   `migrate`, `demo --enterprises N`. On SQLite `zhengwu serve --no-worker` runs with
   `ZHENGWU_REPLICA_URL=file://<remote dir>` (Litestream, sync every second); on PostgreSQL a
   standby is made with `pg_basebackup -R` and follows by streaming replication.
2. A writer commits a marker row (the wall-clock time of its commit) every 50 ms for `--seconds`
   seconds into a table of the drill's own, on the site's database, while the site serves.
3. The site is lost at once: SIGKILL to the server and Litestream (SQLite); `pg_ctl stop -m
   immediate` (PostgreSQL).
4. The remote site takes over: the database is rebuilt from the replica (`zhengwu replica restore`)
   or the standby is promoted (`pg_ctl promote`); the keys come from the site (in real life: from
   the backup); `zhengwu serve` starts on it, and `/healthz` is polled until it answers 200.
   **RPO** = the last committed marker's time − the newest marker the remote site has.
   **RTO** = from the loss to the first 200 of `/healthz` at the remote site; its parts are shown.
   The 法人 base's row count at the remote site is checked against the site's.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PG_BIN = Path("/usr/lib/postgresql/15/bin")
ENTERPRISES_TABLE_SQL = "SELECT count(*) FROM {table}"
MARKER_EVERY = 0.05


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def environment(data_dir: Path, database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ZHENGWU_", "DATABASE_URL", "REDIS_URL"))}
    env.update(ZHENGWU_DATA_DIR=str(data_dir), DATABASE_URL=database_url, PYTHONPATH=str(ROOT / "src"))
    return env


def zw(env: dict[str, str], *args: str, timeout: int = 3600) -> str:
    result = subprocess.run(  # noqa: S603 - our own command
        [sys.executable, "-m", "zhengwu.cli", *args], env=env, capture_output=True, text=True, timeout=timeout
    )
    if result.returncode != 0:
        raise SystemExit(f"zhengwu {' '.join(args)} → {result.returncode}\n{result.stdout}\n{result.stderr}")
    return result.stdout


def serve(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    return subprocess.Popen(  # noqa: S603 - our own command
        [sys.executable, "-m", "zhengwu.cli", "serve", "--no-worker", "--port", str(port), "--workers", "1"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # the server, its workers and Litestream: one group to kill at once
    )


def healthy(port: int, timeout: float = 600) -> float:
    """Seconds until /healthz answers 200."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as answer:
                if answer.status == 200:
                    return time.monotonic() - started
        except OSError:
            pass
        time.sleep(0.05)
    raise SystemExit(f"/healthz on port {port} did not answer 200 within {timeout} s")


def stop(process: subprocess.Popen[bytes], sig: int = signal.SIGTERM) -> None:
    try:
        os.killpg(process.pid, sig)
    except ProcessLookupError:
        return
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def enterprises_table(env: dict[str, str]) -> str:
    code = "from zhengwu.exchange.store.models import StoreTable\n"
    code += "print(StoreTable.objects.get(resource__name='法人单位基本信息').table_name)"
    return zw(env, "shell", "-c", code).strip().splitlines()[-1]


def write_markers(commit: Callable[[float], None], seconds: float) -> list[float]:
    """Commit a marker every MARKER_EVERY s; the times of those whose commit returned."""
    committed: list[float] = []
    until = time.time() + seconds
    while time.time() < until:
        stamp = time.time()
        commit(stamp)
        committed.append(stamp)
        time.sleep(MARKER_EVERY)
    return committed


# --- SQLite + Litestream -----------------------------------------------------------------------


def drill_sqlite(enterprises: int, seconds: float) -> dict[str, Any]:
    base = Path(tempfile.mkdtemp(prefix="zw-drill-sqlite-"))
    site_dir, remote, dr_dir = base / "site", base / "remote", base / "dr"
    site_db = site_dir / "zhengwu.sqlite3"
    site = environment(site_dir, f"sqlite:///{site_db}")
    try:
        started = time.monotonic()
        zw(site, "migrate", "--noinput", "-v", "0")
        zw(site, "demo", "--enterprises", str(enterprises))
        loaded = time.monotonic() - started
        table = enterprises_table(site)
        with sqlite3.connect(site_db) as db:
            db.execute("CREATE TABLE drill_marker (t REAL NOT NULL)")
            rows = db.execute(ENTERPRISES_TABLE_SQL.format(table=table)).fetchone()[0]
        size = sum(p.stat().st_size for p in site_dir.glob("zhengwu.sqlite3*"))  # with the WAL
        site.update(ZHENGWU_REPLICA_URL=f"file://{remote}", ZHENGWU_REPLICA_SYNC_SECONDS="1")
        port = free_port()
        server = serve(site, port)
        healthy(port)
        copied = time.monotonic()
        probe = base / "probe.sqlite3"
        while True:  # the replica's first full copy, before the measured writes
            probe.unlink(missing_ok=True)
            result = subprocess.run(  # noqa: S603 - our own command
                [sys.executable, "-m", "zhengwu.cli", "replica", "restore", "--to", str(probe), "--from", f"file://{remote}"],
                env=site, capture_output=True, text=True, timeout=3600,
            )  # fmt: skip
            if result.returncode == 0:
                break
            if time.monotonic() - copied > 1800:
                raise SystemExit(f"no replica after 30 minutes: {result.stdout}{result.stderr}")
            time.sleep(1)
        initial_copy = time.monotonic() - copied
        probe.unlink(missing_ok=True)
        writer = sqlite3.connect(site_db, timeout=30, isolation_level=None)
        writer.execute("PRAGMA busy_timeout=30000")

        def commit(stamp: float) -> None:
            writer.execute("INSERT INTO drill_marker (t) VALUES (?)", (stamp,))

        committed = write_markers(commit, seconds)
        stop(server, signal.SIGKILL)  # the site is lost: the server and Litestream die at once
        lost = time.time()
        writer.close()

        dr_dir.mkdir()
        for key in ("data_key", "secret_key"):
            shutil.copy(site_dir / key, dr_dir / key)
        dr = environment(dr_dir, f"sqlite:///{dr_dir / 'zhengwu.sqlite3'}")
        t0 = time.monotonic()
        zw(dr, "replica", "restore", "--to", str(dr_dir / "zhengwu.sqlite3"), "--from", f"file://{remote}")
        restored = time.monotonic() - t0
        dr_port = free_port()
        dr_server = serve(dr, dr_port)
        serving = healthy(dr_port)
        rto = time.time() - lost
        stop(dr_server)
        with sqlite3.connect(dr_dir / "zhengwu.sqlite3") as db:
            newest = db.execute("SELECT max(t) FROM drill_marker").fetchone()[0] or 0.0
            remote_rows = db.execute(ENTERPRISES_TABLE_SQL.format(table=table)).fetchone()[0]
        return {
            "engine": "SQLite + Litestream (file replica, sync 1 s)",
            "enterprises": rows,
            "database_mb": round(size / 1e6),
            "load_s": round(loaded, 1),
            "markers_committed": len(committed),
            "rpo_s": round(committed[-1] - newest, 2),
            "rto_s": round(rto, 1),
            "rto_parts": {"restore_s": round(restored, 1), "serve_s": round(serving, 1)},
            "rows_match": remote_rows == rows,
            "first_full_copy_s": round(initial_copy, 1),
        }
    finally:
        shutil.rmtree(base, ignore_errors=True)


# --- PostgreSQL streaming replication ------------------------------------------------------------


def as_postgres(*argv: str) -> str:
    runuser = shutil.which("runuser") or "/usr/sbin/runuser"
    result = subprocess.run(  # noqa: S603 - fixed binaries, our own temporary paths
        [runuser, "-u", "postgres", "--", *argv], capture_output=True, text=True, timeout=3600, check=False
    )
    if result.returncode != 0:
        raise SystemExit(f"{argv[0]}: {result.stdout}\n{result.stderr}")
    return result.stdout


def scalar(db: Any, sql: str) -> Any:
    """The one value a one-row, one-column query answers."""
    row = db.execute(sql).fetchone()
    return row[0] if row is not None else None


def drill_postgresql(enterprises: int, seconds: float) -> dict[str, Any]:
    import psycopg

    root = Path(tempfile.mkdtemp(prefix="zw-drill-pg-"))
    root.chmod(0o755)
    shutil.chown(root, "postgres", "postgres")
    primary, standby = root / "primary", root / "standby"
    p_port, s_port = free_port(), free_port()
    clusters = [primary]
    try:
        as_postgres(str(PG_BIN / "initdb"), "-D", str(primary), "-U", "postgres", "--auth=trust", "-E", "UTF8")
        with (primary / "pg_hba.conf").open("a") as hba:
            hba.write("host replication postgres 127.0.0.1/32 trust\n")
        options = f"-p {p_port} -k {root} -c listen_addresses=127.0.0.1"
        as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(primary), "-o", options, "-l", str(root / "p.log"), "-w", "start")
        with psycopg.connect(f"postgres://postgres@127.0.0.1:{p_port}/postgres", autocommit=True) as db:
            db.execute("CREATE DATABASE zhengwu")
        site_url = f"postgres://postgres@127.0.0.1:{p_port}/zhengwu"
        site = environment(root / "site", site_url)
        (root / "site").mkdir()
        started = time.monotonic()
        zw(site, "migrate", "--noinput", "-v", "0")
        zw(site, "demo", "--enterprises", str(enterprises))
        loaded = time.monotonic() - started
        table = enterprises_table(site)
        with psycopg.connect(site_url, autocommit=True) as db:
            db.execute("CREATE TABLE drill_marker (t double precision NOT NULL)")
            rows = scalar(db, ENTERPRISES_TABLE_SQL.format(table=table))
            size = scalar(db, "SELECT pg_database_size('zhengwu')")
        as_postgres(
            str(PG_BIN / "pg_basebackup"), "-h", "127.0.0.1", "-p", str(p_port), "-U", "postgres", "-D", str(standby),
            "-R", "-X", "stream", "--checkpoint=fast",
        )  # fmt: skip
        clusters.append(standby)
        options = f"-p {s_port} -k {root} -c listen_addresses=127.0.0.1"
        as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(standby), "-o", options, "-l", str(root / "s.log"), "-w", "start")
        port = free_port()
        server = serve(site, port)
        healthy(port)
        writer = psycopg.connect(site_url, autocommit=True)

        def commit(stamp: float) -> None:
            writer.execute("INSERT INTO drill_marker (t) VALUES (%s)", (stamp,))

        committed = write_markers(commit, seconds)
        as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(primary), "-m", "immediate", "-w", "stop")
        lost = time.time()
        stop(server, signal.SIGKILL)
        writer.close()
        t0 = time.monotonic()
        as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(standby), "-w", "promote")
        promoted = time.monotonic() - t0
        dr_dir = root / "dr"
        dr_dir.mkdir()
        for key in ("data_key", "secret_key"):
            shutil.copy(root / "site" / key, dr_dir / key)
        dr_url = f"postgres://postgres@127.0.0.1:{s_port}/zhengwu"
        dr_port = free_port()
        dr_server = serve(environment(dr_dir, dr_url), dr_port)
        serving = healthy(dr_port)
        rto = time.time() - lost
        stop(dr_server)
        with psycopg.connect(dr_url) as db:
            newest = scalar(db, "SELECT max(t) FROM drill_marker") or 0.0
            remote_rows = scalar(db, ENTERPRISES_TABLE_SQL.format(table=table))
        return {
            "engine": "PostgreSQL 15 streaming standby",
            "enterprises": rows,
            "database_mb": round(size / 1e6),
            "load_s": round(loaded, 1),
            "markers_committed": len(committed),
            "rpo_s": round(committed[-1] - newest, 2),
            "rto_s": round(rto, 1),
            "rto_parts": {"promote_s": round(promoted, 1), "serve_s": round(serving, 1)},
            "rows_match": remote_rows == rows,
        }
    finally:
        for data in clusters:
            if (data / "postmaster.pid").exists():
                subprocess.run(  # noqa: S603
                    [shutil.which("runuser") or "/usr/sbin/runuser", "-u", "postgres", "--", str(PG_BIN / "pg_ctl"),
                     "-D", str(data), "-m", "immediate", "-w", "stop"],
                    capture_output=True, check=False,
                )  # fmt: skip
        shutil.rmtree(root, ignore_errors=True)


def machine() -> dict[str, Any]:
    return {
        "cpus": os.cpu_count(),
        "cpu": platform.processor() or platform.machine(),
        "load_average": [round(x, 1) for x in os.getloadavg()],
        "python": platform.python_version(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--enterprises", type=int, default=200, help="rows of the demo's 法人 base")
    parser.add_argument("--seconds", type=float, default=15.0, help="how long the writer writes before the loss")
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    results: dict[str, Any] = {"machine": machine(), "runs": []}
    drills = {"sqlite": drill_sqlite, "postgresql": drill_postgresql}
    for name in args.engines.split(","):
        run = drills[name.strip()](args.enterprises, args.seconds)
        results["runs"].append(run)
        print(json.dumps(run, ensure_ascii=False))
    results["machine"]["load_average_after"] = [round(x, 1) for x in os.getloadavg()]
    print("\n| engine | 法人 rows | DB size | RPO | RTO (parts) | rows match |")
    print("|---|---:|---:|---:|---|---|")
    for run in results["runs"]:
        parts = ", ".join(f"{k.removesuffix('_s')} {v} s" for k, v in run["rto_parts"].items())
        print(
            f"| {run['engine']} | {run['enterprises']:,} | {run['database_mb']} MB | {run['rpo_s']} s "
            f"| {run['rto_s']} s ({parts}) | {'yes' if run['rows_match'] else 'NO'} |"
        )
    if args.out:
        args.out.write_text(json.dumps(results, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
