"""Loading benchmark: `zhengwu` ingest with full validation beside `sqlite3 .import`.

    .venv/bin/python bench/ingest_bench.py                 # 1,000,000 法人 rows
    .venv/bin/python bench/ingest_bench.py --rows 200000   # a quicker run
    .venv/bin/python bench/ingest_bench.py --without-checks   # the bound: everything but the checks

1. Generates a CSV of N synthetic 法人 records (valid unified social credit codes, GB/T 2260
   region codes, dates, amounts, enum values; UTF-8).
2. Times `sqlite3 DB ".import --csv FILE t"` into a fresh database: no types, no checks, no index.
   Needs the sqlite3 command line shell: `apt-get install -y sqlite3` (Debian/Ubuntu).
3. Times `zhengwu.exchange.store.ingest.ingest_file` of the same file into a fresh ZHENGWU_DATA_DIR
   (SQLite, or a fresh PostgreSQL database with --database-url): every value checked by its type
   (credit-code checksums, region codes, dates, enums), typed columns, unique key index, change
   sequence, one transaction, audit event. With --without-checks every column is accepted as it
   is: what the load would cost with a validator that costs nothing.
4. Prints a Markdown table with rows/s of both and the ratio (target ≥ 0.5×).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from query_bench import machine, pg_recreate  # bench/ is the script's folder, first on sys.path

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


def sqlite_import(csv_path: Path, workdir: Path) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of `.import`."""
    shell = shutil.which("sqlite3")
    if shell is None:
        sys.exit("the sqlite3 command line shell is missing: apt-get install -y sqlite3")
    database = workdir / "import.sqlite3"
    database.unlink(missing_ok=True)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run([shell, str(database), f".import --csv {csv_path} t"], check=True)  # noqa: S603 - our paths
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)


def peak_mib() -> tuple[float, float]:
    """Peak resident memory of this process and of its largest child (workers, columnar writer), MiB."""
    import resource as rusage

    own = rusage.getrusage(rusage.RUSAGE_SELF).ru_maxrss / 1024
    return own, rusage.getrusage(rusage.RUSAGE_CHILDREN).ru_maxrss / 1024


def child(csv_path: Path, out: Path, *, without_checks: bool = False, reload: bool = False) -> None:
    """Runs in a fresh ZHENGWU_DATA_DIR (or DATABASE_URL): migrate, set up the resource, time the load."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhengwu.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from zhengwu.accounts.models import Department, Region
    from zhengwu.catalog.models import DataItem, DataType, Resource
    from zhengwu.core.actors import Actor
    from zhengwu.exchange.store import tables as store
    from zhengwu.exchange.store.ingest import ingest_file
    from zhengwu.exchange.store.tables import count_records
    from zhengwu.exchange.store.validation import BatchConverter, ColumnSpec

    if without_checks:  # the bound a faster validator could reach: every column accepted as it is

        def accept(spec: ColumnSpec, *, text_storage: bool) -> BatchConverter:
            return list

        store.compile_batch_converter = accept

    region, _ = Region.objects.get_or_create(code="220000", defaults={"name": "吉林省", "level": "province"})
    department, _ = Department.objects.get_or_create(
        credit_code="11220000013544357T",
        defaults={"name": "吉林省市场监督管理厅", "region": region, "level": "province"},
    )
    Resource.objects.filter(code="bench/1").delete()
    resource = Resource.objects.create(
        catalog_class="base", category="1", item="02", subitem="001", sequence=1, code="bench/1",
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
    for position, (code, name, data_type, extra) in enumerate(items, start=1):
        DataItem.objects.create(
            resource=resource, position=position, code=code, name=name, data_type=data_type, **extra
        )

    def cpu_used() -> float:  # this process and its children (the checking workers, the columnar writer)
        import resource as rusage  # `resource` is the catalog entry here

        children = rusage.getrusage(rusage.RUSAGE_CHILDREN)
        return time.process_time() + children.ru_utime + children.ru_stime

    started, cpu_started = time.perf_counter(), cpu_used()
    result = ingest_file(actor=Actor.platform(), resource=resource, path=csv_path, mode="replace")
    elapsed, cpu = time.perf_counter() - started, cpu_used() - cpu_started
    if not result.ok:
        sys.exit(f"load failed: {result.message} {result.errors[:5]}")
    measured: dict[str, Any] = {"seconds": elapsed, "cpu": cpu, "rows": result.rows_written}
    if reload:  # the daily full refresh: the same file again, into the table that now holds it
        started, cpu_started = time.perf_counter(), cpu_used()
        again = ingest_file(actor=Actor.platform(), resource=resource, path=csv_path, mode="replace")
        measured["reload"] = (time.perf_counter() - started, cpu_used() - cpu_started)
        if not again.ok:
            sys.exit(f"reload failed: {again.message} {again.errors[:5]}")
    measured |= {"count": count_records(resource), "peak_mib": peak_mib()}
    out.write_text(json.dumps(measured))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument(
        "--workdir", type=Path, help="where to put the CSV and databases (default: a temporary directory)"
    )
    parser.add_argument(
        "--database-url",
        help="load into this PostgreSQL database (named zhengwu_bench…, dropped and created afresh) instead of SQLite",
    )
    parser.add_argument(
        "--without-checks",
        action="store_true",
        help="skip the value checks (not a valid load): what a free validator would leave",
    )
    parser.add_argument(
        "--reload", action="store_true", help="then load the same file again in replace mode, into the full table"
    )
    parser.add_argument("--child", nargs=2, metavar=("CSV", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(Path(args.child[0]), Path(args.child[1]), without_checks=args.without_checks, reload=args.reload)
        return

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="zhengwu-ingest-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    csv_path = workdir / f"enterprises-{args.rows}.csv"
    if not csv_path.exists():
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhengwu.settings")
        generate(csv_path, args.rows)
    load_before = os.getloadavg()[0]
    import_seconds, import_cpu = sqlite_import(csv_path, workdir)
    print(f"sqlite3 .import: {import_seconds:.2f} s ({import_cpu:.2f} s CPU)")

    data_dir = workdir / "data"
    shutil.rmtree(data_dir, ignore_errors=True)
    env = {**os.environ, "ZHENGWU_DATA_DIR": str(data_dir), "DJANGO_SETTINGS_MODULE": "zhengwu.settings"}
    env.pop("DATABASE_URL", None)
    if args.database_url:
        pg_recreate(args.database_url)
        env["DATABASE_URL"] = args.database_url
    out = workdir / "ingest.json"
    argv = [sys.executable, __file__, "--child", str(csv_path), str(out)]
    argv += ["--without-checks"] * args.without_checks + ["--reload"] * args.reload
    subprocess.run(argv, check=True, env=env)  # noqa: S603
    measured = json.loads(out.read_text())
    assert measured["count"] == args.rows, measured
    backend = "PostgreSQL" if args.database_url else "SQLite"
    checks = "**checks skipped** (a bound, not a valid load)" if args.without_checks else "full validation"
    rows = args.rows
    print()
    size = csv_path.stat().st_size / 1e6
    print(
        f"Machine: {machine()}; 1-min load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after; "
        f"{rows:,} rows, {size:.0f} MB CSV"
    )
    print()
    print("| loader | wall s | rows/s (wall) | CPU s | rows/CPU-s | ratio (wall) | ratio (CPU) |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    print(
        f"| `sqlite3 .import` (no types, no checks, no index) | {import_seconds:.2f} | {rows / import_seconds:,.0f} "
        f"| {import_cpu:.2f} | {rows / import_cpu:,.0f} | 1.00× | 1.00× |"
    )
    print(
        f"| zhengwu `ingest_file`, {checks}, {backend} | {measured['seconds']:.2f} "
        f"| {rows / measured['seconds']:,.0f} "
        f"| {measured['cpu']:.2f} | {rows / measured['cpu']:,.0f} | {import_seconds / measured['seconds']:.2f}× "
        f"| {import_cpu / measured['cpu']:.2f}× |"
    )
    if "reload" in measured:
        seconds, cpu = measured["reload"]
        print(
            f"| the same file again, replace mode, into the full table | {seconds:.2f} | {rows / seconds:,.0f} "
            f"| {cpu:.2f} | {rows / cpu:,.0f} | {import_seconds / seconds:.2f}× | {import_cpu / cpu:.2f}× |"
        )
    own, largest_child = measured["peak_mib"]
    print(f"\nPeak memory: the loading process {own:,.0f} MiB, its largest child process {largest_child:,.0f} MiB.")


if __name__ == "__main__":
    main()
