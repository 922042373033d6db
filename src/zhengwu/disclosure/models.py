"""Models of the disclosure app (政府信息公开, 《政府信息公开条例》2019).

- `Publication` (主动公开): a proactively published item with its index number (索引号)
  `{department credit code}/{year}-{5-digit sequence}`, allocated from `IndexSequence` (one row per
  department and year, locked while a number is taken), its metadata and search terms.
- `DisclosureRequest` (依申请公开): a request from a citizen or legal person, its receipt date,
  correction (补正), extension, third-party consultation, answer (seven kinds, Art. 36) and fee;
  `RequestEvent` is its history as the applicant sees it (every state change is one event).
- `AnnualReport` (年度报告): the manual parts of an agency's annual report; the figures are computed.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from zhengwu.core.fields import EncryptedTextField, user_fk
from zhengwu.core.models import HistoryEntry, SearchTerm


class Category(models.TextChoices):
    """公开目录 categories (the usual headings of a government disclosure catalogue)."""

    NOTICE = "notice", "通知公告"
    NEWS = "news", "工作动态"
    ORGANISATION = "organisation", "机构职能"
    POLICY = "policy", "政策文件"
    INTERPRETATION = "interpretation", "政策解读"
    REGULATION = "regulation", "规章"
    NORMATIVE = "normative", "行政规范性文件"
    PLAN = "plan", "规划计划"
    BUDGET = "budget", "财政预决算"
    PERSONNEL = "personnel", "人事信息"
    LICENSING = "licensing", "行政许可"
    PENALTY = "penalty", "行政处罚"
    FEES = "fees", "行政事业性收费"
    PROCUREMENT = "procurement", "政府采购"
    PROJECTS = "projects", "重大建设项目"
    STATISTICS = "statistics", "统计信息"
    EMERGENCY = "emergency", "应急管理"
    PUBLIC_WELFARE = "public_welfare", "社会公益事业"
    SUGGESTIONS = "suggestions", "建议提案办理"
    OTHER = "other", "其他"


class Validity(models.TextChoices):
    VALID = "valid", "有效"
    EXPIRED = "expired", "失效"
    REPEALED = "repealed", "废止"


class IndexSequence(models.Model):
    """The last index-number sequence a department used in a year (row-locked while taking one)."""

    department = models.ForeignKey("accounts.Department", on_delete=models.PROTECT, verbose_name="部门")
    year = models.PositiveSmallIntegerField("年份")
    last = models.PositiveIntegerField("已用顺序号", default=0)

    class Meta:
        verbose_name = "索引号顺序"
        verbose_name_plural = "索引号顺序"
        constraints = [models.UniqueConstraint(fields=["department", "year"], name="disclosure_sequence_once")]

    def __str__(self) -> str:
        return f"{self.department_id}/{self.year}: {self.last}"


class Publication(models.Model):
    """A proactively disclosed item (主动公开信息)."""

    class State(models.TextChoices):
        DRAFT = "draft", "草稿"
        PUBLISHED = "published", "已发布"
        WITHDRAWN = "withdrawn", "已撤回"

    department = models.ForeignKey(
        "accounts.Department", on_delete=models.PROTECT, related_name="publications", verbose_name="发布机构"
    )
    index_number = models.CharField("索引号", max_length=40, null=True, blank=True, unique=True)
    index_year = models.PositiveSmallIntegerField("索引年份", null=True, blank=True)
    index_sequence = models.PositiveIntegerField("索引顺序号", null=True, blank=True)
    category = models.CharField("公开类别", max_length=32, choices=Category.choices)
    title = models.CharField("标题", max_length=300)
    document_number = models.CharField("发文字号", max_length=100, blank=True)
    subject_words = models.CharField("主题词", max_length=200, blank=True, help_text="以空格或顿号分隔")
    date_written = models.DateField("成文日期")
    validity = models.CharField("有效性", max_length=16, choices=Validity.choices, default=Validity.VALID)
    validity_changed_on = models.DateField(
        "失效或废止日期", null=True, blank=True, help_text="标为失效或废止的日期（年度报告“本年废止件数”）"
    )
    body = models.TextField("正文")
    # A 政策解读 names the policy it explains (docs/rules.md §4): its page links to the policy and the
    # policy's page lists its interpretations. Drafts of a policy cannot be deleted while explained.
    interprets = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="interpretations",
        verbose_name="解读的政策",
    )
    state = models.CharField("状态", max_length=16, choices=State.choices, default=State.DRAFT)
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    withdrawn_at = models.DateTimeField("撤回时间", null=True, blank=True)
    withdraw_reason = models.CharField("撤回理由", max_length=500, blank=True)
    created_by = user_fk(on_delete=models.SET_NULL)
    created_at = models.DateTimeField("创建时间", default=timezone.now)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "主动公开信息"
        verbose_name_plural = "主动公开信息"
        indexes = [
            models.Index(fields=["state", "department", "category"], name="disclosure_pub_dept_cat"),
            models.Index(fields=["state", "category"], name="disclosure_pub_cat"),
            models.Index(fields=["state", "published_at"], name="disclosure_pub_published"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["department", "index_year", "index_sequence"], name="disclosure_index_once_per_dept_year"
            ),
            models.CheckConstraint(
                condition=Q(state="draft") | Q(index_number__isnull=False), name="disclosure_published_has_index"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def url_key(self) -> str:
        """What the public page URL carries: the index number once published, else the id."""
        return self.index_number or str(self.pk)


class PublicationSearchTerm(SearchTerm):
    """jieba terms of a published item with weights (title > subject words > document number > body)."""

    publication = models.ForeignKey(Publication, on_delete=models.CASCADE, related_name="search_terms")

    class Meta:
        verbose_name = "检索词"
        verbose_name_plural = "检索词"
        indexes = [models.Index(fields=["term", "publication", "weight"], name="disclosure_term_covering")]
        constraints = [
            models.UniqueConstraint(fields=["publication", "term"], name="disclosure_term_once_per_publication")
        ]


class Attachment(models.Model):
    """A file attached to a publication, kept in the database with its SM3 digest."""

    publication = models.ForeignKey(Publication, on_delete=models.CASCADE, related_name="attachments")
    name = models.CharField("文件名", max_length=200)
    content_type = models.CharField("类型", max_length=100)
    size = models.PositiveIntegerField("大小（字节）")
    sm3 = models.CharField("SM3 摘要", max_length=64)
    content = models.BinaryField("内容")
    uploaded_by = user_fk(on_delete=models.SET_NULL)
    uploaded_at = models.DateTimeField("上传时间", default=timezone.now)

    class Meta:
        verbose_name = "附件"
        verbose_name_plural = "附件"

    def __str__(self) -> str:
        return self.name


class Channel(models.TextChoices):
    """How a request reached the agency (Art. 31 decides the receipt date by it)."""

    IN_PERSON = "in_person", "当面提交"
    POST = "post", "邮寄"
    ONLINE = "online", "网上申请"


class ApplicantKind(models.TextChoices):
    """Applicant types as the annual report's table 三 counts them (国办公开办函〔2021〕30号)."""

    CITIZEN = "citizen", "自然人"
    BUSINESS = "business", "法人或其他组织：商业企业"
    RESEARCH = "research", "法人或其他组织：科研机构"
    NONPROFIT = "nonprofit", "法人或其他组织：社会公益组织"
    LEGAL_SERVICE = "legal_service", "法人或其他组织：法律服务机构"
    LEGAL_PERSON = "legal_person", "法人或其他组织：其他"


class AnswerKind(models.TextChoices):
    """The seven kinds of answer (《政府信息公开条例》Art. 36)."""

    ALREADY_PUBLIC = "already_public", "已主动公开"
    DISCLOSED = "disclosed", "予以公开"
    REFUSED = "refused", "不予公开"
    NOT_EXIST = "not_exist", "信息不存在"
    NOT_OURS = "not_ours", "不属于本机关负责公开"
    REPEAT = "repeat", "重复申请"
    SPECIAL = "special", "按特别程序办理"


class ResultDetail(models.TextChoices):
    """The annual report's sub-row of an answer (国办公开办函〔2021〕30号, table 三, 本年度办理结果).

    `services.requests.RESULT_DETAILS` says which details each Art. 36 answer kind may carry."""

    PARTIAL = "partial", "部分公开"
    STATE_SECRET = "state_secret", "属于国家秘密"
    LAW_PROHIBITED = "law_prohibited", "其他法律行政法规禁止公开"
    THREE_SAFETIES = "three_safeties", "危及“三安全一稳定”"
    THIRD_PARTY = "third_party", "保护第三方合法权益"
    INTERNAL = "internal", "属于三类内部事务信息"
    PROCESS = "process", "属于四类过程性信息"
    ENFORCEMENT_FILE = "enforcement_file", "属于行政执法案卷"
    QUERY = "query", "属于行政查询事项"
    NOT_HELD = "not_held", "本机关不掌握相关政府信息"
    NEEDS_MAKING = "needs_making", "没有现成信息需要另行制作"
    STILL_UNCLEAR = "still_unclear", "补正后申请内容仍不明确"
    PETITION = "petition", "信访举报投诉类申请"
    REPEAT = "repeat", "重复申请"
    PUBLICATION = "publication", "要求提供公开出版物"
    MASS_REPEAT = "mass_repeat", "无正当理由大量反复申请"
    CONFIRM = "confirm", "要求行政机关确认或重新出具已获取信息"
    UNCORRECTED = "uncorrected", "申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"
    UNPAID = "unpaid", "申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"
    OTHER = "other", "其他"


class FeeBasis(models.TextChoices):
    NONE = "none", "不收费"
    REQUESTS = "requests", "按件计收"
    PAGES = "pages", "按量计收"


class DisclosureRequest(models.Model):
    """A request for government information (依申请公开)."""

    class State(models.TextChoices):
        SUBMITTED = "submitted", "待确认收到"
        PROCESSING = "processing", "办理中"
        CORRECTION = "correction", "待补正"
        CONSULTING = "consulting", "征求第三方意见"
        ANSWERED = "answered", "已答复"
        CLOSED = "closed", "已终止"

    OPEN_STATES = (State.SUBMITTED, State.PROCESSING, State.CORRECTION, State.CONSULTING)

    number = models.CharField("申请编号", max_length=32, unique=True)
    department = models.ForeignKey(
        "accounts.Department", on_delete=models.PROTECT, related_name="disclosure_requests", verbose_name="受理机关"
    )
    applicant = user_fk("申请人账号", related_name="disclosure_requests")
    applicant_kind = models.CharField("申请人类型", max_length=16, choices=ApplicantKind.choices)
    applicant_name = models.CharField("申请人姓名或名称", max_length=100)
    applicant_key = models.CharField(
        "申请人标识", max_length=100, help_text="收费按申请人按自然月累计：账号或证件号的盲索引"
    )
    id_number = EncryptedTextField("证件号码", blank=True, default="")
    phone = EncryptedTextField("联系电话", blank=True, default="")
    address = EncryptedTextField("通信地址", blank=True, default="")
    email = models.EmailField("电子邮箱", blank=True)
    channel = models.CharField("申请渠道", max_length=16, choices=Channel.choices)
    description = models.TextField("所需信息内容描述", max_length=4000)
    purpose = models.CharField("用途（可选）", max_length=500, blank=True)
    delivery = models.CharField("获取信息方式", max_length=100, default="电子邮件")
    state = models.CharField("状态", max_length=16, choices=State.choices, default=State.SUBMITTED)
    submitted_at = models.DateTimeField("提交时间", default=timezone.now)
    received_on = models.DateField("收到申请日期", null=True, blank=True)
    clock_start = models.DateField("答复期限起算日", null=True, blank=True, help_text="补正后重新起算")
    correction_items = models.TextField("补正事项", blank=True)
    correction_sent_on = models.DateField("补正告知日期", null=True, blank=True)
    corrected_on = models.DateField("收到补正日期", null=True, blank=True)
    # The applicant's 补正, kept beside the original description (both are the request: 条例 Art. 30).
    correction_text = models.TextField("补正内容", max_length=4000, blank=True)
    extension_days = models.PositiveSmallIntegerField(
        "延长工作日", default=0, validators=[MaxValueValidator(20)], help_text="至多一次，不超过 20 个工作日"
    )
    extension_reason = models.CharField("延长理由", max_length=500, blank=True)
    extension_approved_by = user_fk(on_delete=models.SET_NULL)
    third_party = models.CharField("第三方", max_length=200, blank=True)
    consult_started_on = models.DateField("征求意见日期", null=True, blank=True)
    consult_ended_on = models.DateField("第三方意见日期", null=True, blank=True)
    third_party_view = models.TextField("第三方意见", blank=True)
    answer_kind = models.CharField("答复类型", max_length=32, choices=AnswerKind.choices, blank=True)
    answer_text = models.TextField("答复正文", blank=True)
    public_location = models.CharField("已公开的获取途径", max_length=500, blank=True)
    provision_method = models.CharField("提供方式", max_length=200, blank=True)
    result_detail = models.CharField(
        "办理结果细类", max_length=32, choices=ResultDetail.choices, blank=True, help_text="年度报告统计口径"
    )
    reasons = models.TextField("理由和依据", blank=True)
    competent_agency = models.CharField("负责公开的机关", max_length=200, blank=True)
    reference = models.CharField("原申请编号或答复文号", max_length=100, blank=True)
    pages = models.PositiveIntegerField("提供页数", default=0)
    fee_basis = models.CharField("收费方式", max_length=16, choices=FeeBasis.choices, default=FeeBasis.NONE)
    fee = models.DecimalField("信息处理费（元）", max_digits=10, decimal_places=2, default=Decimal("0"))
    answered_on = models.DateField("答复日期", null=True, blank=True)
    answered_by = user_fk(on_delete=models.SET_NULL)
    close_reason = models.CharField("终止原因", max_length=500, blank=True)
    closed_on = models.DateField("终止日期", null=True, blank=True)
    handled_by = user_fk("承办人", on_delete=models.SET_NULL)
    created_by = user_fk(on_delete=models.SET_NULL)

    class Meta:
        verbose_name = "政府信息公开申请"
        verbose_name_plural = "政府信息公开申请"
        indexes = [
            models.Index(fields=["department", "state"], name="disclosure_req_dept_state"),
            models.Index(fields=["applicant_key", "answered_on"], name="disclosure_req_applicant_month"),
            models.Index(fields=["department", "received_on"], name="disclosure_req_dept_received"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(extension_days__lte=20), name="disclosure_extension_at_most_20"),
            models.CheckConstraint(
                condition=~Q(state="answered") | ~Q(answer_kind=""), name="disclosure_answered_has_kind"
            ),
        ]

    def __str__(self) -> str:
        return self.number


class RequestEvent(HistoryEntry):
    """One step of a request as the applicant sees it (and was told by SMS when a phone is known)."""

    request = models.ForeignKey(DisclosureRequest, on_delete=models.CASCADE, related_name="events")
    action = models.CharField("事项", max_length=40)
    text = models.TextField("告知内容")
    actor = user_fk(on_delete=models.SET_NULL)

    class Meta(HistoryEntry.Meta):
        verbose_name = "办理记录"
        verbose_name_plural = "办理记录"

    def __str__(self) -> str:
        return f"{self.request_id} {self.action}"


class AnnualReport(models.Model):
    """The manual part of an agency's annual report: the overview text, the rows of table 二 the
    platform does not hold (行政许可、处罚、强制、收费), table 四 (行政复议、行政诉讼) and the texts of
    五 and 六. Everything else is computed (`selectors.annual_report_figures`)."""

    department = models.ForeignKey("accounts.Department", on_delete=models.PROTECT, verbose_name="机关")
    year = models.PositiveSmallIntegerField("年度", validators=[MinValueValidator(2008), MaxValueValidator(2100)])
    overview = models.TextField("总体情况", blank=True, help_text="留空则使用平台按本年数据生成的概述")
    licensing_decisions = models.PositiveIntegerField("行政许可：本年处理决定数量", default=0)
    penalty_decisions = models.PositiveIntegerField("行政处罚：本年处理决定数量", default=0)
    coercion_decisions = models.PositiveIntegerField("行政强制：本年处理决定数量", default=0)
    fees_amount = models.DecimalField(
        "行政事业性收费：本年收费金额（万元）",
        max_digits=12,
        decimal_places=4,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    review_upheld = models.PositiveIntegerField("行政复议：结果维持", default=0)
    review_corrected = models.PositiveIntegerField("行政复议：结果纠正", default=0)
    review_other = models.PositiveIntegerField("行政复议：其他结果", default=0)
    review_pending = models.PositiveIntegerField("行政复议：尚未审结", default=0)
    litigation_upheld = models.PositiveIntegerField("行政诉讼（未经复议直接起诉）：结果维持", default=0)
    litigation_corrected = models.PositiveIntegerField("行政诉讼（未经复议直接起诉）：结果纠正", default=0)
    litigation_other = models.PositiveIntegerField("行政诉讼（未经复议直接起诉）：其他结果", default=0)
    litigation_pending = models.PositiveIntegerField("行政诉讼（未经复议直接起诉）：尚未审结", default=0)
    reviewed_litigation_upheld = models.PositiveIntegerField("行政诉讼（复议后起诉）：结果维持", default=0)
    reviewed_litigation_corrected = models.PositiveIntegerField("行政诉讼（复议后起诉）：结果纠正", default=0)
    reviewed_litigation_other = models.PositiveIntegerField("行政诉讼（复议后起诉）：其他结果", default=0)
    reviewed_litigation_pending = models.PositiveIntegerField("行政诉讼（复议后起诉）：尚未审结", default=0)
    problems = models.TextField("存在的主要问题及改进情况", blank=True)
    other_matters = models.TextField("其他需要报告的事项", blank=True)
    updated_by = user_fk(on_delete=models.SET_NULL)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "政府信息公开工作年度报告"
        verbose_name_plural = "政府信息公开工作年度报告"
        constraints = [models.UniqueConstraint(fields=["department", "year"], name="disclosure_report_once")]

    def __str__(self) -> str:
        return f"{self.department_id} {self.year}"
