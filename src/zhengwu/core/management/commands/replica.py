"""`zhengwu replica config | restore | status` — the remote copy of the SQLite database (core.replica).

zhengwu replica config                     the Litestream configuration `zhengwu serve` runs with
zhengwu replica restore --to FILE [--from URL]   rebuild the database from the replica
zhengwu replica status                     Litestream's view of the local database and replica
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhengwu.core import replica
from zhengwu.core.errors import ApplicationError


class Command(BaseCommand):
    help = "异地副本（Litestream）：config | restore | status"
    requires_system_checks: list[str] = []  # restoring at the remote site happens before anything else

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("config", help="显示 Litestream 配置")
        restore = sub.add_parser("restore", help="从副本恢复数据库到新文件")
        restore.add_argument("--to", type=Path, required=True)
        restore.add_argument("--from", dest="url", default=None, help="副本地址（默认 ZHENGWU_REPLICA_URL）")
        sub.add_parser("status", help="复制状态")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["action"] == "restore":
                replica.restore(to=options["to"], url=options["url"])
                self.stdout.write(f"已从副本恢复到 {options['to']}。")
                return
            if not settings.ZHENGWU_REPLICA_URL:
                raise CommandError("没有设置 ZHENGWU_REPLICA_URL：未配置异地副本。")
            if options["action"] == "config":
                self.stdout.write(
                    replica.config_text(
                        replica.database_path(), settings.ZHENGWU_REPLICA_URL, settings.ZHENGWU_REPLICA_SYNC_SECONDS
                    )
                )
                return
            # The arguments are our own: the binary and the configuration file we wrote.
            subprocess.run([replica.binary(), "status", "-config", str(replica.write_config())], check=False)  # noqa: S603
        except ApplicationError as error:
            raise CommandError(error.message) from None
