"""政务信息资源目录 (GB/T 21063; 编制指南 2017): resources, their data items, published versions.

docs/rules.md §2: a resource carries its classification (类/项/目/细目) and class (基础/主题/部门), a code
= classification code + "/" + sequence, its provider, format, data items, share and open
attributes, update cycle and publish date. One data item has exactly one authoritative source
in the whole catalog (一数一源).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone

from zhengwu.catalog.signals import SignallingQuerySet
from zhengwu.core.fields import user_fk
from zhengwu.core.models import SearchTerm


class CatalogClass(models.TextChoices):
    BASE = "base", "基础信息资源"
    THEME = "theme", "主题信息资源"
    DEPARTMENT = "department", "部门信息资源"


class FormatClass(models.TextChoices):
    FILE = "file", "电子文件"
    SPREADSHEET = "spreadsheet", "电子表格"
    DATABASE = "database", "数据库"
    IMAGE = "image", "图形图像"
    STREAMING = "streaming", "流媒体"
    SELF_DESCRIBING = "self_describing", "自描述格式"
    SERVICE = "service", "服务接口"


class ShareType(models.TextChoices):
    UNCONDITIONAL = "unconditional", "无条件共享"
    CONDITIONAL = "conditional", "有条件共享"
    NONE = "none", "不予共享"


class ShareMethod(models.TextChoices):
    API = "api", "接口调用"
    FILE = "file", "文件下载"
    SYNC = "sync", "库表同步"


class UpdateCycle(models.TextChoices):
    REALTIME = "realtime", "实时"
    DAILY = "daily", "每日"
    WEEKLY = "weekly", "每周"
    MONTHLY = "monthly", "每月"
    QUARTERLY = "quarterly", "每季度"
    YEARLY = "yearly", "每年"


class Zone(models.TextChoices):
    INTERNAL = "internal", "政务内网"
    EXTERNAL = "external", "政务外网"


class DataType(models.TextChoices):
    STRING = "string", "字符串"
    INTEGER = "integer", "整数"
    DECIMAL = "decimal", "小数"
    DATE = "date", "日期"
    DATETIME = "datetime", "日期时间"
    BOOLEAN = "boolean", "布尔"
    ENUM = "enum", "枚举"
    RESIDENT_ID = "resident_id", "公民身份号码"
    CREDIT_CODE = "credit_code", "统一社会信用代码"
    REGION_CODE = "region_code", "行政区划代码"


class Resource(models.Model):
    """One information resource of a department's catalog."""

    class State(models.TextChoices):
        DRAFT = "draft", "草稿"
        SUBMITTED = "submitted", "待审核"
        APPROVED = "approved", "已审核"
        PUBLISHED = "published", "已发布"
        WITHDRAWN = "withdrawn", "已撤销"

    catalog_class = models.CharField("目录类别", max_length=16, choices=CatalogClass.choices)
    # Classification 类 (1 digit) / 项 (2) / 目 (3) / 细目 (optional, digits).
    category = models.CharField("类", max_length=1)
    item = models.CharField("项", max_length=2)
    subitem = models.CharField("目", max_length=3)
    detail = models.CharField("细目", max_length=6, blank=True)
    sequence = models.PositiveIntegerField("顺序号", null=True, blank=True)
    code = models.CharField("资源代码", max_length=40, unique=True, null=True, blank=True)
    name = models.CharField("资源名称", max_length=200)
    provider = models.ForeignKey(
        "accounts.Department", on_delete=models.PROTECT, related_name="resources", verbose_name="提供方"
    )
    provider_code = models.CharField("提供方代码", max_length=18)
    summary = models.TextField("摘要")
    format_class = models.CharField("格式分类", max_length=20, choices=FormatClass.choices)
    share_type = models.CharField("共享类型", max_length=16, choices=ShareType.choices)
    share_condition = models.TextField("共享条件", blank=True)
    share_method = models.CharField("共享方式", max_length=8, choices=ShareMethod.choices, default=ShareMethod.API)
    no_share_basis = models.TextField("不予共享依据", blank=True, help_text="法律、行政法规或党中央、国务院政策依据")
    open_to_public = models.BooleanField("向社会开放", default=False)
    open_condition = models.TextField("开放条件", blank=True)
    update_cycle = models.CharField("更新周期", max_length=16, choices=UpdateCycle.choices)
    publish_date = models.DateField("发布日期", null=True, blank=True)
    related_codes = models.JSONField("关联资源代码", default=list, blank=True)
    zone = models.CharField("网络区域", max_length=16, choices=Zone.choices, default=Zone.INTERNAL)
    is_secret = models.BooleanField("涉密", default=False)
    key_item = models.CharField("主键信息项", max_length=64, blank=True, help_text="唯一标识一条记录的信息项编码")
    # Combinations of queryable items filtered together (docs/rules.md, 可查询数据项): each a list
    # of two or more item codes; the exchange keeps one index on (items…, key) per combination.
    query_combinations = models.JSONField("组合查询", default=list, blank=True)
    state = models.CharField("状态", max_length=16, choices=State.choices, default=State.DRAFT)
    version = models.PositiveIntegerField("版本", default=0)
    # A revision of a published resource is a separate draft row pointing at it; publishing the
    # revision copies it onto the published row (same code, version + 1) and deletes the draft,
    # so the published resource stays in service while its next version is drafted and reviewed.
    revision_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="revisions", verbose_name="修订自"
    )
    review_comment = models.TextField("审核意见", blank=True)
    last_loaded_at = models.DateTimeField("最近数据更新", null=True, blank=True)
    created_by = user_fk(on_delete=models.SET_NULL, blank=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    # update() tells the caches above (catalog.signals.rows_updated).
    objects = SignallingQuerySet.as_manager()

    class Meta:
        verbose_name = "信息资源"
        ordering = ["code", "id"]
        indexes = [models.Index(fields=["state", "catalog_class"]), models.Index(fields=["provider", "state"])]
        constraints = [
            # 涉密 resources never go on the external network (docs/rules.md §2).
            models.CheckConstraint(condition=~(Q(is_secret=True) & Q(zone="external")), name="secret_never_external"),
            models.CheckConstraint(condition=~(Q(is_secret=True) & Q(open_to_public=True)), name="secret_never_open"),
            models.UniqueConstraint(
                fields=["revision_of"], condition=Q(revision_of__isnull=False), name="one_open_revision_per_resource"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.code or '未编码'}）"

    @property
    def classification_code(self) -> str:
        return f"{self.category}{self.item}{self.subitem}{self.detail}"


class CodeSequence(models.Model):
    """The last sequence number given in one classification: the row `resource_publish` locks
    (select_for_update) so that two resources published at once never get the same code."""

    classification = models.CharField("分类代码", max_length=20, unique=True)
    last = models.PositiveIntegerField("已用顺序号", default=0)

    class Meta:
        verbose_name = "资源代码顺序号"

    def __str__(self) -> str:
        return f"{self.classification}/{self.last:03d}"


class TypedValue(models.Model):
    """What a value must be: one of the catalog's data types, its allowed values when an enum, its
    longest length, whether it must be given. A resource's data item and an application form's
    field declare it alike, and the store's value checks read it the same way for both
    (`exchange.store.validation.ColumnSpec`)."""

    data_type = models.CharField("数据类型", max_length=16, choices=DataType.choices)
    enum_values = models.JSONField("枚举值", default=list, blank=True)
    max_length = models.PositiveIntegerField("最大长度", null=True, blank=True)
    required = models.BooleanField("必填", default=False)

    class Meta:
        abstract = True


class DataItem(TypedValue):
    """信息项: one field of a resource, with its type and flags."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField("顺序")
    name = models.CharField("信息项名称", max_length=100)
    code = models.CharField("信息项编码", max_length=64, help_text="字母开头，字母数字下划线，作数据表列名")
    is_personal = models.BooleanField("个人信息", default=False)
    is_authoritative = models.BooleanField("权威来源", default=False)
    # 可查询数据项: the exchange keeps an index on (item, key) and accepts filters on it (docs/rules.md).
    queryable = models.BooleanField("可查询", default=False)
    description = models.CharField("说明", max_length=500, blank=True)

    class Meta:
        verbose_name = "信息项"
        ordering = ["resource", "position"]
        constraints = [
            models.UniqueConstraint(fields=["resource", "code"], name="item_code_unique_in_resource"),
            models.UniqueConstraint(fields=["resource", "position"], name="item_position_unique_in_resource"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


class AuthoritativeSource(models.Model):
    """一数一源: the one resource that is the authoritative source of a data item, by its name."""

    item_name = models.CharField("信息项", max_length=100, unique=True)
    data_item = models.OneToOneField(DataItem, on_delete=models.CASCADE, related_name="authority")
    claimed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "权威数据来源"

    def __str__(self) -> str:
        return f"{self.item_name} ← {self.data_item.resource}"


class ResourceVersion(models.Model):
    """Every published version of a resource, kept and viewable."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField("版本")
    snapshot = models.JSONField("元数据快照")
    published_at = models.DateTimeField(default=timezone.now)
    published_by = user_fk(on_delete=models.SET_NULL, blank=False)

    class Meta:
        verbose_name = "资源版本"
        ordering = ["resource", "-version"]
        constraints = [models.UniqueConstraint(fields=["resource", "version"], name="version_once_per_resource")]

    def __str__(self) -> str:
        return f"{self.resource} v{self.version}"


class ResourceSearchTerm(SearchTerm):
    """Full-text index of published resources: jieba terms of the name, summary and item names.

    Filled when a resource is published (and replaced by each new version); a query is cut by
    jieba the same way and resources are ranked by the summed weights of the terms they match.
    """

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="search_terms")

    class Meta:
        verbose_name = "检索词"
        indexes = [models.Index(fields=["term", "resource"])]
        constraints = [models.UniqueConstraint(fields=["resource", "term"], name="search_term_once_per_resource")]
