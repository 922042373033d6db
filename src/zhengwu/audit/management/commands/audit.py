"""`zhengwu audit verify | export | purge` — the audit log from the command line.

    zhengwu audit verify                       exit 0 when the chains are intact, 1 when not
    zhengwu audit anchor                       sign the chains' heads into the witness (audit.anchors)
    zhengwu audit witness-peer --client PREFIX --public-key HEX
                                               keep the anchors of another instance (audit.witness_peers)
    zhengwu audit export --format csv --output audit.csv [--since 2026-01-01] [--until 2026-01-31]
    zhengwu audit purge --before 2025-06-01    delete events older than the date (outside retention)
    zhengwu audit partitions status            PostgreSQL: the monthly partitions of the logs; rows in DEFAULT
    zhengwu audit partitions ensure            create this month's partitions and the next ones
    zhengwu audit partitions drop --before 2026-01 [--archive DIR] [--log exchange_accesslog]
                                               drop whole months past retention, after a signed anchor

`verify` checks every chain against the latest valid anchor in the witness (a chain shorter than
its anchor, or another hash at the anchored seq, is tampering), and, when a remote witness is
configured (audit.remote_witness), against the latest anchor it holds too: the local witness
could have been rewritten by whoever holds the disk. Each run is itself recorded in
the audit log (actor: 系统, i.e. the operator of the server).
"""

from __future__ import annotations

import sys
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from django.apps import apps as django_apps
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.module_loading import import_string

from zhengwu.accounts.models import ApiClient
from zhengwu.audit import (
    anchors,
    exports,
    partitions,
    remote_witness,
    restores,
    selectors,
    services,
    witness_peers,
)
from zhengwu.audit.audit_actions import AuditLogAction
from zhengwu.audit.services import VerifyResult, record_action
from zhengwu.core.actors import Actor
from zhengwu.core.errors import ApplicationError


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"日期格式应为 YYYY-MM-DD：{value}") from None


class Command(BaseCommand):
    help = "校验、导出或清理安全审计日志（SM3 哈希链）。"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True, title="子命令")
        verify = sub.add_parser("verify", help="逐条校验哈希链；完整时退出码 0，否则 1")
        verify.add_argument("--batch-size", type=int, default=5000, help="每批读取条数（默认 5000）")
        sub.add_parser("anchor", help="用平台签名密钥（SM2）签署各日志链的链头，写入见证目录")
        peer = sub.add_parser("witness-peer", help="登记见证对端：为另一政务平台实例存证其锚点")
        peer.add_argument("--client", required=True, help="对端使用的 API 凭证前缀（授权范围须含 audit:witness）")
        peer.add_argument("--public-key", required=True, help="对端的平台签名公钥（对端 zhengwu keys show 所示）")
        export = sub.add_parser("export", help="导出审计日志为 CSV 或 Excel")
        export.add_argument("--format", choices=exports.FORMATS, default="csv", help="csv（UTF-8 带 BOM）或 xlsx")
        export.add_argument("--output", required=True, help="输出文件路径")
        export.add_argument("--since", type=_date, help="起始日期（含），YYYY-MM-DD，北京时间")
        export.add_argument("--until", type=_date, help="截止日期（含），YYYY-MM-DD，北京时间")
        purge = sub.add_parser("purge", help="删除保存期以外的审计日志（清理本身也记入日志）")
        purge.add_argument("--before", type=_date, required=True, help="删除此日期（北京时间 0 点）之前的记录")
        parts = sub.add_parser("partitions", help="PostgreSQL：审计日志和共享访问日志的按月分区")
        actions = parts.add_subparsers(dest="partitions_action", required=True, title="操作")
        actions.add_parser("status", help="列出各日志的月分区；默认分区中有记录时退出码 1")
        ensure = actions.add_parser("ensure", help="创建本月及此后若干个月的分区，并把默认分区中的记录移入其月份")
        ensure.add_argument("--ahead", type=int, help="提前创建的月数（默认 ZHENGWU_LOG_PARTITIONS_AHEAD）")
        drop = actions.add_parser("drop", help="删除保存期以外的整月分区（删除前签署锚点）")
        drop.add_argument("--before", required=True, help="删除此月份（YYYY-MM）之前的各月分区")
        drop.add_argument("--archive", help="删除前把各月记录导出为 CSV 的目录（SM3 摘要记入锚点）")
        tables = sorted(log.table for log in partitions.logs())
        drop.add_argument("--log", choices=tables, action="append", help="只处理此表（可重复；默认全部）")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, f"_{options['subcommand'].replace('-', '_')}")(options)
        except ApplicationError as error:
            raise CommandError(error.message) from None

    def _verify(self, options: dict[str, Any]) -> None:
        anchor, problems = anchors.latest_anchor()
        for problem in problems:
            self.stderr.write(self.style.WARNING(problem))
        if anchor is None:
            self.stdout.write(
                self.style.WARNING(
                    f"见证目录 {anchors.witness_dir()} 中没有有效的锚点：无法发现日志末尾被截断或整体清空。"
                    "请运行 zhengwu audit anchor。"
                )
            )
        else:
            self.stdout.write(f"对照{anchor.describe()}校验。")
        restored = restores.latest_restore()
        if restored is not None:
            self.stdout.write(self.style.WARNING(f"最近一次恢复备份：{restored}。"))
        anchored = anchor.chains if anchor is not None else {}
        result = services.verify_chain(
            batch_size=options["batch_size"],
            anchor=anchored.get(anchors.AUDIT_CHAIN),
            starts=anchors.anchored_starts(anchors.AUDIT_CHAIN),
        )
        record_action(
            Actor.platform(),
            AuditLogAction.VERIFY,
            outcome="success" if result.ok else "failure",
            details={
                "checked": result.checked,
                "first_bad_seq": result.first_bad_seq,
                "reason": result.reason,
                "anchor": anchor.at if anchor is not None else None,
            },
        )
        others_ok = self._verify_other_chains(options, anchored)
        remote_ok = self._verify_remote()
        if anchor is not None and (unrecorded := restores.check_restored_anchor(anchor)) is not None:
            others_ok = False
            self.stderr.write(self.style.ERROR(f"{anchor.describe()}无效：{unrecorded}"))
        if result.ok:
            self.stdout.write(self.style.SUCCESS(result.message()))
            if not (others_ok and remote_ok):
                sys.exit(1)
            return
        self.stderr.write(self.style.ERROR(result.message()))
        sys.exit(1)

    def _verify_other_chains(self, options: dict[str, Any], anchored: dict[str, Any]) -> bool:
        """Other hash-chained logs (e.g. the exchange access log): models that name their verifier
        in `hash_chain_verifier` (a dotted path; the audit app does not import the apps above it)."""
        ok = True
        for model in django_apps.get_models():
            path = getattr(model, "hash_chain_verifier", None)
            if not path:
                continue
            label = getattr(model, "hash_chain_label", model._meta.verbose_name)
            verifier = import_string(path)
            name = model._meta.label_lower
            result: VerifyResult = verifier(
                batch_size=options["batch_size"], anchor=anchored.get(name), starts=anchors.anchored_starts(name)
            )
            if result.ok:
                self.stdout.write(self.style.SUCCESS(f"{label}完整：共校验 {result.checked} 条。"))
            else:
                ok = False
                where = f"{label}在第 {result.first_bad_seq} 条处被篡改"
                self.stderr.write(self.style.ERROR(f"{where}：{result.reason}（此前已校验 {result.checked} 条）"))
        return ok

    def _verify_remote(self) -> bool:
        """Every chain must extend the latest anchor the remote witness holds, as it must extend
        the local one: a witness directory rewritten together with the database is found here."""
        if not remote_witness.configured():
            return True
        try:
            line = remote_witness.fetch_latest()
            remote = anchors.parse_own(line, "远程见证") if line is not None else None
        except ApplicationError as error:
            self.stderr.write(self.style.ERROR(f"未能对照远程见证校验：{error.message}"))
            return False
        if remote is None:
            self.stderr.write(self.style.WARNING("远程见证尚未保存本平台的锚点。"))
            return True
        self.stdout.write(f"对照远程见证中{remote.describe()}校验。")
        unrecorded = restores.check_restored_anchor(remote)
        ok = unrecorded is None
        if unrecorded is not None:
            self.stderr.write(self.style.ERROR(f"远程见证中的锚点无效：{unrecorded}"))
        for chain in anchors.chains():
            state = remote.chains.get(chain.name)
            mismatch = chain.check(state) if state is not None else None
            if mismatch is not None:
                ok = False
                self.stderr.write(
                    self.style.ERROR(f"{chain.label}与远程见证的锚点不符（第 {mismatch[0]} 条）：{mismatch[1]}")
                )
        record_action(
            Actor.platform(),
            AuditLogAction.VERIFY,
            outcome="success" if ok else "failure",
            details={"remote_anchor": remote.at, "remote_ok": ok},
        )
        return ok

    def _witness_peer(self, options: dict[str, Any]) -> None:
        client = ApiClient.objects.filter(token_prefix=options["client"]).first()
        if client is None:
            raise CommandError(f"没有前缀为 {options['client']} 的 API 凭证。")
        if ApiClient.Scope.AUDIT_WITNESS not in client.scopes:
            raise CommandError(f"API 凭证 {client} 的授权范围不含 audit:witness。")
        peer = witness_peers.register_peer(actor=Actor.platform(), client=client, public_key=options["public_key"])
        self.stdout.write(
            self.style.SUCCESS(f"已登记见证对端 {peer}：其锚点保存在 {witness_peers.peer_dir(peer.fingerprint)}。")
        )

    def _anchor(self, options: dict[str, Any]) -> None:
        anchor = anchors.write_anchor("manual")
        heads = {name: state.get("seq", state.get("count")) for name, state in anchor.chains.items()}
        record_action(Actor.platform(), AuditLogAction.ANCHOR, details={"at": anchor.at, "key": anchor.key, **heads})
        self.stdout.write(self.style.SUCCESS(f"已写入{anchor.describe()}。"))
        labels = {chain.name: chain.label for chain in anchors.chains()}
        for name, state in anchor.chains.items():
            if "seq" in state:
                self.stdout.write(f"  {labels.get(name, name)}：到第 {state['seq']} 条（共 {state['count']} 条）")
            else:
                self.stdout.write(f"  {labels.get(name, name)}：{state['count']} 条")

    def _export(self, options: dict[str, Any]) -> None:
        flt = selectors.EventFilter(since=options["since"], until=options["until"])
        if flt.since and flt.until and flt.since > flt.until:
            raise CommandError("起始日期不能晚于截止日期。")
        path = Path(options["output"])
        through = selectors.head_seq()
        rows = selectors.events_stream(flt, through_seq=through)
        try:
            with path.open("wb") as out:
                count = exports.write_csv(rows, out) if options["format"] == "csv" else exports.write_xlsx(rows, out)
        except OSError as error:
            raise CommandError(f"无法写入 {path}：{error.strerror}") from None
        record_action(
            Actor.platform(),
            AuditLogAction.EXPORT,
            details={**flt.as_details(), "format": options["format"], "through_seq": through, "rows": count},
        )
        self.stdout.write(self.style.SUCCESS(f"已导出 {count} 条审计记录到 {path}。"))

    def _purge(self, options: dict[str, Any]) -> None:
        before = timezone.make_aware(datetime.combine(options["before"], time.min))
        deleted = services.purge_expired(actor=Actor.platform(), before=before)
        self.stdout.write(self.style.SUCCESS(f"已清理 {deleted} 条到期的审计记录。"))

    def _partitions(self, options: dict[str, Any]) -> None:
        getattr(self, f"_partitions_{options['partitions_action']}")(options)

    def _partitions_status(self, options: dict[str, Any]) -> None:
        found = partitions.status()
        if not found:
            self.stdout.write("日志未分区（SQLite，或 PostgreSQL 上尚未迁移）：无需管理分区。")
            return
        stray = False
        for item in found:
            months = "、".join(f"{m:%Y-%m}" for m in item.months) or "无"
            self.stdout.write(f"{item.log.label}（{item.log.table}）：{len(item.months)} 个月分区：{months}")
            if item.default_rows:
                stray = True
                when = "、".join(f"{m:%Y-%m}" for m in item.default_months)
                self.stderr.write(
                    self.style.WARNING(
                        f"  默认分区中有 {item.default_rows} 条记录（{when}）：这些月份没有分区。"
                        "请运行 zhengwu audit partitions ensure 把它们移入各自的月分区。"
                    )
                )
        if stray:
            sys.exit(1)

    def _partitions_ensure(self, options: dict[str, Any]) -> None:
        if not partitions.supported():
            self.stdout.write("日志只在 PostgreSQL 上按月分区：无需创建。")
            return
        created = partitions.ensure(ahead=options["ahead"])
        if created:
            self.stdout.write(self.style.SUCCESS(f"已创建 {len(created)} 个分区：{'、'.join(created)}"))
        else:
            self.stdout.write(self.style.SUCCESS("各月分区均已就绪，默认分区中没有记录。"))

    def _partitions_drop(self, options: dict[str, Any]) -> None:
        before = partitions.parse_month(options["before"])
        archive = Path(options["archive"]) if options["archive"] else None
        chains = [log.chain for log in partitions.logs() if log.table in (options["log"] or [])]
        dropped = partitions.drop_before(actor=Actor.platform(), before=before, archive_dir=archive, chains=chains)
        if not dropped:
            self.stdout.write(f"{before:%Y-%m} 之前没有月分区，未删除任何分区。")
        for item in dropped:
            months = "、".join(f"{m:%Y-%m}" for m in item.months)
            first = f"，现从第 {item.through_seq + 1} 条开始" if item.through_seq is not None else ""
            self.stdout.write(self.style.SUCCESS(f"{item.log.label}：已删除 {months} 共 {item.rows} 条{first}。"))
            for archive_file in item.archives:
                self.stdout.write(f"  已归档 {archive_file['file']}（SM3 {archive_file['sm3']}）")
