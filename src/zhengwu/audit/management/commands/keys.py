"""`zhengwu keys show | rotate-platform-key | rotate-data-key` — the platform's keys.

    zhengwu keys show                  the platform signing key (SM2) of the log anchors: its public
                                       key, fingerprint and the trusted old ones; the data keys of the
                                       keyring and how many stored values still use each
    zhengwu keys rotate-platform-key   a new key in <data dir>/platform_key; anchors signed by the old
                                       one still verify (its public key stays in <data dir>/platform_keys/)
    zhengwu keys rotate-data-key       a new current data key; every encrypted field re-encrypted and
                                       the recomputable blind indexes rebuilt, in batches, with progress;
                                       run again after a crash, it finishes the same rotation (core.rotation)

The private keys never leave their files (or the environment); back them up (`zhengwu backup`).
A rotation is recorded in the audit log and followed by an anchor.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhengwu.audit import anchors
from zhengwu.audit.audit_actions import AuditLogAction
from zhengwu.audit.models import AuditEvent
from zhengwu.audit.services import record_action
from zhengwu.core import crypto, rotation
from zhengwu.core.actors import Actor
from zhengwu.core.errors import ApplicationError


class Command(BaseCommand):
    help = "查看或轮换平台签名密钥（SM2，用于签署审计日志和共享访问日志的锚点）。"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True, title="子命令")
        sub.add_parser("show", help="显示平台签名公钥及其指纹，以及仍受信任的旧公钥")
        sub.add_parser("rotate-platform-key", help="生成新的平台签名密钥；旧锚点仍可校验")
        data = sub.add_parser(
            "rotate-data-key", help="生成新的数据密钥并重新加密全部加密字段（可中断后再次运行以继续）"
        )
        data.add_argument("--batch-size", type=int, default=rotation.BATCH, help="每批重新加密的行数（默认 500）")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["subcommand"] == "show":
                self._show()
                self._show_data_keys()
            elif options["subcommand"] == "rotate-data-key":
                self._rotate_data_key(max(1, min(int(options["batch_size"]), 10_000)))
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

    def _show_data_keys(self) -> None:
        ring = crypto.data_keyring()
        counts = rotation.values_by_key()
        self.stdout.write(f"数据密钥（SM4 加密、盲索引、日志校验码；密钥环 {crypto.keyring_dir()}）")
        for kid in ring.keys:
            marks = [m for m, on in (("当前", kid == ring.current_id), ("最早", kid == ring.first_id)) if on]
            label = f"（{'、'.join(marks)}）" if marks else ""
            self.stdout.write(f"  {kid}{label}：{counts.pop(kid, 0)} 个加密字段值")
        for kid, count in sorted(counts.items()):
            self.stdout.write(self.style.ERROR(f"  {kid}（不在密钥环中！）：{count} 个加密字段值无法解密"))
        target = rotation.pending_rotation()
        if target:
            self.stdout.write(
                self.style.WARNING(f"  有未完成的轮换（目标 {target}）：请再次运行 zhengwu keys rotate-data-key。")
            )

    def _rotate_data_key(self, batch_size: int) -> None:
        try:
            result = rotation.rotate_data_key(progress=self.stdout.write, batch_size=batch_size)
        except ApplicationError as error:
            record_action(
                Actor.platform(),
                AuditLogAction.DATA_KEY_ROTATE,
                outcome=AuditEvent.Outcome.FAILURE,
                details={"code": str(error.code), "message": error.message},
            )
            raise
        record_action(
            Actor.platform(),
            AuditLogAction.DATA_KEY_ROTATE,
            details={
                "old_key": result.old_id,
                "new_key": result.new_id,
                "resumed": result.resumed,
                "rewritten": result.rewritten,
                "remaining": result.remaining,
                "tables": result.tables,
            },
        )
        verb = "继续并完成了" if result.resumed else "完成了"
        if result.remaining:
            self.stdout.write(
                self.style.WARNING(
                    f"仍有 {result.remaining} 行使用旧密钥（有进程仍在用旧密钥写入？重启它们后再运行本命令）。"
                )
            )
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    f"{verb}数据密钥轮换：{result.old_id} → {result.new_id}，重新加密 {result.rewritten} 行。"
                )
            )
        self.stdout.write(f"  旧密钥保留在 {crypto.keyring_dir()}；请立即备份（zhengwu backup create）。")
        self._anchor("rotate-data-key")

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
        self._anchor("rotate", signed="用新密钥")

    def _anchor(self, reason: str, *, signed: str = "") -> None:
        """The anchor after a rotation; a failure is reported, not raised (the rotation stands)."""
        try:
            anchor = anchors.write_anchor(reason)
        except ApplicationError as error:
            self.stderr.write(self.style.WARNING(f"未能{signed}写入锚点：{error.message}"))
            return
        self.stdout.write(f"  已{signed}写入{anchor.describe()}。")
