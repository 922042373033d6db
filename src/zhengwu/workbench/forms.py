from datetime import datetime, timedelta

from django import forms
from django.utils import timezone

from zhengwu.accounts.models import ApiClient, Department, Role
from zhengwu.core.forms import DateInput


class StaffCreateForm(forms.Form):
    username = forms.CharField(label="用户名", max_length=32)
    real_name = forms.CharField(label="姓名", max_length=64)
    department = forms.ModelChoiceField(label="所属部门", queryset=Department.objects.filter(is_active=True))
    password = forms.CharField(label="初始密码", widget=forms.PasswordInput, max_length=256)


class RolesForm(forms.Form):
    roles = forms.MultipleChoiceField(
        label="角色", choices=Role.choices, required=False, widget=forms.CheckboxSelectMultiple
    )


class ApiClientForm(forms.Form):
    name = forms.CharField(label="系统名称", max_length=100)
    department = forms.ModelChoiceField(label="所属部门", queryset=Department.objects.filter(is_active=True))
    scopes = forms.MultipleChoiceField(
        label="授权范围", choices=ApiClient.Scope.choices, widget=forms.CheckboxSelectMultiple
    )
    valid_days = forms.IntegerField(label="有效天数", min_value=1, max_value=3650, initial=365)

    def expires_at(self) -> datetime:
        return timezone.now() + timedelta(days=self.cleaned_data["valid_days"])


class WorkdayOverrideForm(forms.Form):
    day = forms.DateField(label="日期", widget=DateInput())
    is_workday = forms.TypedChoiceField(
        label="类型",
        choices=[("0", "休息日（节假日或临时闭馆）"), ("1", "工作日（调休上班）")],
        coerce=lambda v: v == "1",
    )
    reason = forms.CharField(label="依据或说明", max_length=200)
