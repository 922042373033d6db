"""Models of the certificates app (电子证照): types, issuer keys, certificates."""

from __future__ import annotations

import json
from typing import Any

from django.db import models
from django.db.models import Q
from django.utils import timezone

from zhengwu.core.crypto import blind_index
from zhengwu.core.fields import EncryptedTextField, user_fk
from zhengwu.core.rotation import recomputed_index

HOLDER_INDEX_PURPOSE = "certificate-holder"  # the blind index of a holder's code (services.holder_index)


class HolderKind(models.TextChoices):
    PERSON = "person", "自然人"
    ORGANISATION = "organisation", "法人或其他组织"


class CertificateType(models.Model):
    """A kind of certificate (证照类型) defined by an authority, with the data items it carries.

    `items` is a list of `{"code": "...", "name": "中文名", "required": true}`; a certificate's
    `data` holds exactly these codes.
    """

    code = models.CharField("证照类型代码", max_length=21, unique=True, editable=False)
    name = models.CharField("证照名称", max_length=100)
    authority_name = models.CharField("设定机关", max_length=200)
    authority_credit_code = models.CharField("设定机关统一社会信用代码", max_length=18)
    sequence = models.CharField("顺序号", max_length=3)
    holder_kind = models.CharField("持证主体类别", max_length=16, choices=HolderKind.choices)
    legal_basis = models.CharField("设定依据", max_length=300, blank=True)
    items = models.JSONField("照面信息项", default=list)
    is_active = models.BooleanField("启用", default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "证照类型"
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["authority_credit_code", "sequence"], name="certificate_type_code_parts"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.code = f"{self.authority_credit_code}{self.sequence}".upper()
        super().save(*args, **kwargs)

    def item_names(self) -> dict[str, str]:
        return {str(item["code"]): str(item["name"]) for item in self.items}


class IssuerKey(models.Model):
    """The SM2 key pair a department signs its certificates with (private key SM4-encrypted)."""

    department = models.ForeignKey(
        "accounts.Department", on_delete=models.PROTECT, related_name="certificate_keys", verbose_name="颁发机构"
    )
    public_key = models.CharField("SM2 公钥", max_length=128)
    private_key = EncryptedTextField("SM2 私钥（加密存储）")
    fingerprint = models.CharField("公钥指纹", max_length=16, db_index=True)
    created_at = models.DateTimeField("生成时间", default=timezone.now)
    retired_at = models.DateTimeField("停用时间", null=True, blank=True)

    class Meta:
        verbose_name = "签发密钥"
        ordering = ["department_id", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["department"], condition=Q(retired_at__isnull=True), name="one_active_issuer_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.department} 签发密钥 {self.fingerprint}"


class Certificate(models.Model):
    """An issued electronic certificate (电子证照), signed by its issuer."""

    class Status(models.TextChoices):
        VALID = "valid", "有效"
        REVOKED = "revoked", "已注销"

    identifier = models.CharField("证照标识", max_length=120, unique=True)
    certificate_type = models.ForeignKey(
        CertificateType, on_delete=models.PROTECT, related_name="certificates", verbose_name="证照类型"
    )
    issuer = models.ForeignKey(
        "accounts.Department", on_delete=models.PROTECT, related_name="certificates", verbose_name="颁发机构"
    )
    issuer_key = models.ForeignKey(IssuerKey, on_delete=models.PROTECT, related_name="+", verbose_name="签发密钥")
    serial = models.CharField("流水号", max_length=20)
    version = models.CharField("版本号", max_length=3, default="001")
    holder_kind = models.CharField("持证主体类别", max_length=16, choices=HolderKind.choices)
    holder_name = EncryptedTextField("持证主体名称")
    holder_code = EncryptedTextField("持证主体代码")  # 公民身份号码 or 统一社会信用代码
    holder_index = models.CharField(max_length=64, db_index=True)  # blind index of holder_code
    data_json = EncryptedTextField("照面信息")  # canonical JSON of the type's items
    issued_on = models.DateField("签发日期")
    valid_until = models.DateField("有效期至", null=True, blank=True)  # None: 长期有效
    issued_at = models.DateTimeField("签发时间", default=timezone.now)
    issued_by = user_fk(on_delete=models.SET_NULL)
    source_label = models.CharField("来源", max_length=200, blank=True)
    signature = models.CharField("SM2 签名", max_length=128)
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.VALID)
    revoked_at = models.DateTimeField("注销时间", null=True, blank=True)
    revoked_by = user_fk(on_delete=models.SET_NULL)
    revoke_reason = models.TextField("注销原因", blank=True)
    base_synced_at = models.DateTimeField("写入电子证照库时间", null=True, blank=True)
    base_state = models.CharField("电子证照库中的状态", max_length=16, blank=True)  # state_code last written

    class Meta:
        verbose_name = "电子证照"
        ordering = ["-issued_at", "-id"]
        indexes = [
            models.Index(fields=["holder_index", "certificate_type"], name="cert_holder_type"),
            models.Index(fields=["issuer", "status", "-issued_at"], name="cert_issuer_status"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["certificate_type", "issuer", "serial", "version"], name="certificate_serial_unique"
            ),
            models.CheckConstraint(
                condition=Q(status="valid", revoked_at__isnull=True) | Q(status="revoked", revoked_at__isnull=False),
                name="certificate_revoked_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.certificate_type.name} {self.identifier}"

    @property
    def type_name(self) -> str:
        return self.certificate_type.name

    @property
    def data(self) -> dict[str, str]:
        loaded = json.loads(self.data_json or "{}")
        return {str(k): str(v) for k, v in loaded.items()}

    def is_expired(self, today: Any = None) -> bool:
        from zhengwu.core.workdays import today as beijing_today

        day = today or beijing_today()
        return self.valid_until is not None and self.valid_until < day

    @property
    def is_usable(self) -> bool:
        """Valid (not revoked) and not expired: what once-only reuse may rely on."""
        return self.status == self.Status.VALID and not self.is_expired()

    @property
    def state_code(self) -> str:
        """valid | revoked | expired (the register's view; the signature is checked by `verify`)."""
        if self.status == self.Status.REVOKED:
            return "revoked"
        return "expired" if self.is_expired() else "valid"

    @property
    def state_label(self) -> str:
        return {"valid": "有效", "revoked": "已注销", "expired": "已过期"}[self.state_code]


# A data-key rotation rewrites the holder index with the code it indexes (core.rotation).
recomputed_index(Certificate, "holder_index", lambda v: blind_index(v["holder_code"], purpose=HOLDER_INDEX_PURPOSE))
