"""Models of the data store and its loads.

`StoreTable` records the real table `xd_<resource id>` that holds a resource's records and the
last change sequence number given out in it; `LoadJob` is one load of a file (or an API batch)
with its outcome and row-level error report.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

__all__ = ["LoadJob", "StoreTable"]


class StoreTable(models.Model):
    """The table of one resource's records; `last_seq` is the change feed's high-water mark."""

    resource = models.OneToOneField("catalog.Resource", on_delete=models.PROTECT, related_name="store_table")
    table_name = models.CharField("数据表", max_length=63, unique=True)
    key_column = models.CharField("主键列", max_length=64)
    columns = models.JSONField("列", default=dict, help_text="列名 → 数据类型")
    last_seq = models.BigIntegerField("最新变更序号", default=0)
    # The indexes of the queryable items built on the table (docs/rules.md, 可查询数据项): each
    # the list of item codes it leads with (the key follows). Set by `tables.sync_indexes`.
    query_indexes = models.JSONField("可查询索引", default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "资源数据表"

    def __str__(self) -> str:
        return self.table_name


class LoadJob(models.Model):
    """One load into a resource's table: who, what file, how it went, which rows were wrong."""

    class Mode(models.TextChoices):
        REPLACE = "replace", "全量替换"
        UPSERT = "upsert", "增量更新"

    class State(models.TextChoices):
        PENDING = "pending", "排队中"
        RUNNING = "running", "加载中"
        SUCCEEDED = "succeeded", "已完成"
        FAILED = "failed", "失败"

    class Source(models.TextChoices):
        COMMAND = "command", "命令行"
        UPLOAD = "upload", "工作台上传"
        API = "api", "接口"

    resource = models.ForeignKey("catalog.Resource", on_delete=models.PROTECT, related_name="load_jobs")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    api_client = models.ForeignKey(
        "accounts.ApiClient", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source = models.CharField("来源", max_length=16, choices=Source.choices, default=Source.COMMAND)
    file_name = models.CharField("文件名", max_length=255, blank=True)
    file_size = models.BigIntegerField("文件大小", default=0)
    file_sm3 = models.CharField("文件 SM3 摘要", max_length=64, blank=True)
    stored_path = models.CharField("待加载文件", max_length=500, blank=True)
    file_format = models.CharField("文件格式", max_length=16, blank=True)
    encoding = models.CharField("编码", max_length=16, blank=True)
    mode = models.CharField("方式", max_length=16, choices=Mode.choices, default=Mode.REPLACE)
    state = models.CharField("状态", max_length=16, choices=State.choices, default=State.PENDING)
    rows_total = models.BigIntegerField("数据行数", default=0)
    rows_written = models.BigIntegerField("写入行数", default=0)
    rows_deleted = models.BigIntegerField("删除行数", default=0)
    error_count = models.BigIntegerField("错误数", default=0)
    errors = models.JSONField("错误明细（前 1000 条）", default=list, blank=True)
    message = models.TextField("结果说明", blank=True)
    # host:pid:start time of the process running the load, so a load whose process died is found.
    runner = models.CharField("运行进程", max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "数据加载任务"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["resource", "-created_at"])]

    def __str__(self) -> str:
        return f"加载 #{self.pk} {self.file_name}（{self.get_state_display()}）"

    @property
    def is_finished(self) -> bool:
        return self.state in (self.State.SUCCEEDED, self.State.FAILED)
