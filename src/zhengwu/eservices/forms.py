"""Forms of 网上办事: the application form built from an item's fields and materials, and the
small forms of the window, task and rating pages."""

from __future__ import annotations

from typing import Any

from django import forms

from zhengwu.accounts.models import Region
from zhengwu.catalog.models import DataType
from zhengwu.core.forms import DateInput
from zhengwu.eservices.bundling import UnionForm
from zhengwu.eservices.models import (
    Audience,
    HandlingForm,
    ItemMaterial,
    ItemType,
    MaterialFile,
    RatingLevel,
    ServiceItem,
)
from zhengwu.eservices.services import GuideExtras, ItemData, Prefill, RatingData, Upload, themes_for

ACCEPT = ".pdf,.ofd,.jpg,.jpeg,.png"
FILE_RULE = "PDF/OFD/JPG/PNG，不超过 10 MB"


def _material_file(label: str, *, required: bool = True, note: str = "") -> forms.FileField:
    """A file input for a material or a sample: the browser offers the types the upload check takes."""
    return forms.FileField(
        label=label,
        required=required,
        help_text=note + FILE_RULE,
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
    )


def _note(notes: str) -> str:
    return notes + "；" if notes else ""


def _field_for(
    data_type: str, label: str, required: bool, enum_values: list[str], max_length: int | None
) -> forms.Field:
    if data_type == DataType.ENUM:
        return forms.ChoiceField(
            label=label, required=required, choices=[("", "请选择")] + [(str(v), str(v)) for v in enum_values]
        )
    if data_type == DataType.DATE:
        return forms.CharField(label=label, required=required, widget=DateInput())
    if data_type == DataType.BOOLEAN:
        return forms.ChoiceField(label=label, required=required, choices=[("", "请选择"), ("是", "是"), ("否", "否")])
    # Values are checked by the service with the exchange's converters (one set of rules).
    return forms.CharField(label=label, required=required, max_length=max_length or 500)


class KeptFilesForm(forms.Form):
    """A form with file inputs `file_<slot>` whose files are kept after an error
    (eservices/pending_uploads.py): an item's form and a 一件事's one form."""

    pending: dict[int, str]

    def mark_pending(self, pending: dict[int, str]) -> None:
        """Files kept from an earlier try: shown as attached, not asked again."""
        self.pending = pending
        for slot, name in pending.items():
            field = self.fields.get(f"file_{slot}")
            if field is not None:
                field.required = False
                field.help_text = f"已上传：{name}（无需重新选择；重新选择将替换）"
                self._bound_fields_cache.pop(f"file_{slot}", None)  # type: ignore[attr-defined]  # a bound field copies the help text

    def uploads(self) -> dict[int, Upload]:
        """The files that came with this try (of the file fields that validated), by slot."""
        files: dict[int, Upload] = {}
        for name, value in self.cleaned_data.items():
            if name.startswith("file_") and value:
                files[int(name.removeprefix("file_"))] = Upload.of(value)
        return files


class ApplyForm(KeptFilesForm):
    """One input per form field (`data_<code>`) and one file input per material to upload
    (`file_<material id>`). Fields filled from base data are shown read-only; fetched materials
    are not asked for."""

    def __init__(
        self,
        *args: Any,
        item: ServiceItem,
        prefill: Prefill,
        correcting: bool = False,
        pending: dict[int, str] | None = None,
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        self.item = item
        self.prefill = prefill
        for f in item.fields.all():
            field = _field_for(f.data_type, f.label, f.required, list(f.enum_values), f.max_length)
            if f.code in prefill.values:
                field.initial = prefill.values[f.code]
                field.disabled = True
                field.required = False
                field.help_text = "已从基础库获取，无需填写"
            self.fields[f"data_{f.code}"] = field
        self.fetched: list[ItemMaterial] = []
        for m in item.materials.all():
            if not correcting and self._will_fetch(m):
                self.fetched.append(m)
                continue
            self.fields[f"file_{m.pk}"] = _material_file(
                m.name, required=m.required and not correcting, note=_note(m.notes)
            )
        self.mark_pending(pending or {})

    def _will_fetch(self, material: ItemMaterial) -> bool:
        if material.source == "base":
            return material.base_resource_code in self.prefill.records
        if material.source == "certificate":
            return material.pk in self.prefill.certificates
        return False

    def service_data(self) -> dict[str, Any]:
        return {
            name.removeprefix("data_"): value
            for name, value in self.cleaned_data.items()
            if name.startswith("data_") and not self.fields[name].disabled
        }


class ReasonForm(forms.Form):
    reason = forms.CharField(label="理由", widget=forms.Textarea(attrs={"rows": 3}), required=False)


class CorrectionForm(forms.Form):
    items = forms.CharField(
        label="需补正的内容（每行一项，一次性列明）", widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    note = forms.CharField(label="补充说明", widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def item_list(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data.get("items", "").splitlines() if line.strip()]


class OpinionForm(forms.Form):
    opinion = forms.CharField(label="审查意见", widget=forms.Textarea(attrs={"rows": 3}), required=False)


SCORES = [(str(v), str(v)) for v in range(5, 0, -1)]


class RatingForm(forms.Form):
    level = forms.TypedChoiceField(
        label="总体评价", coerce=int, choices=[(str(v), label) for v, label in RatingLevel.choices]
    )
    overall = forms.TypedChoiceField(label="整体满意度（5 分最高）", coerce=int, choices=SCORES)
    efficiency = forms.TypedChoiceField(label="办事效率", coerce=int, choices=SCORES)
    guide_accuracy = forms.TypedChoiceField(label="办事指南精确度", coerce=int, choices=SCORES)
    convenience = forms.TypedChoiceField(label="办事便捷度", coerce=int, choices=SCORES)
    usability = forms.TypedChoiceField(label="平台操作性", coerce=int, choices=SCORES)
    comment = forms.CharField(
        label="评价内容（差评必填）", widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=500
    )

    def rating_data(self) -> RatingData:
        return RatingData(**self.cleaned_data)


class LookupForm(forms.Form):
    number = forms.CharField(label="办件编号", max_length=32)
    code = forms.CharField(label="查询码", max_length=8)


class _OneFileForm(forms.Form):
    """A form whose file input `file` goes to the service as an `Upload`."""

    def upload(self) -> Upload:
        return Upload.of(self.cleaned_data["file"])


class MaterialFileForm(_OneFileForm):
    """空白表格 / 示例样表 of one material, uploaded on the workbench item page."""

    kind = forms.ChoiceField(label="类别", choices=MaterialFile.Kind.choices)
    file = _material_file("文件")


class ImportForm(forms.Form):
    file = forms.FileField(label="事项清单（.xlsx）", widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}))


TEXTAREA = forms.Textarea(attrs={"rows": 3})


class ItemForm(forms.Form):
    """The guide of an item (办事指南): everything but materials, form and flow."""

    name = forms.CharField(label="事项名称", max_length=200)
    basic_code = forms.CharField(label="基本编码", max_length=40)
    impl_code = forms.CharField(label="实施编码", max_length=60)
    item_type = forms.ChoiceField(label="事项类型", choices=ItemType.choices)
    level = forms.ChoiceField(label="行使层级", choices=ServiceItem.Level.choices)
    case_prefix = forms.CharField(label="办件编号代码", max_length=8, help_text="2–8 位大写字母")
    basis = forms.CharField(label="设定依据", widget=TEXTAREA)
    audience = forms.ChoiceField(label="服务对象", choices=Audience.choices)
    conditions = forms.CharField(label="受理条件", widget=TEXTAREA)
    process = forms.CharField(label="办理流程", widget=TEXTAREA, required=False)
    legal_limit = forms.IntegerField(label="法定办结时限（工作日）", min_value=1)
    promised_limit = forms.IntegerField(label="承诺办结时限（工作日）", min_value=1)
    visits = forms.IntegerField(label="到办事现场次数", min_value=0, help_text="0 表示全程网办")
    handling_forms = forms.MultipleChoiceField(
        label="办理形式", choices=HandlingForm.choices, widget=forms.CheckboxSelectMultiple
    )
    online = forms.BooleanField(label="是否网办", required=False)
    online_depth = forms.ChoiceField(label="网上办理深度", choices=ServiceItem.Depth.choices)
    place_time = forms.CharField(label="办理地点和时间", max_length=500, required=False)
    consult = forms.CharField(label="咨询方式", max_length=300, required=False)
    complaint = forms.CharField(label="监督投诉方式", max_length=300, required=False)
    special_procedure = forms.CharField(label="特别程序", widget=TEXTAREA, required=False)
    charged = forms.BooleanField(label="是否收费", required=False)
    fee_table = forms.CharField(label="收费标准", widget=TEXTAREA, required=False)

    @classmethod
    def initial_of(cls, item: ServiceItem) -> dict[str, Any]:
        return {name: getattr(item, name) for name in cls.base_fields}

    def item_data(self) -> ItemData:
        return ItemData(**{**self.cleaned_data, "handling_forms": list(self.cleaned_data["handling_forms"])})


class BundleApplyForm(KeptFilesForm):
    """The one form of a 一件事: one input per shared field code (`data_<code>`) and one file input
    per shared material (`file_<index>`); fields every item fills from a base and materials every
    item fetches are not asked."""

    def __init__(self, *args: Any, union: UnionForm, pending: dict[int, str] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.union = union
        self.platform_fields = [u for u in union.fields if u.platform_filled]
        self.fetched = [m for m in union.materials if m.fetched]
        for u in union.fields:
            if u.platform_filled:
                continue
            field = _field_for(u.data_type, u.label, u.required, u.enum_values, u.max_length)
            if len(u.items) > 1:
                field.help_text = "多个事项共用，只填一次"
            self.fields[f"data_{u.code}"] = field
        for m in union.materials:
            if m.fetched:
                continue
            shared = "多个事项共用，只传一次；" if len(m.items) > 1 else ""
            self.fields[f"file_{m.index}"] = _material_file(m.name, required=m.required, note=shared + _note(m.notes))
        self.mark_pending(pending or {})

    def service_data(self) -> dict[str, Any]:
        return {n.removeprefix("data_"): v for n, v in self.cleaned_data.items() if n.startswith("data_")}

    def by_name(self, files: dict[int, Upload]) -> dict[str, Upload]:
        """Files by slot (the union material's index) → by material name, as `bundle_submit` takes them."""
        by_index = {m.index: m.name for m in self.union.materials}
        return {by_index[index]: upload for index, upload in files.items() if index in by_index}


class BundleDefinitionForm(forms.Form):
    """一件事 as the e-gov office defines it on the workbench."""

    code = forms.CharField(label="一件事编码", max_length=6, help_text="2–6 位大写字母，如 KBCYD")
    name = forms.CharField(label="一件事名称", max_length=100)
    audience = forms.ChoiceField(label="服务对象", choices=Audience.choices)
    description = forms.CharField(label="说明", widget=TEXTAREA, required=False, max_length=2000)
    items = forms.ModelMultipleChoiceField(
        label="所含事项（2–10 个，已发布）",
        queryset=ServiceItem.objects.filter(state=ServiceItem.State.PUBLISHED).order_by("name"),
        widget=forms.CheckboxSelectMultiple,
    )
    active = forms.BooleanField(label="启用（接受申请）", required=False, initial=True)


class GuideExtrasForm(forms.Form):
    """主题, 区划, 收费依据, 常见问题 and 救济途径 of an item, kept on the workbench."""

    themes = forms.MultipleChoiceField(label="主题", required=False, widget=forms.CheckboxSelectMultiple)
    region = forms.CharField(
        label="所属区划代码", max_length=6, required=False, help_text="6 位行政区划代码；留空则为实施主体所在区划"
    )
    fee_basis = forms.CharField(label="收费依据", widget=TEXTAREA, required=False, max_length=2000)
    faq = forms.CharField(
        label="常见问题",
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        help_text="每条两行：第一行“问：……”，第二行“答：……”",
    )
    review_body = forms.CharField(
        label="行政复议机关", max_length=300, required=False, help_text="留空则为实施主体所在地的人民政府"
    )
    litigation_court = forms.CharField(
        label="行政诉讼法院", max_length=300, required=False, help_text="留空则为实施主体所在地有管辖权的人民法院"
    )

    def __init__(self, *args: Any, item: ServiceItem, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        themes = self.fields["themes"]
        assert isinstance(themes, forms.MultipleChoiceField)
        themes.choices = [(t, t) for t in themes_for(item.audience)]

    @staticmethod
    def initial_of(item: ServiceItem, themes: list[str]) -> dict[str, Any]:
        return {
            "themes": themes,
            "region": item.region.code if item.region else "",
            "fee_basis": item.fee_basis,
            "faq": "\n".join(f"问：{qa['q']}\n答：{qa['a']}" for qa in item.faq),
            "review_body": item.review_body,
            "litigation_court": item.litigation_court,
        }

    def clean_faq(self) -> list[tuple[str, str]]:
        lines = [line.strip() for line in self.cleaned_data.get("faq", "").splitlines() if line.strip()]
        if len(lines) % 2 or any(
            not q.startswith("问：") or not a.startswith("答：") for q, a in zip(lines[::2], lines[1::2], strict=True)
        ):
            raise forms.ValidationError("常见问题：每条须两行，第一行以“问：”开头，第二行以“答：”开头。")
        return [(q.removeprefix("问："), a.removeprefix("答：")) for q, a in zip(lines[::2], lines[1::2], strict=True)]

    def extras(self, region: Region | None) -> GuideExtras:
        data = self.cleaned_data
        return GuideExtras(
            themes=list(data["themes"]),
            region=region,
            fee_basis=data["fee_basis"],
            faq=data["faq"],
            review_body=data["review_body"],
            litigation_court=data["litigation_court"],
        )


class ResultSampleForm(_OneFileForm):
    file = _material_file("结果样本")
