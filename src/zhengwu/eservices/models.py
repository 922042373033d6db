"""网上办事: service items (政务服务事项) and their guides, applications (办件) with their
materials, parallel approval tasks (并联审批), timeline, notifications, ratings (好差评) and the
rectification of bad ratings.

docs/rules.md §5. An item's flow is an ordered list of stages; every stage holds one or more department
tasks that run in parallel and must all finish before the next stage opens. Deadlines are
supervision timers (kinds in `services.TIMER_*`), never columns here.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from zhengwu.catalog.models import TypedValue
from zhengwu.core.fields import user_fk
from zhengwu.core.models import HistoryEntry, SearchTerm, StoredFile


class ItemType(models.TextChoices):
    LICENSE = "XK", "行政许可"
    BENEFIT = "JF", "行政给付"
    CONFIRMATION = "QR", "行政确认"
    LEVY = "ZS", "行政征收"
    AWARD = "JL", "行政奖励"
    RULING = "CJ", "行政裁决"
    PUBLIC = "GG", "公共服务"
    OTHER = "QT", "其他行政权力"


class Audience(models.TextChoices):
    PERSON = "person", "自然人"
    LEGAL = "legal", "法人"
    BOTH = "both", "自然人、法人"


# 主题分类 as the national government service platform (国家政务服务平台) lists them for 个人办事
# (自然人) and 法人办事; docs/rules.md §5 “主题分类” says where the lists come from (unverified copy).
PERSON_THEMES = (
    "生育收养", "户籍办理", "民族宗教", "教育科研", "入伍服役", "就业创业", "设立变更", "准营准办",
    "抵押质押", "职业资格", "行政缴费", "婚姻登记", "优待抚恤", "规划建设", "住房保障", "社会保障",
    "证件办理", "交通出行", "旅游观光", "出境入境", "消费维权", "公共安全", "司法公证", "知识产权",
    "环保绿化", "文化体育", "公用事业", "医疗卫生", "离职退休", "死亡殡葬", "其他",
)  # fmt: skip
LEGAL_THEMES = (
    "设立变更", "准营准办", "资质认证", "年检年审", "税收财务", "人力资源", "社会保障", "投资审批",
    "融资信贷", "抵押质押", "商务贸易", "招标拍卖", "海关口岸", "涉外服务", "农林牧渔", "国土和规划建设",
    "交通运输", "环保绿化", "应对气候变化", "水务气象", "医疗卫生", "科技创新", "文体教育", "知识产权",
    "民族宗教", "质量技术", "检验检疫", "安全生产", "公安消防", "司法公证", "公用事业", "法人注销",
    "档案文物", "其他",
)  # fmt: skip
ALL_THEMES = tuple(dict.fromkeys(PERSON_THEMES + LEGAL_THEMES))


class HandlingForm(models.TextChoices):
    """办理形式 of an item; an item offers one or more of them."""

    WINDOW = "window", "窗口办理"
    ONLINE = "online", "网上办理"
    MAIL = "mail", "快递申请"


def validate_handling_forms(value: Any) -> None:
    """办理形式: a non-empty list of distinct `HandlingForm` codes."""
    if not isinstance(value, list) or not value:
        raise ValidationError("请至少选择一种办理形式。", code="handling_forms_empty")
    unknown = [v for v in value if v not in HandlingForm.values]
    if unknown:
        allowed = "、".join(str(label) for label in HandlingForm.labels)
        raise ValidationError(f"办理形式“{unknown[0]}”无效，应为：{allowed}。", code="handling_forms_invalid")
    if len(set(value)) != len(value):
        raise ValidationError("办理形式不应重复。", code="handling_forms_duplicate")


class ServiceItem(models.Model):
    """政务服务事项 and its 办事指南 (one row per 实施编码)."""

    class State(models.TextChoices):
        DRAFT = "draft", "草稿"
        PUBLISHED = "published", "已发布"
        WITHDRAWN = "withdrawn", "已停用"

    class Level(models.TextChoices):
        PROVINCE = "province", "省级"
        CITY = "city", "市级"
        COUNTY = "county", "县级"
        TOWNSHIP = "township", "乡级"

    class Depth(models.TextChoices):
        ONE = "1", "一级（信息发布）"
        TWO = "2", "二级（在线预约、下载表格）"
        THREE = "3", "三级（在线预审、受理）"
        FOUR = "4", "四级（全程网办）"

    name = models.CharField("事项名称", max_length=200)
    basic_code = models.CharField("基本编码", max_length=40)
    impl_code = models.CharField("实施编码", max_length=60, unique=True)
    item_type = models.CharField("事项类型", max_length=4, choices=ItemType.choices)
    level = models.CharField("行使层级", max_length=16, choices=Level.choices, default=Level.PROVINCE)
    department = models.ForeignKey(
        "accounts.Department", on_delete=models.PROTECT, related_name="service_items", verbose_name="实施主体"
    )
    case_prefix = models.CharField(
        "办件编号代码", max_length=8, help_text="2–8 位大写字母，用于办件编号，如 SCJG → 2026-SCJG-000123"
    )
    basis = models.TextField("设定依据")
    audience = models.CharField("服务对象", max_length=8, choices=Audience.choices)
    conditions = models.TextField("受理条件")
    process = models.TextField("办理流程", blank=True)
    legal_limit = models.PositiveIntegerField("法定办结时限（工作日）", validators=[MinValueValidator(1)])
    promised_limit = models.PositiveIntegerField("承诺办结时限（工作日）", validators=[MinValueValidator(1)])
    visits = models.PositiveSmallIntegerField("到办事现场次数", default=0, help_text="0 表示全程网办")
    handling_forms = models.JSONField(
        "办理形式",
        default=list,
        validators=[validate_handling_forms],
        help_text="窗口办理、网上办理、快递申请中的一种或多种（存代码：window、online、mail）",
    )
    online = models.BooleanField("是否网办", default=True)
    online_depth = models.CharField("网上办理深度", max_length=1, choices=Depth.choices, default=Depth.FOUR)
    place_time = models.CharField("办理地点和时间", max_length=500, blank=True)
    consult = models.CharField("咨询方式", max_length=300, blank=True)
    complaint = models.CharField("监督投诉方式", max_length=300, blank=True)
    special_procedure = models.TextField("特别程序", blank=True)
    charged = models.BooleanField("是否收费", default=False)
    fee_table = models.TextField("收费标准", blank=True)
    fee_basis = models.TextField("收费依据", blank=True)
    region = models.ForeignKey(
        "accounts.Region",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="所属区划",
        help_text="事项在哪一级区划办理；按区划查找时，县级页面也列出其上级市、省的事项",
    )
    faq = models.JSONField("常见问题", default=list, blank=True, help_text='[{"q": 问, "a": 答}, …]')
    review_body = models.CharField("行政复议机关", max_length=300, blank=True)
    litigation_court = models.CharField("行政诉讼法院", max_length=300, blank=True)
    state = models.CharField("状态", max_length=16, choices=State.choices, default=State.DRAFT)
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("登记时间", default=timezone.now)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "政务服务事项"
        verbose_name_plural = "政务服务事项"
        ordering = ["impl_code"]
        indexes = [models.Index(fields=["state", "department"], name="esvc_item_state_dept")]
        constraints = [
            models.CheckConstraint(
                condition=Q(promised_limit__lte=models.F("legal_limit")), name="esvc_promised_within_legal"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.impl_code}）"

    @property
    def is_published(self) -> bool:
        return self.state == self.State.PUBLISHED

    @property
    def handling_form_labels(self) -> list[str]:
        labels = dict(HandlingForm.choices)
        return [str(labels.get(code, code)) for code in self.handling_forms or []]


class MaterialSource(models.TextChoices):
    APPLICANT = "applicant", "申请人提交"
    BASE = "base", "共享获取（基础库）"
    CERTIFICATE = "certificate", "电子证照库获取"


class ItemMaterial(models.Model):
    """申请材料 of an item: what the applicant must provide, or what the platform fetches."""

    class Form(models.TextChoices):
        ELECTRONIC = "electronic", "电子"
        PAPER = "paper", "纸质"
        BOTH = "both", "电子和纸质"

    item = models.ForeignKey(ServiceItem, on_delete=models.CASCADE, related_name="materials")
    position = models.PositiveSmallIntegerField("顺序")
    name = models.CharField("材料名称", max_length=200)
    required = models.BooleanField("必要性", default=True, help_text="必要 / 非必要（容缺）")
    form = models.CharField("材料形式", max_length=16, choices=Form.choices, default=Form.ELECTRONIC)
    source = models.CharField("来源渠道", max_length=16, choices=MaterialSource.choices)
    base_resource_code = models.CharField("基础库资源代码", max_length=40, blank=True)
    certificate_type_code = models.CharField("证照类型代码", max_length=40, blank=True)
    copies = models.PositiveSmallIntegerField("份数", default=1)
    notes = models.CharField("填报须知", max_length=500, blank=True)

    class Meta:
        verbose_name = "申请材料"
        ordering = ["item", "position"]
        constraints = [
            models.UniqueConstraint(fields=["item", "position"], name="esvc_material_position_unique"),
            models.CheckConstraint(
                condition=~Q(source="base") | ~Q(base_resource_code=""), name="esvc_base_material_has_resource"
            ),
            models.CheckConstraint(
                condition=~Q(source="certificate") | ~Q(certificate_type_code=""),
                name="esvc_cert_material_has_type",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def fetchable(self) -> bool:
        return self.source != MaterialSource.APPLICANT


class MaterialFile(StoredFile):
    """空白表格 or 示例样表 of a material, uploaded by the item's department and offered for
    download on the guide; stored in the database with its SM3 digest like application files."""

    class Kind(models.TextChoices):
        BLANK = "blank", "空白表格"
        SAMPLE = "sample", "示例样表"

    material = models.ForeignKey(ItemMaterial, on_delete=models.CASCADE, related_name="files")
    kind = models.CharField("类别", max_length=8, choices=Kind.choices)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "空白表格和示例样表"
        verbose_name_plural = "空白表格和示例样表"
        ordering = ["material", "kind"]
        constraints = [models.UniqueConstraint(fields=["material", "kind"], name="esvc_material_file_once_per_kind")]

    def __str__(self) -> str:
        return f"{self.material.name}·{self.get_kind_display()}"


class ItemTheme(models.Model):
    """A 主题 under which the portal lists an item (docs/rules.md §5 “主题分类”)."""

    item = models.ForeignKey(ServiceItem, on_delete=models.CASCADE, related_name="themes")
    theme = models.CharField("主题", max_length=20)

    class Meta:
        verbose_name = "事项主题"
        indexes = [models.Index(fields=["theme", "item"], name="esvc_theme_item")]
        constraints = [models.UniqueConstraint(fields=["item", "theme"], name="esvc_theme_once_per_item")]

    def __str__(self) -> str:
        return self.theme


class ItemViewDay(models.Model):
    """How often an item's 办事指南 was opened on one day (China's date): a count, nothing about
    who (docs/rules.md §5 “热门服务”). Counted in the shared cache and added here by
    `eservices.popularity.flush` every few minutes, never a write per page view."""

    item = models.ForeignKey(ServiceItem, on_delete=models.CASCADE, related_name="view_days")
    day = models.DateField("日期")
    views = models.PositiveIntegerField("浏览次数", default=0)

    class Meta:
        verbose_name = "办事指南日浏览量"
        constraints = [models.UniqueConstraint(fields=["item", "day"], name="esvc_views_once_per_item_day")]

    def __str__(self) -> str:
        return f"{self.item_id} {self.day}: {self.views}"


class ItemResult(models.Model):
    """审批结果 of an item; a result of type 证照 names the certificate type issued on approval."""

    class Kind(models.TextChoices):
        CERTIFICATE = "certificate", "证照"
        APPROVAL = "approval", "批文"
        OTHER = "other", "其他"

    item = models.ForeignKey(ServiceItem, on_delete=models.CASCADE, related_name="results")
    name = models.CharField("结果名称", max_length=200)
    kind = models.CharField("结果类型", max_length=16, choices=Kind.choices)
    certificate_type_code = models.CharField("证照类型代码", max_length=40, blank=True)
    sample_name = models.CharField("结果样本文件名", max_length=200, blank=True)
    sample_content_type = models.CharField("结果样本文件类型", max_length=100, blank=True)
    sample_sm3 = models.CharField("结果样本 SM3 摘要", max_length=64, blank=True)
    sample = models.BinaryField("结果样本", blank=True, default=b"")

    class Meta:
        verbose_name = "审批结果"
        ordering = ["item", "id"]

    def __str__(self) -> str:
        return self.name


class FormField(TypedValue):
    """A field of the item's application form; types are the catalog's data types.

    `prefill` names the base-data item that fills it: "person:<item code>" (人口 base by the
    citizen's ID number) or "legal:<item code>" (法人 base by the enterprise's credit code).
    """

    item = models.ForeignKey(ServiceItem, on_delete=models.CASCADE, related_name="fields")
    position = models.PositiveSmallIntegerField("顺序")
    code = models.CharField("字段编码", max_length=64)
    label = models.CharField("字段名称", max_length=100)
    prefill = models.CharField("预填来源", max_length=80, blank=True)

    class Meta:
        verbose_name = "表单字段"
        ordering = ["item", "position"]
        constraints = [
            models.UniqueConstraint(fields=["item", "code"], name="esvc_field_code_unique"),
            models.UniqueConstraint(fields=["item", "position"], name="esvc_field_position_unique"),
        ]

    def __str__(self) -> str:
        return self.label


class Stage(models.Model):
    """One step of the flow; all its tasks run in parallel (并联审批)."""

    item = models.ForeignKey(ServiceItem, on_delete=models.CASCADE, related_name="stages")
    position = models.PositiveSmallIntegerField("顺序")
    name = models.CharField("环节名称", max_length=100)

    class Meta:
        verbose_name = "办理环节"
        ordering = ["item", "position"]
        constraints = [models.UniqueConstraint(fields=["item", "position"], name="esvc_stage_position_unique")]

    def __str__(self) -> str:
        return self.name


class StageTask(models.Model):
    """A department's task within a stage, with its own limit in working days."""

    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="tasks")
    department = models.ForeignKey("accounts.Department", on_delete=models.PROTECT, related_name="+")
    name = models.CharField("任务名称", max_length=100)
    limit = models.PositiveIntegerField("时限（工作日）", validators=[MinValueValidator(1)])

    class Meta:
        verbose_name = "环节任务"
        ordering = ["stage", "id"]
        constraints = [models.UniqueConstraint(fields=["stage", "department"], name="esvc_stage_task_once_per_dept")]

    def __str__(self) -> str:
        return self.name


class ItemSearchTerm(SearchTerm):
    """jieba terms of a published item's guide (name, type, department, conditions)."""

    item = models.ForeignKey(ServiceItem, on_delete=models.CASCADE, related_name="search_terms")

    class Meta:
        verbose_name = "事项检索词"
        indexes = [models.Index(fields=["term", "item"], name="esvc_term_item")]
        constraints = [models.UniqueConstraint(fields=["item", "term"], name="esvc_term_once_per_item")]


class CaseCounter(models.Model):
    """The last sequence number of case numbers per (year, prefix)."""

    year = models.PositiveSmallIntegerField()
    prefix = models.CharField(max_length=8)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "办件编号计数"
        constraints = [models.UniqueConstraint(fields=["year", "prefix"], name="esvc_counter_unique")]

    def __str__(self) -> str:
        return f"{self.year}-{self.prefix}: {self.last}"


class Application(models.Model):
    """办件: one application for one item by one applicant."""

    class State(models.TextChoices):
        SUBMITTED = "submitted", "待受理"
        CORRECTION = "correction", "待补正"
        PROCESSING = "processing", "审批中"
        DECIDING = "deciding", "待决定"
        APPROVED = "approved", "准予许可"
        DENIED = "denied", "不予许可"
        REFUSED = "refused", "不予受理"
        WITHDRAWN = "withdrawn", "已撤回"

    OPEN_STATES = (State.SUBMITTED, State.CORRECTION, State.PROCESSING, State.DECIDING)
    DONE_STATES = (State.APPROVED, State.DENIED, State.REFUSED)

    number = models.CharField("办件编号", max_length=32, unique=True)
    verify_code = models.CharField("查询码", max_length=8)
    item = models.ForeignKey(ServiceItem, on_delete=models.PROTECT, related_name="applications", verbose_name="事项")
    department = models.ForeignKey(
        "accounts.Department", on_delete=models.PROTECT, related_name="+", verbose_name="受理部门"
    )
    applicant = user_fk("申请人账号", related_name="applications", null=False)
    applicant_name = models.CharField("申请人", max_length=200)
    data = models.JSONField("表单内容", default=dict, blank=True)
    state = models.CharField("状态", max_length=16, choices=State.choices, default=State.SUBMITTED)
    current_stage = models.PositiveSmallIntegerField("当前环节", null=True, blank=True)
    corrections = models.JSONField("补正事项", default=list, blank=True)
    correction_note = models.TextField("补正说明", blank=True)
    special_reason = models.CharField("特别程序", max_length=300, blank=True)
    decision_reason = models.TextField("决定理由", blank=True)
    certificate_identifier = models.CharField("电子证照标识", max_length=120, blank=True)
    submitted_at = models.DateTimeField("提交时间", default=timezone.now)
    accepted_at = models.DateTimeField("受理时间", null=True, blank=True)
    decided_at = models.DateTimeField("办结时间", null=True, blank=True)
    visits = models.PositiveSmallIntegerField("到现场次数", default=0)
    bundle_case = models.ForeignKey(
        "BundleCase",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="parts",
        verbose_name="一件事办件",
    )
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "办件"
        verbose_name_plural = "办件"
        ordering = ["-submitted_at", "-id"]
        indexes = [
            models.Index(fields=["department", "state"], name="esvc_app_dept_state"),
            models.Index(fields=["applicant", "submitted_at"], name="esvc_app_applicant"),
            models.Index(fields=["decided_at"], name="esvc_app_decided"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.item.name}"

    @property
    def is_open(self) -> bool:
        return self.state in self.OPEN_STATES


class TrustLevel(models.TextChoices):
    """可信等级 of an application material (docs/rules.md §5, 国办函〔2016〕108号).

    A: issued by a government agency with an electronic seal — fetched from a base database
    through the exchange, or a valid certificate of the 电子证照 base. B: a scan certified by an
    agency (not produced by the platform today). C: a file the applicant uploads. D: the
    applicant's own pledge (告知承诺; no material of that kind yet).
    """

    A = "A", "A级（政府部门签章）"
    B = "B", "B级（部门核验的扫描件）"
    C = "C", "C级（申请人上传）"
    D = "D", "D级（申请人承诺）"


class ApplicationMaterial(models.Model):
    """One material of an application: a file (SM3-hashed, stored in the database) or data
    fetched from the platform's bases (once-only), with its trust level (set by the service)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="materials")
    material = models.ForeignKey(ItemMaterial, on_delete=models.PROTECT, related_name="+")
    fetched = models.BooleanField("共享获取", default=False)
    fetched_from = models.CharField("获取来源", max_length=200, blank=True)
    fetched_data = models.JSONField("获取内容", default=dict, blank=True)
    trust_level = models.CharField("可信等级", max_length=1, choices=TrustLevel.choices)
    file_name = models.CharField("文件名", max_length=200, blank=True)
    content_type = models.CharField("文件类型", max_length=100, blank=True)
    size = models.PositiveIntegerField("大小（字节）", default=0)
    sm3 = models.CharField("SM3 摘要", max_length=64, blank=True)
    content = models.BinaryField("文件内容", blank=True, default=b"")
    current = models.BooleanField("有效", default=True, help_text="补正后被替换的文件不再有效")
    uploaded_at = models.DateTimeField("提交时间", default=timezone.now)

    class Meta:
        verbose_name = "办件材料"
        ordering = ["application", "material__position", "-uploaded_at"]
        indexes = [models.Index(fields=["application", "current"], name="esvc_appmat_current")]
        constraints = [
            models.CheckConstraint(condition=Q(trust_level__in=["A", "B", "C", "D"]), name="esvc_appmat_trust_level")
        ]

    def __str__(self) -> str:
        return self.file_name or self.fetched_from


class CaseTask(models.Model):
    """A department's approval task of one application (an instance of a `StageTask`).

    认领: a clerk of the task's department may claim it (`claimed_by`, `claimed_at`); from then
    on only that clerk acts on it. An unclaimed task may be acted on by any clerk of the department.
    """

    class State(models.TextChoices):
        OPEN = "open", "办理中"
        SPECIAL = "special", "特别程序"
        APPROVED = "approved", "同意"
        REJECTED = "rejected", "不同意"
        CANCELLED = "cancelled", "已取消"

    LIVE_STATES = (State.OPEN, State.SPECIAL)

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="tasks")
    spec = models.ForeignKey(StageTask, on_delete=models.PROTECT, related_name="+")
    stage_position = models.PositiveSmallIntegerField("环节")
    department = models.ForeignKey("accounts.Department", on_delete=models.PROTECT, related_name="+")
    name = models.CharField("任务名称", max_length=100)
    state = models.CharField("状态", max_length=16, choices=State.choices, default=State.OPEN)
    opinion = models.TextField("审查意见", blank=True)
    special_reason = models.CharField("特别程序事由", max_length=300, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    claimed_by = user_fk("认领人", on_delete=models.SET_NULL)  # a removed account frees its claims
    claimed_at = models.DateTimeField("认领时间", null=True, blank=True)
    opened_at = models.DateTimeField("开始时间", default=timezone.now)
    handled_at = models.DateTimeField("办理时间", null=True, blank=True)

    class Meta:
        verbose_name = "审批任务"
        ordering = ["application", "stage_position", "id"]
        indexes = [models.Index(fields=["department", "state"], name="esvc_task_dept_state")]
        constraints = [
            models.UniqueConstraint(fields=["application", "spec"], name="esvc_task_once_per_case"),
        ]

    def __str__(self) -> str:
        return f"{self.application.number} {self.name}"

    @property
    def is_live(self) -> bool:
        return self.state in self.LIVE_STATES


class CaseEvent(HistoryEntry):
    """The timeline of an application, as the applicant and staff see it."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    kind = models.CharField("环节", max_length=32)
    text = models.CharField("内容", max_length=1000)

    class Meta(HistoryEntry.Meta):
        verbose_name = "办理过程"

    def __str__(self) -> str:
        return self.text


class Notification(models.Model):
    """An in-site message to a user (also sent by SMS and e-mail when they have those)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="esvc_notifications")
    application = models.ForeignKey(Application, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    text = models.CharField("内容", max_length=500)
    created_at = models.DateTimeField("时间", default=timezone.now)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)

    class Meta:
        verbose_name = "站内消息"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"], name="esvc_note_user_read")]

    def __str__(self) -> str:
        return self.text


class RatingLevel(models.IntegerChoices):
    VERY_SATISFIED = 5, "非常满意"
    SATISFIED = 4, "满意"
    BASIC = 3, "基本满意"
    DISSATISFIED = 2, "不满意"
    VERY_DISSATISFIED = 1, "非常不满意"


SCORE = [MinValueValidator(1), MaxValueValidator(5)]


class Rating(models.Model):
    """好差评: one rating per finished application (一事一评), with the online sub-indicators."""

    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="rating")
    department = models.ForeignKey("accounts.Department", on_delete=models.PROTECT, related_name="+")
    level = models.PositiveSmallIntegerField("总体评价", choices=RatingLevel.choices, validators=SCORE)
    overall = models.PositiveSmallIntegerField("整体满意度", validators=SCORE)
    efficiency = models.PositiveSmallIntegerField("办事效率", validators=SCORE)
    guide_accuracy = models.PositiveSmallIntegerField("办事指南精确度", validators=SCORE)
    convenience = models.PositiveSmallIntegerField("办事便捷度", validators=SCORE)
    usability = models.PositiveSmallIntegerField("平台操作性", validators=SCORE)
    comment = models.CharField("评价内容", max_length=500, blank=True)
    excluded = models.BooleanField("申诉成立（不计入统计）", default=False)
    created_at = models.DateTimeField("评价时间", default=timezone.now)

    class Meta:
        verbose_name = "好差评"
        indexes = [models.Index(fields=["department", "created_at"], name="esvc_rating_dept_at")]
        constraints = [models.CheckConstraint(condition=Q(level__gte=1, level__lte=5), name="esvc_rating_level")]

    def __str__(self) -> str:
        return self.get_level_display()

    @property
    def is_bad(self) -> bool:
        return self.level <= RatingLevel.DISSATISFIED


class Rectification(models.Model):
    """差评整改: the handling department calls back, rectifies, or appeals; a supervisor decides appeals."""

    class State(models.TextChoices):
        OPEN = "open", "整改中"
        APPEALED = "appealed", "申诉中"
        DONE = "done", "已整改"
        ANNULLED = "annulled", "申诉成立"

    rating = models.OneToOneField(Rating, on_delete=models.PROTECT, related_name="rectification")
    department = models.ForeignKey("accounts.Department", on_delete=models.PROTECT, related_name="+")
    state = models.CharField("状态", max_length=16, choices=State.choices, default=State.OPEN)
    response = models.TextField("回访与整改情况", blank=True)
    appeal_reason = models.TextField("申诉理由", blank=True)
    appeal_decision = models.TextField("申诉审核意见", blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("登记时间", default=timezone.now)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)

    class Meta:
        verbose_name = "差评整改"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["department", "state"], name="esvc_rect_dept_state")]

    def __str__(self) -> str:
        return f"差评整改 {self.pk}（{self.get_state_display()}）"


class Bundle(models.Model):
    """一件事一次办: items of several departments applied for together (docs/rules.md §5 “一件事”).

    One form (the union of the items' fields, a code shared by two items asked once), one set of
    materials (a material of the same name needed by two items uploaded once); the application is
    split into one case (`Application`) per item, all tied to one `BundleCase`."""

    code = models.CharField("一件事编码", max_length=8, unique=True, help_text="2–8 位大写字母，用于一件事编号")
    name = models.CharField("一件事名称", max_length=100)
    description = models.TextField("说明", blank=True)
    audience = models.CharField("服务对象", max_length=8, choices=Audience.choices)
    active = models.BooleanField("启用", default=True)
    created_by = user_fk("定义人")
    created_at = models.DateTimeField("定义时间", default=timezone.now)

    class Meta:
        verbose_name = "一件事"
        verbose_name_plural = "一件事"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class BundleItem(models.Model):
    """An item of a bundle, in the order the form lists it."""

    bundle = models.ForeignKey(Bundle, on_delete=models.CASCADE, related_name="entries")
    item = models.ForeignKey(ServiceItem, on_delete=models.PROTECT, related_name="+", verbose_name="事项")
    position = models.PositiveSmallIntegerField("顺序")

    class Meta:
        verbose_name = "一件事所含事项"
        ordering = ["bundle", "position"]
        constraints = [
            models.UniqueConstraint(fields=["bundle", "item"], name="esvc_bundle_item_once"),
            models.UniqueConstraint(fields=["bundle", "position"], name="esvc_bundle_item_position"),
        ]

    def __str__(self) -> str:
        return f"{self.bundle_id}·{self.item_id}"


class BundleCase(models.Model):
    """One application for a bundle, tracked as one: its state is read from its parts (no state
    of its own, docs/states.md has no machine for it)."""

    number = models.CharField("一件事编号", max_length=32, unique=True)
    bundle = models.ForeignKey(Bundle, on_delete=models.PROTECT, related_name="cases", verbose_name="一件事")
    applicant = user_fk("申请人账号", related_name="bundle_cases", null=False)
    applicant_name = models.CharField("申请人", max_length=200)
    data = models.JSONField("表单内容", default=dict, blank=True)
    submitted_at = models.DateTimeField("提交时间", default=timezone.now)
    rated_at = models.DateTimeField("评价时间", null=True, blank=True)

    class Meta:
        verbose_name = "一件事办件"
        verbose_name_plural = "一件事办件"
        ordering = ["-submitted_at", "-id"]
        indexes = [models.Index(fields=["applicant", "submitted_at"], name="esvc_bcase_applicant")]

    def __str__(self) -> str:
        return f"{self.number} {self.bundle.name}"
