"""The operations watch (issue 16): what an operations team must not find out too late.

Each check measures one thing and compares it with its threshold (a setting):
- the last good backup's age (`ZHENGWU_WATCH_BACKUP_HOURS`, 26: a daily backup plus slack);
- the last audit anchor's age, the newest file in the witness directory (`ZHENGWU_WATCH_ANCHOR_MINUTES`, 30);
- the age of the last anchor the remote witness holds, when one is configured
  (`ZHENGWU_WATCH_REMOTE_ANCHOR_MINUTES`, 30; audit.remote_witness);
- the remote replica's lag, for a `file://` Litestream replica: how far its newest file is behind
  the database's last write (`ZHENGWU_WATCH_REPLICA_SECONDS`, 60);
- the job queue's backlog, tasks waiting (`ZHENGWU_WATCH_QUEUE_BACKLOG`, 1000);
- load jobs "running" for longer than `ZHENGWU_WATCH_STUCK_MINUTES` (120; a 10M-row load takes minutes);
- free disk in the data directory (`ZHENGWU_WATCH_DISK_FREE_PERCENT`, 10);
- on PostgreSQL, the monthly partitions of the audit and access logs (audit.partitions): next
  month's must exist and the DEFAULT partition must be empty (rows there mean a month had none).

`/healthz` shows them (without turning the node unhealthy: a stale backup is no reason to take a
node out of the load balancer), the system administrator's page `/workbench/ops/` too, and a
job every ten minutes alerts the system administrators when a check turns bad (once, until it
is good again) by SMS and e-mail, writes a warning to the log and records it in the audit log.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_datetime

OK, BAD, UNKNOWN = "ok", "bad", "unknown"


@dataclass(frozen=True)
class Reading:
    name: str
    label: str
    status: str  # ok / bad / unknown (not configured, not measurable here)
    value: str  # what was measured, for people
    threshold: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _age(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} 秒"
    if seconds < 7200:
        return f"{seconds / 60:.0f} 分钟"
    return f"{seconds / 3600:.1f} 小时"


def _newest_file(directory: Path) -> float | None:
    """The modification time of the newest file below `directory`, or None."""
    if not directory.is_dir():
        return None
    times = [p.stat().st_mtime for p in directory.rglob("*") if p.is_file()]
    return max(times) if times else None


def backup_age() -> Reading:
    from zhengwu.ops.backup import backups

    limit = settings.ZHENGWU_WATCH_BACKUP_HOURS
    found = backups()
    if not found:
        return Reading("backup", "最近一次备份", BAD, "没有完整的备份", f"{limit} 小时内")
    age = (timezone.now() - found[0].created_at).total_seconds()
    status = OK if age <= limit * 3600 else BAD
    return Reading("backup", "最近一次备份", status, f"{_age(age)}前（{found[0].path.name}）", f"{limit} 小时内")


def anchor_age() -> Reading:
    limit = settings.ZHENGWU_WATCH_ANCHOR_MINUTES
    witness = Path(getattr(settings, "ZHENGWU_AUDIT_WITNESS", settings.DATA_DIR / "witness"))
    # Only this platform's anchors, the files at the top: those kept for peers (witness/peers/) are not its own.
    files = [p for p in witness.iterdir() if p.is_file()] if witness.is_dir() else []
    newest = max((p.stat().st_mtime for p in files), default=None)
    if newest is None:
        return Reading("anchor", "审计日志锚定", BAD, f"{witness} 中没有锚定记录", f"{limit} 分钟内")
    age = time.time() - newest
    return Reading("anchor", "审计日志锚定", OK if age <= limit * 60 else BAD, f"{_age(age)}前", f"{limit} 分钟内")


def remote_anchor_age() -> Reading:
    """The age of the newest anchor the remote witness holds (audit.remote_witness): it must keep
    up with the local ones, or a rewritten local witness could go unnoticed."""
    from zhengwu.audit import anchors, remote_witness

    limit = settings.ZHENGWU_WATCH_REMOTE_ANCHOR_MINUTES
    label, threshold = "远程见证锚定", f"{limit} 分钟内"
    if not remote_witness.configured():
        return Reading("remote_anchor", label, UNKNOWN, "未配置远程见证（ZHENGWU_AUDIT_WITNESS_URL）", threshold)
    line = remote_witness.fetch_latest()
    if line is None:
        return Reading("remote_anchor", label, BAD, "远程见证尚未保存本平台的锚点", threshold)
    anchor = anchors.parse_own(line, "远程见证")
    moment = parse_datetime(anchor.at)
    age = (timezone.now() - moment).total_seconds() if moment else float("inf")
    return Reading("remote_anchor", label, OK if age <= limit * 60 else BAD, f"{_age(age)}前", threshold)


def replica_lag() -> Reading:
    limit = settings.ZHENGWU_WATCH_REPLICA_SECONDS
    url = settings.ZHENGWU_REPLICA_URL
    if not url:
        return Reading("replica", "异地副本延迟", UNKNOWN, "未配置异地副本（ZHENGWU_REPLICA_URL）", f"{limit} 秒内")
    parsed = urlparse(url)
    if parsed.scheme != "file" or settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
        return Reading("replica", "异地副本延迟", UNKNOWN, f"{parsed.scheme} 副本的延迟请在副本端查看", f"{limit} 秒内")
    database = Path(str(settings.DATABASES["default"]["NAME"]))
    written = max((p.stat().st_mtime for p in (database, Path(f"{database}-wal")) if p.exists()), default=None)
    copied = _newest_file(Path(parsed.path))
    if copied is None:
        return Reading("replica", "异地副本延迟", BAD, "副本中还没有数据", f"{limit} 秒内")
    lag = max(0.0, (written or 0) - copied)
    return Reading("replica", "异地副本延迟", OK if lag <= limit else BAD, _age(lag), f"{limit} 秒内")


def queue_backlog() -> Reading:
    from huey.contrib.djhuey import HUEY

    limit = settings.ZHENGWU_WATCH_QUEUE_BACKLOG
    try:
        pending = HUEY.pending_count()
    except Exception as error:  # the queue itself unreachable: /healthz's queue check says so too
        return Reading("queue", "任务队列积压", BAD, f"无法读取：{type(error).__name__}", f"{limit} 个以内")
    return Reading("queue", "任务队列积压", OK if pending <= limit else BAD, f"{pending} 个待执行", f"{limit} 个以内")


def stuck_jobs() -> Reading:
    from zhengwu.exchange.models import LoadJob

    minutes = settings.ZHENGWU_WATCH_STUCK_MINUTES
    since = timezone.now() - timedelta(minutes=minutes)
    stuck = LoadJob.objects.filter(state=LoadJob.State.RUNNING, started_at__lt=since).count()
    value = f"{stuck} 个加载任务已运行超过 {minutes} 分钟" if stuck else "无"
    return Reading("stuck_jobs", "长时间运行的加载任务", OK if stuck == 0 else BAD, value, "0")


def disk_free() -> Reading:
    limit = settings.ZHENGWU_WATCH_DISK_FREE_PERCENT
    usage = shutil.disk_usage(settings.DATA_DIR)
    percent = usage.free * 100 / usage.total
    value = f"{percent:.0f}%（{usage.free / 2**30:.1f} GiB 可用）"
    return Reading("disk", "数据目录磁盘空间", OK if percent >= limit else BAD, value, f"不少于 {limit}%")


def log_partitions() -> Reading:
    from zhengwu.audit import partitions

    label, threshold = "日志分区", "下月分区已建，默认分区无记录"
    found = partitions.status()
    if not found:
        return Reading("partitions", label, UNKNOWN, "日志未分区（仅 PostgreSQL 按月分区）", threshold)
    next_month = partitions.add_months(partitions.month_of(timezone.now()), 1)
    problems = [f"{item.log.label}默认分区中有 {item.default_rows} 条记录" for item in found if item.default_rows] + [
        f"{item.log.label}缺少 {next_month:%Y-%m} 的分区" for item in found if next_month not in item.months
    ]
    if problems:
        return Reading("partitions", label, BAD, "；".join(problems), threshold)
    months = min(len(item.months) for item in found)
    value = f"各日志均有 {next_month:%Y-%m} 的分区（至少 {months} 个月分区）"
    return Reading("partitions", label, OK, value, threshold)


CHECKS: list[Callable[[], Reading]] = [
    backup_age,
    anchor_age,
    remote_anchor_age,
    replica_lag,
    queue_backlog,
    stuck_jobs,
    disk_free,
    log_partitions,
]


def readings() -> list[Reading]:
    result = []
    for check in CHECKS:
        try:
            result.append(check())
        except Exception as error:  # one broken check must not hide the others
            name = check.__name__
            result.append(Reading(name, name, UNKNOWN, f"检查失败：{type(error).__name__}: {error}", ""))
    return result


_cached: tuple[float, list[Reading]] = (0.0, [])
CACHE_SECONDS = 30


def health_component() -> dict[str, Any]:
    """For /healthz: every reading; "attention" when one is bad (the node itself stays healthy).
    Kept for 30 s in the process: a load balancer polling every second must not list directories."""
    global _cached
    if time.monotonic() - _cached[0] > CACHE_SECONDS:
        _cached = (time.monotonic(), readings())
    found = _cached[1]
    return {
        "status": "attention" if any(r.status == BAD for r in found) else "ok",
        **{r.name: {"status": r.status, "value": r.value} for r in found},
    }
