"""The systems inventory (信息系统清单) and the zombie-system reviews (僵尸系统核查), docs/rules.md §11.

An `InformationSystem` is one department's information system as the department registers it: what
it is for, who uses it, where it runs (network zone), the catalog resources it provides and uses,
how it was approved and is funded, its 等级保护 filing, and its life cycle (建设中 → 运行 → 停用 →
已整合 / 已清理). Its connection to the sharing platform is the exchange API clients that belong to
it (`SystemApiClient`: a client belongs to at most one system); its usage is measured from the
exchange's access log and the logins of its `users`, never typed in.

A `ZombieCase` is one review of a system the monthly job found by the zombie rules (`ZombieRule`),
with the rules that fired and their evidence: the e-gov office confirms (or dismisses) it, the owner
department answers (自查), the office reviews (审核) and decides 保留 / 整合 (into another system,
recorded) / 清理.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from zhengwu.core.fields import user_fk

if TYPE_CHECKING:
    from zhengwu.accounts.models import ApiClient


class NetworkZone(models.TextChoices):
    INTRANET = "intranet", "内网"
    EXTRANET = "extranet", "外网"
    INTERNET = "internet", "互联网"


class FundingSource(models.TextChoices):
    FISCAL = "fiscal", "财政预算"
    SPECIAL = "special", "专项资金"
    SELF = "self", "自筹资金"
    OTHER = "other", "其他"


class UsageFrequency(models.TextChoices):
    """使用频度 as the department declares it (the seed's 自查 field; usage itself is measured)."""

    DAILY = "daily", "每日"
    WEEKLY = "weekly", "每周"
    MONTHLY = "monthly", "每月"
    RARELY = "rarely", "偶尔"
    NEVER = "never", "不再使用"


class MlpsResult(models.TextChoices):
    """Result of the last 等级保护 assessment (等级测评)."""

    NONE = "", "未测评"
    PASS = "pass", "符合"
    BASIC = "basic", "基本符合"
    FAIL = "fail", "不符合"


class InformationSystem(models.Model):
    """One information system of a department (信息系统清单的一条)."""

    class State(models.TextChoices):
        BUILDING = "building", "建设中"
        RUNNING = "running", "运行"
        STOPPED = "stopped", "停用"
        CONSOLIDATED = "consolidated", "已整合"
        CLEARED = "cleared", "已清理"

    name = models.CharField("系统名称", max_length=100)
    short_name = models.CharField("简称", max_length=40, blank=True)
    department = models.ForeignKey(
        "accounts.Department", on_delete=models.PROTECT, related_name="information_systems", verbose_name="所属部门"
    )
    deployments = models.PositiveSmallIntegerField("数量（部署套数）", default=1)
    purpose = models.TextField("建设目的", blank=True)
    functions = models.TextField("主要功能")
    users_scope = models.TextField("使用对象与范围")
    usage_frequency = models.CharField(
        "使用频度（部门填报）", max_length=16, choices=UsageFrequency.choices, default=UsageFrequency.DAILY
    )
    contact_name = models.CharField("联系人", max_length=40)
    contact_phone = models.CharField("联系电话", max_length=40)
    home_url = models.URLField("系统网址", max_length=300, blank=True)
    network_zone = models.CharField("网络区域", max_length=16, choices=NetworkZone.choices)
    resources_provided = models.ManyToManyField(
        "catalog.Resource", blank=True, related_name="providing_systems", verbose_name="提供的信息资源"
    )
    resources_used = models.ManyToManyField(
        "catalog.Resource", blank=True, related_name="using_systems", verbose_name="使用的信息资源"
    )
    legal_basis = models.TextField("建设依据", blank=True)
    approved_by = models.CharField("审批部门", max_length=100, blank=True)
    approved_on = models.DateField("审批时间", null=True, blank=True)
    funding_source = models.CharField("经费来源", max_length=16, choices=FundingSource.choices)
    funding_ends_on = models.DateField("运维经费截止", null=True, blank=True)
    om_cost_yearly = models.DecimalField("年度运维费用（万元）", max_digits=12, decimal_places=2, default=0)
    mlps_level = models.PositiveSmallIntegerField(
        "等级保护级别", default=0, choices=[(0, "未定级"), (1, "第一级"), (2, "第二级"), (3, "第三级"), (4, "第四级")]
    )
    mlps_filing_number = models.CharField("等保备案编号", max_length=40, blank=True)
    mlps_assessed_on = models.DateField("最近测评日期", null=True, blank=True)
    mlps_result = models.CharField("最近测评结论", max_length=8, choices=MlpsResult.choices, blank=True, default="")
    state = models.CharField("生命周期状态", max_length=16, choices=State.choices, default=State.RUNNING)
    should_connect = models.BooleanField("应接入共享交换平台", default=True)
    no_connect_reason = models.TextField("不接入理由", blank=True)
    api_clients: models.ManyToManyField[ApiClient, SystemApiClient] = models.ManyToManyField(
        "accounts.ApiClient", through="SystemApiClient", blank=True, related_name="+", verbose_name="接口调用系统"
    )
    # The platform accounts that use the system through unified identity (统一身份认证): their
    # logins are the system's measured logins and users (docs/rules.md §11).
    users = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="information_systems", verbose_name="系统用户"
    )
    consolidated_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="absorbed", verbose_name="整合至"
    )
    state_note = models.TextField("状态说明", blank=True)
    created_by = user_fk(on_delete=models.SET_NULL)
    created_at = models.DateTimeField("登记时间", default=timezone.now)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "信息系统"
        ordering = ["department_id", "name", "id"]
        indexes = [models.Index(fields=["department", "state"]), models.Index(fields=["state"])]
        constraints = [
            models.UniqueConstraint(fields=["department", "name"], name="governance_system_name_unique_in_dept"),
            models.CheckConstraint(condition=Q(om_cost_yearly__gte=0), name="governance_system_om_cost_not_negative"),
            models.CheckConstraint(
                condition=Q(consolidated_into__isnull=True) | Q(state="consolidated"),
                name="governance_system_consolidated_has_target",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.department}）"

    @property
    def is_retired(self) -> bool:
        return self.state in (self.State.CONSOLIDATED, self.State.CLEARED)


class SystemApiClient(models.Model):
    """An exchange API client that belongs to a system (its connection to the sharing platform)."""

    system = models.ForeignKey(InformationSystem, on_delete=models.CASCADE, related_name="client_links")
    api_client = models.OneToOneField(
        "accounts.ApiClient",
        on_delete=models.PROTECT,
        related_name="information_system_link",
        verbose_name="接口调用系统",
    )
    linked_by = user_fk(on_delete=models.SET_NULL)
    linked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "系统接入"

    def __str__(self) -> str:
        return f"{self.system_id} ← {self.api_client_id}"


class ZombieRule(models.TextChoices):
    """The zombie rules (docs/rules.md §11); each is a setting `ZHENGWU_ZOMBIE_*` with a default."""

    IDLE = "idle", "无调用且无登录"
    STALE_DATA = "stale_data", "数据未按更新周期更新"
    NO_OM = "no_om", "运维已停止"
    FEW_USERS = "few_users", "使用人数过少"


class ZombieCase(models.Model):
    """One review of a zombie candidate (僵尸系统核查): 候选 → 确认 → 自查 → 审核 → 保留 / 整合 / 清理."""

    class State(models.TextChoices):
        CANDIDATE = "candidate", "候选"
        SELF_CHECK = "self_check", "待自查"
        REVIEW = "review", "待审核"
        RETAINED = "retained", "保留"
        CONSOLIDATED = "consolidated", "已整合"
        CLEARED = "cleared", "已清理"
        DISMISSED = "dismissed", "排除"

    OPEN_STATES = (State.CANDIDATE, State.SELF_CHECK, State.REVIEW)

    system = models.ForeignKey(InformationSystem, on_delete=models.PROTECT, related_name="zombie_cases")
    state = models.CharField("状态", max_length=16, choices=State.choices, default=State.CANDIDATE)
    rules = models.JSONField("命中规则", default=list)
    evidence = models.JSONField("证据", default=dict)
    found_at = models.DateTimeField("发现时间", default=timezone.now)
    confirmed_by = user_fk("确认人")
    confirmed_at = models.DateTimeField("确认时间", null=True, blank=True)
    confirm_note = models.TextField("确认意见", blank=True)
    self_check_answer = models.TextField("自查说明", blank=True)
    self_checked_by = user_fk("自查人")
    self_checked_at = models.DateTimeField("自查时间", null=True, blank=True)
    review_opinion = models.TextField("审核意见", blank=True)
    reviewed_by = user_fk("审核人")
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    consolidated_into = models.ForeignKey(
        InformationSystem, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="整合至"
    )

    class Meta:
        verbose_name = "僵尸系统核查"
        ordering = ["-found_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["system"],
                condition=Q(state__in=["candidate", "self_check", "review"]),
                name="governance_one_open_zombie_case",
            )
        ]

    def __str__(self) -> str:
        return f"僵尸系统核查 #{self.pk}（{self.system_id}）"

    @property
    def is_confirmed_zombie(self) -> bool:
        """Confirmed by the office and not (yet) decided to be kept."""
        return self.confirmed_at is not None and self.state in (self.State.SELF_CHECK, self.State.REVIEW)
