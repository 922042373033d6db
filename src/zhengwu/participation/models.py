"""Models of 公众参与: letters (来信: 市长信箱 / 12345 网上 / 网上信访), consultations (征求意见),
surveys (问卷调查) and moderation flags (内容审核).

A letter runs the 12345 ticket cycle (docs/rules.md §6): 受理 → 派单 → 办理 → 回复 → (督办) → 办结 → 回访 → 评价;
every stage with a deadline is a supervision timer of kind "participation.*" (see services/letters.py);
the moves between states are declared in states.py.
Personal data of writers (name, phone, ID number, address, e-mail) is SM4-encrypted at rest.
"""

from __future__ import annotations

from datetime import date
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from zhengwu.core.fields import EncryptedTextField, user_fk
from zhengwu.core.models import HistoryEntry, StoredFile


class Channel(models.TextChoices):
    MAYOR = "mayor", "市长信箱"
    HOTLINE = "hotline", "12345 网上"
    PETITION = "petition", "网上信访"


class LetterKind(models.TextChoices):
    CONSULT = "consult", "咨询"
    SUGGEST = "suggest", "建议"
    COMPLAIN = "complain", "投诉"
    HELP = "help", "求助"
    REPORT = "report", "举报"


class Rating(models.TextChoices):
    """好差评 five levels (国办发〔2019〕51号); the last two are 差评."""

    VERY_SATISFIED = "5", "非常满意"
    SATISFIED = "4", "满意"
    BASIC = "3", "基本满意"
    DISSATISFIED = "2", "不满意"
    VERY_DISSATISFIED = "1", "非常不满意"


class ModeratedContent(models.Model):
    """Text the public may read once published (a letter with its reply, a consultation comment):
    hidden by the e-gov office with a reason, or held hidden when screening found listed words in it
    (docs/rules.md §17). The moderation services treat both alike (`services.moderation`,
    `services.screening`)."""

    hidden_at = models.DateTimeField("屏蔽时间", null=True, blank=True)
    hidden_reason = models.CharField("屏蔽理由", max_length=500, blank=True)
    # The sensitive words screening found when the text was to be published (held for moderation).
    screening_hits = models.JSONField("命中敏感词", default=list, blank=True)

    class Meta:
        abstract = True


class Letter(ModeratedContent):
    """A letter (来信) from the public: one ticket of the 12345 cycle."""

    class State(models.TextChoices):
        SUBMITTED = "submitted", "待受理"
        ACCEPTED = "accepted", "待派单"
        DISPATCHED = "dispatched", "待签收"
        HANDLING = "handling", "办理中"
        REPLIED = "replied", "已答复待办结"
        COMPLETED = "completed", "已办结"
        VISITED = "visited", "已回访"
        REFUSED = "refused", "不予受理"

    OPEN_STATES = (State.SUBMITTED, State.ACCEPTED, State.DISPATCHED, State.HANDLING, State.REPLIED)

    number = models.CharField("信件编号", max_length=20, unique=True)
    code_hash = models.CharField("查询码摘要", max_length=64)
    channel = models.CharField("渠道", max_length=16, choices=Channel.choices)
    kind = models.CharField("类别", max_length=16, choices=LetterKind.choices)
    title = models.CharField("标题", max_length=100)
    content = models.TextField("内容", max_length=5000)
    terms = models.JSONField("检索词", default=list, blank=True)
    writer = user_fk("来信人账号", related_name="letters")
    writer_name = EncryptedTextField("来信人姓名", blank=True, default="")
    writer_phone = EncryptedTextField("联系电话", blank=True, default="")
    writer_id_number = EncryptedTextField("公民身份号码", blank=True, default="")
    writer_address = EncryptedTextField("联系地址", blank=True, default="")
    writer_email = EncryptedTextField("电子邮箱", blank=True, default="")
    consent_publish = models.BooleanField("同意公开", default=False)
    # Open311 (GeoReport v2) fields: the place the letter is about, and the submitting system.
    location = models.CharField("事发地点", max_length=200, blank=True)
    lat = models.FloatField("纬度", null=True, blank=True)
    long = models.FloatField("经度", null=True, blank=True)
    api_client = models.ForeignKey(
        "accounts.ApiClient",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="提交系统",
    )
    open311_token = models.CharField("Open311 令牌", max_length=40, blank=True, db_index=True)
    state = models.CharField("状态", max_length=16, choices=State.choices, default=State.SUBMITTED)
    office = models.ForeignKey(
        "accounts.Department",
        on_delete=models.PROTECT,
        related_name="letters_received",
        verbose_name="受理单位",
        help_text="12345 热线/电子政务办：受理、派单、办结、回访",
    )
    department = models.ForeignKey(
        "accounts.Department",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="letters",
        verbose_name="承办单位",
    )
    submitted_at = models.DateTimeField("来信时间", default=timezone.now)
    accepted_at = models.DateTimeField("受理时间", null=True, blank=True)
    refusal_reason = models.CharField("不予受理理由", max_length=500, blank=True)
    dispatched_at = models.DateTimeField("派单时间", null=True, blank=True)
    dispatch_note = models.CharField("派单意见", max_length=500, blank=True)
    return_count = models.PositiveSmallIntegerField("退回次数", default=0)
    return_reason = models.CharField("最近退回理由", max_length=500, blank=True)
    signed_at = models.DateTimeField("签收时间", null=True, blank=True)
    extension_days = models.PositiveSmallIntegerField("申请延期工作日", default=0)
    extension_reason = models.CharField("延期理由", max_length=500, blank=True)
    extension_state = models.CharField(
        "延期审批",
        max_length=16,
        blank=True,
        choices=[("", "未申请"), ("requested", "待审批"), ("approved", "已批准"), ("refused", "未批准")],
    )
    reply = models.TextField("答复意见", blank=True, max_length=10000)
    replied_at = models.DateTimeField("答复时间", null=True, blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reopen_count = models.PositiveSmallIntegerField("退回重办次数", default=0)
    completed_at = models.DateTimeField("办结时间", null=True, blank=True)
    callback_at = models.DateTimeField("回访时间", null=True, blank=True)
    callback_note = models.CharField("回访情况", max_length=1000, blank=True)
    rating = models.CharField("评价", max_length=1, choices=Rating.choices, blank=True)
    rating_comment = models.CharField("评价意见", max_length=500, blank=True)
    rated_at = models.DateTimeField("评价时间", null=True, blank=True)
    # Publication: masked copies, written once when the office publishes (writer's consent required).
    published_at = models.DateTimeField("公开时间", null=True, blank=True)
    public_title = models.CharField("公开标题", max_length=100, blank=True)
    public_content = models.TextField("公开内容", blank=True)
    public_reply = models.TextField("公开答复", blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "来信"
        verbose_name_plural = "来信"
        ordering = ["-submitted_at", "-id"]
        indexes = [
            models.Index(fields=["state", "department"], name="letter_state_department"),
            models.Index(fields=["writer", "submitted_at"], name="letter_writer"),
            models.Index(fields=["published_at"], name="letter_published"),
            models.Index(fields=["submitted_at"], name="letter_submitted"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(published_at__isnull=True) | Q(consent_publish=True), name="letter_published_with_consent"
            ),
            models.CheckConstraint(
                condition=~Q(state__in=["dispatched", "handling", "replied", "completed", "visited"])
                | Q(department__isnull=False),
                name="letter_dispatched_has_department",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def is_public(self) -> bool:
        return self.published_at is not None and self.hidden_at is None

    @property
    def is_open(self) -> bool:
        return self.state in self.OPEN_STATES

    @property
    def is_bad_rating(self) -> bool:
        return self.rating in (Rating.DISSATISFIED, Rating.VERY_DISSATISFIED)


class LetterPhoto(StoredFile):
    """A photo of the problem attached by the writer (JPEG, PNG or WebP by its content, at most
    `rules.PHOTO_MAX_BYTES`, at most `rules.PHOTO_MAX_COUNT` a letter), stored in the database with
    its SM3 digest like service uploads. Served only to the writer and the staff who may see the
    letter, never on the public pages."""

    letter = models.ForeignKey(Letter, on_delete=models.CASCADE, related_name="photos")
    position = models.PositiveSmallIntegerField("顺序")

    class Meta:
        verbose_name = "来信照片"
        verbose_name_plural = "来信照片"
        ordering = ["letter", "position"]
        constraints = [models.UniqueConstraint(fields=["letter", "position"], name="letter_photo_position_unique")]

    def __str__(self) -> str:
        return f"{self.letter_id}·{self.position}"


class LetterEvent(HistoryEntry):
    """One step of a letter's history, shown to staff (and, without names, to the writer)."""

    letter = models.ForeignKey(Letter, on_delete=models.CASCADE, related_name="events")
    action = models.CharField("环节", max_length=32)
    label = models.CharField("环节名称", max_length=32)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    department = models.ForeignKey("accounts.Department", null=True, blank=True, on_delete=models.PROTECT)
    note = models.CharField("说明", max_length=1000, blank=True)

    class Meta(HistoryEntry.Meta):
        verbose_name = "办理记录"
        verbose_name_plural = "办理记录"

    def __str__(self) -> str:
        return f"{self.letter.number} {self.label}"


class OpenPeriod(models.Model):
    """What the public takes part in for a period (征求意见, 问卷): open from `opens_on` to
    `closes_on`, both days included, while in its `OPEN_STATE`. Abstract: a consultation and a
    survey keep their own tables, states and texts."""

    OPEN_STATE: ClassVar[str]
    state: str

    title = models.CharField("标题", max_length=200)
    opens_on = models.DateField("开始日期")
    closes_on = models.DateField("截止日期")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("创建时间", default=timezone.now)

    class Meta:
        abstract = True
        ordering = ["-opens_on", "-id"]
        indexes = [models.Index(fields=["state", "closes_on"], name="%(class)s_state")]
        constraints = [
            models.CheckConstraint(condition=Q(closes_on__gte=models.F("opens_on")), name="%(class)s_period_order")
        ]

    def __str__(self) -> str:
        return self.title

    def is_open_on(self, day: date) -> bool:
        return self.state == self.OPEN_STATE and self.opens_on <= day <= self.closes_on


class Consultation(OpenPeriod):
    """A draft put out for public comment (征求意见), split into articles (条)."""

    class State(models.TextChoices):
        DRAFT = "draft", "草稿"
        PUBLISHED = "published", "已发布"
        CLOSED = "closed", "已结束"

    OPEN_STATE = State.PUBLISHED

    intro = models.TextField("起草说明", blank=True, max_length=5000)
    department = models.ForeignKey(
        "accounts.Department", on_delete=models.PROTECT, related_name="consultations", verbose_name="起草单位"
    )
    state = models.CharField("状态", max_length=16, choices=State.choices, default=State.DRAFT)
    opens_on = models.DateField("征求意见开始日期")
    closes_on = models.DateField("征求意见截止日期")
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    closed_at = models.DateTimeField("结束时间", null=True, blank=True)
    summary = models.TextField("意见采纳情况说明", blank=True, max_length=20000)
    summary_published_at = models.DateTimeField("采纳情况公布时间", null=True, blank=True)

    class Meta(OpenPeriod.Meta):
        verbose_name = "意见征集"
        verbose_name_plural = "意见征集"


class Article(models.Model):
    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="articles")
    position = models.PositiveIntegerField("序号")
    heading = models.CharField("条号", max_length=40)
    text = models.TextField("条文", max_length=10000)

    class Meta:
        verbose_name = "条文"
        verbose_name_plural = "条文"
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["consultation", "position"], name="article_position_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.heading} {self.text[:20]}"


class Comment(ModeratedContent):
    """A real-name user's comment on one article."""

    class Adoption(models.TextChoices):
        PENDING = "", "待研究"
        ADOPTED = "adopted", "采纳"
        PARTLY = "partly", "部分采纳"
        NOT_ADOPTED = "not_adopted", "未采纳"

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    content = models.TextField("意见", max_length=3000)
    created_at = models.DateTimeField("提交时间", default=timezone.now)
    adoption = models.CharField("采纳情况", max_length=16, choices=Adoption.choices, blank=True, default="")
    adoption_reason = models.CharField("理由", max_length=1000, blank=True)

    class Meta:
        verbose_name = "意见"
        verbose_name_plural = "意见"
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["article", "hidden_at"], name="comment_article")]

    def __str__(self) -> str:
        return self.content[:30]

    @property
    def author_display(self) -> str:
        """The author's name as shown in public: surname and asterisks."""
        name = getattr(self.author, "real_name", "") or ""
        return (name[0] + "*" * max(1, len(name) - 1)) if name else "网友"


class Survey(OpenPeriod):
    class State(models.TextChoices):
        DRAFT = "draft", "草稿"
        OPEN = "open", "进行中"
        CLOSED = "closed", "已结束"

    OPEN_STATE = State.OPEN

    intro = models.TextField("说明", blank=True, max_length=5000)
    department = models.ForeignKey(
        "accounts.Department", on_delete=models.PROTECT, related_name="surveys", verbose_name="发起单位"
    )
    state = models.CharField("状态", max_length=16, choices=State.choices, default=State.DRAFT)
    allow_anonymous = models.BooleanField(
        "允许匿名作答", default=False, help_text="匿名作答每个浏览器会话一份，同一网络地址每天最多 3 份。"
    )
    results_public = models.BooleanField("公开结果", default=True)

    class Meta(OpenPeriod.Meta):
        verbose_name = "问卷"
        verbose_name_plural = "问卷"


class Question(models.Model):
    class Kind(models.TextChoices):
        SINGLE = "single", "单选"
        MULTIPLE = "multiple", "多选"
        TEXT = "text", "文本"
        SCALE = "scale", "量表"

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveIntegerField("序号")
    kind = models.CharField("题型", max_length=16, choices=Kind.choices)
    text = models.CharField("题目", max_length=500)
    options = models.JSONField("选项", default=list, blank=True)
    scale_min = models.SmallIntegerField("量表最小值", default=1)
    scale_max = models.SmallIntegerField("量表最大值", default=5)
    required = models.BooleanField("必答", default=True)

    class Meta:
        verbose_name = "题目"
        verbose_name_plural = "题目"
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["survey", "position"], name="question_position_unique")]

    def __str__(self) -> str:
        return self.text


class Response(models.Model):
    """One filled-in questionnaire: of a real-name user, or anonymous (one per browser session)."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    session_hash = models.CharField("会话摘要", max_length=64, blank=True)
    ip_hash = models.CharField("网络地址摘要", max_length=64, blank=True)
    created_at = models.DateTimeField("提交时间", default=timezone.now)

    class Meta:
        verbose_name = "答卷"
        verbose_name_plural = "答卷"
        indexes = [models.Index(fields=["survey", "ip_hash", "created_at"], name="response_ip")]
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "user"], condition=Q(user__isnull=False), name="response_one_per_user"
            ),
            models.UniqueConstraint(
                fields=["survey", "session_hash"], condition=~Q(session_hash=""), name="response_one_per_session"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.survey} #{self.pk}"


class Answer(models.Model):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    choices = models.JSONField("所选选项", default=list, blank=True)
    text = models.TextField("文本答案", blank=True, max_length=2000)
    scale = models.SmallIntegerField("量表值", null=True, blank=True)

    class Meta:
        verbose_name = "答案"
        verbose_name_plural = "答案"
        constraints = [models.UniqueConstraint(fields=["response", "question"], name="answer_once_per_question")]

    def __str__(self) -> str:
        return f"{self.question_id}: {self.choices or self.text or self.scale}"


class Flag(models.Model):
    """A user's report (举报) of a public comment or published reply, for the e-gov office to review."""

    class Target(models.TextChoices):
        COMMENT = "comment", "征求意见评论"
        LETTER = "letter", "公开来信答复"

    class State(models.TextChoices):
        OPEN = "open", "待审核"
        HIDDEN = "hidden", "已屏蔽"
        DISMISSED = "dismissed", "已驳回"

    target_kind = models.CharField("对象类型", max_length=16, choices=Target.choices)
    comment = models.ForeignKey(Comment, null=True, blank=True, on_delete=models.CASCADE, related_name="flags")
    letter = models.ForeignKey(Letter, null=True, blank=True, on_delete=models.CASCADE, related_name="flags")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField("举报理由", max_length=500)
    state = models.CharField("状态", max_length=16, choices=State.choices, default=State.OPEN)
    created_at = models.DateTimeField("举报时间", default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField("处理时间", null=True, blank=True)
    decision_reason = models.CharField("处理理由", max_length=500, blank=True)

    class Meta:
        verbose_name = "内容举报"
        verbose_name_plural = "内容举报"
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["state", "created_at"], name="flag_state")]
        constraints = [
            models.CheckConstraint(
                condition=(Q(target_kind="comment") & Q(comment__isnull=False) & Q(letter__isnull=True))
                | (Q(target_kind="letter") & Q(letter__isnull=False) & Q(comment__isnull=True)),
                name="flag_one_target",
            ),
            models.UniqueConstraint(
                fields=["reporter", "comment"], condition=Q(comment__isnull=False), name="flag_once_per_comment"
            ),
            models.UniqueConstraint(
                fields=["reporter", "letter"], condition=Q(letter__isnull=False), name="flag_once_per_letter"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_target_kind_display()}举报 #{self.pk}"


class SensitiveWord(models.Model):
    """A word of the screening list (有害信息过滤, docs/rules.md §17), kept by the e-gov office:
    public letters, replies and comments that contain one are held for moderation."""

    word = models.CharField("敏感词", max_length=50, unique=True)
    category = models.CharField("类别", max_length=32, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("添加时间", default=timezone.now)

    class Meta:
        verbose_name = "敏感词"
        verbose_name_plural = "敏感词"
        ordering = ["category", "word"]

    def __str__(self) -> str:
        return self.word
