"""Query benchmark: the exchange's reads (keyed lookup, filtered search on queryable items, change
feed) through the query API beside Datasette on the same rows with the same indexes, and the keyed
lookup beside a bare Django view; wrk at 8 and at 64 connections (issue 21).

    .venv/bin/python bench/query_bench.py                      # 1,000,000 法人 rows, SQLite
    .venv/bin/python bench/query_bench.py --rows 200000 --duration 10s
    .venv/bin/python bench/query_bench.py --scenarios search-region,search-name --connections 64
    .venv/bin/python bench/query_bench.py --postgres postgres://postgres@127.0.0.1:5432/zhengwu_bench_exchange

Needs `wrk` (apt-get install -y wrk) and Datasette 0.65 in its own venv
(python3 -m venv /tmp/dsvenv && /tmp/dsvenv/bin/pip install "datasette==0.65.*"; --datasette PATH).

1. A fresh ZHENGWU_DATA_DIR: migrate, `zhengwu demo` (publishes 法人单位基本信息 of 市场监督管理厅,
   key 统一社会信用代码), N synthetic rows loaded through `exchange.ingest.ingest_file` (full
   validation), a share request of 公安厅 (无条件共享 → granted at once), an API client with scope
   exchange:query for 公安厅 created by `sysadmin`. The grant's per-minute limit is raised (ORM
   update) so that the benchmark measures the path, not the 429 answer.
2. The same rows exported to a separate SQLite file (credit code as PRIMARY KEY, a `_seq` column)
   for Datasette, with the store's indexes: (item, credit code) for each of the three queryable
   items the demo declares, and `_seq`. The rows spread over 1,000 counties, so a region filter
   matches rows / 1,000 records (1,000 at a million rows); an `org_name` filter matches one.
   Scenarios (each request picks a random value from a list of up to 10,000):
   * lookup: `…/records/{key}`, the bare view's `/bench/bare/{key}`, Datasette's `/db/enterprises/{key}.json`;
   * search-region / search-name: `…/records?region_code=` / `?org_name=` (a page of 20), Datasette's
     `/db/enterprises.json?region_code=…&_size=20` (with `_nocount=1&_nofacet=1&_nosuggest=1`);
   * changes: `…/changes?limit=100&since=N`, Datasette's `…?_sort=_seq&_seq__gt=N&_size=100`.
3. Three servers on 127.0.0.1, started together and measured in turn, round after round (bare,
   API, Datasette; `--repeat` rounds), so that a machine that slows down or speeds up during the
   run (these are shared VMs) weighs on all three alike:
   * zhengwu: `zhengwu serve --workers W` (granian + Huey), `GET /api/v1/exchange/
     {resource}/records/{key}` with Bearer token and X-Purpose: token check, grant, rate-limit
     window count, masking, hash-chained access log committed before the answer;
   * bare: the same `zhengwu serve` with bench_settings (bench_urls), `GET /bench/bare/{key}`:
     the same SELECT on the same table, JSON out, nothing else;
   * Datasette (single process, as designed; `--immutable`): `GET /db/enterprises/{key}.json`.
   During each API run a sealer beside the server (at the consumer's priority, nice 5) seals
   the access-log rows the calls stage, every second, so the run pays for the sealing it causes
   (the server's own consumer seals only once a minute, which a 30 s run may miss); the few
   rows left when the run ends are sealed before the next server's run and reported. Each run:
   a warm-up, then `wrk --latency -t2 -cC -dD` with a Lua script picking random keys from the
   same list of 10,000 keys; the median run (by req/s) of each server is reported.
4. Prints a Markdown table with req/s, p50/p99 and errors (non-2xx and timeouts) per scenario,
   connection count and server, and the ratios against issue 21's targets (≥ 5× Datasette for the
   lookup and the searches, ≥ 3× for the feed, ≥ 1.0× the bare view).
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import os
import random
import re
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(BENCH))

# The Huey consumer's priority (zhengwu.core.management.commands.serve), for the sealer beside the API.
CONSUMER_NICE = 5
RESOURCE_NAME = "法人单位基本信息"
PURPOSE = "案件协查"
HEADER = ["统一社会信用代码", "单位名称", "法定代表人", "注册资本（万元）", "成立日期", "登记状态", "住所",
          "所属行政区划"]  # fmt: skip
COLUMNS = ["credit_code", "org_name", "legal_representative", "registered_capital", "established_on", "status",
           "address", "region_code"]  # fmt: skip
STATES = ["存续", "在业", "吊销", "注销"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚"
WORDS = ["长春", "吉林", "四平", "通化", "白山", "松原", "白城", "延边", "辽源", "梅河口"]
TRADES = ["商贸", "科技", "农业", "建筑", "物流", "餐饮", "医药", "机械", "电子", "文化"]

LUA = r"""
local keys = {}
local prefix, suffix = "", ""
function init(args)
  for line in io.lines(args[1]) do keys[#keys + 1] = line end
  prefix = args[2]
  suffix = args[3] or ""
  math.randomseed(os.time() * 1000 + (tonumber(tostring({}):match("0x(%x+)"), 16) or 0) % 1000)
end
function request()
  return wrk.format("GET", prefix .. keys[math.random(#keys)] .. suffix)
end
"""


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def machine() -> str:
    model = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    return f"{os.cpu_count()} CPU (nproc), {model or 'unknown CPU'}, Python {sys.version.split()[0]}"


# --- setup (runs in a child with the bench settings) -------------------------------------------

REGIONS = 1000  # the rows spread over this many counties: a region filter matches rows / 1,000


def search_counties() -> list[str]:
    """The first `REGIONS` county-level codes of the country, in code order."""
    from zhengwu.core import regions

    return sorted(code for code in regions.all_codes() if not code.endswith("00"))[:REGIONS]


def generate(path: Path, rows: int, seed: int = 2026) -> None:
    from zhengwu.core.idnumbers import CREDIT_CHARSET, make_credit_code

    rng = random.Random(seed)
    counties = search_counties()
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        chars = CREDIT_CHARSET
        for index in range(rows):
            body = "".join(chars[(index // 31**k) % 31] for k in range(7, -1, -1))
            region = counties[index % len(counties)]
            writer.writerow([
                make_credit_code("91", region, body),
                f"{WORDS[index % 10]}{TRADES[(index // 10) % 10]}{index}有限公司",
                rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
                f"{rng.randint(1, 100000)}.{rng.randint(0, 99):02d}",
                f"{rng.randint(1990, 2025)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                STATES[index % 4],
                f"吉林省{WORDS[index % 10]}市{rng.randint(1, 999)}号",
                region,
            ])  # fmt: skip


def setup_child(workdir: Path, rows: int) -> None:
    import django

    django.setup()
    from datetime import timedelta

    from django.core.management import call_command
    from django.utils import timezone

    from zhengwu.accounts.models import ApiClient, User
    from zhengwu.accounts.services import apiclient_create
    from zhengwu.catalog.models import Resource
    from zhengwu.core.actors import Actor
    from zhengwu.exchange.sharing import services as sharing
    from zhengwu.exchange.sharing.models import Grant
    from zhengwu.exchange.store.ingest import ingest_file
    from zhengwu.exchange.store.tables import count_records

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("demo", verbosity=0)
    log(f"migrate + demo: {time.perf_counter() - started:.1f} s")
    resource = Resource.objects.get(name=RESOURCE_NAME, state=Resource.State.PUBLISHED)
    csv_path = workdir / f"enterprises-{rows}.csv"
    if not csv_path.exists():
        started = time.perf_counter()
        generate(csv_path, rows)
        log(f"generated {rows:,} rows: {time.perf_counter() - started:.1f} s")
    loader = User.objects.get(username="scjgt.data")
    started = time.perf_counter()
    result = ingest_file(actor=Actor.person(loader), resource=resource, path=csv_path, mode="replace")
    if not result.ok:
        sys.exit(f"load failed: {result.message} {result.errors[:5]}")
    assert count_records(resource) == rows, count_records(resource)
    log(f"ingest_file {rows:,} rows: {time.perf_counter() - started:.1f} s")

    clerk = User.objects.get(username="gat.clerk")
    assert clerk.department is not None, "the demo's 公安厅 clerk belongs to 公安厅"
    today = timezone.localdate()
    share_request = sharing.share_request_create(
        actor=Actor.person(clerk),
        resource=resource,
        item_codes=COLUMNS,
        purpose=PURPOSE,
        legal_basis="《中华人民共和国人民警察法》",
        period_start=today,
        period_end=today + timedelta(days=365),
    )
    grant = Grant.objects.get(request=share_request)
    Grant.objects.filter(pk=grant.pk).update(rate_limit_per_minute=1_000_000_000)
    _, token = apiclient_create(
        actor=Actor.person(User.objects.get(username="sysadmin")),
        name="吉林省公安厅业务系统（基准）",
        department=clerk.department,
        scopes=[ApiClient.Scope.EXCHANGE_QUERY],
        expires_at=timezone.now() + timedelta(days=30),
    )

    # Datasette's own copy of the same rows.
    ds_path = workdir / "db.db"
    ds_path.unlink(missing_ok=True)
    db = sqlite3.connect(ds_path)
    db.execute(
        "CREATE TABLE enterprises (credit_code TEXT PRIMARY KEY, org_name TEXT, legal_representative TEXT, "
        "registered_capital TEXT, established_on TEXT, status TEXT, address TEXT, region_code TEXT, "
        "_seq INTEGER NOT NULL)"
    )
    with csv_path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        db.executemany(
            "INSERT INTO enterprises VALUES (?,?,?,?,?,?,?,?,?)", ((*row, n) for n, row in enumerate(reader, 1))
        )
    # The same indexes as the store's: the queryable items' on (item, key), and the feed's on _seq.
    for item in ("region_code", "legal_representative", "org_name"):
        db.execute(f"CREATE INDEX enterprises_{item} ON enterprises ({item}, credit_code)")
    db.execute("CREATE UNIQUE INDEX enterprises_seq ON enterprises (_seq)")
    db.commit()
    keys = [r[0] for r in db.execute("SELECT credit_code FROM enterprises")]
    names = [r[0] for r in db.execute("SELECT org_name FROM enterprises")]
    db.close()
    pick = random.Random(7)
    sample = pick.sample(keys, min(10_000, len(keys)))
    (workdir / "keys.txt").write_text("\n".join(sample) + "\n")
    # The values each scenario's requests pick from (percent-encoded as sent).
    values = {
        "regions": search_counties(),
        "names": [quote(name) for name in pick.sample(names, min(10_000, len(names)))],
        "seqs": [str(pick.randrange(0, max(1, rows - 100))) for _ in range(10_000)],
    }
    for name, lines in values.items():
        (workdir / f"{name}.txt").write_text("\n".join(lines) + "\n")
    (workdir / "setup.json").write_text(
        json.dumps({"token": token, "resource": resource.code, "rows": rows, "grant": grant.pk})
    )


# --- servers and wrk ---------------------------------------------------------------------------


def wait_http(url: str, headers: dict[str, str], timeout: float = 60) -> tuple[int, bytes]:
    deadline = time.time() + timeout
    while True:
        try:
            with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=30) as response:  # noqa: S310
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()
        except OSError:
            if time.time() > deadline:
                raise
            time.sleep(0.3)


def port_free(port: int) -> bool:
    import socket

    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


def start(argv: list[str], env: dict[str, str], logfile: Path) -> subprocess.Popen[bytes]:
    handle = logfile.open("wb")
    return subprocess.Popen(argv, env=env, stdout=handle, stderr=subprocess.STDOUT, process_group=0)  # noqa: S603


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def to_ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    assert match, text
    value, unit = float(match[1]), match[2]
    return value * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def _wrk_field(pattern: str, out: str) -> str:
    """One figure from wrk's report; a missing one means wrk failed, so say so plainly."""
    found = re.search(pattern, out)
    if found is None:
        raise SystemExit(f"wrk's output has no line matching {pattern!r}:\n{out}")
    return found[1]


def wrk(url_base: str, prefix: str, suffix: str, headers: dict[str, str], args: argparse.Namespace, workdir: Path,
        duration: str, values: str = "keys", connections: int | None = None) -> dict[str, Any]:  # fmt: skip
    script = workdir / "keys.lua"
    argv = ["wrk", "--latency", "-t", str(args.threads), "-c", str(connections or args.connections), "-d", duration,
            "--timeout", "10s", "-s", str(script)]  # fmt: skip
    for name, value in headers.items():
        argv += ["-H", f"{name}: {value}"]
    argv += [url_base, "--", str(workdir / f"{values}.txt"), prefix, suffix]
    out = subprocess.run(argv, capture_output=True, text=True, check=True, timeout=600).stdout  # noqa: S603
    load = os.getloadavg()[0]
    rps = float(_wrk_field(r"Requests/sec:\s+([\d.]+)", out))
    dist = dict(re.findall(r"^\s+(50|75|90|99)%\s+(\S+)", out, re.M))
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors:.*", out)
    total = int(_wrk_field(r"(\d+) requests in", out))
    timeouts = re.search(r"timeout (\d+)", errors[0]) if errors else None
    return {
        "rps": rps,
        "p50": to_ms(dist["50"]),
        "p99": to_ms(dist["99"]),
        "non2xx": int(bad[1]) if bad else 0,
        "requests": total,
        "socket_errors": errors[0] if errors else "",
        "errors": (int(bad[1]) if bad else 0) + (int(timeouts[1]) if timeouts else 0),
        "load1": load,
    }


def measure(name: str, url_base: str, prefix: str, suffix: str, headers: dict[str, str], args: argparse.Namespace,
            workdir: Path, values: str = "keys", connections: int | None = None) -> dict[str, Any]:  # fmt: skip
    """One warm-up, then one measured run."""
    wrk(url_base, prefix, suffix, headers, args, workdir, args.warmup, values, connections)
    result = wrk(url_base, prefix, suffix, headers, args, workdir, args.duration, values, connections)
    log(
        f"{name}: {result['rps']:.0f} req/s, p50 {result['p50']:.2f} ms, p99 {result['p99']:.2f} ms, "
        f"non-2xx {result['non2xx']}, load1 {result['load1']:.2f} {result['socket_errors']}"
    )
    return result


def summary(runs: list[dict[str, Any]]) -> dict[str, Any]:
    median = sorted(runs, key=lambda r: r["rps"])[len(runs) // 2]
    return {
        **median,
        "rps_median": statistics.median(r["rps"] for r in runs),
        "p50_median": statistics.median(r["p50"] for r in runs),
        "p99_median": statistics.median(r["p99"] for r in runs),
        "non2xx_total": sum(r["non2xx"] for r in runs),
        "load_max": max(r["load1"] for r in runs),
        "all": runs,
    }


SEALER = """
import signal, time
from zhengwu.exchange.sharing import access_log
stopping = []
signal.signal(signal.SIGTERM, lambda *_: stopping.append(1))
sealed = 0
while not stopping:
    sealed += access_log.seal_pending(pause=0.02)
    time.sleep(1)
print(sealed)
"""


@contextlib.contextmanager
def sealing_beside(zhengwu_bin: str, env: dict[str, str], workdir: Path) -> Iterator[None]:
    """A sealer at the consumer's priority, sealing every second while the block runs."""
    with (workdir / "sealer.log").open("ab") as out:
        sealer = subprocess.Popen(  # noqa: S603 - our own command
            [zhengwu_bin, "shell", "--no-imports", "-c", SEALER],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            preexec_fn=lambda: os.nice(CONSUMER_NICE),
        )
    try:
        yield
    finally:
        sealer.send_signal(signal.SIGTERM)
        sealer.wait(timeout=120)


def zhengwu_shell(zhengwu_bin: str, env: dict[str, str], code: str) -> str:
    """What `zhengwu shell -c CODE` prints, in the benchmark's environment."""
    return subprocess.run(  # noqa: S603 - our own command
        [zhengwu_bin, "shell", "--no-imports", "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout.strip()


def seal_backlog(zhengwu_bin: str, env: dict[str, str]) -> tuple[int, float]:
    """Seal every staged access-log row now; (rows, seconds). Stops the benchmark if rows stay
    staged: a row that fails its MAC blocks sealing, and the API's runs would then be measured
    without the sealing they cause (`zhengwu audit verify` names the row)."""
    out = zhengwu_shell(
        zhengwu_bin,
        env,
        "import time; from zhengwu.exchange.sharing import access_log; from zhengwu.exchange.sharing.models import "
        "AccessLogPending; t = time.perf_counter(); n = access_log.seal_pending(); "
        "print(n, time.perf_counter() - t, AccessLogPending.objects.count())",
    ).split()
    if int(out[-1]):
        sys.exit(f"{out[-1]} access-log rows stay staged after sealing (a MAC fails?): see zhengwu audit verify")
    return int(out[-3]), float(out[-2])


def _pg_bench_database(url: str) -> tuple[str, str]:
    """(database name, the server's maintenance URL); only a database named zhengwu_bench… may be dropped."""
    from urllib.parse import urlparse

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    if not re.fullmatch(r"zhengwu_bench[a-z0-9_]*", name):
        sys.exit(f"give a PostgreSQL database of the benchmark's own, named zhengwu_bench… (it is dropped): {name!r}")
    return name, parsed._replace(path="/postgres").geturl()


def pg_drop(url: str) -> None:
    name, admin = _pg_bench_database(url)
    subprocess.run(["psql", admin, "-v", "ON_ERROR_STOP=1", "-qc", f'DROP DATABASE IF EXISTS "{name}"'], check=True)  # noqa: S603, S607


def pg_recreate(url: str) -> None:
    """Drop and create the benchmark's PostgreSQL database (used by every benchmark with --postgres)."""
    pg_drop(url)
    name, admin = _pg_bench_database(url)
    subprocess.run(["psql", admin, "-v", "ON_ERROR_STOP=1", "-qc", f'CREATE DATABASE "{name}"'], check=True)  # noqa: S603, S607


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--duration", default="15s", help="each measured wrk run (default 15s)")
    parser.add_argument("--warmup", default="3s")
    parser.add_argument("--connections", default="8,64", help="wrk connections, comma-separated (default 8,64)")
    parser.add_argument("--scenarios", default="lookup,search-region,search-name,changes",
                        help="comma-separated: lookup, search-region, search-name, changes")  # fmt: skip
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--repeat", type=int, default=3, help="rounds (each: bare, API, Datasette)")
    parser.add_argument("--workers", type=int, default=2, help="web workers of zhengwu serve (both Django servers)")
    parser.add_argument("--port", type=int, default=18931, help="zhengwu; Datasette on the next port")
    parser.add_argument("--datasette", default="/tmp/dsvenv/bin/datasette")  # noqa: S108
    parser.add_argument("--postgres", metavar="URL", help="also (instead) run on this PostgreSQL database (dropped "
                        "and created), e.g. postgres://postgres@127.0.0.1:5432/zhengwu_bench_exchange")  # fmt: skip
    parser.add_argument("--skip-datasette", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL database (reuse with --workdir)")
    parser.add_argument("--workdir", type=Path)
    parser.add_argument("--setup-child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.setup_child:
        setup_child(args.setup_child, args.rows)
        return
    for port in (args.port, args.port + 1):
        if not port_free(port):
            sys.exit(f"port {port} is in use on 127.0.0.1: choose another with --port")
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: apt-get install -y wrk")

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="zhengwu-query-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "keys.lua").write_text(LUA)
    env = {
        **os.environ,
        "ZHENGWU_DATA_DIR": str(workdir / "data"),
        "DJANGO_SETTINGS_MODULE": "bench_settings",
        "PYTHONPATH": os.pathsep.join([str(BENCH), str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]),
    }
    env.pop("DATABASE_URL", None)
    backend = "SQLite"
    if args.postgres:
        if not (workdir / "setup.json").exists():
            pg_recreate(args.postgres)
        env["DATABASE_URL"] = args.postgres
        backend = "PostgreSQL"
    log(f"workdir {workdir}, backend {backend}, {args.rows:,} rows")
    if not (workdir / "setup.json").exists():
        started = time.perf_counter()
        child = [sys.executable, __file__, "--rows", str(args.rows), "--setup-child", str(workdir)]
        subprocess.run(child, check=True, env=env)  # noqa: S603 - our own script
        log(f"setup done in {time.perf_counter() - started:.1f} s")
    setup = json.loads((workdir / "setup.json").read_text())
    env["BENCH_RESOURCE_CODE"] = setup["resource"]
    base = f"http://127.0.0.1:{args.port}"
    load_before = os.getloadavg()

    zhengwu_bin = str(Path(sys.executable).parent / "zhengwu")
    serve = [zhengwu_bin, "serve", "--host", "127.0.0.1", "--port", str(args.port), "--workers", str(args.workers)]
    api = f"/api/v1/exchange/{setup['resource']}"
    api_headers = {"Authorization": f"Bearer {setup['token']}", "X-Purpose": quote(PURPOSE)}
    ds_base = f"http://127.0.0.1:{args.port + 1}"
    ds_table = "/db/enterprises.json?_nocount=1&_nofacet=1&_nosuggest=1"  # Datasette at its leanest
    # scenario → (values file, {server: (base URL, prefix, suffix)}); a request is prefix + value + suffix.
    scenarios: dict[str, tuple[str, dict[str, tuple[str, str, str]]]] = {
        "lookup": ("keys", {
            "bare": (base, "/bench/bare/", ""),
            "zhengwu": (base, f"{api}/records/", ""),
            "datasette": (ds_base, "/db/enterprises/", ".json"),
        }),
        "search-region": ("regions", {
            "zhengwu": (base, f"{api}/records?region_code=", ""),
            "datasette": (ds_base, f"{ds_table}&_size=20&region_code=", ""),
        }),
        "search-name": ("names", {
            "zhengwu": (base, f"{api}/records?org_name=", ""),
            "datasette": (ds_base, f"{ds_table}&_size=20&org_name=", ""),
        }),
        "changes": ("seqs", {
            "zhengwu": (base, f"{api}/changes?limit=100&since=", ""),
            "datasette": (ds_base, f"{ds_table}&_size=100&_sort=_seq&_seq__gt=", ""),
        }),
    }  # fmt: skip
    wanted = [name.strip() for name in args.scenarios.split(",") if name.strip()]
    unknown = set(wanted) - set(scenarios)
    if unknown:
        sys.exit(f"unknown scenarios {sorted(unknown)}: choose from {sorted(scenarios)}")
    connections = [int(c) for c in str(args.connections).split(",")]
    first = {name: (workdir / f"{scenarios[name][0]}.txt").read_text().split()[0] for name in wanted}
    sealed, took = seal_backlog(zhengwu_bin, env)
    log(f"access log: {sealed} rows staged by earlier runs sealed before measuring ({took:.1f} s)")
    servers = [start(serve, env, workdir / "serve.log")]
    runs: dict[tuple[str, int, str], list[dict[str, Any]]] = {}
    left_after_runs = []
    try:
        if not args.skip_datasette:
            ds_argv = [args.datasette, "serve", "-i", str(workdir / "db.db"), "-h", "127.0.0.1", "-p"]
            servers.append(start([*ds_argv, str(args.port + 1)], env, workdir / "datasette.log"))
        for name in wanted:  # each server answers each scenario before anything is measured
            for server, (url, prefix, suffix) in scenarios[name][1].items():
                if server == "datasette" and args.skip_datasette:
                    continue
                headers = api_headers if server == "zhengwu" else {}
                status, body = wait_http(url + prefix + first[name] + suffix, headers)
                log(f"{name} {server} check: {status} {body[:200].decode('utf-8', 'replace')}")
                assert status == 200, body
        for conns in connections:
            for round_ in range(1, args.repeat + 1):
                for name in wanted:
                    values, targets = scenarios[name]
                    for server, (url, prefix, suffix) in targets.items():
                        if server == "datasette" and args.skip_datasette:
                            continue
                        label = f"{name} {server} c{conns}, round {round_}"
                        if server != "zhengwu":
                            result = measure(label, url, prefix, suffix, {}, args, workdir, values, conns)
                        else:
                            with sealing_beside(zhengwu_bin, env, workdir):
                                result = measure(label, url, prefix, suffix, api_headers, args, workdir, values, conns)
                            left, took = seal_backlog(zhengwu_bin, env)
                            left_after_runs.append(left)
                        runs.setdefault((name, conns, server), []).append(result)
    finally:
        for server_process in servers:
            stop(server_process)
    results = {key: summary(server_runs) for key, server_runs in runs.items()}
    access_log_rows = zhengwu_shell(
        zhengwu_bin,
        env,
        "from zhengwu.exchange.sharing.models import AccessLog, AccessLogPending as P; "
        "print(f'{AccessLog.objects.count()} sealed + {P.objects.count()} staged')",
    )
    if args.postgres and not args.keep:
        pg_drop(args.postgres)

    (workdir / "results.json").write_text(json.dumps({"|".join(map(str, k)): v for k, v in results.items()}, indent=2))
    print()
    print(f"Machine: {machine()}; load average before {load_before[0]:.2f}, max 1-min load during runs "
          f"{max(r['load_max'] for r in results.values()):.2f} (wrk runs on the same machine)")  # fmt: skip
    print(f"{args.rows:,} rows, {backend}; wrk -t{args.threads} -d{args.duration}, median of {args.repeat} "
          f"interleaved rounds; zhengwu serve: granian, {args.workers} workers; Datasette 1 process (-i immutable), "
          f"the same indexes; a region filter matches ≈ {args.rows // REGIONS:,} rows, a name filter 1; access log "
          f"rows written: {access_log_rows}, of which {sum(left_after_runs):,} were left staged at the end of the "
          f"API's runs")  # fmt: skip
    print()
    print("| scenario | conns | server | req/s | p50 ms | p99 ms | errors | zhengwu ÷ this |")
    print("|---|---:|---|---:|---:|---:|---:|---:|")
    for (name, conns, server), r in results.items():
        z = results[(name, conns, "zhengwu")]
        print(f"| {name} | {conns} | {server} | {r['rps_median']:,.0f} | {r['p50_median']:.2f} | "
              f"{r['p99_median']:.2f} | {sum(x['errors'] for x in r['all'])} | "
              f"{z['rps_median'] / r['rps_median']:.2f}× |")  # fmt: skip
    print()
    goals = {"lookup": 5.0, "search-region": 5.0, "search-name": 5.0, "changes": 3.0}
    for (name, conns, server), r in results.items():
        if server != "datasette":
            continue
        ratio = results[(name, conns, "zhengwu")]["rps_median"] / r["rps_median"]
        goal = goals[name]
        print(f"- {name}, {conns} connections, vs Datasette: {ratio:.2f}× (issue 21: ≥ {goal:g}×) — "
              f"{'met' if ratio >= goal else 'NOT met'}")  # fmt: skip
    for (name, conns, server), r in results.items():
        if server == "bare":
            ratio = results[(name, conns, "zhengwu")]["rps_median"] / r["rps_median"]
            print(f"- {name}, {conns} connections, vs the bare view: {ratio:.2f}× (issue 21: ≥ 1.0×)")


if __name__ == "__main__":
    main()
