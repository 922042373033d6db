"""Forms of the response pages (plans, resources, the roster, the evaluation)."""

from __future__ import annotations

from django import forms

from zhengwu.accounts.models import Department
from zhengwu.core.forms import DateInput
from zhengwu.emergency.models import Category, ResourceKind, ResponseLevel

DUTY_ROWS = 10


class PlanForm(forms.Form):
    name = forms.CharField(label="预案名称", max_length=200)
    incident_class = forms.ChoiceField(label="事件类别", choices=Category.choices)
    lead_department = forms.ModelChoiceField(label="牵头部门", queryset=Department.objects.none())
    summary = forms.CharField(
        label="预案要点", max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    note = forms.CharField(label="修订说明", max_length=500, required=False)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["lead_department"].queryset = Department.objects.filter(is_active=True).order_by("name")  # type: ignore[attr-defined]


class ResourceForm(forms.Form):
    kind = forms.ChoiceField(label="类别", choices=ResourceKind.choices)
    name = forms.CharField(label="名称", max_length=200)
    department = forms.ModelChoiceField(label="管理部门", queryset=Department.objects.none())
    lat = forms.FloatField(label="纬度", min_value=38.0, max_value=49.0)
    lng = forms.FloatField(label="经度", min_value=119.0, max_value=134.0)
    region_code = forms.CharField(label="所在区划代码", max_length=6, required=False)
    address = forms.CharField(label="地址", max_length=200, required=False)
    quantity = forms.IntegerField(label="数量（物资）", min_value=1, required=False)
    unit = forms.CharField(label="计量单位", max_length=20, required=False)
    stock_point = forms.CharField(label="储备点", max_length=200, required=False)
    size = forms.IntegerField(label="人数（队伍）", min_value=1, required=False)
    specialty = forms.CharField(label="专业（队伍、专家）", max_length=100, required=False)
    capacity = forms.IntegerField(label="容纳人数（避难场所）", min_value=1, required=False)
    contact = forms.CharField(label="联系人", max_length=50, required=False)
    phone = forms.CharField(label="联系电话", max_length=30, required=False)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["department"].queryset = Department.objects.filter(is_active=True).order_by("name")  # type: ignore[attr-defined]


class DutyForm(forms.Form):
    day = forms.DateField(label="日期", widget=DateInput())
    leader = forms.CharField(label="带班领导", max_length=50)
    officer = forms.CharField(label="值班员", max_length=50)
    phone = forms.CharField(label="值班电话", max_length=30)


class EvaluationForm(forms.Form):
    findings = forms.CharField(label="评估结论", max_length=5000, widget=forms.Textarea(attrs={"rows": 5}))
    lessons = forms.CharField(
        label="改进建议", max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )


LEVELS = ResponseLevel.choices
