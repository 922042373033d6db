"""Incidents (突发事件), their reports upward (信息报送) and warnings (预警). docs/rules.md §14.

An `Incident` is received (接报) by the 应急 department of its region (`department`: the duty
room whose region holds the place), verified (核实), graded (定级, level Ⅰ–Ⅳ), responded to (响应),
handled (处置), terminated (终止) and evaluated (评估). Every level change is a `LevelChange` with its
reason; every step is an `IncidentEvent` on the timeline. Reports upward (`IncidentReport`: 初报,
numbered 续报, 终报) are drafted by the duty room and signed off by a leader before they are sent to
the next level's 应急 department. An `EarlyWarning` (预警, 红/橙/黄/蓝) is issued for a region and lives
from its start until it ends or is lifted; a `Subscription` asks for a site message and an SMS
when a warning is issued for an area.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from zhengwu.core.fields import user_fk
from zhengwu.core.models import HistoryEntry


class Category(models.TextChoices):
    """The four classes of 突发事件 (突发事件应对法 Art. 2)."""

    NATURAL = "natural", "自然灾害"
    ACCIDENT = "accident", "事故灾难"
    HEALTH = "health", "公共卫生事件"
    SOCIAL = "social", "社会安全事件"


class Level(models.IntegerChoices):
    """Ⅰ 特别重大 … Ⅳ 一般; a smaller number is a graver incident."""

    I = 1, "Ⅰ级（特别重大）"  # noqa: E741
    II = 2, "Ⅱ级（重大）"
    III = 3, "Ⅲ级（较大）"
    IV = 4, "Ⅳ级（一般）"


LEVEL_SHORT = {1: "特别重大", 2: "重大", 3: "较大", 4: "一般"}


class Source(models.TextChoices):
    DUTY_PHONE = "duty_phone", "值班电话"
    HOTLINE = "hotline", "12345 热线"
    DEPARTMENT = "department", "部门报告"
    SYSTEM = "system", "部门系统"


class Incident(models.Model):
    class State(models.TextChoices):
        RECEIVED = "received", "接报"
        VERIFIED = "verified", "核实"
        GRADED = "graded", "定级"
        RESPONDING = "responding", "响应"
        HANDLING = "handling", "处置"
        TERMINATED = "terminated", "终止"
        EVALUATED = "evaluated", "评估"

    LIVE_STATES = (State.RECEIVED, State.VERIFIED, State.GRADED, State.RESPONDING, State.HANDLING)

    number = models.CharField("事件编号", max_length=24, unique=True)
    title = models.CharField("事件名称", max_length=200)
    category = models.CharField("事件类别", max_length=16, choices=Category.choices)
    subcategory = models.CharField("事件子类", max_length=40, blank=True)
    level = models.PositiveSmallIntegerField("事件级别", choices=Level.choices, null=True, blank=True)
    state = models.CharField("状态", max_length=16, choices=State.choices, default=State.RECEIVED)
    occurred_at = models.DateTimeField("发生时间")
    received_at = models.DateTimeField("接报时间", default=timezone.now)
    source = models.CharField("信息来源", max_length=16, choices=Source.choices)
    region = models.ForeignKey(
        "accounts.Region", on_delete=models.PROTECT, related_name="+", verbose_name="事发地行政区划"
    )
    place = models.CharField("事发地点", max_length=200)
    lat = models.DecimalField("纬度", max_digits=9, decimal_places=6, null=True, blank=True)
    lng = models.DecimalField("经度", max_digits=9, decimal_places=6, null=True, blank=True)
    description = models.TextField("事件经过")
    dead = models.PositiveIntegerField("死亡人数", default=0)
    injured = models.PositiveIntegerField("受伤人数", default=0)
    missing = models.PositiveIntegerField("失踪人数", default=0)
    trapped = models.PositiveIntegerField("被困人数", default=0)
    losses = models.TextField("财产损失", blank=True)
    trend = models.TextField("发展趋势", blank=True)
    measures = models.TextField("已采取措施", blank=True)
    help_requested = models.TextField("请求支援事项", blank=True)
    site_commander = models.CharField("现场指挥", max_length=64, blank=True)
    site_commander_phone = models.CharField("现场指挥联系电话", max_length=32, blank=True)
    department = models.ForeignKey(
        "accounts.Department", on_delete=models.PROTECT, related_name="+", verbose_name="属地应急管理部门"
    )
    reporting_department = models.ForeignKey(
        "accounts.Department",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="报告单位",
    )
    reporter_name = models.CharField("报告人", max_length=64, blank=True)
    reporter_phone = models.CharField("报告人电话", max_length=32, blank=True)
    reported_by = user_fk("接报人")
    api_client = models.ForeignKey(
        "accounts.ApiClient", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="报送系统"
    )
    letter = models.OneToOneField(
        "participation.Letter",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="incident",
        verbose_name="12345 来信",
    )
    created_at = models.DateTimeField("登记时间", default=timezone.now)
    updated_at = models.DateTimeField("更新时间", default=timezone.now)
    verified_at = models.DateTimeField("核实时间", null=True, blank=True)
    graded_at = models.DateTimeField("定级时间", null=True, blank=True)
    response_started_at = models.DateTimeField("启动响应时间", null=True, blank=True)
    terminated_at = models.DateTimeField("终止时间", null=True, blank=True)
    evaluated_at = models.DateTimeField("评估时间", null=True, blank=True)

    class Meta:
        verbose_name = "突发事件"
        verbose_name_plural = "突发事件"
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["state", "-received_at"], name="emergency_incident_state"),
            models.Index(fields=["department", "-received_at"], name="emergency_incident_dept"),
            models.Index(fields=["region", "-received_at"], name="emergency_incident_region"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def level_short(self) -> str:
        return LEVEL_SHORT.get(self.level or 0, "未定级")

    @property
    def is_live(self) -> bool:
        return self.state in self.LIVE_STATES


class LevelChange(HistoryEntry):
    """One grading or re-grading of an incident, with its reason (定级、升级、降级)."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="level_changes")
    from_level = models.PositiveSmallIntegerField("原级别", choices=Level.choices, null=True, blank=True)
    to_level = models.PositiveSmallIntegerField("新级别", choices=Level.choices)
    reason = models.CharField("理由", max_length=500)
    actor = user_fk("操作人")

    class Meta(HistoryEntry.Meta):
        verbose_name = "级别调整"
        verbose_name_plural = "级别调整"

    def __str__(self) -> str:
        return f"{self.from_level or '—'} → {self.to_level}"

    @property
    def verb(self) -> str:
        if self.from_level is None:
            return "定级"
        return "升级" if self.to_level < self.from_level else "降级"


class IncidentEvent(HistoryEntry):
    """One line of an incident's timeline: a state move, a level change, a report, a note."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="events")
    move = models.CharField("动作", max_length=32)
    label = models.CharField("动作名称", max_length=40)
    state = models.CharField("此后状态", max_length=16, choices=Incident.State.choices)
    note = models.TextField("说明", blank=True)
    actor = user_fk("操作人")
    actor_name = models.CharField("操作人名称", max_length=100, blank=True)

    class Meta(HistoryEntry.Meta):
        verbose_name = "事件处置记录"
        verbose_name_plural = "事件处置记录"

    def __str__(self) -> str:
        return f"{self.label} {self.at:%Y-%m-%d %H:%M}"


class IncidentReport(models.Model):
    """One report upward (信息报送): 初报, 续报 n, 终报; drafted, signed off by a leader, sent."""

    class Kind(models.TextChoices):
        INITIAL = "initial", "初报"
        FOLLOW_UP = "follow_up", "续报"
        FINAL = "final", "终报"

    class State(models.TextChoices):
        DRAFT = "draft", "待签发"
        SENT = "sent", "已报送"
        RECEIVED = "received", "已签收"

    # sent upward (the receiving duty room has it, whether or not it has signed for it yet)
    SENT_STATES = (State.SENT, State.RECEIVED)

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="reports")
    kind = models.CharField("报告类型", max_length=16, choices=Kind.choices)
    sequence = models.PositiveIntegerField(
        "续报序号", default=0, help_text="初报为 0，续报依次为 1、2…，终报为最后一号"
    )
    state = models.CharField("状态", max_length=16, choices=State.choices, default=State.DRAFT)
    content = models.TextField("报告内容")
    figures = models.JSONField("伤亡数字", default=dict, blank=True)
    sender = models.ForeignKey(
        "accounts.Department", on_delete=models.PROTECT, related_name="+", verbose_name="报送单位"
    )
    recipient = models.ForeignKey(
        "accounts.Department",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="接收单位",
    )
    skip_level = models.BooleanField("越级上报", default=False)
    drafted_by = user_fk("拟稿人")
    api_client = models.ForeignKey(
        "accounts.ApiClient", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="报送系统"
    )
    signed_by = user_fk("签发人")
    signer_name = models.CharField("签发人姓名", max_length=64, blank=True)
    created_at = models.DateTimeField("拟稿时间", default=timezone.now)
    sent_at = models.DateTimeField("报送时间", null=True, blank=True)
    on_time = models.BooleanField("按时报送", null=True, blank=True)
    # 签收 by the receiving department's duty room (docs/rules.md §14)
    received_at = models.DateTimeField("签收时间", null=True, blank=True)
    received_by = user_fk("签收人")
    receiver_name = models.CharField("签收人姓名", max_length=64, blank=True)

    class Meta:
        verbose_name = "信息报送"
        verbose_name_plural = "信息报送"
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["recipient", "state", "-sent_at"], name="emergency_report_inbox")]
        constraints = [
            models.UniqueConstraint(fields=["incident", "kind", "sequence"], name="emergency_report_number_once")
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        if self.kind == self.Kind.FOLLOW_UP:
            return f"第{self.sequence}次续报"
        return self.get_kind_display()


class WarningColor(models.IntegerChoices):
    """一级（红色）is the gravest; the number is the grade."""

    RED = 1, "红色"
    ORANGE = 2, "橙色"
    YELLOW = 3, "黄色"
    BLUE = 4, "蓝色"


WARNING_CSS = {1: "red", 2: "orange", 3: "yellow", 4: "blue"}
WARNING_GRADE = {1: "一级", 2: "二级", 3: "三级", 4: "四级"}


class Hazard(models.TextChoices):
    RAINSTORM = "rainstorm", "暴雨"
    BLIZZARD = "blizzard", "暴雪"
    COLD_WAVE = "cold_wave", "寒潮"
    GALE = "gale", "大风"
    SANDSTORM = "sandstorm", "沙尘暴"
    HEAT = "heat", "高温"
    DROUGHT = "drought", "干旱"
    THUNDER = "thunder", "雷电"
    HAIL = "hail", "冰雹"
    FROST = "frost", "霜冻"
    FOG = "fog", "大雾"
    ROAD_ICING = "road_icing", "道路结冰"
    FLOOD = "flood", "洪水"
    GEOLOGICAL = "geological", "地质灾害"
    FOREST_FIRE = "forest_fire", "森林火险"
    EPIDEMIC = "epidemic", "传染病疫情"
    OTHER = "other", "其他"


class EarlyWarning(models.Model):
    """A warning (预警) for a region, live from `starts_at` until `ends_at` or until lifted."""

    class State(models.TextChoices):
        LIVE = "live", "生效中"
        LIFTED = "lifted", "已解除"

    number = models.CharField("预警编号", max_length=24, unique=True)
    hazard = models.CharField("灾种", max_length=16, choices=Hazard.choices)
    hazard_other = models.CharField("其他灾种名称", max_length=20, blank=True)
    color = models.PositiveSmallIntegerField("预警级别", choices=WarningColor.choices)
    state = models.CharField("状态", max_length=16, choices=State.choices, default=State.LIVE)
    region = models.ForeignKey("accounts.Region", on_delete=models.PROTECT, related_name="+", verbose_name="预警区域")
    area = models.CharField("影响范围说明", max_length=300, blank=True)
    starts_at = models.DateTimeField("生效时间", default=timezone.now)
    ends_at = models.DateTimeField("预计结束时间")
    content = models.TextField("预警内容")
    measures = models.TextField("防御措施", blank=True)
    advice = models.TextField("公众防范提示", blank=True)
    department = models.ForeignKey(
        "accounts.Department", on_delete=models.PROTECT, related_name="+", verbose_name="发布单位"
    )
    issued_by = user_fk("发布人")
    issued_at = models.DateTimeField("发布时间", default=timezone.now)
    updated_at = models.DateTimeField("调整时间", null=True, blank=True)
    adjustments = models.JSONField("调整记录", default=list, blank=True)
    lifted_by = user_fk("解除人")
    lifted_at = models.DateTimeField("解除时间", null=True, blank=True)
    lift_reason = models.CharField("解除说明", max_length=300, blank=True)

    class Meta:
        verbose_name = "预警"
        verbose_name_plural = "预警"
        ordering = ["-issued_at", "-id"]
        indexes = [models.Index(fields=["state", "ends_at"], name="emergency_warning_live")]

    def __str__(self) -> str:
        return self.headline

    @property
    def hazard_name(self) -> str:
        if self.hazard == Hazard.OTHER and self.hazard_other:
            return self.hazard_other
        return str(Hazard(self.hazard).label)

    @property
    def headline(self) -> str:
        """The name real warnings carry: 暴雨黄色预警."""
        return f"{self.hazard_name}{WarningColor(self.color).label}预警"

    @property
    def css(self) -> str:
        return WARNING_CSS[self.color]

    @property
    def grade(self) -> str:
        return WARNING_GRADE[self.color]

    def is_live_at(self, moment: object) -> bool:
        return self.state == self.State.LIVE and self.starts_at <= moment < self.ends_at  # type: ignore[operator]


class Subscription(models.Model):
    """A citizen or a department asks to be told (site message and SMS) of warnings for an area."""

    region = models.ForeignKey("accounts.Region", on_delete=models.PROTECT, related_name="+", verbose_name="关注区域")
    user = user_fk("订阅人", on_delete=models.CASCADE)
    department = models.ForeignKey(
        "accounts.Department",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name="订阅部门",
    )
    created_at = models.DateTimeField("订阅时间", default=timezone.now)

    class Meta:
        verbose_name = "预警订阅"
        verbose_name_plural = "预警订阅"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "region"], condition=models.Q(department__isnull=True), name="emergency_sub_user_once"
            ),
            models.UniqueConstraint(
                fields=["department", "region"],
                condition=models.Q(department__isnull=False),
                name="emergency_sub_dept_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.department or self.user} · {self.region}"
