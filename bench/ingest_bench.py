"""Loading benchmark: `zhengwu` ingest with full validation beside `sqlite3 .import` and PostgreSQL `COPY`.

    .venv/bin/python bench/ingest_bench.py                 # 1,000,000 法人 rows, one round
    .venv/bin/python bench/ingest_bench.py --rows 100000,1000000 --repeat 3   # interleaved rounds, medians
    .venv/bin/python bench/ingest_bench.py --rows 100000,1000000,3000000,10000000 --repeat 3 \
        --postgres postgres://postgres@127.0.0.1:5432/zhengwu_bench_ingest   # issue 21's figures of record
    .venv/bin/python bench/ingest_bench.py --without-checks   # the bound: everything but the checks
    .venv/bin/python bench/ingest_bench.py --rows 100000,1000000 --repeat 3 --warm   # also a warm Huey worker's load

1. Generates a CSV of N synthetic 法人 records per size (valid unified social credit codes, GB/T 2260
   region codes, dates, amounts, enum values; UTF-8), once (kept in --workdir).
2. Round after round, size after size, runs each loader on the same file:
   - `sqlite3 DB ".import --csv FILE t"` into a fresh database: no types, no checks, no index
     (needs the sqlite3 shell: `apt-get install -y sqlite3`);
   - `zhengwu.exchange.store.ingest.ingest_file` into a fresh ZHENGWU_DATA_DIR on SQLite: every value
     checked by its type (credit-code checksums, region codes, dates, enums), typed columns, unique key
     index, change sequence, one transaction, audit event;
   - with --warm, the same in a process that has first run `columnar.warm_up()`, as a Huey worker
     does at its start (`store.tasks`): the libraries imported before the load, not in it;
   - with --postgres: psql's `\\copy t FROM FILE (FORMAT csv, HEADER)` into a fresh untyped table, and
     `ingest_file` into a fresh PostgreSQL database (both databases named after the URL's, dropped and
     created afresh).
3. For each run: wall seconds, rows/s, CPU seconds (the process and its children), and the peak memory
   of the loader's whole process tree, sampled every 20 ms from /proc: the sum of RSS (shared pages
   counted in every process that maps them, as `ps` adds up) and the sum of PSS (each shared page
   split between its processes: the memory the tree really takes). For zhengwu only the load itself
   is sampled (not Django's start or the migrations); for psql only the client (the server's backend
   is not in its tree).
4. Prints a Markdown table per size with the medians (min–max) and the ratio to `.import` (target
   ≥ 0.6× at 100k and 1M rows), and how peak memory changes across the sizes (target: within 1.5×
   from 1M to 10M rows).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from query_bench import _pg_bench_database, machine, pg_recreate  # bench/ is the script's folder, first on sys.path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

HEADER = [
    "统一社会信用代码",
    "单位名称",
    "法定代表人",
    "注册资本",
    "成立日期",
    "住所行政区划",
    "企业类型",
    "登记状态",
    "住所",
]
WARM = "zhengwu, SQLite, warm worker"
KINDS = ["有限责任公司", "股份有限公司", "个人独资企业", "合伙企业", "个体工商户"]
STATES = ["存续", "在业", "吊销", "注销", "迁出"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚"
WORDS = ["长春", "吉林", "四平", "通化", "白山", "松原", "白城", "延边", "辽源", "梅河口"]
TRADES = ["商贸", "科技", "农业", "建筑", "物流", "餐饮", "医药", "机械", "电子", "文化"]


def generate(path: Path, rows: int, seed: int = 2026) -> None:
    """N rows with unique valid credit codes: the checksums are computed once per code."""
    from zhengwu.core import regions
    from zhengwu.core.idnumbers import CREDIT_CHARSET, make_credit_code

    rng = random.Random(seed)
    counties = [d.code for d in regions.divisions_under("220000")] or ["220102"]
    started = time.perf_counter()
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        chars = CREDIT_CHARSET
        for index in range(rows):
            body = "".join(chars[(index // 31**k) % 31] for k in range(7, -1, -1))  # unique per index
            region = counties[index % len(counties)]
            code = make_credit_code("91", region, body)
            name = f"{WORDS[index % 10]}{TRADES[(index // 10) % 10]}{index}有限公司"
            person = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
            capital = f"{rng.randint(1, 100000)}.{rng.randint(0, 99):02d}"
            founded = f"{rng.randint(1990, 2025)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
            address = f"吉林省{WORDS[index % 10]}市{rng.randint(1, 999)}号"
            writer.writerow(
                [code, name, person, capital, founded, region, KINDS[index % 5], STATES[index % 5], address]
            )
    print(f"generated {rows:,} rows in {time.perf_counter() - started:.1f} s ({path.stat().st_size / 1e6:.0f} MB)")


# --- memory of a process tree ------------------------------------------------------------------


def tree_pids(root: int) -> list[int]:
    """`root` and its descendants (Linux: /proc/PID/task/TID/children)."""
    pids, index = [root], 0
    while index < len(pids):
        pid = pids[index]
        index += 1
        try:
            for task in os.listdir(f"/proc/{pid}/task"):
                pids += [int(child) for child in Path(f"/proc/{pid}/task/{task}/children").read_text().split()]
        except OSError:
            continue  # gone meanwhile
    return pids


def tree_memory(root: int) -> tuple[int, int]:
    """(sum of RSS, sum of PSS) of the process tree, bytes."""
    rss = pss = 0
    for pid in tree_pids(root):
        try:
            text = Path(f"/proc/{pid}/smaps_rollup").read_text()
        except OSError:
            continue
        for line in text.splitlines():
            if line.startswith("Rss:"):
                rss += int(line.split()[1]) * 1024
            elif line.startswith("Pss:"):
                pss += int(line.split()[1]) * 1024
    return rss, pss


class Sampler(threading.Thread):
    """Samples a process tree's memory every `interval` seconds until stopped; keeps the peaks."""

    def __init__(self, root: int, interval: float = 0.02) -> None:
        super().__init__(daemon=True)
        self.root, self.interval = root, interval
        self.peak_rss = self.peak_pss = 0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            rss, pss = tree_memory(self.root)
            self.peak_rss, self.peak_pss = max(self.peak_rss, rss), max(self.peak_pss, pss)
            self.done.wait(self.interval)

    def stop(self) -> tuple[int, int]:
        self.done.set()
        self.join()
        return self.peak_rss, self.peak_pss


def run_sampled(argv: list[str], env: dict[str, str] | None = None) -> dict[str, float]:
    """Run a command; its wall and CPU seconds and its tree's peak memory."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    process = subprocess.Popen(argv, env=env)  # noqa: S603 - our commands
    sampler = Sampler(process.pid)
    sampler.start()
    if process.wait() != 0:
        sys.exit(f"{argv[0]} failed ({process.returncode})")
    wall = time.perf_counter() - started
    rss, pss = sampler.stop()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return {"seconds": wall, "cpu": cpu, "rss": rss, "pss": pss}


# --- the peers -------------------------------------------------------------------------------


def sqlite_import(csv_path: Path, workdir: Path) -> dict[str, float]:
    """`.import` into a fresh database: no types, no checks, no index."""
    shell = shutil.which("sqlite3")
    if shell is None:
        sys.exit("the sqlite3 command line shell is missing: apt-get install -y sqlite3")
    database = workdir / "import.sqlite3"
    database.unlink(missing_ok=True)
    measured = run_sampled([shell, str(database), f".import --csv {csv_path} t"])
    database.unlink(missing_ok=True)
    return measured


def postgres_copy(csv_path: Path, url: str) -> dict[str, float]:
    r"""psql's `\copy` (COPY FROM STDIN, the file streamed by the client) into a fresh untyped table."""
    pg_recreate(url)
    columns = ", ".join(f"c{index} text" for index in range(len(HEADER)))
    subprocess.run(["psql", url, "-qc", f"CREATE TABLE t ({columns})"], check=True)  # noqa: S603, S607
    return run_sampled(
        ["psql", url, "-v", "ON_ERROR_STOP=1", "-qc", f"\\copy t FROM '{csv_path}' (FORMAT csv, HEADER)"]
    )


def bench_resource(code: str = "bench/1") -> Any:
    """The benchmark's published 法人 resource (`code`), made afresh with its data items (Django set up)."""
    from zhengwu.accounts.models import Department, Region
    from zhengwu.catalog.models import DataItem, DataType, Resource

    region, _ = Region.objects.get_or_create(code="220000", defaults={"name": "吉林省", "level": "province"})
    department, _ = Department.objects.get_or_create(
        credit_code="11220000013544357T",
        defaults={"name": "吉林省市场监督管理厅", "region": region, "level": "province"},
    )
    Resource.objects.filter(code=code).delete()
    resource = Resource.objects.create(
        catalog_class="base", category="1", item="02", subitem="001", sequence=1, code=code,
        name="法人单位基本信息（基准）", provider=department, provider_code=department.credit_code, summary="基准",
        format_class="database", share_type="unconditional", update_cycle="daily", key_item="credit_code",
        state=Resource.State.PUBLISHED, version=1,
    )  # fmt: skip
    items: list[tuple[str, str, str, dict[str, Any]]] = [
        ("credit_code", HEADER[0], DataType.CREDIT_CODE, {"required": True}),
        ("name", HEADER[1], DataType.STRING, {"required": True, "max_length": 200}),
        ("legal_rep", HEADER[2], DataType.STRING, {"is_personal": True, "max_length": 50}),
        ("capital", HEADER[3], DataType.DECIMAL, {}),
        ("founded", HEADER[4], DataType.DATE, {}),
        ("region", HEADER[5], DataType.REGION_CODE, {}),
        ("kind", HEADER[6], DataType.ENUM, {"enum_values": KINDS}),
        ("status", HEADER[7], DataType.ENUM, {"enum_values": STATES}),
        ("address", HEADER[8], DataType.STRING, {"max_length": 200}),
    ]
    for position, (item_code, name, data_type, extra) in enumerate(items, start=1):
        DataItem.objects.create(
            resource=resource, position=position, code=item_code, name=name, data_type=data_type, **extra
        )
    return resource


def child(csv_path: Path, out: Path, *, without_checks: bool = False, reload: bool = False, warm: bool = False) -> None:
    """Runs in a fresh ZHENGWU_DATA_DIR (or DATABASE_URL): migrate, set up the resource, time the load."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhengwu.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from zhengwu.core.actors import Actor
    from zhengwu.exchange.store import tables as store
    from zhengwu.exchange.store.ingest import MAX_FILE_BYTES, ingest_file
    from zhengwu.exchange.store.tables import count_records
    from zhengwu.exchange.store.validation import BatchConverter, ColumnSpec

    if without_checks:  # the bound a faster validator could reach: every column accepted as it is

        def accept(spec: ColumnSpec, *, text_storage: bool) -> BatchConverter:
            return list

        store.compile_batch_converter = accept

    resource = bench_resource()

    def cpu_used() -> float:  # this process and its children (the checking workers, the columnar writer)
        import resource as rusage  # `resource` is the catalog entry here

        children = rusage.getrusage(rusage.RUSAGE_CHILDREN)
        return time.process_time() + children.ru_utime + children.ru_stime

    if warm:  # a Huey worker's load: its libraries imported at the worker's start (store.tasks)
        from zhengwu.exchange.store.columnar import warm_up

        warm_up()
    sampler = Sampler(os.getpid())  # the load only: not Django's start or the migrations
    sampler.start()
    started, cpu_started = time.perf_counter(), cpu_used()
    # 10M rows are 1.4 GB, above the upload limit (MAX_FILE_BYTES, 1 GiB): raised as the command line may
    limit = max(MAX_FILE_BYTES, csv_path.stat().st_size)
    result = ingest_file(actor=Actor.platform(), resource=resource, path=csv_path, mode="replace", max_bytes=limit)
    elapsed, cpu = time.perf_counter() - started, cpu_used() - cpu_started
    rss, pss = sampler.stop()
    if not result.ok:
        sys.exit(f"load failed: {result.message} {result.errors[:5]}")
    measured: dict[str, Any] = {"seconds": elapsed, "cpu": cpu, "rss": rss, "pss": pss, "rows": result.rows_written}
    if reload:  # the daily full refresh: the same file again, into the table that now holds it
        started, cpu_started = time.perf_counter(), cpu_used()
        again = ingest_file(actor=Actor.platform(), resource=resource, path=csv_path, mode="replace", max_bytes=limit)
        measured["reload"] = (time.perf_counter() - started, cpu_used() - cpu_started)
        if not again.ok:
            sys.exit(f"reload failed: {again.message} {again.errors[:5]}")
    measured["count"] = count_records(resource)
    out.write_text(json.dumps(measured))


def zhengwu_load(
    csv_path: Path, workdir: Path, args: argparse.Namespace, database_url: str = "", *, warm: bool = False
) -> dict[str, Any]:
    """`ingest_file` in a child process with a fresh data directory (and database)."""
    data_dir = workdir / "data"
    shutil.rmtree(data_dir, ignore_errors=True)
    env = {**os.environ, "ZHENGWU_DATA_DIR": str(data_dir), "DJANGO_SETTINGS_MODULE": "zhengwu.settings"}
    env.pop("DATABASE_URL", None)
    if database_url:
        pg_recreate(database_url)
        env["DATABASE_URL"] = database_url
    out = workdir / "ingest.json"
    argv = [sys.executable, __file__, "--child", str(csv_path), str(out)]
    argv += ["--without-checks"] * args.without_checks + ["--reload"] * args.reload + ["--warm"] * warm
    subprocess.run(argv, check=True, env=env)  # noqa: S603
    measured: dict[str, Any] = json.loads(out.read_text())
    return measured


def _median(runs: list[dict[str, Any]], name: str) -> float:
    return statistics.median(run[name] for run in runs)


def _spread(runs: list[dict[str, Any]], name: str, digits: int = 2) -> str:
    median = f"{_median(runs, name):.{digits}f}"
    if len(runs) == 1:
        return median
    return f"{median} ({min(run[name] for run in runs):.{digits}f}–{max(run[name] for run in runs):.{digits}f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", default="1000000", help="row counts, comma-separated (default 1000000)")
    parser.add_argument("--repeat", type=int, default=1, help="rounds; each runs every loader on every size")
    parser.add_argument(
        "--workdir", type=Path, help="where to put the CSV files and databases (default: a temporary directory)"
    )
    parser.add_argument(
        "--postgres",
        "--database-url",
        dest="postgres",
        help="also load into PostgreSQL: psql's \\copy and zhengwu (databases named zhengwu_bench…, dropped)",
    )
    parser.add_argument(
        "--without-checks",
        action="store_true",
        help="skip the value checks (not a valid load): what a free validator would leave",
    )
    parser.add_argument(
        "--reload", action="store_true", help="then load the same file again in replace mode, into the full table"
    )
    parser.add_argument(
        "--warm",
        action="store_true",
        help="also time zhengwu on SQLite as a Huey worker loads: its libraries imported at its start",
    )
    parser.add_argument("--child", nargs=2, metavar=("CSV", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        csv_path, out = Path(args.child[0]), Path(args.child[1])
        child(csv_path, out, without_checks=args.without_checks, reload=args.reload, warm=args.warm)
        return

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="zhengwu-ingest-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    sizes = [int(size) for size in args.rows.split(",")]
    files: dict[int, Path] = {}
    for rows in sizes:
        files[rows] = workdir / f"enterprises-{rows}.csv"
        if not files[rows].exists():
            os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhengwu.settings")
            generate(files[rows], rows)
    copy_url = ""
    if args.postgres:
        name, _ = _pg_bench_database(args.postgres)
        copy_url = args.postgres.rsplit("/", 1)[0] + f"/{name}_copy"
    loaders = ["sqlite3 .import", "zhengwu, SQLite"] + [WARM] * args.warm
    loaders += ["psql \\copy", "zhengwu, PostgreSQL"] if args.postgres else []
    runs: dict[tuple[int, str], list[dict[str, Any]]] = {(rows, loader): [] for rows in sizes for loader in loaders}
    load_before = os.getloadavg()[0]
    for round_number in range(1, args.repeat + 1):
        for rows in sizes:
            for loader in loaders:
                if loader == "sqlite3 .import":
                    measured: dict[str, Any] = sqlite_import(files[rows], workdir)
                elif loader == "psql \\copy":
                    measured = postgres_copy(files[rows], copy_url)
                else:
                    database = args.postgres if "Postgre" in loader else ""
                    measured = zhengwu_load(files[rows], workdir, args, database, warm=loader == WARM)
                    assert measured["count"] == rows, measured
                runs[rows, loader].append(measured)
                print(
                    f"round {round_number}, {rows:,} rows, {loader}: {measured['seconds']:.2f} s, "
                    f"tree peak RSS {measured['rss'] / 2**20:,.0f} MiB (PSS {measured['pss'] / 2**20:,.0f}), "
                    f"load {os.getloadavg()[0]:.1f}",
                    flush=True,
                )
    checks = "**checks skipped** (a bound, not a valid load)" if args.without_checks else "full validation"
    print()
    print(
        f"Machine: {machine()}; 1-min load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after; "
        f"{args.repeat} round(s), medians (min–max); zhengwu: {checks}"
    )
    results: dict[str, Any] = {}
    for rows in sizes:
        size = files[rows].stat().st_size / 1e6
        base = _median(runs[rows, "sqlite3 .import"], "seconds")
        print(f"\n{rows:,} rows ({size:,.0f} MB CSV)\n")
        print("| loader | wall s | rows/s | CPU s | peak RSS, tree (MiB) | peak PSS, tree (MiB) | ratio to `.import` |")
        print("|---|---:|---:|---:|---:|---:|---:|")
        for loader in loaders:
            done = runs[rows, loader]
            for run in done:
                run["rss_mib"], run["pss_mib"] = run["rss"] / 2**20, run["pss"] / 2**20
            seconds = _median(done, "seconds")
            print(
                f"| {loader} | {_spread(done, 'seconds')} | {rows / seconds:,.0f} | {_median(done, 'cpu'):.2f} "
                f"| {_spread(done, 'rss_mib', 0)} | {_spread(done, 'pss_mib', 0)} | {base / seconds:.2f}× |"
            )
            results[f"{rows}/{loader}"] = done
            if "reload" in done[0]:
                again = statistics.median(run["reload"][0] for run in done)
                print(
                    f"| the same file again (replace) | {again:.2f} | {rows / again:,.0f} | | | | {base / again:.2f}× |"
                )
    if len(sizes) > 1:
        print("\nPeak memory of the largest size ÷ the smallest of at least 1M rows (target ≤ 1.5× from 1M to 10M):")
        low = min((rows for rows in sizes if rows >= 1_000_000), default=min(sizes))
        high = max(sizes)
        for loader in loaders:
            rss = _median(runs[high, loader], "rss") / _median(runs[low, loader], "rss")
            pss = _median(runs[high, loader], "pss") / _median(runs[low, loader], "pss")
            print(f"- {loader}: {high:,} ÷ {low:,} rows: RSS {rss:.2f}×, PSS {pss:.2f}×")
    (workdir / "results.json").write_text(json.dumps(results))


if __name__ == "__main__":
    main()
