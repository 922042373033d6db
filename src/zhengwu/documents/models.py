"""Models of the documents app (电子公文, GB/T 9704-2012; 党政机关公文处理工作条例 2012).

Outgoing (发文): a `Document` of the issuing department, its drafts (`DocumentVersion`), its
reviews (`Review`, 核稿), its attachments (`Attachment`) and its number (`NumberSequence`, one per
代字 and year). Incoming (收文): one `Delivery` per recipient department carries the receiving
side from 签收/退回 to 归档, with its handlers (`Handler`, 承办), readers (`Reading`, 传阅) and
reminders (`Urging`, 催办). docs/rules.md §7.
"""

from __future__ import annotations

import difflib
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from zhengwu.core.fields import user_fk
from zhengwu.core.models import MediaFile


class Direction(models.TextChoices):
    UP = "up", "上行文"
    LEVEL = "level", "平行文"
    DOWN = "down", "下行文"


class Kind(models.TextChoices):
    """The 15 kinds of the 条例 (Art. 8)."""

    RESOLUTION = "resolution", "决议"
    DECISION = "decision", "决定"
    ORDER = "order", "命令（令）"
    COMMUNIQUE = "communique", "公报"
    ANNOUNCEMENT = "announcement", "公告"
    PUBLIC_NOTICE = "public_notice", "通告"
    OPINION = "opinion", "意见"
    NOTICE = "notice", "通知"
    BULLETIN = "bulletin", "通报"
    REPORT = "report", "报告"
    REQUEST = "request", "请示"
    REPLY = "reply", "批复"
    MOTION = "motion", "议案"
    LETTER = "letter", "函"
    MINUTES = "minutes", "纪要"


# Where the direction matters: 报告, 请示 and 议案 go up (签发人 required on 上行文), 函 goes across,
# 批复 and the 令 go down; the others are down by default and may be sent across.
KIND_DIRECTION: dict[str, str] = {
    Kind.REPORT: Direction.UP,
    Kind.REQUEST: Direction.UP,
    Kind.MOTION: Direction.UP,
    Kind.LETTER: Direction.LEVEL,
    Kind.MINUTES: Direction.LEVEL,
}


def direction_of(kind: str) -> str:
    return KIND_DIRECTION.get(kind, Direction.DOWN)


class Secrecy(models.TextChoices):
    NONE = "", "无"
    SECRET = "secret", "秘密"
    CONFIDENTIAL = "confidential", "机密"
    TOP_SECRET = "top_secret", "绝密"


class Urgency(models.TextChoices):
    NORMAL = "", "普通"
    URGENT = "urgent", "加急"
    EXTRA_URGENT = "extra_urgent", "特急"


class NumberSequence(models.Model):
    """The last 发文字号 sequence of one 代字 in one year (numbers are never reused)."""

    department = models.ForeignKey("accounts.Department", on_delete=models.PROTECT, related_name="+")
    prefix = models.CharField("机关代字", max_length=20)
    year = models.PositiveSmallIntegerField("年份")
    last = models.PositiveIntegerField("已用序号", default=0)

    class Meta:
        verbose_name = "发文字号序列"
        constraints = [
            models.UniqueConstraint(fields=["prefix", "year"], name="documents_one_sequence_per_prefix_year")
        ]

    def __str__(self) -> str:
        return f"{self.prefix}〔{self.year}〕{self.last}号"


def format_number(prefix: str, year: int, serial: int) -> str:
    """docs/rules.md §7: `吉政办发〔2026〕12号` (〔〕 U+3014/U+3015, no leading zeros, no 第)."""
    return f"{prefix}\u3014{year}\u3015{int(serial)}号"


class Document(models.Model):
    """An outgoing official document (发文) of `department`, with every element of GB/T 9704."""

    class State(models.TextChoices):
        DRAFTING = "drafting", "起草"
        REVIEWING = "reviewing", "核稿"
        SIGNING = "signing", "待签发"
        SIGNED = "signed", "已签发"
        CHECKED = "checked", "已复核"
        REGISTERED = "registered", "已登记"
        PRINTED = "printed", "已印制"
        ISSUED = "issued", "已核发"

    department = models.ForeignKey(
        "accounts.Department", on_delete=models.PROTECT, related_name="documents", verbose_name="发文机关"
    )
    # 版头
    copy_number = models.CharField("份号", max_length=6, blank=True)
    secrecy = models.CharField("密级", max_length=16, choices=Secrecy.choices, blank=True, default="")
    secrecy_period = models.CharField("保密期限", max_length=20, blank=True)
    urgency = models.CharField("紧急程度", max_length=16, choices=Urgency.choices, blank=True, default="")
    agency_mark = models.CharField("发文机关标志", max_length=100, blank=True)
    prefix = models.CharField("机关代字", max_length=20)
    year = models.PositiveSmallIntegerField("发文年份", null=True, blank=True)
    serial = models.PositiveIntegerField("发文序号", null=True, blank=True)
    number = models.CharField("发文字号", max_length=60, blank=True, db_index=True)
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="签发人",
    )
    signer_name = models.CharField("签发人姓名", max_length=64, blank=True)
    signed_at = models.DateTimeField("签发时间", null=True, blank=True)
    signed_digest = models.CharField("签发时内容摘要", max_length=64, blank=True)
    # 主体
    kind = models.CharField("文种", max_length=16, choices=Kind.choices)
    title = models.CharField("标题", max_length=200)
    main_to = models.CharField("主送机关", max_length=500, blank=True)
    body = models.TextField("正文")
    attachment_note = models.TextField("附件说明", blank=True)
    signature_name = models.CharField("发文机关署名", max_length=200, blank=True)
    written_on = models.DateField("成文日期", null=True, blank=True)
    remark = models.CharField("附注", max_length=300, blank=True)
    # 版记
    copy_to = models.CharField("抄送机关", max_length=500, blank=True)
    printer_name = models.CharField("印发机关", max_length=200, blank=True)
    printed_on = models.DateField("印发日期", null=True, blank=True)
    copies = models.PositiveIntegerField("印制份数", default=0)
    # distribution (登记): departments of this platform the document is sent to
    main_departments = models.ManyToManyField(
        "accounts.Department", blank=True, related_name="+", verbose_name="主送部门"
    )
    copy_departments = models.ManyToManyField(
        "accounts.Department", blank=True, related_name="+", verbose_name="抄送部门"
    )
    # sealed rendering
    file_path = models.CharField("版式文件", max_length=300, blank=True)
    seal_path = models.CharField("电子印章签名", max_length=300, blank=True)
    file_digest = models.CharField("版式文件 SM3", max_length=64, blank=True)

    state = models.CharField("状态", max_length=16, choices=State.choices, default=State.DRAFTING)
    version = models.PositiveIntegerField("当前稿次", default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="拟稿人",
    )
    created_at = models.DateTimeField("拟稿时间", default=timezone.now)
    updated_at = models.DateTimeField("更新时间", default=timezone.now)
    registered_at = models.DateTimeField("登记时间", null=True, blank=True)
    issued_at = models.DateTimeField("核发时间", null=True, blank=True)

    class Meta:
        verbose_name = "公文"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["department", "state", "-created_at"], name="documents_dept_state"),
            models.Index(fields=["department", "-created_at"], name="documents_dept_created"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["prefix", "year", "serial"],
                condition=models.Q(serial__isnull=False),
                name="documents_number_once",
            )
        ]

    def __str__(self) -> str:
        return self.number or self.title

    @property
    def direction(self) -> str:
        return direction_of(self.kind)

    @property
    def is_secret(self) -> bool:
        return bool(self.secrecy)

    def content(self) -> dict[str, Any]:
        """What a version keeps and what the signer signed (the substance of the document)."""
        return {
            "title": self.title,
            "main_to": self.main_to,
            "body": self.body,
            "attachment_note": self.attachment_note,
            "signature_name": self.signature_name,
            "remark": self.remark,
            "copy_to": self.copy_to,
            "kind": self.kind,
            "secrecy": self.secrecy,
            "urgency": self.urgency,
        }


class JointIssuer(models.Model):
    """A co-issuing agency of a joint document (联合行文). Its leader countersigns (会签) the content
    before the lead agency's leader signs; its name and seal stand beside the lead's on the
    rendering. The document carries the lead agency's number only (docs/rules.md §7)."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="joint_issuers")
    department = models.ForeignKey(
        "accounts.Department", on_delete=models.PROTECT, related_name="+", verbose_name="联署机关"
    )
    position = models.PositiveSmallIntegerField("排列顺序")
    countersigned_by = user_fk("会签人")
    countersigner_name = models.CharField("会签人姓名", max_length=64, blank=True)
    countersigned_at = models.DateTimeField("会签时间", null=True, blank=True)
    countersigned_digest = models.CharField("会签时内容摘要", max_length=64, blank=True)

    class Meta:
        verbose_name = "联署机关"
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["document", "department"], name="documents_joint_once_per_department")
        ]

    def __str__(self) -> str:
        return f"{self.document} · {self.department}"


class DocumentVersion(models.Model):
    """One saved draft (稿次) of a document; every version is kept."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField("稿次")
    content = models.JSONField("内容")
    note = models.CharField("修改说明", max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "公文稿次"
        ordering = ["document_id", "number"]
        constraints = [models.UniqueConstraint(fields=["document", "number"], name="documents_version_once")]

    def __str__(self) -> str:
        return f"{self.document} 第{self.number}稿"

    def text(self) -> list[str]:
        lines: list[str] = []
        for key in ("title", "main_to", "body", "attachment_note", "signature_name", "remark", "copy_to"):
            lines += [f"{key}: {line}" for line in str(self.content.get(key, "")).splitlines() or [""]]
        return lines

    def diff(self, other: DocumentVersion | None) -> str:
        """A readable unified diff from `other` (the earlier version) to this one."""
        before = other.text() if other is not None else []
        label = f"第{other.number}稿" if other is not None else "（空）"
        return "\n".join(
            difflib.unified_diff(before, self.text(), fromfile=label, tofile=f"第{self.number}稿", lineterm="")
        )


class Review(models.Model):
    """A 核稿 opinion on one version."""

    class Decision(models.TextChoices):
        APPROVE = "approve", "同意"
        SEND_BACK = "send_back", "退回修改"

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="reviews")
    version = models.PositiveIntegerField("稿次")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decision = models.CharField("核稿意见", max_length=16, choices=Decision.choices)
    comment = models.TextField("意见", blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "核稿"
        ordering = ["document_id", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.document} {self.get_decision_display()}"


class Attachment(MediaFile):
    """A file attached to a document, stored under `<DATA_DIR>/media/documents/`."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="attachments")
    position = models.PositiveSmallIntegerField("序号", default=1)
    name = models.CharField("附件名称", max_length=200)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "公文附件"
        ordering = ["document_id", "position"]

    def __str__(self) -> str:
        return self.name


class Delivery(models.Model):
    """The document as one recipient department has it: from delivery (送达) to 归档."""

    class State(models.TextChoices):
        DELIVERED = "delivered", "待签收"
        RETURNED = "returned", "已退回"
        SIGNED = "signed", "已签收"
        REGISTERED = "registered", "已登记"
        REVIEWED = "reviewed", "已初审"
        INSTRUCTED = "instructed", "已批办"
        HANDLING = "handling", "承办中"
        DONE = "done", "已办结"
        ARCHIVED = "archived", "已归档"

    class Role(models.TextChoices):
        MAIN = "main", "主送"
        COPY = "copy", "抄送"

    class ReturnReason(models.TextChoices):
        NOT_OURS = "not_ours", "非本单位"
        INCOMPLETE = "incomplete", "内容不全"
        NON_COMPLIANT = "non_compliant", "不符合规范"

    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="deliveries")
    department = models.ForeignKey(
        "accounts.Department", on_delete=models.PROTECT, related_name="document_deliveries", verbose_name="收文单位"
    )
    role = models.CharField("主送/抄送", max_length=8, choices=Role.choices, default=Role.MAIN)
    state = models.CharField("状态", max_length=16, choices=State.choices, default=State.DELIVERED)
    # copies of the sender's document the list filters and sorts on without a join
    title = models.CharField("标题", max_length=200)
    number = models.CharField("发文字号", max_length=60, blank=True)
    kind = models.CharField("文种", max_length=16, choices=Kind.choices)
    urgency = models.CharField("紧急程度", max_length=16, choices=Urgency.choices, blank=True, default="")
    delivered_at = models.DateTimeField("送达时间", default=timezone.now)
    signed_at = models.DateTimeField("签收时间", null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    returned_at = models.DateTimeField("退回时间", null=True, blank=True)
    return_reason = models.CharField("退回原因", max_length=16, choices=ReturnReason.choices, blank=True)
    return_comment = models.CharField("退回说明", max_length=500, blank=True)
    receipt_number = models.CharField("收文编号", max_length=40, blank=True)
    registered_at = models.DateTimeField("登记时间", null=True, blank=True)
    reviewed_at = models.DateTimeField("初审时间", null=True, blank=True)
    proposal = models.TextField("拟办意见", blank=True)
    instruction = models.TextField("批办意见", blank=True)
    instructed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    instructed_at = models.DateTimeField("批办时间", null=True, blank=True)
    deadline = models.DateField("办理期限", null=True, blank=True)
    done_at = models.DateTimeField("办结时间", null=True, blank=True)
    answer = models.TextField("办理结果", blank=True)
    archived_at = models.DateTimeField("归档时间", null=True, blank=True)
    archive_path = models.CharField("归档包", max_length=300, blank=True)

    class Meta:
        verbose_name = "公文送达"
        ordering = ["-delivered_at", "-id"]
        indexes = [
            models.Index(fields=["department", "-delivered_at", "-id"], name="documents_inbox"),
            models.Index(fields=["department", "state", "-delivered_at"], name="documents_inbox_state"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["document", "department"], name="documents_one_delivery_per_department")
        ]

    def __str__(self) -> str:
        return f"{self.number or self.title} → {self.department}"


class Handler(models.Model):
    """A person handling a received document (承办): the lead or a co-handler, with a deadline."""

    class Role(models.TextChoices):
        LEAD = "lead", "主办"
        CO = "co", "协办"

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="handlers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    role = models.CharField("承办角色", max_length=8, choices=Role.choices)
    deadline = models.DateField("办理期限")
    done_at = models.DateTimeField("完成时间", null=True, blank=True)
    note = models.TextField("办理情况", blank=True)

    class Meta:
        verbose_name = "承办人"
        ordering = ["delivery_id", "role", "id"]
        constraints = [models.UniqueConstraint(fields=["delivery", "user"], name="documents_handler_once")]

    def __str__(self) -> str:
        return f"{self.delivery} {self.get_role_display()} {self.user}"

    @property
    def department(self) -> Any:
        return self.delivery.department


class Reading(models.Model):
    """传阅: who read a received document, and when."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="readings")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    read_at = models.DateTimeField("阅知时间", default=timezone.now)

    class Meta:
        verbose_name = "传阅"
        ordering = ["delivery_id", "read_at"]
        constraints = [models.UniqueConstraint(fields=["delivery", "user"], name="documents_read_once")]

    def __str__(self) -> str:
        return f"{self.user} 阅 {self.delivery}"


class Urging(models.Model):
    """催办: a reminder to the handlers of a received document."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="urgings")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    message = models.CharField("催办内容", max_length=500)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "催办"
        ordering = ["delivery_id", "created_at"]

    def __str__(self) -> str:
        return f"催办 {self.delivery}"
