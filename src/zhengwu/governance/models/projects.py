"""政务信息化项目: e-gov projects from 申报 to 绩效评价, with the sharing gate (docs/rules.md §12).

A department declares a `Project` (建设方案: budget, yearly O&M cost, funding channel, 等保 level)
with the data it creates or uses (`ProjectData`, each a catalog resource or, while not catalogued
yet, only a name) and the information systems it builds or uses (`ProjectSystem`, each an
inventory `InformationSystem` or, while not registered yet, only a name). The e-government office
reviews it (技术审核, recording the 发改 and 财政 opinions), approves it, and it is established
(立项), built (`ProjectMilestone`, 监理 `ProjectReport`), accepted (验收), operated (运维) and
evaluated (绩效评价). A self-funded small project takes the 备案 path instead of review and
approval. Files attach to every stage (`ProjectDocument`).
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from zhengwu.core.fields import user_fk
from zhengwu.core.models import MediaFile
from zhengwu.governance.models.inventory import FundingSource


class Project(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", "草稿"
        SUBMITTED = "submitted", "待技术审核"
        REVIEWED = "reviewed", "待批准"
        APPROVED = "approved", "已批准"
        FILING = "filing", "待备案确认"
        ESTABLISHED = "established", "已立项"
        BUILDING = "building", "建设中"
        ACCEPTING = "accepting", "待验收"
        OPERATING = "operating", "运维中"
        EVALUATED = "evaluated", "已绩效评价"

    class Path(models.TextChoices):
        APPROVAL = "approval", "审批"
        FILING = "filing", "备案（自筹小额）"

    number = models.CharField("项目编号", max_length=20, unique=True)
    name = models.CharField("项目名称", max_length=200)
    department = models.ForeignKey(
        "accounts.Department", on_delete=models.PROTECT, related_name="egov_projects", verbose_name="申报单位"
    )
    path = models.CharField("程序", max_length=16, choices=Path.choices, default=Path.APPROVAL)
    plan = models.TextField("建设方案", max_length=20000)
    budget = models.DecimalField("建设预算（万元）", max_digits=12, decimal_places=2, validators=[MinValueValidator(0)])
    om_cost_yearly = models.DecimalField(
        "年度运维费用（万元）", max_digits=12, decimal_places=2, default=0, validators=[MinValueValidator(0)]
    )
    funding_source = models.CharField("资金渠道", max_length=16, choices=FundingSource.choices)
    mlps_level = models.PositiveSmallIntegerField(
        "等级保护级别", validators=[MinValueValidator(1), MaxValueValidator(4)], default=2
    )
    state = models.CharField("状态", max_length=16, choices=State.choices, default=State.DRAFT)
    tech_opinion = models.TextField("技术审核意见", blank=True)
    ndrc_opinion = models.TextField("发展改革部门意见", blank=True)
    finance_opinion = models.TextField("财政部门意见", blank=True)
    approval_number = models.CharField("批复文号", max_length=100, blank=True)
    acceptance_opinion = models.TextField("验收意见", blank=True)
    performance_score = models.DecimalField(
        "绩效评价得分",
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    performance_opinion = models.TextField("绩效评价意见", blank=True)
    created_by = user_fk("申报人", on_delete=models.SET_NULL)
    created_at = models.DateTimeField("创建时间", default=timezone.now)
    submitted_at = models.DateTimeField("申报时间", null=True, blank=True)
    approved_at = models.DateTimeField("批准时间", null=True, blank=True)
    established_at = models.DateTimeField("立项时间", null=True, blank=True)
    accepted_at = models.DateTimeField("验收时间", null=True, blank=True)
    evaluated_at = models.DateTimeField("绩效评价时间", null=True, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "政务信息化项目"
        verbose_name_plural = "政务信息化项目"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["department", "state"], name="governance_project_dept_state")]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"


class LinkRole(models.TextChoices):
    CREATES = "creates", "新建"
    USES = "uses", "使用"


class ProjectLink(models.Model):
    """Something the project creates or uses (`LinkRole`): an entry the platform keeps (a catalog
    resource, an inventory system), or only its name until it is registered there."""

    name: str

    role = models.CharField("关系", max_length=8, choices=LinkRole.choices, default=LinkRole.CREATES)

    class Meta:
        abstract = True
        ordering = ["project", "id"]

    def __str__(self) -> str:
        return self.name


class ProjectData(ProjectLink):
    """A data resource the project creates or uses: a catalog resource, or a name until it is catalogued."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="data", verbose_name="项目")
    name = models.CharField("数据资源名称", max_length=200)
    resource = models.ForeignKey(
        "catalog.Resource", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="目录资源"
    )

    class Meta(ProjectLink.Meta):
        verbose_name = "项目数据资源"


class ProjectSystem(ProjectLink):
    """An information system the project builds or uses: an inventory entry, or a name until registered."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="systems", verbose_name="项目")
    name = models.CharField("系统名称", max_length=100)
    system = models.ForeignKey(
        "governance.InformationSystem",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="project_links",
        verbose_name="清单中的系统",
    )

    class Meta(ProjectLink.Meta):
        verbose_name = "项目信息系统"


class ProjectMilestone(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="milestones", verbose_name="项目")
    name = models.CharField("里程碑", max_length=200)
    due_on = models.DateField("计划完成日期")
    done_on = models.DateField("实际完成日期", null=True, blank=True)

    class Meta:
        verbose_name = "项目里程碑"
        ordering = ["project", "due_on", "id"]

    def __str__(self) -> str:
        return self.name


class ProjectReport(models.Model):
    """A 监理 (supervising engineer's) report during construction."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="reports", verbose_name="项目")
    title = models.CharField("标题", max_length=200)
    content = models.TextField("内容", max_length=20000)
    author = models.CharField("监理单位", max_length=200)
    reported_on = models.DateField("报告日期")
    created_by = user_fk("录入人", on_delete=models.SET_NULL)

    class Meta:
        verbose_name = "监理报告"
        ordering = ["project", "-reported_on", "-id"]

    def __str__(self) -> str:
        return self.title


class ProjectDocument(MediaFile):
    """A file attached to a stage, stored under `<DATA_DIR>/media/governance/`."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="documents", verbose_name="项目")
    stage = models.CharField("阶段", max_length=16, choices=Project.State.choices)
    name = models.CharField("文件名", max_length=200)
    uploaded_by = user_fk("上传人", on_delete=models.SET_NULL)
    uploaded_at = models.DateTimeField("上传时间", default=timezone.now)

    class Meta:
        verbose_name = "项目文件"
        ordering = ["project", "uploaded_at", "id"]
        constraints = [models.CheckConstraint(condition=Q(size__gte=0), name="governance_document_size")]

    def __str__(self) -> str:
        return self.name
