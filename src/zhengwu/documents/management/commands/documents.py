"""`zhengwu documents verify FILE [--seal SEAL]` — check an issued document's electronic seal offline.

    zhengwu documents verify 吉市监发〔2026〕12号.pdf     exit 0 when the seal holds, 1 when it does not

The seal file is `FILE.seal.json` beside the PDF unless `--seal` names another. The check needs only
the two files (the SM3 digest of the PDF's bytes, the SM2 signature with the public key in the
seal); whether that key is the one the platform published for the department is checked too when
this platform's database is reachable, and reported.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import DatabaseError

from zhengwu.documents import seal


class Command(BaseCommand):
    help = "电子公文：离线核验版式文件的电子印章。"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True, title="子命令")
        verify = sub.add_parser("verify", help="核验电子印章；有效时退出码 0，否则 1")
        verify.add_argument("file", help="公文版式文件（PDF）")
        verify.add_argument("--seal", help="印章文件（默认：FILE.seal.json）")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        seal_path = Path(options["seal"]) if options.get("seal") else path.with_name(path.name + ".seal.json")
        try:
            content = path.read_bytes()
            seal_bytes = seal_path.read_bytes()
        except OSError as error:
            self.stderr.write(self.style.ERROR(f"无法读取文件：{error}"))
            sys.exit(1)
        verdict = seal.verify(content, seal_bytes)
        if not verdict.valid:
            self.stderr.write(self.style.ERROR(f"印章无效：{verdict.reason}"))
            sys.exit(1)
        self.stdout.write(self.style.SUCCESS(verdict.reason))
        try:
            published = seal.key_is_published(verdict.seal)
        except DatabaseError:
            published = None
        if published is True:
            self.stdout.write("签章密钥为本平台公布的该机关密钥。")
        elif published is False:
            self.stdout.write("注意：本平台未登记该签章密钥，请向发文机关核实其公钥。")
