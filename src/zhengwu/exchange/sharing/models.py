"""Sharing by rule (docs/rules.md §3): share requests, grants, objections (纠错), the access log of the
query API (SM3 hash chain, like the audit log), and subscriptions with their webhook deliveries.

Writes go through `exchange.sharing.services`, `exchange.sharing.access_log` and `exchange.sharing.subscriptions`.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from zhengwu.audit.models import ZERO_HASH, ChainEntry, ChainHead
from zhengwu.catalog.signals import SignallingQuerySet
from zhengwu.core.errors import ApplicationError, CoreError
from zhengwu.core.rotation import encrypted_column

ACCESS_LOG_ZERO_HASH = ZERO_HASH

__all__ = [
    "ACCESS_LOG_ZERO_HASH",
    "AccessLog",
    "AccessLogHead",
    "AccessLogPending",
    "AccessLogSubject",
    "Delivery",
    "Grant",
    "Objection",
    "QueryCacheVersion",
    "RateCounter",
    "ShareRequest",
    "Subscription",
]


class ShareRequest(models.Model):
    """A consumer department asks for items of a resource, for a purpose, on a legal basis."""

    class State(models.TextChoices):
        SUBMITTED = "submitted", "待答复"
        GRANTED = "granted", "已同意"
        REFUSED = "refused", "不同意"
        COORDINATING = "coordinating", "协调中"
        WITHDRAWN = "withdrawn", "已撤回"

    consumer = models.ForeignKey(
        "accounts.Department", on_delete=models.PROTECT, related_name="share_requests", verbose_name="申请部门"
    )
    resource = models.ForeignKey(
        "catalog.Resource", on_delete=models.PROTECT, related_name="share_requests", verbose_name="信息资源"
    )
    item_codes = models.JSONField("申请信息项", default=list)
    purpose = models.CharField("用途", max_length=200)
    legal_basis = models.TextField("依据")
    period_start = models.DateField("使用期限起")
    period_end = models.DateField("使用期限止")
    plain_personal = models.BooleanField("申请个人信息明文", default=False)
    state = models.CharField("状态", max_length=16, choices=State.choices, default=State.SUBMITTED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="申请人"
    )
    created_at = models.DateTimeField("申请时间", default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField("答复时间", null=True, blank=True)
    refusal_reason = models.TextField("不同意理由", blank=True)
    coordination_note = models.TextField("协调意见", blank=True)

    class Meta:
        verbose_name = "共享申请"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["resource", "state"]), models.Index(fields=["consumer", "state"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")), name="share_request_period_order"
            )
        ]

    def __str__(self) -> str:
        return f"{self.consumer} 申请 {self.resource}（{self.get_state_display()}）"


class Grant(models.Model):
    """The right of a consumer department to query items of a resource for one purpose."""

    consumer = models.ForeignKey(
        "accounts.Department", on_delete=models.PROTECT, related_name="grants", verbose_name="使用部门"
    )
    resource = models.ForeignKey(
        "catalog.Resource", on_delete=models.PROTECT, related_name="grants", verbose_name="信息资源"
    )
    request = models.OneToOneField(
        ShareRequest, null=True, blank=True, on_delete=models.PROTECT, related_name="grant", verbose_name="共享申请"
    )
    item_codes = models.JSONField("授权信息项", default=list)
    purpose = models.CharField("用途", max_length=200)
    legal_basis = models.TextField("依据")
    valid_from = models.DateTimeField("生效时间", default=timezone.now)
    valid_until = models.DateTimeField("有效期至")
    plain_personal = models.BooleanField("个人信息明文", default=False)
    rate_limit_per_minute = models.PositiveIntegerField("每分钟调用上限", default=600)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    revoke_reason = models.TextField("撤销理由", blank=True)

    # update() tells the query API's caches (catalog.signals.rows_updated).
    objects = SignallingQuerySet.as_manager()

    class Meta:
        verbose_name = "共享授权"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["consumer", "resource", "purpose"])]

    def __str__(self) -> str:
        return f"{self.consumer} · {self.resource} · {self.purpose}"

    def is_active(self, now: Any = None) -> bool:
        moment = now or timezone.now()
        return self.revoked_at is None and self.valid_from <= moment < self.valid_until


class Objection(models.Model):
    """纠错/异议: a consumer reports a wrong value; the record is disputed until resolved."""

    class State(models.TextChoices):
        OPEN = "open", "待核实"
        CORRECTED = "corrected", "已更正"
        REJECTED = "rejected", "经核实无误"

    # None: raised by the person the record is about (个人信息更正, docs/rules.md §16), not a department.
    consumer = models.ForeignKey(
        "accounts.Department",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="objections",
        verbose_name="提出部门",
    )
    resource = models.ForeignKey(
        "catalog.Resource", on_delete=models.PROTECT, related_name="objections", verbose_name="信息资源"
    )
    record_key = models.CharField("记录主键", max_length=100)
    field = models.CharField("信息项", max_length=64)
    evidence = models.TextField("依据/证明")
    state = models.CharField("状态", max_length=16, choices=State.choices, default=State.OPEN)
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    answer = models.TextField("核实意见", blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "数据纠错"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["resource", "record_key", "state"])]

    def __str__(self) -> str:
        return f"纠错 {self.resource.code} {self.record_key}.{self.field}"


def _append_only() -> ApplicationError:
    return ApplicationError(CoreError.CONFLICT, "访问日志只能追加，不能修改或删除。")


class AccessLogQuerySet(models.QuerySet["AccessLog"]):
    def update(self, **kwargs: Any) -> int:
        raise _append_only()

    def bulk_update(self, *args: Any, **kwargs: Any) -> int:
        raise _append_only()

    def bulk_create(self, *args: Any, **kwargs: Any) -> list[AccessLog]:
        raise _append_only()


def _call_fk(to: Any, *, checked: bool = True) -> models.ForeignKey[Any, Any]:
    """A logged call's optional link to what it named; kept while the row is (PROTECT), no reverse
    accessor. Not `checked`: neither indexed nor a FOREIGN KEY constraint (see AccessLogPending)."""
    return models.ForeignKey(
        to,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=checked,
        db_constraint=checked,
    )


class LoggedCall(models.Model):
    """The columns of one call of the query API that the access log and its staging table both hold."""

    class Outcome(models.TextChoices):
        OK = "ok", "成功"
        NOT_FOUND = "not_found", "无记录"
        DENIED = "denied", "拒绝"
        RATE_LIMITED = "rate_limited", "超出频率"
        INVALID = "invalid", "请求有误"

    class Operation(models.TextChoices):
        RECORD = "record", "按主键查询"
        SEARCH = "search", "条件查询"
        CHANGES = "changes", "增量拉取"
        PUSH = "push", "订阅推送"

    at = models.DateTimeField("时间")
    api_client_label = models.CharField("调用系统", max_length=200, blank=True)
    consumer_label = models.CharField("使用部门", max_length=200, blank=True)
    resource_code = models.CharField("资源代码", max_length=100, blank=True)
    operation = models.CharField("操作", max_length=16, choices=Operation.choices)
    purpose = models.CharField("用途", max_length=200, blank=True)
    keys = models.JSONField("查询主键", default=list, blank=True)
    filters = models.JSONField("查询条件", default=dict, blank=True)
    key_indexes = models.JSONField("主键盲索引", default=list, blank=True)
    item_codes = models.JSONField("返回信息项", default=list, blank=True)
    rows = models.PositiveIntegerField("返回条数", default=0)
    outcome = models.CharField("结果", max_length=16, choices=Outcome.choices)
    reason = models.CharField("原因", max_length=64, blank=True)
    latency_ms = models.PositiveIntegerField("耗时（毫秒）", default=0)
    zone = models.CharField("网络区域", max_length=16)
    ip = models.GenericIPAddressField("IP 地址", null=True, blank=True)
    mac = models.CharField("校验码（SM3-HMAC）", max_length=64)
    # The writer stream (one per server process, random) and the call's number in it, given by
    # `access_log.stage`: a copied row repeats a pair, a deleted one leaves a gap (docs/deployment.md,
    # "日志锚点"). Null: staged before streams existed (and no default, so that SQLite adds the
    # columns without rebuilding the tables and their triggers).
    stream = models.CharField("写入流", max_length=16, null=True, blank=True)
    stream_n = models.BigIntegerField("流内序号", null=True, blank=True)

    class Meta:
        abstract = True


class AccessLog(LoggedCall, ChainEntry):
    """One call of the query API (or one webhook push), written and committed before the answer.

    SM3 hash chain like the audit log: `hash` covers every field in `access_log.HASHED_FIELDS`
    and `prev_hash`; `mac` is SM3-HMAC of the hash under a key outside the database.
    `zhengwu audit verify` checks the chain through `hash_chain_verifier`.
    """

    # Read by `zhengwu audit verify` (the audit app cannot import this one: layers).
    hash_chain_verifier = "zhengwu.exchange.sharing.access_log_verify.verify_chain"
    hash_chain_state = "zhengwu.exchange.sharing.access_log_verify.chain_state"
    hash_chain_check = "zhengwu.exchange.sharing.access_log_verify.chain_check"
    hash_chain_label = "共享访问日志"
    # On PostgreSQL: one partition a month on `at` (audit.partitions, migration 0012); dropping
    # months past retention removes their subject-index rows too.
    partitioned_by_month = True
    hash_chain_head = "exchange.AccessLogHead"
    partition_drop_cleanup = "zhengwu.exchange.sharing.access_log.subjects_drop_through"
    append_only = staticmethod(_append_only)

    seq = models.BigIntegerField("序号", primary_key=True)
    api_client = _call_fk("accounts.ApiClient")
    consumer = _call_fk("accounts.Department")
    provider = _call_fk("accounts.Department")
    resource = _call_fk("catalog.Resource")
    grant = _call_fk(Grant)
    prev_hash = models.CharField("前序哈希", max_length=64)
    hash = models.CharField("哈希（SM3）", max_length=64)
    # The staged row (AccessLogPending.id) this entry sealed; not hashed, only provenance (and
    # what lets the trigger allow that staged row to be deleted).
    pending_id = models.BigIntegerField("暂存编号", null=True, blank=True, unique=True)
    # That staged row's MAC, copied by the sealer: the anchors name staged rows by it, and after a
    # data-key rotation it can no longer be recomputed under "the" key (docs/rules.md §9, "Data
    # keys"). Not hashed; checked against the entry's fields under the keyring. Null: sealed before
    # it was kept (and no default, so that SQLite adds the column without rebuilding the table).
    pending_mac = models.CharField("暂存校验码", max_length=64, null=True, blank=True)

    objects = AccessLogQuerySet.as_manager()

    class Meta:
        verbose_name = "共享访问日志"
        verbose_name_plural = "共享访问日志"
        ordering = ["-seq"]
        indexes = [
            models.Index(fields=["at"], name="exchange_accesslog_at"),
            models.Index(fields=["grant", "at"], name="exchange_accesslog_grant_at"),
            models.Index(fields=["provider", "at"], name="exchange_accesslog_prov_at"),
            models.Index(fields=["consumer", "at"], name="exchange_accesslog_cons_at"),
            # The sealer's look-up of a staged row's (stream, stream_n) among the chained ones.
            models.Index(fields=["stream", "stream_n"], name="exchange_accesslog_stream_n"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.resource_code} {self.outcome}"

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise _append_only()


class AccessLogSubject(models.Model):
    """Lookup table: the blind index of each resident ID a logged call read (for the citizen view)."""

    log = models.ForeignKey(AccessLog, on_delete=models.PROTECT, related_name="subjects")
    key_index = models.CharField(max_length=64, db_index=True)

    class Meta:
        verbose_name = "访问日志主体"

    def __str__(self) -> str:
        return f"#{self.log_id} {self.key_index[:8]}…"


class AccessLogHead(ChainHead):
    """The access log's chain head."""

    class Meta:
        verbose_name = "访问日志链头"

    def __str__(self) -> str:
        return f"#{self.seq}"


class PlainRowId(models.BigAutoField):
    """An id that on SQLite is the table's plain rowid (`INTEGER PRIMARY KEY`), without
    AUTOINCREMENT: AUTOINCREMENT keeps each table's last id in `sqlite_sequence`, and writes that
    row again on every INSERT, an UPSERT that only updates included — one page more in the commit
    of every API call, which writes its staged access-log row and its rate count
    (docs/benchmarks.md, "The access log's pages per call"). Without it SQLite gives one more than
    the highest id in the table, which may reuse the id of a deleted last row: harmless for the
    rate counters, which nothing refers to; the staged access-log rows get their id from
    `access_log.STAGED_ID_SQL` instead, which never reuses a sealed one. On PostgreSQL an identity
    column, as before."""

    def db_type_suffix(self, connection: Any) -> str | None:
        if connection.vendor == "sqlite":
            return None
        suffix: str | None = connection.data_types_suffix.get(self.get_internal_type())  # as Field does
        return suffix


class AccessLogPendingQuerySet(models.QuerySet["AccessLogPending"]):
    def update(self, **kwargs: Any) -> int:
        raise _append_only()

    def bulk_update(self, *args: Any, **kwargs: Any) -> int:
        raise _append_only()


class AccessLogPending(LoggedCall):
    """A call written durably before its answer, not yet chained: `access_log.append` inserts it
    (one INSERT, no lock on the chain head), `access_log.seal_pending` moves it into the chain.

    `mac` is SM3-HMAC (key derived from ZHENGWU_DATA_KEY) over the same fields as the chain hash
    but `seq` and `prev_hash`, so a change to a row that is not sealed yet is detected too
    (`zhengwu audit verify` checks both tables). Database triggers refuse UPDATE, and DELETE of a
    row that has no sealed copy in the chain.
    """

    hash_chain_verifier = "zhengwu.exchange.sharing.access_log_verify.verify_pending"
    hash_chain_state = "zhengwu.exchange.sharing.access_log_verify.pending_state"
    hash_chain_check = "zhengwu.exchange.sharing.access_log_verify.pending_check"
    hash_chain_label = "共享访问日志（待封存）"

    id = PlainRowId(primary_key=True)
    # No indexes on the foreign keys: rows stay here for seconds, only read in id order, and
    # every index would cost each call of the API an extra write. No FOREIGN KEY constraints in
    # the database either: checking them at each call's commit locks the client, department,
    # resource and grant rows it names (FOR KEY SHARE), and concurrent calls naming the same rows
    # make PostgreSQL keep those shared locks as multixacts — a fifth of the query API's
    # throughput (docs/benchmarks.md). The ids are those of rows the call has just read; PROTECT
    # still stops the ORM deleting a row that a staged call names, and the sealed AccessLog keeps
    # its constraints (checked once per sealed batch).
    api_client = _call_fk("accounts.ApiClient", checked=False)
    consumer = _call_fk("accounts.Department", checked=False)
    provider = _call_fk("accounts.Department", checked=False)
    resource = _call_fk("catalog.Resource", checked=False)
    grant = _call_fk(Grant, checked=False)

    objects = AccessLogPendingQuerySet.as_manager()

    class Meta:
        verbose_name = "待封存访问日志"
        verbose_name_plural = "待封存访问日志"
        ordering = ["id"]

    def __str__(self) -> str:
        return f"待封存 #{self.id} {self.resource_code} {self.outcome}"


class RateCounter(models.Model):
    """Calls answered under a grant in one minute (`minute` = minutes since the epoch), one row
    per server process (`shard`) so that processes do not queue on one row; the rate limit is
    the sum over the shards of the current minute."""

    id = PlainRowId(primary_key=True)
    grant = models.ForeignKey(Grant, on_delete=models.CASCADE, related_name="+")
    minute = models.BigIntegerField("时间窗（分钟）")
    shard = models.IntegerField("进程")
    hits = models.PositiveIntegerField("调用次数", default=0)

    class Meta:
        verbose_name = "调用频率计数"
        constraints = [models.UniqueConstraint(fields=["grant", "minute", "shard"], name="rate_counter_once_per_shard")]

    def __str__(self) -> str:
        return f"{self.grant_id}@{self.minute}/{self.shard}: {self.hits}"


class QueryCacheVersion(models.Model):
    """One row: bumped whenever an API client, department, resource, data item or grant changes,
    so every server process drops what it cached of them (`exchange.sharing.query_cache`)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    value = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = "查询缓存版本"

    def __str__(self) -> str:
        return str(self.value)


class Subscription(models.Model):
    """A consumer's subscription to the changes of a resource, under a grant."""

    class Mode(models.TextChoices):
        WEBHOOK = "webhook", "推送（Webhook）"
        PULL = "pull", "拉取（游标）"

    consumer = models.ForeignKey(
        "accounts.Department", on_delete=models.PROTECT, related_name="subscriptions", verbose_name="订阅部门"
    )
    resource = models.ForeignKey("catalog.Resource", on_delete=models.PROTECT, related_name="subscriptions")
    grant = models.ForeignKey(Grant, on_delete=models.PROTECT, related_name="subscriptions")
    mode = models.CharField("方式", max_length=16, choices=Mode.choices)
    url = models.URLField("推送地址", max_length=500, blank=True)
    # SM4-encrypted (core.crypto.encrypt_text): needed in clear to sign each delivery.
    secret = models.TextField("签名密钥（加密）", blank=True)
    cursor = models.BigIntegerField("已送达游标", default=0)
    active = models.BooleanField("有效", default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "数据订阅"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.consumer} 订阅 {self.resource.code}（{self.get_mode_display()}）"


encrypted_column(Subscription, "secret")  # re-encrypted by a data-key rotation (core.rotation)


class Delivery(models.Model):
    """One batch of changes pushed to a webhook, retried with exponential back-off."""

    class Status(models.TextChoices):
        PENDING = "pending", "待送达"
        DELIVERED = "delivered", "已送达"
        FAILED = "failed", "已放弃"

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="deliveries")
    since = models.BigIntegerField("起始游标")
    until = models.BigIntegerField("截止游标")
    body = models.TextField("内容（JSON）")
    rows = models.PositiveIntegerField(default=0)
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    next_try = models.DateTimeField("下次尝试", default=timezone.now)
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.PENDING)
    last_error = models.CharField("最近错误", max_length=500, blank=True)
    # The worker sending it holds it until then (subscriptions.delivery_attempt); a crashed
    # worker's claim lapses, so another may try again.
    claimed_until = models.DateTimeField("发送占用至", null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "推送记录"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "next_try"])]

    def __str__(self) -> str:
        return f"推送 {self.subscription_id}:{self.since}-{self.until} {self.status}"
