"""Forms of the governance workbench (a system's registration; the review steps post plain fields)."""

from __future__ import annotations

from typing import Any

from django import forms

from zhengwu.governance.models import FundingSource, InformationSystem, MlpsResult, NetworkZone, UsageFrequency
from zhengwu.governance.services import SystemData

MLPS_LEVELS = [(0, "未定级"), (1, "第一级"), (2, "第二级"), (3, "第三级"), (4, "第四级")]


def _lines(text: str) -> list[str]:
    return [part.strip() for part in text.replace("，", "\n").replace(",", "\n").splitlines() if part.strip()]


class SystemForm(forms.Form):
    name = forms.CharField(label="系统名称", max_length=100)
    short_name = forms.CharField(label="简称", max_length=40, required=False)
    deployments = forms.IntegerField(label="数量（部署套数）", min_value=1, max_value=999, initial=1)
    purpose = forms.CharField(label="建设目的", widget=forms.Textarea(attrs={"rows": 2}), required=False)
    functions = forms.CharField(label="主要功能", widget=forms.Textarea(attrs={"rows": 3}))
    users_scope = forms.CharField(label="使用对象与范围", widget=forms.Textarea(attrs={"rows": 2}))
    usage_frequency = forms.ChoiceField(label="使用频度", choices=UsageFrequency.choices)
    contact_name = forms.CharField(label="联系人", max_length=40)
    contact_phone = forms.CharField(label="联系电话", max_length=40)
    home_url = forms.URLField(label="系统网址", max_length=300, required=False, assume_scheme="https")
    network_zone = forms.ChoiceField(label="网络区域", choices=NetworkZone.choices)
    resources_provided = forms.CharField(
        label="提供的信息资源",
        required=False,
        help_text="资源代码，每行一个（须为本部门已发布的资源）",
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    resources_used = forms.CharField(
        label="使用的信息资源", required=False, help_text="资源代码，每行一个", widget=forms.Textarea(attrs={"rows": 2})
    )
    users = forms.CharField(
        label="系统用户",
        required=False,
        help_text="通过统一身份认证登录本系统的工作人员账号，每行一个",
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    legal_basis = forms.CharField(label="建设依据", widget=forms.Textarea(attrs={"rows": 2}), required=False)
    approved_by = forms.CharField(label="审批部门", max_length=100, required=False)
    approved_on = forms.DateField(label="审批时间", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    funding_source = forms.ChoiceField(label="经费来源", choices=FundingSource.choices)
    funding_ends_on = forms.DateField(
        label="运维经费截止", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    om_cost_yearly = forms.DecimalField(label="年度运维费用（万元）", min_value=0, max_digits=12, decimal_places=2)
    mlps_level = forms.TypedChoiceField(label="等级保护级别", choices=MLPS_LEVELS, coerce=int)
    mlps_filing_number = forms.CharField(label="等保备案编号", max_length=40, required=False)
    mlps_assessed_on = forms.DateField(
        label="最近测评日期", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    mlps_result = forms.ChoiceField(label="最近测评结论", choices=MlpsResult.choices, required=False)
    should_connect = forms.BooleanField(label="应接入共享交换平台", required=False, initial=True)
    no_connect_reason = forms.CharField(label="不接入理由", widget=forms.Textarea(attrs={"rows": 2}), required=False)
    state = forms.ChoiceField(
        label="登记时状态",
        choices=[(InformationSystem.State.RUNNING, "运行"), (InformationSystem.State.BUILDING, "建设中")],
        required=False,
    )

    def data_object(self) -> SystemData:
        values: dict[str, Any] = {k: (v if v is not None else "") for k, v in self.cleaned_data.items()}
        for name in ("approved_on", "funding_ends_on", "mlps_assessed_on"):
            values[name] = self.cleaned_data.get(name)
        for name in ("resources_provided", "resources_used", "users"):
            values[name] = _lines(values[name])
        values["state"] = values["state"] or InformationSystem.State.RUNNING
        return SystemData(**values)

    @staticmethod
    def initial_of(system: InformationSystem) -> dict[str, Any]:
        initial = {name: getattr(system, name) for name in SystemForm.base_fields if hasattr(system, name)}
        initial["resources_provided"] = "\n".join(r.code or "" for r in system.resources_provided.all())
        initial["resources_used"] = "\n".join(r.code or "" for r in system.resources_used.all())
        initial["users"] = "\n".join(u.username for u in system.users.all())
        return initial
