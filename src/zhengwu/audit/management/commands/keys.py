"""`zhengwu keys show | rotate-platform-key` — the platform signing key (SM2) of the log anchors.

    zhengwu keys show                  the current public key, its fingerprint and the trusted old ones
    zhengwu keys rotate-platform-key   a new key in <data dir>/platform_key; anchors signed by the old
                                       one still verify (its public key stays in <data dir>/platform_keys/)

The private key never leaves its file (or ZHENGWU_PLATFORM_KEY); back it up with the data key.
A rotation is recorded in the audit log and followed by an anchor signed with the new key.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhengwu.audit import anchors
from zhengwu.audit.audit_actions import AuditLogAction
from zhengwu.audit.services import record_action
from zhengwu.core.actors import Actor
from zhengwu.core.errors import ApplicationError


class Command(BaseCommand):
    help = "查看或轮换平台签名密钥（SM2，用于签署审计日志和共享访问日志的锚点）。"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True, title="子命令")
        sub.add_parser("show", help="显示平台签名公钥及其指纹，以及仍受信任的旧公钥")
        sub.add_parser("rotate-platform-key", help="生成新的平台签名密钥；旧锚点仍可校验")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["subcommand"] == "show":
                self._show()
            else:
                self._rotate()
        except ApplicationError as error:
            raise CommandError(error.message) from None

    def _show(self) -> None:
        key = anchors.platform_key()
        self.stdout.write("平台签名密钥（SM2）")
        self.stdout.write(f"  来源：{key.source}")
        self.stdout.write(f"  指纹：{key.fingerprint}")
        self.stdout.write(f"  公钥：{key.public_key}")
        older = {fp: public for fp, public in anchors.trusted_keys().items() if fp != key.fingerprint}
        self.stdout.write(f"  仍受信任的旧公钥（{anchors.keys_dir()}）：{len(older)} 个")
        for fingerprint in sorted(older):
            self.stdout.write(f"    {fingerprint}")

    def _rotate(self) -> None:
        old, new = anchors.rotate_platform_key()
        record_action(
            Actor.platform(),
            AuditLogAction.PLATFORM_KEY_ROTATE,
            details={"old_key": old.fingerprint, "new_key": new.fingerprint},
        )
        self.stdout.write(self.style.SUCCESS(f"平台签名密钥已轮换：{old.fingerprint} → {new.fingerprint}。"))
        self.stdout.write(f"  旧公钥仍受信任（{anchors.keys_dir()}），用它签署的锚点仍可校验。")
        self.stdout.write("  请把新的 platform_key 与 data_key 一同备份。")
        try:
            anchor = anchors.write_anchor("rotate")
        except ApplicationError as error:
            self.stderr.write(self.style.WARNING(f"未能用新密钥写入锚点：{error.message}"))
            return
        self.stdout.write(f"  已用新密钥写入{anchor.describe()}。")
