"""Monthly partitions of the hash-chained logs on PostgreSQL (docs/scaling.md, docs/deployment.md "日志分区").

On PostgreSQL `audit_auditevent` and `exchange_accesslog` are declaratively partitioned by RANGE
on `at`, one partition a month (`<table>_pYYYYMM`, bounds at midnight Beijing time), plus a
DEFAULT partition (`<table>_default`), so that a write never fails for lack of a partition.
SQLite keeps one table: every function here does nothing there.

What partitioning does to the tables (the Django models are unchanged, `seq` is still their pk):
- a primary key or unique constraint of a partitioned table must contain the partition key, so
  the primary key is (seq, at) and `exchange_accesslog`'s unique `pending_id` is (pending_id, at).
  seq stays unique because only the writer holding the chain head appends, and `audit verify`
  would report a repeated seq; the sealed copy of a staged row takes the staged row's `at`, so
  (pending_id, at) still lets a staged row be sealed only once;
- a foreign key pointing at one of these tables needs a unique column it can reference: the one
  from `exchange_accesslogsubject.log_id` is dropped (`audit verify` compares the subject index
  with the chain row for row instead); foreign keys *from* the logs to accounts stay;
- the append-only triggers are created on the partitioned table, which gives every partition them.

- `convert_table` / `unconvert_table`: used by the migrations (audit 0003, exchange 0012) to turn
  a plain table into a partitioned one, moving the rows it holds, and back.
- `ensure`: creates this month's partition and the next `ZHENGWU_LOG_PARTITIONS_AHEAD`; rows that
  landed in the DEFAULT partition are moved into the months created for them. Daily (Huey), at
  each worker's start and by `zhengwu audit partitions ensure`.
- `status`: partitions of each log and the rows in its DEFAULT partition (a sign `ensure` has not run).
- `drop_before`: the retention path (docs/rules.md §9): whole months older than the retention
  period are detached and dropped, after a signed anchor (audit.anchors) records the first
  sequence number left and the hash it links to, and what was dropped (seq range, months, rows,
  the archive's SM3 when the months are exported first). `audit verify` accepts a chain starting
  there and no other start.

Which tables are partitioned is asked of the models (`partitioned_by_month`, `hash_chain_head`,
`partition_drop_cleanup`): the audit app does not import the apps above it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from cryptography.hazmat.primitives import hashes
from django.apps import apps as django_apps
from django.conf import settings
from django.db import connection
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Model
from django.utils import timezone
from django.utils.module_loading import import_string

from zhengwu.accounts.models import Role
from zhengwu.audit import anchors
from zhengwu.audit.audit_actions import AuditLogAction
from zhengwu.audit.errors import AuditError
from zhengwu.audit.models import retention_cutoff
from zhengwu.audit.write import audited_write
from zhengwu.core.actors import Actor
from zhengwu.core.errors import ApplicationError

COLUMN = "at"
# pg_advisory_xact_lock key: one node at a time creates, moves or drops partitions.
LOCK_KEY = 0x7A_77_70_61_72_74  # "zwpart"


@dataclass(frozen=True)
class PartitionedLog:
    table: str
    chain: str  # its name among the anchors' chains (audit.anchors)
    label: str
    head: type[Model]  # the chain head every writer locks before it appends
    cleanup: Callable[[int], int] | None  # removes what hangs on the dropped entries (seq <= n)


def logs() -> list[PartitionedLog]:
    """The logs partitioned by month on PostgreSQL (models with `partitioned_by_month`)."""
    found = []
    for model in django_apps.get_models():
        if not getattr(model, "partitioned_by_month", False):
            continue
        cleanup = getattr(model, "partition_drop_cleanup", None)
        found.append(
            PartitionedLog(
                table=model._meta.db_table,
                chain=model._meta.label_lower,
                label=str(getattr(model, "hash_chain_label", model._meta.verbose_name)),
                head=django_apps.get_model(model.hash_chain_head),  # type: ignore[attr-defined]
                cleanup=import_string(cleanup) if cleanup else None,
            )
        )
    return found


def supported(db: BaseDatabaseWrapper | None = None) -> bool:
    return (db or connection).vendor == "postgresql"


# --- months ------------------------------------------------------------------------------


def _zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def month_of(moment: datetime) -> date:
    local = moment.astimezone(_zone())
    return date(local.year, local.month, 1)


def add_months(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def month_start(month: date) -> datetime:
    return datetime(month.year, month.month, 1, tzinfo=_zone())


def partition_name(table: str, month: date) -> str:
    return f"{table}_p{month:%Y%m}"


def default_name(table: str) -> str:
    return f"{table}_default"


def parse_month(text: str) -> date:
    """`YYYY-MM` as the first day of that month; ApplicationError naming the format otherwise."""
    match = re.fullmatch(r"(\d{4})-(\d{2})", text.strip())
    if not match or not 1 <= int(match[2]) <= 12:
        message = f"月份格式应为 YYYY-MM，例如 2026-01：{text}"
        raise ApplicationError(AuditError.INVALID_FILTER, message, {"before": message})
    return date(int(match[1]), int(match[2]), 1)


# --- the catalog -------------------------------------------------------------------------


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _fetch(sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def _run(sql: str, params: Sequence[Any] | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _lock_for_ddl() -> None:
    """Before changing partitions, in the caller's transaction: one node at a time, and the
    deferred foreign-key checks of rows written so far run now (PostgreSQL alters no table that
    has pending trigger events)."""
    _run("SET CONSTRAINTS ALL IMMEDIATE")
    _run("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])


def is_partitioned(table: str) -> bool:
    return bool(_fetch("SELECT 1 FROM pg_class WHERE oid = to_regclass(%s) AND relkind = 'p'", [table]))


def partitions(table: str) -> tuple[dict[date, str], str | None]:
    """The monthly partitions of `table` (month → name) and the name of its DEFAULT partition."""
    months: dict[date, str] = {}
    default = None
    pattern = re.compile(rf"^{re.escape(table)}_p(\d{{4}})(\d{{2}})$")
    rows = _fetch(
        "SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) FROM pg_inherits i "
        "JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = to_regclass(%s)",
        [table],
    )
    for name, bound in rows:
        match = pattern.match(name)
        if bound == "DEFAULT":
            default = name
        elif match:
            months[date(int(match[1]), int(match[2]), 1)] = name
    return months, default


def _months_in(relation: str) -> list[date]:
    """The months (Beijing time) of the rows of one table or partition."""
    rows = _fetch(
        f"SELECT DISTINCT date_trunc('month', {_q(COLUMN)} AT TIME ZONE %s)::date FROM {_q(relation)}",  # noqa: S608 - ours
        [settings.TIME_ZONE],
    )
    return sorted(row[0] for row in rows)


def _count(relation: str) -> int:
    return int(_fetch(f"SELECT count(*) FROM {_q(relation)}")[0][0])  # noqa: S608 - ours


def _create_months(table: str, months: Sequence[date]) -> list[str]:
    created = []
    for month in months:
        name = partition_name(table, month)
        low, high = month_start(month).isoformat(), month_start(add_months(month, 1)).isoformat()
        _run(f"CREATE TABLE {_q(name)} PARTITION OF {_q(table)} FOR VALUES FROM ('{low}') TO ('{high}')")
        created.append(name)
    return created


def _wanted(now: datetime | None = None, ahead: int | None = None) -> list[date]:
    first = month_of(now or timezone.now())
    count = settings.ZHENGWU_LOG_PARTITIONS_AHEAD if ahead is None else ahead
    return [add_months(first, i) for i in range(count + 1)]


# --- converting a table (the migrations) -----------------------------------------------------


def _definitions(table: str) -> tuple[list[tuple[str, str, str]], list[str], list[str], list[tuple[str, str]]]:
    """What Django (and earlier migrations) created on `table`: its constraints (name, kind,
    definition), its other indexes, its triggers, and the foreign keys of other tables to it."""
    constraints = [
        (str(name), str(kind), str(definition))
        for name, kind, definition in _fetch(
            "SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = to_regclass(%s) AND conislocal ORDER BY conname",
            [table],
        )
    ]
    owned = {name for name, kind, _ in constraints if kind in "pu"}
    indexes = [
        str(definition).replace(" ON ONLY ", " ON ")
        for name, definition in _fetch(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename = %s",
            [table],
        )
        if name not in owned
    ]
    triggers = [
        str(row[0])
        for row in _fetch(
            "SELECT pg_get_triggerdef(oid) FROM pg_trigger WHERE tgrelid = to_regclass(%s) AND NOT tgisinternal "
            "AND tgparentid = 0",
            [table],
        )
    ]
    incoming = [
        (str(name), str(other))
        for name, other in _fetch(
            "SELECT conname, conrelid::regclass::text FROM pg_constraint "
            "WHERE confrelid = to_regclass(%s) AND contype = 'f' AND conparentid = 0",
            [table],
        )
    ]
    return constraints, indexes, triggers, incoming


def _key_columns(definition: str, *, partitioned: bool) -> str:
    """`PRIMARY KEY (seq)` ↔ `PRIMARY KEY (seq, at)`: a partitioned table's keys hold its partition key."""
    suffix = f", {COLUMN})"
    if partitioned:
        return definition if definition.endswith(suffix) else definition[:-1] + suffix
    return definition[: -len(suffix)] + ")" if definition.endswith(suffix) else definition


def _rebuild(table: str, *, partitioned: bool, ahead: int) -> None:
    constraints, indexes, triggers, incoming = _definitions(table)
    for name, other in incoming:
        _run(f"ALTER TABLE {_q(other)} DROP CONSTRAINT {_q(name)}")
    old = f"{table}_old"
    _run(f"ALTER TABLE {_q(table)} RENAME TO {_q(old)}")
    scheme = f" PARTITION BY RANGE ({_q(COLUMN)})" if partitioned else ""
    _run(f"CREATE TABLE {_q(table)} (LIKE {_q(old)} INCLUDING DEFAULTS){scheme}")
    if partitioned:
        months = set(_months_in(old)) | set(_wanted(ahead=ahead))
        first, last = min(months), max(months)
        span = [add_months(first, i) for i in range((last.year - first.year) * 12 + last.month - first.month + 1)]
        _create_months(table, span)
        _run(f"CREATE TABLE {_q(default_name(table))} PARTITION OF {_q(table)} DEFAULT")
    _run(f"INSERT INTO {_q(table)} SELECT * FROM {_q(old)}")  # noqa: S608 - ours
    _run(f"DROP TABLE {_q(old)} CASCADE")  # its partitions, indexes, constraints and triggers with it
    for name, kind, definition in constraints:
        if kind in "pu":
            definition = _key_columns(definition, partitioned=partitioned)
        _run(f"ALTER TABLE {_q(table)} ADD CONSTRAINT {_q(name)} {definition}")
    for statement in [*indexes, *triggers]:
        _run(statement)


def convert_table(db: BaseDatabaseWrapper, table: str) -> None:
    """Turn `table` into one partitioned by month on `at`, its rows moved into their months
    (a migration step on PostgreSQL; nothing elsewhere or when it is partitioned already).
    Foreign keys of other tables to it are dropped (see the module's docstring)."""
    if supported(db) and not is_partitioned(table):
        _rebuild(table, partitioned=True, ahead=settings.ZHENGWU_LOG_PARTITIONS_AHEAD)


def unconvert_table(db: BaseDatabaseWrapper, table: str) -> None:
    """The reverse of `convert_table`: one plain table again (foreign keys to it are not restored)."""
    if supported(db) and is_partitioned(table):
        _rebuild(table, partitioned=False, ahead=0)


# --- keeping partitions ahead ----------------------------------------------------------------


@dataclass
class LogPartitions:
    log: PartitionedLog
    months: list[date] = field(default_factory=list)
    default_rows: int = 0
    default_months: list[date] = field(default_factory=list)


def status() -> list[LogPartitions]:
    """Each partitioned log: its months and what landed in its DEFAULT partition (empty on SQLite)."""
    if not supported():
        return []
    found = []
    for log in logs():
        if not is_partitioned(log.table):
            continue
        months, default = partitions(log.table)
        item = LogPartitions(log, sorted(months))
        if default is not None:
            item.default_rows = _count(default)
            item.default_months = _months_in(default) if item.default_rows else []
        found.append(item)
    return found


def _plan(now: datetime | None, ahead: int | None) -> dict[str, list[date]]:
    """Table → the months to create (ahead, and those of rows waiting in the DEFAULT partition)."""
    plan = {}
    for item in status():
        missing = (set(_wanted(now, ahead)) | set(item.default_months)) - set(item.months)
        if missing:
            plan[item.log.table] = sorted(missing)
    return plan


def ensure(*, actor: Actor | None = None, now: datetime | None = None, ahead: int | None = None) -> list[str]:
    """Create the partitions of this month and the next `ahead` months (ZHENGWU_LOG_PARTITIONS_AHEAD)
    of every partitioned log, and move rows out of the DEFAULT partition into months created for
    them; returns the partitions created. Nothing to do, nothing written (nor recorded)."""
    if not supported() or not _plan(now, ahead):
        return []
    created: list[str] = []
    with audited_write(actor or Actor.platform(), AuditLogAction.PARTITIONS_ENSURE) as write:
        _lock_for_ddl()
        for table, months in _plan(now, ahead).items():  # again, under the lock: another node may have run
            created += _create_for(table, months)
        write.note(created=created)
    return created


def _create_for(table: str, months: list[date]) -> list[str]:
    """Create `months` of `table`. Rows in the DEFAULT partition that belong to one of them would
    make PostgreSQL refuse the new partition: the DEFAULT partition is then detached, the months and
    a new DEFAULT created, and its rows inserted again through the parent (each into its month)."""
    _, default = partitions(table)
    if default is None or _count(default) == 0:
        return _create_months(table, months)
    waiting = f"{table}_default_moving"
    _run(f"ALTER TABLE {_q(table)} DETACH PARTITION {_q(default)}")
    _run(f"ALTER TABLE {_q(default)} RENAME TO {_q(waiting)}")
    created = _create_months(table, months)
    _run(f"CREATE TABLE {_q(default_name(table))} PARTITION OF {_q(table)} DEFAULT")
    _run(f"INSERT INTO {_q(table)} SELECT * FROM {_q(waiting)}")  # noqa: S608 - ours
    _run(f"DROP TABLE {_q(waiting)}")
    return created


# --- dropping months past retention ------------------------------------------------------------


@dataclass(frozen=True)
class Dropped:
    log: PartitionedLog
    months: list[date]
    rows: int
    through_seq: int | None  # the last seq dropped (None: the months were empty)
    archives: list[dict[str, str]]

    def as_details(self) -> dict[str, Any]:
        months = [f"{m:%Y-%m}" for m in self.months]
        return {"table": self.log.table, "months": months, "rows": self.rows, "through_seq": self.through_seq}


def _check_retention(before: date) -> None:
    cutoff = retention_cutoff()
    if month_start(before) > cutoff:
        days, latest = settings.AUDIT_RETENTION_DAYS, month_of(cutoff)
        message = (
            f"日志须至少保存 {days} 天（网络安全法第二十一条，docs/rules.md §9）："
            f"{before:%Y-%m} 之前的月份中有保存期内的记录（保存期从 {timezone.localtime(cutoff):%Y-%m-%d %H:%M} 起），"
            f"最多只能删除 {latest:%Y-%m} 之前的月份。"
        )
        raise ApplicationError(AuditError.WITHIN_RETENTION, message, {"before": message})


def _archive(partition: str, directory: Path, month: date, table: str) -> dict[str, str]:
    """Export one partition as CSV (with a header, in seq order) and return its file and SM3."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{table}-{month:%Y-%m}.csv"
    digest = hashes.Hash(hashes.SM3())
    with path.open("wb") as out, connection.cursor() as cursor:
        sql = f"COPY (SELECT * FROM {_q(partition)} ORDER BY seq) TO STDOUT WITH (FORMAT csv, HEADER true)"  # noqa: S608
        with cursor.cursor.copy(sql) as copy:
            for chunk in copy:
                data = bytes(chunk)
                out.write(data)
                digest.update(data)
        out.flush()
        os.fsync(out.fileno())
    return {"file": str(path), "sm3": digest.finalize().hex(), "month": f"{month:%Y-%m}"}


def drop_before(
    *, actor: Actor, before: date, archive_dir: Path | None = None, chains: Sequence[str] = ()
) -> list[Dropped]:
    """Detach and drop every monthly partition before the month `before` of each partitioned log
    (of those named in `chains`, when given), refusing a month within the retention period.

    The rows dropped must be the start of their chain (seq 1 or the first left, up to n): the
    anchor signed before anything is dropped records n + 1 as the new first seq, the hash of
    entry n it links to, the months, rows and archive files (SM3) dropped. Only the audit
    administrator or the platform (the command) may drop; the drop, or its refusal, is audited."""
    dropped: list[Dropped] = []
    with audited_write(actor, AuditLogAction.PARTITIONS_DROP) as write:
        write.require(actor.is_platform or actor.has_role(Role.AUDIT_ADMIN), "只有审计管理员可以删除到期的日志分区。")
        write.note(before=f"{before:%Y-%m}", archive=str(archive_dir) if archive_dir else "")
        if not supported():
            raise ApplicationError(
                AuditError.NOT_PARTITIONED,
                "日志只在 PostgreSQL 上按月分区；"
                "SQLite 上请用 zhengwu audit purge --before YYYY-MM-DD 清理到期的审计日志。",
            )
        _check_retention(before)
        selected = [log for log in logs() if not chains or log.chain in chains]
        for log in selected:  # writers lock the head before they insert: so must we, before DETACH
            log.head._default_manager.select_for_update().filter(pk=1).first()
        _run("SET LOCAL lock_timeout = '10s'")
        _lock_for_ddl()
        for table, months in _plan(None, None).items():  # rows waiting in DEFAULT go to their months first
            _create_for(table, months)
        cuts: dict[str, dict[str, Any]] = {}
        for log in selected:
            plan = _drop_plan(log, before, archive_dir)
            if plan is None:
                continue
            dropped.append(plan)
            if plan.through_seq is not None:
                (prev_hash,) = _fetch(f"SELECT hash FROM {_q(log.table)} WHERE seq = %s", [plan.through_seq])[0]  # noqa: S608
                cuts[log.chain] = {
                    "first_seq": plan.through_seq + 1,
                    "first_prev_hash": str(prev_hash),
                    "dropped": {
                        "through_seq": plan.through_seq,
                        "months": [f"{m:%Y-%m}" for m in plan.months],
                        "rows": plan.rows,
                        "archives": plan.archives,
                    },
                }
        if cuts:  # signed before anything is dropped: a crash after it leaves a longer chain, still valid
            write.note(anchor=anchors.write_anchor("partition_drop", cuts=cuts).at)
        for item in dropped:
            names, _ = partitions(item.log.table)
            for month in item.months:
                _run(f"ALTER TABLE {_q(item.log.table)} DETACH PARTITION {_q(names[month])}")
                _run(f"DROP TABLE {_q(names[month])}")
            if item.log.cleanup is not None and item.through_seq is not None:
                item.log.cleanup(item.through_seq)
        write.note(dropped=[item.as_details() for item in dropped])
    return dropped


def _drop_plan(log: PartitionedLog, before: date, archive_dir: Path | None) -> Dropped | None:
    months, _ = partitions(log.table)
    doomed = sorted(m for m in months if m < before)
    if not doomed:
        return None
    bound = month_start(before)
    through, rows = _fetch(
        f"SELECT max(seq), count(*) FROM {_q(log.table)} WHERE {_q(COLUMN)} < %s",  # noqa: S608 - ours
        [bound],
    )[0]
    if through is not None:
        (later,) = _fetch(
            f"SELECT count(*) FROM {_q(log.table)} WHERE seq <= %s AND {_q(COLUMN)} >= %s",  # noqa: S608 - ours
            [through, bound],
        )[0]
        if later:
            raise ApplicationError(
                AuditError.PARTITION_ORDER,
                f"{log.label}中有 {later} 条记录序号不大于第 {through} 条、时间却在 {before:%Y-%m} 之后"
                "（记录时间与序号顺序不一致），不能按月删除：请用 zhengwu audit verify 查明原因。",
            )
    archives = [_archive(months[m], archive_dir, m, log.table) for m in doomed] if archive_dir else []
    return Dropped(log, doomed, int(rows), int(through) if through is not None else None, archives)
