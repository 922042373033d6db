"""The response to an incident (docs/rules.md §15): plans (预案) and their versions with each
department's duty per response level, the dispatch (one `Task` per department, its history in
`TaskEvent`), resources (物资, 队伍, 专家, 避难场所) and their commitment to an incident, the duty
roster (值班表) and the post-event evaluation (评估)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone

from zhengwu.core.fields import user_fk
from zhengwu.core.models import HistoryEntry
from zhengwu.emergency.models.incidents import Category


class ResponseLevel(models.TextChoices):
    """Response levels of a plan: Ⅰ级 is the highest (特别重大), Ⅳ级 the lowest (一般)."""

    I = "1", "Ⅰ级响应"  # noqa: E741
    II = "2", "Ⅱ级响应"
    III = "3", "Ⅲ级响应"
    IV = "4", "Ⅳ级响应"


class Plan(models.Model):
    """A 专项应急预案 for one incident class; its content lives in versions (`PlanVersion`)."""

    name = models.CharField("预案名称", max_length=200)
    incident_class = models.CharField("事件类别", max_length=32, choices=Category.choices)
    current_version = models.PositiveIntegerField("现行版本", default=1)
    is_active = models.BooleanField("有效", default=True)
    created_by = user_fk("创建人")
    created_at = models.DateTimeField("创建时间", default=timezone.now)

    class Meta:
        verbose_name = "应急预案"
        verbose_name_plural = "应急预案"
        ordering = ["incident_class", "name", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def current(self) -> PlanVersion:
        return self.versions.get(number=self.current_version)


class PlanVersion(models.Model):
    """One version of a plan: kept as it was when the plan was revised (never changed after)."""

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="versions", verbose_name="预案")
    number = models.PositiveIntegerField("版本号")
    lead_department = models.ForeignKey(
        "accounts.Department", on_delete=models.PROTECT, related_name="+", verbose_name="牵头部门"
    )
    summary = models.TextField("预案要点", max_length=4000, blank=True)
    note = models.CharField("修订说明", max_length=500, blank=True)
    created_by = user_fk("修订人")
    created_at = models.DateTimeField("修订时间", default=timezone.now)

    class Meta:
        verbose_name = "预案版本"
        verbose_name_plural = "预案版本"
        ordering = ["plan", "-number"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="emergency_plan_version_unique")]

    def __str__(self) -> str:
        return f"{self.plan.name}（第{self.number}版）"


class PlanDuty(models.Model):
    """What one department does at one response level under one plan version, with its clocks."""

    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="duties", verbose_name="预案版本")
    level = models.CharField("响应级别", max_length=1, choices=ResponseLevel.choices)
    department = models.ForeignKey(
        "accounts.Department", on_delete=models.PROTECT, related_name="+", verbose_name="部门"
    )
    duty = models.TextField("职责", max_length=1000)
    sign_minutes = models.PositiveIntegerField("签收时限（分钟）", null=True, blank=True)
    arrive_minutes = models.PositiveIntegerField("到达/反馈时限（分钟）", null=True, blank=True)

    class Meta:
        verbose_name = "部门职责"
        verbose_name_plural = "部门职责"
        ordering = ["version", "level", "id"]
        constraints = [
            models.UniqueConstraint(fields=["version", "level", "department"], name="emergency_plan_duty_unique")
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()} {self.department}"


class Task(models.Model):
    """A department's part of the response (联动任务): its duty and its two minute clocks."""

    class State(models.TextChoices):
        ISSUED = "issued", "待签收"
        SIGNED = "signed", "已签收"
        ARRIVED = "arrived", "已到达"
        DONE = "done", "已完成"
        CANCELLED = "cancelled", "已撤销"

    OPEN_STATES = (State.ISSUED, State.SIGNED, State.ARRIVED)

    incident = models.ForeignKey(
        "emergency.Incident", on_delete=models.PROTECT, related_name="tasks", verbose_name="突发事件"
    )
    plan_version = models.ForeignKey(
        PlanVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="tasks", verbose_name="启动预案"
    )
    level = models.CharField("响应级别", max_length=1, choices=ResponseLevel.choices)
    department = models.ForeignKey(
        "accounts.Department", on_delete=models.PROTECT, related_name="emergency_tasks", verbose_name="承担部门"
    )
    duty = models.TextField("任务", max_length=1000)
    is_lead = models.BooleanField("牵头", default=False)
    state = models.CharField("状态", max_length=16, choices=State.choices, default=State.ISSUED)
    sign_minutes = models.PositiveIntegerField("签收时限（分钟）")
    arrive_minutes = models.PositiveIntegerField("到达/反馈时限（分钟）")
    issued_by = user_fk("下达人")
    issued_at = models.DateTimeField("下达时间", default=timezone.now)
    signed_at = models.DateTimeField("签收时间", null=True, blank=True)
    signed_by = models.CharField("签收人", max_length=200, blank=True)
    arrived_at = models.DateTimeField("到达/反馈时间", null=True, blank=True)
    done_at = models.DateTimeField("完成时间", null=True, blank=True)
    result = models.TextField("完成情况", max_length=2000, blank=True)
    support_open = models.BooleanField("请求支援中", default=False)

    class Meta:
        verbose_name = "联动任务"
        verbose_name_plural = "联动任务"
        ordering = ["incident", "id"]
        indexes = [
            models.Index(fields=["incident", "state"], name="emergency_task_incident"),
            models.Index(fields=["department", "state", "id"], name="emergency_task_department"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["incident", "department"],
                condition=Q(state__in=["issued", "signed", "arrived"]),
                name="emergency_task_one_open_per_department",
            )
        ]

    def __str__(self) -> str:
        return f"{self.department} · {self.duty[:30]}"


class TaskEvent(HistoryEntry):
    """The history of a task: issued, signed, progress, support asked, arrived, done, cancelled."""

    class Kind(models.TextChoices):
        ISSUE = "issue", "下达"
        SIGN = "sign", "签收"
        PROGRESS = "progress", "进展"
        SUPPORT = "support", "请求支援"
        ARRIVE = "arrive", "到达/反馈"
        FINISH = "finish", "完成"
        CANCEL = "cancel", "撤销"

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="events", verbose_name="任务")
    kind = models.CharField("事件", max_length=16, choices=Kind.choices)
    text = models.TextField("内容", max_length=2000, blank=True)
    by = models.CharField("操作人", max_length=200, blank=True)

    class Meta(HistoryEntry.Meta):
        verbose_name = "任务记录"
        verbose_name_plural = "任务记录"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"


class ResourceKind(models.TextChoices):
    SUPPLY = "supply", "物资"
    TEAM = "team", "救援队伍"
    EXPERT = "expert", "专家"
    SHELTER = "shelter", "避难场所"


class Resource(models.Model):
    """An emergency resource with its location (WGS-84 degrees); committed to at most one incident."""

    kind = models.CharField("类别", max_length=16, choices=ResourceKind.choices)
    name = models.CharField("名称", max_length=200)
    department = models.ForeignKey(
        "accounts.Department", on_delete=models.PROTECT, related_name="+", verbose_name="管理部门"
    )
    region_code = models.CharField("所在区划", max_length=6, blank=True)
    address = models.CharField("地址", max_length=200, blank=True)
    lat = models.FloatField("纬度")
    lng = models.FloatField("经度")
    quantity = models.PositiveIntegerField("数量", null=True, blank=True, help_text="物资")
    unit = models.CharField("计量单位", max_length=20, blank=True)
    stock_point = models.CharField("储备点", max_length=200, blank=True)
    size = models.PositiveIntegerField("人数", null=True, blank=True, help_text="队伍")
    specialty = models.CharField("专业", max_length=100, blank=True, help_text="队伍、专家")
    capacity = models.PositiveIntegerField("容纳人数", null=True, blank=True, help_text="避难场所")
    contact = models.CharField("联系人", max_length=50, blank=True)
    phone = models.CharField("联系电话", max_length=30, blank=True)
    committed_to = models.ForeignKey(
        "emergency.Incident",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="committed_resources",
        verbose_name="调用于",
    )
    created_at = models.DateTimeField("登记时间", default=timezone.now)

    class Meta:
        verbose_name = "应急资源"
        verbose_name_plural = "应急资源"
        ordering = ["kind", "name", "id"]
        # "nearby": a range on lat (then lng) picks the bounding box from this index (docs/rules.md §15)
        # (covering the candidates' columns, so the box is read from the index alone)
        indexes = [models.Index(fields=["lat", "lng", "committed_to", "kind"], name="emergency_resource_latlng")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.name}"

    @property
    def amount(self) -> str:
        """What it offers, in words: 500 顶 / 30 人 / 容纳 2000 人."""
        if self.kind == ResourceKind.SUPPLY:
            return f"{self.quantity or 0} {self.unit}".strip()
        if self.kind == ResourceKind.TEAM:
            return f"{self.size or 0} 人"
        if self.kind == ResourceKind.SHELTER:
            return f"容纳 {self.capacity or 0} 人"
        return self.specialty


class Commitment(models.Model):
    """A resource committed (调用) to an incident, until released (on termination at the latest)."""

    resource = models.ForeignKey(Resource, on_delete=models.PROTECT, related_name="commitments", verbose_name="资源")
    incident = models.ForeignKey(
        "emergency.Incident", on_delete=models.PROTECT, related_name="commitments", verbose_name="突发事件"
    )
    committed_by = user_fk("调用人")
    committed_at = models.DateTimeField("调用时间", default=timezone.now)
    released_at = models.DateTimeField("释放时间", null=True, blank=True)
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "资源调用"
        verbose_name_plural = "资源调用"
        ordering = ["-committed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["resource"], condition=Q(released_at__isnull=True), name="emergency_commitment_one_live"
            )
        ]

    def __str__(self) -> str:
        return f"{self.resource} → {self.incident_id}"


class DutyShift(models.Model):
    """One day of a department's duty roster (值班表)."""

    department = models.ForeignKey(
        "accounts.Department", on_delete=models.PROTECT, related_name="+", verbose_name="部门"
    )
    day = models.DateField("日期")
    leader = models.CharField("带班领导", max_length=50)
    officer = models.CharField("值班员", max_length=50)
    phone = models.CharField("值班电话", max_length=30)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "值班安排"
        verbose_name_plural = "值班安排"
        ordering = ["day", "department"]
        constraints = [models.UniqueConstraint(fields=["department", "day"], name="emergency_duty_one_per_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.department}"


class Evaluation(models.Model):
    """The post-event evaluation (评估) of an incident: its figures as computed from the records,
    frozen when the evaluation is written, and the evaluators' findings."""

    incident = models.OneToOneField(
        "emergency.Incident", on_delete=models.PROTECT, related_name="evaluation", verbose_name="突发事件"
    )
    figures = models.JSONField("处置时效", default=dict)
    findings = models.TextField("评估结论", max_length=5000)
    lessons = models.TextField("改进建议", max_length=5000, blank=True)
    created_by = user_fk("评估人")
    created_at = models.DateTimeField("评估时间", default=timezone.now)

    class Meta:
        verbose_name = "事后评估"
        verbose_name_plural = "事后评估"

    def __str__(self) -> str:
        return f"评估 {self.incident_id}"
