"""Two app nodes on one PostgreSQL: throughput per node and of both, and the audit chain under two writers.

    .venv/bin/python bench/two_nodes.py                       # 3 rounds of 10 s per figure
    .venv/bin/python bench/two_nodes.py --rounds 3 --duration 10 --clients 8

Method
1. A PostgreSQL database of its own (`zhengwu_bench_nodes_<random>`, dropped at the end), `migrate`,
   `demo --enterprises 200`; the demo grant's per-minute limit raised (SQL) so that the figures are
   of the path, not of 429 answers. Node A and node B: `zhengwu serve --no-worker --workers 1`, each
   with its own data directory and the same `data_key`/`secret_key`; one Huey worker (`run_huey`,
   Redis) seals the access log every minute, as in production.
2. Keyed lookup: `GET /api/v1/exchange/102001/001/records/{key}` with the demo token and purpose
   (token, grant, masking, the access-log entry staged before the answer), random keys of the 200,
   from `--clients` Python threads with keep-alive connections (wrk when installed is not used: the
   same client for every figure). Letters: `POST /participation/letters/write/` by logged-in citizens
   (form GET for the CSRF token, then the POST: an audited write with a number drawn per letter).
   Each figure: node A alone (all clients on A), node B alone, both (half the clients on each).
3. Audit chain: during the two-node letter runs, audit events appended per second (from the
   sequence numbers) and `pg_stat_activity` sampled every 20 ms: how many of the platform's active
   backends wait on a lock, and on what (`transactionid`/`tuple` = the chain's head row).
4. Medians of `--rounds` rounds, the machine (`nproc`, `lscpu`) and its load; results to
   `--out` (JSON) and printed as Markdown for docs/scaling.md.

The client runs on the same 2 cores as both nodes, PostgreSQL and Redis: two nodes here show
contention and correctness, not speed-up.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from zhengwu.tests.test_two_nodes import (  # noqa: E402 - after the path is set
    HOST,
    LEGAL,
    PG_ADMIN,
    PURPOSE,
    Session,
    csrf,
    free_port,
    login,
    sql,
)

LOCK_SAMPLE = """
SELECT wait_event_type, wait_event, left(query, 60) FROM pg_stat_activity
WHERE datname = %s AND state = 'active' AND pid <> pg_backend_pid()
"""


def log(text: str) -> None:
    print(text, flush=True)


def machine() -> dict[str, str]:
    lscpu = subprocess.run(["lscpu"], capture_output=True, text=True, check=False).stdout.splitlines()[:10]  # noqa: S607
    return {
        "nproc": str(os.cpu_count()),
        "lscpu": "\n".join(lscpu),
        "load": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "python": sys.version.split()[0],
    }


class Cluster:
    def __init__(self, root: Path, database: str) -> None:
        self.root = root
        self.database = database
        self.url = f"postgres://postgres@{HOST}:5432/{database}"
        self.queue = f"zhengwubench{secrets.token_hex(4)}"  # Huey keys its Redis data by it
        self.processes: list[subprocess.Popen[bytes]] = []

    def env(self, data_dir: Path) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("ZHENGWU_", "DATABASE_URL", "REDIS_URL"))}
        env.update(
            DATABASE_URL=self.url,
            REDIS_URL=f"redis://{HOST}:6379/0",
            ZHENGWU_DATA_DIR=str(data_dir),
            ZHENGWU_TEST_QUEUE=self.queue,
            DJANGO_SETTINGS_MODULE="zhengwu.tests.nodes_settings",
            PYTHONPATH=str(ROOT / "src"),
        )
        return env

    def zw(self, data_dir: Path, *args: str) -> str:
        result = subprocess.run(  # noqa: S603 - our own command
            [sys.executable, "-m", "zhengwu.cli", *args],
            env=self.env(data_dir),
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
        if result.returncode != 0:
            raise SystemExit(f"zhengwu {' '.join(args)} → {result.returncode}\n{result.stderr[-3000:]}")
        return result.stdout

    def start(self, name: str, data_dir: Path, *args: str) -> None:
        out = (self.root / f"{name}.log").open("wb")
        self.processes.append(
            subprocess.Popen(  # noqa: S603 - our own command
                [sys.executable, "-m", "zhengwu.cli", *args],
                env=self.env(data_dir),
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        )

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)


def wait_healthy(base: str, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if Session(base).get("/healthz").status == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"{base} not healthy within {seconds:.0f} s")


def run_clients(clients: list[Callable[[threading.Event], int]], duration: float) -> tuple[int, float]:
    """Run every client until `duration` is over; (successful operations, seconds)."""
    stop = threading.Event()
    counts: list[int] = [0] * len(clients)

    def body(i: int) -> None:
        counts[i] = clients[i](stop)

    threads = [threading.Thread(target=body, args=(i,)) for i in range(len(clients))]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    time.sleep(duration)
    stop.set()
    for thread in threads:
        thread.join(timeout=120)
    return sum(counts), time.monotonic() - started


def lookup_client(port: int, token: str, keys: list[str], seed: int) -> Callable[[threading.Event], int]:
    headers = {"Authorization": f"Bearer {token}", "X-Purpose": urllib.parse.quote(PURPOSE)}

    def client(stop: threading.Event) -> int:
        rng = random.Random(seed)
        connection = http.client.HTTPConnection(HOST, port, timeout=60)
        done = 0
        while not stop.is_set():
            connection.request("GET", f"/api/v1/exchange/{LEGAL}/records/{rng.choice(keys)}", headers=headers)
            response = connection.getresponse()
            response.read()
            if response.status != 200:
                raise SystemExit(f"lookup → {response.status}")
            done += 1
        connection.close()
        return done

    return client


def letter_client(session: Session) -> Callable[[threading.Event], int]:
    def client(stop: threading.Event) -> int:
        done = 0
        while not stop.is_set():
            form = session.get("/participation/letters/write/")
            answer = session.request(
                "POST",
                "/participation/letters/write/",
                {
                    "csrfmiddlewaretoken": csrf(form.text),
                    "channel": "mayor",
                    "kind": "suggest",
                    "title": "压测来信",
                    "content": "建议延长政务服务大厅周末开放时间。",
                },
            )
            if answer.status != 302:
                raise SystemExit(f"letter → {answer.status}")
            done += 1
        return done

    return client


class LockSampler:
    """pg_stat_activity every 20 ms while a run lasts: active backends, and those waiting on a lock."""

    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster
        self.stop = threading.Event()
        self.active = 0
        self.waits: Counter[str] = Counter()
        self.samples = 0
        self.thread = threading.Thread(target=self.run)

    def run(self) -> None:
        import psycopg

        with psycopg.connect(self.cluster.url, autocommit=True) as connection:
            while not self.stop.is_set():
                for kind, event, query in connection.execute(LOCK_SAMPLE, (self.cluster.database,)).fetchall():
                    self.active += 1
                    if kind == "Lock":
                        head = "audit head" if "auditchainhead" in (query or "") else (query or "")[:40]
                        self.waits[f"{event} ({head})"] += 1
                self.samples += 1
                time.sleep(0.02)

    def __enter__(self) -> LockSampler:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join(timeout=30)


APPENDER = """
import time
from zhengwu.audit.services import record_action
from zhengwu.audit.write import AuditAction
from zhengwu.core.actors import Actor
class BenchAction(AuditAction):
    APPEND = "bench.append"
platform = Actor.platform()
start, end = {start}, {end}
while time.time() < start:
    time.sleep(0.005)
n = 0
while time.time() < end:
    record_action(platform, BenchAction.APPEND, details={{"n": n}})
    n += 1
print("appended", n)
"""


def chain_appends(cluster: Cluster, writers: int, duration: float) -> tuple[float, LockSampler]:
    """Audit events/s appended by `writers` processes at once (the audit app's own append, through
    `zhengwu shell`: no HTTP, no other table), with pg_stat_activity sampled meanwhile."""
    start = time.time() + 15  # every process has set up Django by then
    code = APPENDER.format(start=start, end=start + duration)
    processes = [
        subprocess.Popen(  # noqa: S603 - our own command
            [sys.executable, "-m", "zhengwu.cli", "shell", "--no-imports", "-c", code],
            env=cluster.env(cluster.root / "a"),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for _ in range(writers)
    ]
    time.sleep(max(0.0, start - time.time()))
    with LockSampler(cluster) as sampler:
        outputs = [process.communicate(timeout=duration + 120)[0] for process in processes]
    counts = [int(m.group(1)) for out in outputs for m in [re.search(r"appended (\d+)", out)] if m]
    if len(counts) != writers:
        raise SystemExit("an appender failed:\n" + "\n".join(outputs)[-3000:])
    return sum(counts) / duration, sampler


def audit_head(cluster: Cluster) -> int:
    return int(sql(cluster.url, "SELECT COALESCE(max(seq), 0) FROM audit_auditevent")[0][0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per figure and round")
    parser.add_argument("--clients", type=int, default=8, help="client threads per figure (split over both nodes)")
    parser.add_argument("--workdir", default="/tmp/zhengwu-bench-nodes")  # noqa: S108 - a scratch directory
    parser.add_argument("--out", default="", help="results JSON (default WORKDIR/results.json)")
    args = parser.parse_args()
    root = Path(args.workdir)
    shutil.rmtree(root, ignore_errors=True)
    (root / "a").mkdir(parents=True)
    (root / "b").mkdir()
    database = f"zhengwu_bench_nodes_{secrets.token_hex(4)}"
    assert database.startswith("zhengwu_bench")  # the only databases a benchmark may drop
    sql(PG_ADMIN, f'CREATE DATABASE "{database}"')
    cluster = Cluster(root, database)
    results: dict[str, Any] = {"machine": machine(), "rounds": args.rounds, "duration": args.duration}
    try:
        started = time.monotonic()
        cluster.zw(root / "a", "migrate", "--noinput", "-v", "0")
        cluster.zw(root / "a", "demo", "--enterprises", "200")
        log(f"migrate + demo: {time.monotonic() - started:.0f} s")
        for name in ("data_key", "secret_key", "demo_api_token"):
            shutil.copy2(root / "a" / name, root / "b" / name)
        token = (root / "a" / "demo_api_token").read_text().strip()
        sql(cluster.url, "UPDATE exchange_grant SET rate_limit_per_minute = 1000000000")
        ports = free_port(), free_port()
        for name, port in zip("ab", ports, strict=True):
            cluster.start(
                f"node-{name}",
                root / name,
                "serve",
                "--no-worker",
                "--host",
                HOST,
                "--port",
                str(port),
                "--workers",
                "1",
            )
        cluster.start("worker", root / "a", "run_huey")
        bases = [f"http://{HOST}:{port}" for port in ports]
        for base in bases:
            wait_healthy(base)
        feed = Session(bases[0]).get(
            f"/api/v1/exchange/{LEGAL}/changes?limit=200",
            headers={"Authorization": f"Bearer {token}", "X-Purpose": urllib.parse.quote(PURPOSE)},
        )
        keys = [row["credit_code"] for row in json.loads(feed.text)["changes"]]
        sessions = {
            base: [login(base, f"citizen{n:02d}") for n in range(1 + i * 10, 1 + i * 10 + args.clients)]
            for i, base in enumerate(bases)
        }
        layouts = {"node A": [0] * args.clients, "node B": [1] * args.clients}
        layouts["A + B"] = [i % 2 for i in range(args.clients)]

        figures: dict[str, dict[str, list[float]]] = {"lookup": {}, "letters": {}}
        audit_rates: list[float] = []
        waits: Counter[str] = Counter()
        active = 0
        for round_ in range(args.rounds):
            for layout, where in layouts.items():
                clients = [
                    lookup_client(ports[node], token, keys, seed=round_ * 100 + i) for i, node in enumerate(where)
                ]
                done, seconds = run_clients(clients, args.duration)
                figures["lookup"].setdefault(layout, []).append(done / seconds)
                log(f"round {round_ + 1} lookup {layout}: {done / seconds:.0f}/s")
            for layout, where in layouts.items():
                per_node: dict[int, int] = {0: 0, 1: 0}
                clients = []
                for node in where:
                    clients.append(letter_client(sessions[bases[node]][per_node[node] % args.clients]))
                    per_node[node] += 1
                head = audit_head(cluster)
                with LockSampler(cluster) as sampler:
                    done, seconds = run_clients(clients, args.duration)
                appended = audit_head(cluster) - head
                figures["letters"].setdefault(layout, []).append(done / seconds)
                log(f"round {round_ + 1} letters {layout}: {done / seconds:.1f}/s, audit {appended / seconds:.1f}/s")
                if layout == "A + B":
                    audit_rates.append(appended / seconds)
                    waits.update(sampler.waits)
                    active += sampler.active
        chain: dict[int, list[float]] = {1: [], 2: []}
        chain_waits: Counter[str] = Counter()
        chain_active = 0
        for round_ in range(args.rounds):
            for writers in (1, 2):
                rate, sampler = chain_appends(cluster, writers, args.duration)
                chain[writers].append(rate)
                log(f"round {round_ + 1} audit chain, {writers} writer(s): {rate:.0f} appends/s")
                if writers == 2:
                    chain_waits.update(sampler.waits)
                    chain_active += sampler.active
        results["audit_chain_appends_per_s"] = {str(w): statistics.median(r) for w, r in chain.items()}
        results["audit_chain_lock_waits"] = {
            "active_backend_samples": chain_active,
            "waiting": dict(chain_waits.most_common(8)),
        }
        results["median"] = {
            kind: {layout: statistics.median(values) for layout, values in rows.items()}
            for kind, rows in figures.items()
        }
        results["runs"] = figures
        results["audit_appends_per_s_two_writers"] = statistics.median(audit_rates)
        results["lock_waits"] = {"active_backend_samples": active, "waiting": dict(waits.most_common(8))}
        verify = cluster.zw(root / "b", "audit", "verify")
        results["audit_verify"] = [line for line in verify.splitlines() if "完整" in line]
        numbers = sql(
            cluster.url, "SELECT count(*), count(DISTINCT number) FROM participation_letter WHERE title = '压测来信'"
        )[0]
        results["letters_written"], results["letter_numbers_distinct"] = numbers
        results["machine"]["load_after"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    finally:
        cluster.stop()
        sql(PG_ADMIN, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        import redis

        client = redis.Redis(host=HOST, port=6379, db=0)
        for key in list(client.scan_iter(match=f"huey.*{cluster.queue}*", count=1000))[:10_000]:
            client.delete(key)
        client.close()
    out = Path(args.out) if args.out else root / "results.json"
    out.write_text(json.dumps(results, ensure_ascii=False, indent=2))
    log(json.dumps(results, ensure_ascii=False, indent=2))
    m = results["median"]
    log("\n| work | node A alone | node B alone | A + B (half the clients each) |\n|---|---|---|---|")
    log(f"| keyed lookups/s | {m['lookup']['node A']:.0f} | {m['lookup']['node B']:.0f} | {m['lookup']['A + B']:.0f} |")
    log(f"| letters/s | {m['letters']['node A']:.1f} | {m['letters']['node B']:.1f} | {m['letters']['A + B']:.1f} |")
    c = results["audit_chain_appends_per_s"]
    cw = results["audit_chain_lock_waits"]
    log(
        f"audit chain appends/s: one writer {c['1']:.0f}, two writers {c['2']:.0f}; lock waits "
        f"{sum(cw['waiting'].values())} of {cw['active_backend_samples']} active-backend samples: {cw['waiting']}"
    )
    w = results["lock_waits"]
    log(
        f"audit appends/s under two writers: {results['audit_appends_per_s_two_writers']:.1f}; "
        f"lock waits: {sum(w['waiting'].values())} of {w['active_backend_samples']} active-backend samples"
    )


if __name__ == "__main__":
    main()
