"""The audit log (安全审计): an append-only, SM3 hash-chained table of events.

Each event carries the hash of the one before it (`prev_hash`) and its own `hash`, SM3 over
a canonical serialisation of every field (see `audit.chain`), plus `mac`, an SM3-HMAC of the
hash under a key kept outside the database, so that someone who can write to the database
cannot simply recompute the chain after changing it. `AuditChainHead` is the one-row table
that writers lock to append, and that remembers the last sequence number and hash, so that
cutting off the end of the log is noticed too.

Protection in three layers: the model and its QuerySet refuse changes (here), the database
refuses them with triggers (migration 0002), and `services.verify_chain` finds whatever got
past both.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from zhengwu.accounts.models import ApiClient, Department, User
from zhengwu.audit.errors import AuditError
from zhengwu.core.errors import ApplicationError

ZERO_HASH = "0" * 64


def retention_cutoff(now: datetime | None = None) -> datetime:
    """Events at or after this moment are still within the legal retention period."""
    return (now or timezone.now()) - timedelta(days=settings.AUDIT_RETENTION_DAYS)


def _append_only() -> ApplicationError:
    return ApplicationError(AuditError.APPEND_ONLY, "审计日志只能追加，不能修改。")


def _within_retention() -> ApplicationError:
    days = settings.AUDIT_RETENTION_DAYS
    return ApplicationError(
        AuditError.WITHIN_RETENTION, f"审计日志须至少保存 {days} 天（网络安全法第二十一条），保存期内的记录不能删除。"
    )


class ChainEntry(models.Model):
    """An entry of an SM3 hash chain: inserted once, by the writer that locked the chain head (it
    sets `_chain_append`), and never saved again; `append_only` is the error a model raises."""

    append_only: Callable[[], ApplicationError]

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding or not getattr(self, "_chain_append", False):
            raise type(self).append_only()
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def delete(self) -> tuple[int, dict[str, int]]:
        if self.filter(at__gt=retention_cutoff()).exists():
            raise _within_retention()
        return super().delete()

    def update(self, **kwargs: Any) -> int:
        raise _append_only()

    def bulk_update(self, *args: Any, **kwargs: Any) -> int:
        raise _append_only()

    def bulk_create(self, *args: Any, **kwargs: Any) -> list[AuditEvent]:
        raise _append_only()

    def update_or_create(self, *args: Any, **kwargs: Any) -> tuple[AuditEvent, bool]:
        raise _append_only()


class AuditEvent(ChainEntry):
    """One audited event. Rows are written only by `services.record` and never changed."""

    append_only = staticmethod(_append_only)
    # On PostgreSQL: one partition a month on `at` (audit.partitions, migration 0003).
    partitioned_by_month = True
    hash_chain_head = "audit.AuditChainHead"
    hash_chain_label = "审计日志"

    class Outcome(models.TextChoices):
        SUCCESS = "success", "成功"
        FAILURE = "failure", "失败"
        DENIED = "denied", "拒绝"

    class ActorKind(models.TextChoices):
        STAFF = "staff", "工作人员"
        CITIZEN = "citizen", "自然人"
        ENTERPRISE = "enterprise", "法人"
        API_CLIENT = "api_client", "接口调用系统"
        ANONYMOUS = "anonymous", "未登录用户"
        SYSTEM = "system", "系统"

    seq = models.BigIntegerField("序号", primary_key=True)
    at = models.DateTimeField("时间")
    # Evidence must outlive what it is about: PROTECT (disable accounts, do not delete them), and
    # a text snapshot of who it was at the time.
    actor = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="操作人"
    )
    actor_label = models.CharField("操作人", max_length=200, blank=True)
    actor_kind = models.CharField("操作人类型", max_length=16, choices=ActorKind.choices)
    api_client = models.ForeignKey(
        ApiClient, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="接口调用系统"
    )
    api_client_label = models.CharField("接口调用系统", max_length=200, blank=True)
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="部门"
    )
    department_label = models.CharField("部门", max_length=200, blank=True)
    action = models.CharField("事件类型", max_length=100, db_index=True)
    target_type = models.CharField("对象类型", max_length=100, blank=True)
    target_id = models.CharField("对象标识", max_length=64, blank=True)
    target_label = models.CharField("对象", max_length=200, blank=True)
    outcome = models.CharField("结果", max_length=16, choices=Outcome.choices)
    zone = models.CharField("网络区域", max_length=16)
    ip = models.GenericIPAddressField("IP 地址", null=True, blank=True)
    details = models.JSONField("详情", default=dict, blank=True)
    prev_hash = models.CharField("前序哈希", max_length=64)
    hash = models.CharField("哈希（SM3）", max_length=64)
    mac = models.CharField("校验码（SM3-HMAC）", max_length=64)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = "审计事件"
        verbose_name_plural = "审计事件"
        ordering = ["-seq"]
        indexes = [
            models.Index(fields=["at"], name="audit_event_at"),
            models.Index(fields=["target_type", "target_id"], name="audit_event_target"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.outcome}"

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        if self.at > retention_cutoff():
            raise _within_retention()
        return super().delete(*args, **kwargs)


class ChainHead(models.Model):
    """The one row (pk 1) writers of a hash chain lock to append (`chain.lock_seq_chain_head`);
    remembers the last sequence number and hash."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default=ZERO_HASH)

    class Meta:
        abstract = True


class AuditChainHead(ChainHead):
    """The audit log's chain head."""

    class Meta:
        verbose_name = "审计链头"

    def __str__(self) -> str:
        return f"#{self.seq} {self.hash[:12]}…"


class WitnessPeer(models.Model):
    """Another zhengwu instance whose signed anchors this one keeps as its witness
    (audit.witness_peers; docs/deployment.md, "日志锚点").

    The peer calls with its API client's token (scope `audit:witness`) and may deposit only
    anchors signed by the platform key registered here: a token alone cannot write anchors in
    another instance's name, and a key alone cannot call the API."""

    client = models.OneToOneField(ApiClient, on_delete=models.PROTECT, related_name="witness_peer")
    public_key = models.CharField("平台签名公钥", max_length=128)
    fingerprint = models.CharField("公钥指纹", max_length=16, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "见证对端"

    def __str__(self) -> str:
        return f"{self.client.name}（{self.fingerprint}）"
