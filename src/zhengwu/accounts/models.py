"""Regions, departments, people and the systems that call the API."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone

from zhengwu.core.crypto import blind_index
from zhengwu.core.fields import EncryptedTextField
from zhengwu.core.rotation import recomputed_index


class Region(models.Model):
    """A GB/T 2260 administrative division (行政区划)."""

    class Level(models.TextChoices):
        PROVINCE = "province", "省级"
        CITY = "city", "地市级"
        COUNTY = "county", "县级"

    code = models.CharField("行政区划代码", max_length=6, unique=True)
    name = models.CharField("名称", max_length=64)
    level = models.CharField("层级", max_length=16, choices=Level.choices)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")

    class Meta:
        ordering = ["code"]
        verbose_name = "行政区划"

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


class Department(models.Model):
    """A government department (部门), identified by its unified social credit code."""

    class Level(models.TextChoices):
        PROVINCE = "province", "省级"
        CITY = "city", "市级"
        COUNTY = "county", "县级"

    name = models.CharField("部门名称", max_length=100)
    short_name = models.CharField("简称", max_length=40, blank=True)
    credit_code = models.CharField("统一社会信用代码", max_length=18, unique=True)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="departments", verbose_name="行政区划")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name="上级部门"
    )
    level = models.CharField("层级", max_length=16, choices=Level.choices)
    is_active = models.BooleanField("启用", default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["region__code", "name"]
        verbose_name = "部门"
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="department_name_unique_in_region")]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        from zhengwu.core.errors import ApplicationError
        from zhengwu.core.idnumbers import validate_credit_code

        try:
            validate_credit_code(self.credit_code)
        except ApplicationError as error:
            raise ValidationError({"credit_code": error.message}) from None


class Role(models.TextChoices):
    """Roles a staff account can hold. The three administrators (三员) exclude each other."""

    CLERK = "clerk", "业务办理人员"
    DEPT_LEADER = "dept_leader", "部门负责人"
    DATA_OFFICER = "data_officer", "数据管理员"
    EGOV_OFFICE = "egov_office", "电子政务主管"
    SUPERVISOR = "supervisor", "电子监察人员"
    DUTY_OFFICER = "duty_officer", "应急值班员"
    COMMANDER = "commander", "应急指挥长"
    SYSTEMS_OFFICER = "systems_officer", "信息化管理员"
    SYS_ADMIN = "sys_admin", "系统管理员"
    SEC_ADMIN = "sec_admin", "安全管理员"
    AUDIT_ADMIN = "audit_admin", "审计管理员"


THREE_ADMINS = frozenset({Role.SYS_ADMIN, Role.SEC_ADMIN, Role.AUDIT_ADMIN})


class User(AbstractUser):
    """Anyone who logs in: staff (工作人员), citizens (自然人) and enterprise agents (法人)."""

    class Kind(models.TextChoices):
        STAFF = "staff", "工作人员"
        CITIZEN = "citizen", "自然人"
        ENTERPRISE = "enterprise", "法人"

    kind = models.CharField("用户类型", max_length=16, choices=Kind.choices, default=Kind.CITIZEN)
    real_name = models.CharField("姓名", max_length=64, blank=True)
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.PROTECT, related_name="staff", verbose_name="所属部门"
    )
    # Personal data is SM4-encrypted at rest; the blind index (SM3-HMAC) allows exact lookup.
    id_number = EncryptedTextField("公民身份号码", blank=True, default="")
    id_number_index = models.CharField(max_length=64, blank=True, default="", db_index=True)
    phone = EncryptedTextField("手机号码", blank=True, default="")
    phone_index = models.CharField(max_length=64, blank=True, default="", db_index=True)
    phone_verified_at = models.DateTimeField("手机验证时间", null=True, blank=True)
    # Enterprise accounts: the company and the person acting for it.
    enterprise_name = models.CharField("单位名称", max_length=200, blank=True)
    enterprise_credit_code = models.CharField("统一社会信用代码", max_length=18, blank=True, db_index=True)
    password_changed_at = models.DateTimeField("密码修改时间", default=timezone.now)
    # Real-name status (docs/rules.md §5): a self-registered person is checked against the
    # 人口基础信息 base (name + ID number) and marked unverified when the base does not know them.
    # Accounts an administrator or the demo creates are verified by whoever creates them.
    identity_verified = models.BooleanField("实名核验通过", default=True)
    # A closed account (注销, docs/rules.md §16): personal data cleared, login refused, rows kept
    # only where the law keeps them (cases within retention, the audit log).
    closed_at = models.DateTimeField("注销时间", null=True, blank=True)

    class Meta:
        verbose_name = "用户"
        constraints = [
            models.UniqueConstraint(
                fields=["id_number_index"],
                condition=~models.Q(id_number_index="") & models.Q(kind="citizen"),
                name="one_citizen_per_id_number",
            )
        ]

    def __str__(self) -> str:
        return self.real_name or self.username

    @property
    def is_staff_user(self) -> bool:
        return self.kind == self.Kind.STAFF

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Keep the blind indexes in step with the encrypted values they index.
        self.id_number_index = blind_index(self.id_number, purpose="resident-id") if self.id_number else ""
        self.phone_index = blind_index(self.phone, purpose="phone") if self.phone else ""
        super().save(*args, **kwargs)

    def role_codes(self) -> set[str]:
        if "_role_codes" not in self.__dict__:
            self.__dict__["_role_codes"] = set(self.role_assignments.values_list("role", flat=True))
        return set(self.__dict__["_role_codes"])

    def forget_roles(self) -> None:
        """Drop the cached role set after the roles changed."""
        self.__dict__.pop("_role_codes", None)

    def has_role(self, *roles: str) -> bool:
        """True when the account is active staff holding any of `roles`."""
        return self.is_active and self.kind == self.Kind.STAFF and bool(self.role_codes() & set(roles))


# A data-key rotation rewrites both indexes with the values they index (core.rotation).
recomputed_index(
    User, "id_number_index", lambda v: blind_index(v["id_number"], purpose="resident-id") if v["id_number"] else ""
)
recomputed_index(User, "phone_index", lambda v: blind_index(v["phone"], purpose="phone") if v["phone"] else "")


class RoleAssignment(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField("角色", max_length=32, choices=Role.choices)
    granted_at = models.DateTimeField(default=timezone.now)
    granted_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = "角色授权"
        constraints = [models.UniqueConstraint(fields=["user", "role"], name="role_once_per_user")]

    def __str__(self) -> str:
        return f"{self.user}：{self.get_role_display()}"


class PhoneCode(models.Model):
    """A one-time SMS code sent to verify a phone number at registration."""

    phone_index = models.CharField(max_length=64, db_index=True)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    used_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    def __str__(self) -> str:
        return f"验证码 {self.created_at:%Y-%m-%d %H:%M}"


class ApiClient(models.Model):
    """A department system (金税、金盾、金保 …) calling the API with its own credentials."""

    class Scope(models.TextChoices):
        READ_DIRECTORY = "directory:read", "读取部门与区划"
        EXCHANGE_QUERY = "exchange:query", "查询共享数据"
        EXCHANGE_WRITE = "exchange:write", "写入共享数据"
        PARTICIPATION_SUBMIT = "participation:submit", "提交来信（Open311）"
        EMERGENCY_REPORT = "emergency:report", "报告突发事件与续报"
        EMERGENCY_TASKS = "emergency:tasks", "签收与反馈应急联动任务"
        GOVERNANCE_INVENTORY = "governance:inventory", "维护本部门信息系统清单"
        SUPERVISION_READ = "supervision:read", "读取电子监察数据"
        DOCUMENTS_EXCHANGE = "documents:exchange", "收发电子公文"
        AUDIT_WITNESS = "audit:witness", "为本平台存证审计日志锚点（见证对端）"

    name = models.CharField("系统名称", max_length=100)
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="api_clients")
    token_prefix = models.CharField(max_length=12, unique=True)
    token_hash = models.CharField(max_length=64)
    scopes = models.JSONField("授权范围", default=list)
    expires_at = models.DateTimeField("有效期至")
    revoked_at = models.DateTimeField("吊销时间", null=True, blank=True)
    last_used_at = models.DateTimeField("最后使用", null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = "接口调用系统"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name}（{self.department}）"

    def is_usable(self, now: object | None = None) -> bool:
        moment = now or timezone.now()
        return self.revoked_at is None and self.expires_at > moment  # type: ignore[operator]
