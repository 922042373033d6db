"""Forms of the catalog pages: the resource metadata, its data items (a formset) and review."""

from __future__ import annotations

import re
from typing import Any

from django import forms

from zhengwu.catalog.models import CatalogClass, DataType, FormatClass, ShareMethod, ShareType, UpdateCycle, Zone
from zhengwu.catalog.services import ItemSpec, ResourceData

_SPLIT = re.compile(r"[、；;,，\s]+")


def _split(text: str) -> list[str]:
    return [part for part in _SPLIT.split(text or "") if part]


class ResourceForm(forms.Form):
    name = forms.CharField(label="资源名称", max_length=200)
    catalog_class = forms.ChoiceField(label="目录类别", choices=CatalogClass.choices)
    category = forms.CharField(label="类", max_length=1, help_text="1 位数字：1 基础、2 主题、3 部门")
    item = forms.CharField(label="项", max_length=2, help_text="2 位数字")
    subitem = forms.CharField(label="目", max_length=3, help_text="3 位数字")
    detail = forms.CharField(label="细目", max_length=6, required=False, help_text="可不填")
    summary = forms.CharField(label="摘要", widget=forms.Textarea(attrs={"rows": 3}))
    format_class = forms.ChoiceField(label="格式分类", choices=FormatClass.choices)
    share_type = forms.ChoiceField(label="共享类型", choices=ShareType.choices)
    share_condition = forms.CharField(label="共享条件", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    share_method = forms.ChoiceField(label="共享方式", choices=ShareMethod.choices, initial=ShareMethod.API)
    no_share_basis = forms.CharField(
        label="不予共享依据", required=False, widget=forms.Textarea(attrs={"rows": 2}), help_text="不予共享时必填"
    )
    open_to_public = forms.BooleanField(label="向社会开放", required=False)
    open_condition = forms.CharField(label="开放条件", required=False)
    update_cycle = forms.ChoiceField(label="更新周期", choices=UpdateCycle.choices)
    zone = forms.ChoiceField(label="网络区域", choices=Zone.choices, initial=Zone.INTERNAL)
    is_secret = forms.BooleanField(label="涉密", required=False)
    key_item = forms.CharField(label="主键信息项编码", max_length=64, required=False)
    related_codes = forms.CharField(label="关联资源代码", required=False, help_text="多个代码以顿号或空格分隔")
    query_combinations = forms.CharField(
        label="组合查询",
        required=False,
        help_text="常一起查询的可查询信息项：编码以“+”连接，多组以分号分隔，如 region_code+org_name",
    )

    @classmethod
    def initial_of(cls, data: ResourceData) -> dict[str, Any]:
        values = dict(data.__dict__)
        values["related_codes"] = "、".join(data.related_codes)
        values["query_combinations"] = "；".join("+".join(codes) for codes in data.query_combinations)
        return values

    def resource_data(self) -> ResourceData:
        values = dict(self.cleaned_data)
        values["related_codes"] = _split(values["related_codes"])
        values["query_combinations"] = combinations(values["query_combinations"])
        return ResourceData(**values)


def combinations(text: str) -> list[list[str]]:
    """ "a+b；c+d" → [["a", "b"], ["c", "d"]]."""
    groups = [group for group in re.split(r"[；;\n]+", text or "") if group.strip()]
    return [[code.strip() for code in group.split("+") if code.strip()] for group in groups]


class ItemForm(forms.Form):
    name = forms.CharField(label="信息项名称", max_length=100, required=False)
    code = forms.CharField(label="编码", max_length=64, required=False)
    data_type = forms.ChoiceField(label="数据类型", choices=DataType.choices, initial=DataType.STRING)
    enum_values = forms.CharField(label="枚举值", required=False, help_text="以顿号分隔")
    max_length = forms.IntegerField(label="最大长度", required=False, min_value=1)
    required = forms.BooleanField(label="必填", required=False)
    is_personal = forms.BooleanField(label="个人信息", required=False)
    is_authoritative = forms.BooleanField(label="权威来源", required=False)
    queryable = forms.BooleanField(label="可查询", required=False)
    description = forms.CharField(label="说明", max_length=500, required=False)

    @classmethod
    def initial_of(cls, spec: ItemSpec) -> dict[str, Any]:
        values = dict(spec.__dict__)
        values["enum_values"] = "、".join(spec.enum_values)
        return values

    def spec(self) -> ItemSpec | None:
        data = self.cleaned_data
        if not data or not (data.get("name") or data.get("code")):
            return None
        # The fields are named as ItemSpec's (`initial_of` reads them back the same way).
        return ItemSpec(**{**data, "code": data["code"].strip(), "enum_values": _split(data["enum_values"])})


ItemFormSet = forms.formset_factory(ItemForm, extra=3, max_num=300)


def item_specs(formset: Any) -> list[ItemSpec]:
    return [spec for form in formset.forms if (spec := form.spec()) is not None]


class ReasonForm(forms.Form):
    reason = forms.CharField(label="理由", widget=forms.Textarea(attrs={"rows": 2}), max_length=1000)


class ImportForm(forms.Form):
    file = forms.FileField(label="目录表（.xlsx）", help_text="使用下载的模板填写，最大 5 MB")
