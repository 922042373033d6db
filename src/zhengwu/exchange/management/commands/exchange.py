"""`zhengwu exchange ingest RESOURCE_CODE FILE [--mode replace|upsert]` — load data from the shell.

    zhengwu exchange ingest 102001/1 enterprises.csv                 全量替换（默认）
    zhengwu exchange ingest 102001/1 changes.xlsx --mode upsert      按主键增量更新
    zhengwu exchange ingest 102001/1 big.csv --user market_officer   以该数据管理员的身份加载

CSV (UTF-8 with or without BOM, GBK/GB18030), XLSX or JSON; every value is checked, and any
error means nothing is written: exit code 1, the first errors printed, the full report saved.
Without --user the load is recorded as the server's operator (系统).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhengwu.accounts.models import User
from zhengwu.catalog.selectors import resource_get_published
from zhengwu.core.actors import Actor
from zhengwu.core.errors import ApplicationError
from zhengwu.exchange.store.ingest import MAX_FILE_BYTES, error_report_csv, ingest_file
from zhengwu.exchange.store.models import LoadJob

SHOWN_ERRORS = 20


class ProgressBar:
    """`[#######.......]  45.0%  450,000 行  98,765 行/秒` on stderr, redrawn in place."""

    def __init__(self, stream: Any, width: int = 30) -> None:
        self.stream = stream
        self.width = width
        self.started = time.monotonic()
        self.last_draw = 0.0
        self.drawn = False

    def __call__(self, rows: int, fraction: float | None) -> None:
        now = time.monotonic()
        if now - self.last_draw < 0.2 and fraction != 1.0:
            return
        self.last_draw = now
        rate = rows / max(now - self.started, 1e-6)
        if fraction is None:
            bar, percent = "", ""
        else:
            filled = int(fraction * self.width)
            bar = "[" + "#" * filled + "." * (self.width - filled) + "] "
            percent = f"{fraction * 100:5.1f}%  "
        self.stream.write(f"\r{bar}{percent}{rows:,} 行  {rate:,.0f} 行/秒   ", ending="")
        self.stream.flush()
        self.drawn = True

    def done(self) -> None:
        if self.drawn:
            self.stream.write("")


class Command(BaseCommand):
    help = "向资源数据表加载数据（CSV/XLSX/JSON，逐值校验，全部正确才写入）。"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True, title="子命令")
        ingest = sub.add_parser("ingest", help="加载一个文件")
        ingest.add_argument("resource_code", help="资源代码，如 102001/1")
        ingest.add_argument("file", help="CSV、XLSX 或 JSON 文件")
        ingest.add_argument(
            "--mode",
            choices=LoadJob.Mode.values,
            default=LoadJob.Mode.REPLACE,
            help="replace 全量替换（默认）；upsert 按主键增量更新",
        )
        ingest.add_argument("--user", help="以该数据管理员账号加载（须为提供部门的数据管理员）")
        ingest.add_argument("--max-mb", type=int, default=MAX_FILE_BYTES // (1024 * 1024), help="文件大小上限（MB）")
        ingest.add_argument("--report", help="错误报告保存路径（默认在数据目录 exchange/reports/ 下）")
        ingest.add_argument("--quiet", action="store_true", help="不显示进度条")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            self._ingest(options)
        except ApplicationError as error:
            raise CommandError(error.message) from None

    def _ingest(self, options: dict[str, Any]) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"文件不存在：{path}")
        resource = resource_get_published(code=options["resource_code"])
        actor = Actor.platform()
        if options["user"]:
            user = User.objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"没有账号 {options['user']}。")
            actor = Actor.person(user)
        bar = ProgressBar(self.stderr) if not options["quiet"] else None
        started = time.monotonic()
        try:
            result = ingest_file(
                actor=actor,
                resource=resource,
                path=path,
                mode=options["mode"],
                progress=bar,
                max_bytes=options["max_mb"] * 1024 * 1024,
            )
        finally:
            if bar is not None:
                bar.done()
        elapsed = time.monotonic() - started
        job = result.job
        if result.ok:
            rate = result.rows_written / max(elapsed, 1e-6)
            deleted = f"，删除 {result.rows_deleted:,} 条" if result.rows_deleted else ""
            how = "全量替换" if options["mode"] == "replace" else "增量更新"
            summary = (
                f"加载完成：{resource.name}（{resource.code}），{how}，写入 {result.rows_written:,} 条{deleted}，"
                f"用时 {elapsed:.1f} 秒（{rate:,.0f} 行/秒）。加载任务 #{job.pk}。"
            )
            self.stdout.write(self.style.SUCCESS(summary))
            return
        report = Path(options["report"]) if options["report"] else _default_report_path(job)
        report.parent.mkdir(parents=True, exist_ok=True)
        report.write_bytes(error_report_csv(job))
        self.stderr.write(self.style.ERROR(f"加载失败：{job.message}"))
        for entry in job.errors[:SHOWN_ERRORS]:
            where = f"第 {entry['row']} 行" if entry.get("row") is not None else "文件"
            item = f"“{entry['item']}”" if entry.get("item") else ""
            value = f"（值：{entry['value']}）" if entry.get("value") else ""
            self.stderr.write(f"  {where} {item}{value}：{entry['message']}")
        if job.error_count > SHOWN_ERRORS:
            self.stderr.write(f"  …… 共 {job.error_count:,} 处错误")
        self.stderr.write(f"错误报告：{report}")
        sys.exit(1)


def _default_report_path(job: LoadJob) -> Path:
    return Path(settings.DATA_DIR) / "exchange" / "reports" / f"loadjob-{job.pk}-errors.csv"
