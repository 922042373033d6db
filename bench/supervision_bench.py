"""Supervision dashboard benchmark: the 电子监察 dashboard beside the raw SQL aggregate it shows.

    .venv/bin/python bench/supervision_bench.py                       # 1,000,000 timers, SQLite
    .venv/bin/python bench/supervision_bench.py --timers 200000       # a quicker run
    .venv/bin/python bench/supervision_bench.py --postgres postgres://postgres@127.0.0.1:5432/zhengwu_bench_supervision

1. Creates a fresh database (SQLite in a temporary ZHENGWU_DATA_DIR; or the PostgreSQL database
   named in --postgres, which is DROPPED and re-created — never point it at a database you need),
   migrates it, and creates 40 departments and a supervisor (电子监察人员) with a second factor.
2. Bulk-inserts N timers (executemany on SQLite, COPY on PostgreSQL): 9 kinds (workday and
   minute timers with their legal limits), spread over the 40 departments with a skew (a few big
   departments), ~80 % finished over the last two years, 2 % cancelled, ~15 % running (most within
   their limit, a tail up to 120 days old) and 3 % paused, so every light occurs. Deadlines and yellow
   starts are computed with the real working-day calendar (`core.workdays`), as `timer_start` does.
3. Measures, alternating, `--repeat` times (default 7, after one warm-up each):
   (a) raw SQL: one hand-written `SELECT department_id, kind, kind_label, CASE … END AS light,
       COUNT(*) … WHERE state IN ('running','paused') GROUP BY …` over the timer table — the
       same numbers the dashboard shows;
   (b) the dashboard page `GET /workbench/supervision/` through Django's test client, logged in
       as the supervisor (session + verified second factor): the aggregate, the red list (top 20),
       department names, template and ECharts data — the whole response.
   Also times the pieces of (b) (the ORM aggregate, the red list) to explain the difference.
4. Prints medians, the ratio (b)/(a) (target ≤ 1.5×), the machine (nproc, load average) and
   writes WORKDIR/results.json. The machine may be shared: note the load beside the figures.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from query_bench import pg_recreate  # bench/ is the script's folder, first on sys.path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

# kind, label, limit, unit, weight
KINDS: list[tuple[str, str, int, str, int]] = [
    ("eservices.application", "行政许可法定办结时限", 20, "workday", 40),
    ("eservices.task", "审批环节承诺时限", 5, "workday", 20),
    ("eservices.rectification", "差评整改时限", 10, "workday", 3),
    ("exchange.share_request", "共享申请答复", 10, "workday", 8),
    ("exchange.objection", "数据纠错核实", 5, "workday", 3),
    ("disclosure.request", "依申请公开答复", 20, "workday", 8),
    ("participation.letter", "来信办理时限", 5, "workday", 12),
    ("participation.receipt", "网上来信24小时回执", 1440, "minute", 5),
    ("supervision.urging", "督办答复时限", 3, "workday", 1),
]
DEPARTMENTS = 40
COLUMNS = [
    "kind",
    "kind_label",
    "target_type",
    "target_id",
    "title",
    "target_url",
    "department_id",
    "unit",
    "limit",
    "yellow_fraction",
    "started_at",
    "start_date",
    "deadline",
    "deadline_at",
    "yellow_from",
    "yellow_at",
    "state",
    "paused_at",
    "paused_on",
    "pause_reason",
    "paused_workdays",
    "paused_minutes",
    "extended_by",
    "extension_count",
    "extension_reason",
    "finished_at",
    "finished_on_time",
    "created_at",
    "updated_at",
]


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def machine() -> dict[str, str]:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return {"cpu": model, "nproc": str(os.cpu_count()), "load": load, "python": platform.python_version()}


# --- data -------------------------------------------------------------------------------------------


def setup_people() -> tuple[list[int], Any]:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from zhengwu.accounts.models import Department, Region, Role, RoleAssignment, User

    region = Region.objects.create(code="220000", name="吉林省", level=Region.Level.PROVINCE)
    ids = []
    for n in range(DEPARTMENTS):
        dept = Department.objects.create(
            name=f"吉林省第{n + 1:02d}厅局",
            credit_code=f"BENCH{n:013d}",
            region=region,
            level=Department.Level.PROVINCE,
        )
        ids.append(dept.pk)
    user = User.objects.create_user(
        username="bench_supervisor",
        password="Bench-2026-Password!",  # noqa: S106 - a throw-away benchmark database
        kind=User.Kind.STAFF,
        department_id=ids[0],
        real_name="电子监察室",
    )
    RoleAssignment.objects.create(user=user, role=Role.SUPERVISOR)
    TOTPDevice.objects.create(user=user, name="default", confirmed=True)
    return ids, user


class Schedule:
    """Deadlines and yellow starts as `Timer.recompute_schedule` computes them (same calendar,
    `core.workdays`), from a precomputed list of working days; the first results are checked
    against `workdays.add_workdays` itself."""

    def __init__(self, fraction: float, first: date, last: date) -> None:
        from zhengwu.core import workdays

        self.workdays = workdays
        self.fraction = fraction
        self.days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
        self.days = [d for d in self.days if workdays.is_workday(d)]
        self.checked = 0

    def threshold(self, limit: int) -> int:
        import math

        return max(1, math.ceil(limit * self.fraction - 1e-9))

    def add(self, start: date, n: int) -> date:
        from bisect import bisect_left, bisect_right

        if n > 0:
            result = self.days[bisect_right(self.days, start) + n - 1]
        else:
            result = self.days[bisect_left(self.days, start) + n]
        if self.checked < 300:
            assert result == self.workdays.add_workdays(start, n), (start, n)
            self.checked += 1
        return result

    def workday(self, start: date, limit: int, total: int) -> tuple[date, date]:
        deadline = self.add(start, total)
        return deadline, self.add(deadline + timedelta(days=1), -(self.threshold(limit) + 1))


def generate(n: int, departments: list[int], seed: int = 2026) -> Any:
    """Yield rows (tuples in COLUMNS order) of `n` timers."""
    from django.conf import settings

    from zhengwu.core import workdays

    rng = random.Random(seed)
    now = datetime.now(tz=workdays.CHINA_TZ).replace(microsecond=0)
    today = now.date()
    schedule = Schedule(float(settings.TIMER_YELLOW_FRACTION), today - timedelta(days=800), today + timedelta(days=400))
    kinds = [k for k in KINDS for _ in range(k[4])]
    dept_weights = [1.0 / (1 + i * 0.15) for i in range(len(departments))]  # a few big departments
    dept_pool = rng.choices(departments, weights=dept_weights, k=4096)
    for i in range(n):
        kind, label, limit, unit, _w = rng.choice(kinds)
        dept = dept_pool[i % 4096] if i % 7 else rng.choice(departments)
        roll = rng.random()
        if roll < 0.80:
            state = "finished"
            start = today - timedelta(days=rng.randint(30, 730))
        elif roll < 0.82:
            state = "cancelled"
            start = today - timedelta(days=rng.randint(30, 730))
        elif roll < 0.97:
            state = "running"
            if unit == "minute":
                start = today - timedelta(days=rng.randint(0, 2))
            elif rng.random() < 0.85:  # most live items are within their limit (~1.4 calendar days per working day)
                start = today - timedelta(days=rng.randint(0, int(limit * 1.45)))
            else:  # a tail of overdue ones
                start = today - timedelta(days=rng.randint(int(limit * 1.45), 120))
        else:
            state = "paused"
            start = today - timedelta(days=rng.randint(0, 60))
        started_at = datetime(
            start.year, start.month, start.day, rng.randint(8, 17), rng.randint(0, 59), tzinfo=workdays.CHINA_TZ
        )
        if state == "running" and unit == "minute":
            started_at = min(started_at, now - timedelta(minutes=rng.randint(0, 3000)))
            start = started_at.date()
        extended = limit if (kind == "disclosure.request" and rng.random() < 0.1) else 0
        paused_on = paused_at = None
        finished_at = finished_on_time = None
        threshold = schedule.threshold(limit)
        if unit == "workday":
            deadline, yellow_from = schedule.workday(start, limit, limit + extended)
            deadline_at = yellow_at = None
        else:
            deadline_at = started_at + timedelta(minutes=limit + extended)
            yellow_at = deadline_at - timedelta(minutes=threshold)
            deadline, yellow_from = deadline_at.date(), yellow_at.date()
        if state in ("finished", "cancelled"):
            span = (limit + extended) * (1.4 if unit == "workday" else 1.0)
            used = rng.triangular(0.1, span * 1.3, span * 0.6)
            finished_at = started_at + (timedelta(days=used) if unit == "workday" else timedelta(minutes=used))
            if state == "finished":
                finished_on_time = (
                    finished_at.date() <= deadline if unit == "workday" else finished_at <= deadline_at  # type: ignore[operator]
                )
        elif state == "paused":
            paused_on = start + timedelta(days=rng.randint(0, max(0, (today - start).days)))
            paused_at = datetime(paused_on.year, paused_on.month, paused_on.day, 10, 0, tzinfo=workdays.CHINA_TZ)
            if unit == "minute":
                paused_at = max(paused_at, started_at)
        yield (
            kind, label, "bench.item", str(i + 1), f"{label}第{i + 1}件", "", dept, unit, limit, None,
            started_at, start, deadline, deadline_at, yellow_from, yellow_at, state,
            paused_at, paused_on, "补正材料" if paused_on else "", 0, 0, extended, 1 if extended else 0,
            "情况复杂" if extended else "", finished_at, finished_on_time, started_at, finished_at or started_at,
        )  # fmt: skip


def _secondary_indexes(cursor: Any, vendor: str, table: str) -> list[tuple[str, str]]:
    """`(name, CREATE statement)` of the table's indexes other than the primary key."""
    if vendor == "postgresql":
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexname NOT LIKE %s",
            [table, "%_pkey"],
        )
    else:
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s AND sql IS NOT NULL", [table]
        )
    return [(str(name), str(sql)) for name, sql in cursor.fetchall()]


def insert(n: int, departments: list[int], batch: int = 20_000) -> None:
    """Load the rows with the secondary indexes dropped, then re-create them (as a bulk load does)."""
    from django.db import connection

    from zhengwu.supervision.models import Timer

    table = Timer._meta.db_table
    with connection.cursor() as cursor:
        indexes = _secondary_indexes(cursor, connection.vendor, table)
        for name, _sql in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
    _insert_rows(n, departments, batch)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        for _name, sql in indexes:
            cursor.execute(sql)
        # as autovacuum would: statistics, and on PostgreSQL the visibility map for index-only scans
        cursor.execute(f"VACUUM ANALYZE {table}" if connection.vendor == "postgresql" else "ANALYZE")
    log(f"  re-created {len(indexes)} indexes in {time.perf_counter() - started:.1f} s")


def _insert_rows(n: int, departments: list[int], batch: int) -> None:
    from django.db import connection, transaction

    from zhengwu.supervision.models import Timer

    table = Timer._meta.db_table
    columns = ", ".join(connection.ops.quote_name(c) for c in COLUMNS)
    rows = generate(n, departments)
    first = next(rows)  # builds the working-day table (database reads) before COPY holds the connection
    rows = itertools.chain([first], rows)
    if connection.vendor == "postgresql":
        with transaction.atomic(), connection.cursor() as cursor:
            raw = cursor.cursor  # the psycopg cursor
            with raw.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for count, row in enumerate(rows, start=1):
                    copy.write_row(row)
                    if count % 200_000 == 0:
                        log(f"  {count:,} rows")
    else:
        marks = ", ".join(["%s"] * len(COLUMNS))
        sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608 - our identifiers
        adapt_dt = connection.ops.adapt_datetimefield_value
        adapt_d = connection.ops.adapt_datefield_value
        dt_cols = {
            COLUMNS.index(c)
            for c in ("started_at", "deadline_at", "yellow_at", "paused_at", "finished_at", "created_at", "updated_at")
        }
        d_cols = {COLUMNS.index(c) for c in ("start_date", "deadline", "yellow_from", "paused_on")}

        def adapted(row: tuple[Any, ...]) -> list[Any]:
            return [adapt_dt(v) if i in dt_cols else adapt_d(v) if i in d_cols else v for i, v in enumerate(row)]

        with transaction.atomic(), connection.cursor() as cursor:
            buffer: list[list[Any]] = []
            for count, row in enumerate(rows, start=1):
                buffer.append(adapted(row))
                if len(buffer) >= batch:
                    cursor.executemany(sql, buffer)
                    buffer.clear()
                if count % 200_000 == 0:
                    log(f"  {count:,} rows")
            if buffer:
                cursor.executemany(sql, buffer)


# --- measurements --------------------------------------------------------------------------------------


RAW_SQL = """
SELECT department_id, kind, kind_label,
  CASE
    WHEN state IN ('finished', 'cancelled') THEN 'done'
    WHEN state = 'paused' AND unit = 'workday' AND paused_on > deadline THEN 'red'
    WHEN state = 'paused' AND unit = 'minute' AND paused_at > deadline_at THEN 'red'
    WHEN state = 'paused' THEN 'paused'
    WHEN unit = 'workday' AND deadline < %s THEN 'red'
    WHEN unit = 'minute' AND deadline_at < %s THEN 'red'
    WHEN unit = 'workday' AND yellow_from <= %s THEN 'yellow'
    WHEN unit = 'minute' AND yellow_at <= %s THEN 'yellow'
    ELSE 'green'
  END AS light,
  COUNT(*)
FROM supervision_timer
WHERE state IN ('running', 'paused')
GROUP BY department_id, kind, kind_label, light
"""


def raw_aggregate(now: datetime | None = None) -> list[tuple[Any, ...]]:
    from django.db import connection
    from django.utils import timezone

    from zhengwu.core import workdays

    now = now or timezone.now()
    today = connection.ops.adapt_datefield_value(workdays.today(now))
    moment = connection.ops.adapt_datetimefield_value(now)
    with connection.cursor() as cursor:
        cursor.execute(RAW_SQL, [today, moment, today, moment])
        return list(cursor.fetchall())


def timed(fn: Any) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def measure(repeat: int, user: Any) -> dict[str, Any]:
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from zhengwu.supervision import selectors

    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(user=user).persistent_id
    session.save()

    def page() -> None:
        response = client.get("/workbench/supervision/")
        assert response.status_code == 200, response.status_code
        assert "红灯清单" in response.content.decode()

    from django.utils import timezone

    now = timezone.now()  # one moment for both: minute timers change light from one second to the next
    raw_rows = raw_aggregate(now)
    orm = selectors.live_light_groups(now=now)
    raw_cells = {(r[0], r[1], r[3]): r[4] for r in raw_rows}
    orm_cells = {(r["department_id"], r["kind"], r["current_light"]): r["number"] for r in orm}
    assert raw_cells == orm_cells, "the dashboard's aggregate differs from the raw SQL"
    log(f"live timers: {sum(raw_cells.values()):,} in {len(raw_rows)} groups; lights agree with the raw SQL")
    page()  # warm-up (templates, caches)
    times: dict[str, list[float]] = {"raw_sql": [], "dashboard": [], "orm_aggregate": [], "red_list": []}
    for i in range(repeat):
        times["raw_sql"].append(timed(raw_aggregate))
        times["dashboard"].append(timed(page))
        times["orm_aggregate"].append(timed(selectors.live_light_groups))
        times["red_list"].append(timed(lambda: list(selectors.red_list()[:20])))
        log(
            f"  run {i + 1}: raw {times['raw_sql'][-1] * 1000:.0f} ms, dashboard {times['dashboard'][-1] * 1000:.0f} ms"
        )
    medians = {k: statistics.median(v) for k, v in times.items()}
    return {"medians_ms": {k: round(v * 1000, 1) for k, v in medians.items()},
            "ratio": round(medians["dashboard"] / medians["raw_sql"], 3),
            "all_ms": {k: [round(x * 1000, 1) for x in v] for k, v in times.items()}}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--timers", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=7, help="measured runs of each (median reported; ≥ 5)")
    parser.add_argument("--postgres", metavar="URL", help="use this PostgreSQL database (dropped and re-created), "
                        "e.g. postgres://postgres@127.0.0.1:5432/zhengwu_bench_supervision")  # fmt: skip
    parser.add_argument("--workdir", type=Path)
    parser.add_argument(
        "--reuse", action="store_true", help="measure again on the data of an earlier run (same --workdir / --postgres)"
    )
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="zhengwu-supervision-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    os.environ["ZHENGWU_DATA_DIR"] = str(workdir / "data")
    os.environ.pop("DATABASE_URL", None)
    backend = "SQLite"
    if args.postgres:
        if not args.reuse:
            pg_recreate(args.postgres)
        os.environ["DATABASE_URL"] = args.postgres
        backend = "PostgreSQL"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhengwu.settings")
    import django

    django.setup()
    from django.core.management import call_command

    log(f"workdir {workdir}, backend {backend}, {args.timers:,} timers")
    load_seconds = 0.0
    if args.reuse:
        from django.contrib.auth import get_user_model

        from zhengwu.supervision.models import Timer

        call_command("migrate", verbosity=0)
        user = get_user_model().objects.get(username="bench_supervisor")
        args.timers = Timer.objects.count()
        log(f"reusing {args.timers:,} timers")
    else:
        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        departments, user = setup_people()
        log(f"migrate: {time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        insert(args.timers, departments)
        load_seconds = time.perf_counter() - started
        log(f"inserted {args.timers:,} timers in {load_seconds:.1f} s ({args.timers / load_seconds:,.0f} rows/s)")
    before = machine()
    result = measure(args.repeat, user)
    after = machine()
    result.update(
        {"backend": backend, "timers": args.timers, "repeat": args.repeat, "insert_seconds": round(load_seconds, 1),
         "machine_before": before, "machine_after": after}
    )  # fmt: skip
    (workdir / "results.json").write_text(json.dumps(result, ensure_ascii=False, indent=2))
    m = result["medians_ms"]
    print()
    print("| backend | timers | raw SQL GROUP BY | dashboard page | ratio | ORM aggregate | red list top 20 | load |")
    print("|---|---|---|---|---|---|---|---|")
    print(
        f"| {backend} | {args.timers:,} | {m['raw_sql']} ms | {m['dashboard']} ms | {result['ratio']}× | "
        f"{m['orm_aggregate']} ms | {m['red_list']} ms | {before['load']} → {after['load']} (nproc {before['nproc']}) |"
    )
    print(f"\nresults: {workdir / 'results.json'}")


if __name__ == "__main__":
    main()
