"""`zhengwu backup create | verify | restore | list` — backups from the command line (docs/deployment.md).

    zhengwu backup create [--to DIR]     a consistent snapshot while serving (default ZHENGWU_BACKUP_DIR/zhengwu-…)
    zhengwu backup verify DIR            every file against the manifest; with the passphrase, the seal and the keys
    zhengwu backup restore DIR [--force] into ZHENGWU_DATA_DIR / DATABASE_URL, then `audit verify`
    zhengwu backup list                  the complete backups, newest first

The passphrase comes from ZHENGWU_BACKUP_PASSPHRASE, or is asked for on a terminal.
"""

from __future__ import annotations

import getpass
import os
import sys
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhengwu.core.actors import Actor
from zhengwu.core.errors import ApplicationError
from zhengwu.ops import backup, services


class Command(BaseCommand):
    help = "备份与恢复：create | verify | restore | list"
    # A restore must run where the data key does not yet match the database (that is what it fixes).
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="创建备份")
        create.add_argument("--to", type=Path, default=None, help="备份目录（默认 ZHENGWU_BACKUP_DIR 下按时间命名）")
        verify = sub.add_parser("verify", help="校验备份")
        verify.add_argument("dir", type=Path)
        verify.add_argument("--no-passphrase", action="store_true", help="只校验文件摘要，不校验清单签名与密钥")
        restore = sub.add_parser("restore", help="从备份恢复（覆盖当前数据库、文件与密钥）")
        restore.add_argument("dir", type=Path)
        restore.add_argument("--force", action="store_true", help="当前数据库已有数据时也恢复（将被覆盖）")
        sub.add_parser("list", help="列出已有备份")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, f"_{options['action']}")(options)
        except ApplicationError as error:
            raise CommandError(error.message) from None

    def say(self, message: str) -> None:
        self.stdout.write(message)
        self.stdout.flush()

    def _passphrase(self, confirm: bool = False) -> str:
        if os.environ.get(services.PASSPHRASE_ENV):
            return os.environ[services.PASSPHRASE_ENV]
        if not sys.stdin.isatty():
            return services.passphrase_from_env()  # raises, naming the variable
        first = getpass.getpass("备份口令：")
        if confirm and getpass.getpass("再次输入备份口令：") != first:
            raise CommandError("两次输入的口令不一致。")
        return first

    def _create(self, options: dict[str, Any]) -> None:
        made = services.backup_create(
            actor=Actor.platform(), passphrase=self._passphrase(confirm=True), to=options["to"], progress=self.say
        )
        self.say(f"{made.files} 个文件，共 {made.bytes / 1048576:.1f} MB。")

    def _verify(self, options: dict[str, Any]) -> None:
        passphrase = None if options["no_passphrase"] else self._passphrase()
        problems = backup.backup_verify(options["dir"], passphrase=passphrase)
        if problems:
            for problem in problems:
                self.stderr.write(problem)
            raise SystemExit(1)
        made = backup.info(options["dir"])
        self.say(f"备份完整：{made.path}（{made.created_at:%Y-%m-%d %H:%M:%S}，{made.files} 个文件）。")

    def _restore(self, options: dict[str, Any]) -> None:
        if not options["force"] and _has_data():
            raise CommandError("当前数据库已有数据，恢复将覆盖它们：确认无误后加 --force 再运行。")
        services.backup_restore(
            actor=Actor.platform(), directory=options["dir"], passphrase=self._passphrase(), progress=self.say
        )
        self.say("校验审计日志……")
        call_command("audit", "verify", stdout=self.stdout, stderr=self.stderr)

    def _list(self, options: dict[str, Any]) -> None:
        found = backup.backups()
        if not found:
            self.say(f"{backup.default_dir()} 下没有完整的备份。")
        for made in found:
            self.say(f"{made.created_at:%Y-%m-%d %H:%M:%S}  {made.vendor:<10}  {made.files:>6} 个文件  {made.path}")


def _has_data() -> bool:
    from django.db import DatabaseError

    from zhengwu.audit.models import AuditEvent

    try:
        return AuditEvent.objects.exists()
    except DatabaseError:  # not migrated yet: nothing to lose
        return False
