"""Forms of the emergency workbench (the incident's facts, a report, a warning)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from zhengwu.emergency.models import Category, Hazard, IncidentReport, Level, Source, WarningColor
from zhengwu.emergency.services import IncidentData, ReportData
from zhengwu.emergency.services.warnings import WarningData

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]


def _text(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class IncidentForm(forms.Form):
    title = forms.CharField(label="事件名称", max_length=200)
    category = forms.ChoiceField(label="事件类别", choices=Category.choices)
    subcategory = forms.CharField(
        label="事件子类", max_length=40, required=False, help_text="如 洪涝灾害、道路交通事故"
    )
    level = forms.TypedChoiceField(
        label="初判级别", choices=[("", "暂未判断"), *Level.choices], coerce=int, empty_value=None, required=False
    )
    source = forms.ChoiceField(label="信息来源", choices=[c for c in Source.choices if c[0] != Source.SYSTEM])
    occurred_at = forms.DateTimeField(label="发生时间", widget=DATETIME, input_formats=DATETIME_FORMATS)
    region_code = forms.CharField(
        label="事发地行政区划代码", max_length=6, help_text="6 位 GB/T 2260 代码，如 220100（长春市）"
    )
    place = forms.CharField(label="事发地点", max_length=200)
    lat = forms.DecimalField(label="纬度", max_digits=9, decimal_places=6, required=False)
    lng = forms.DecimalField(label="经度", max_digits=9, decimal_places=6, required=False)
    description = forms.CharField(label="事件经过", widget=_text(5))
    dead = forms.IntegerField(label="死亡人数", min_value=0, initial=0)
    injured = forms.IntegerField(label="受伤人数", min_value=0, initial=0)
    missing = forms.IntegerField(label="失踪人数", min_value=0, initial=0)
    trapped = forms.IntegerField(label="被困人数", min_value=0, initial=0)
    losses = forms.CharField(label="财产损失", widget=_text(2), required=False)
    trend = forms.CharField(label="发展趋势", widget=_text(2), required=False)
    measures = forms.CharField(label="已采取措施", widget=_text(2), required=False)
    help_requested = forms.CharField(label="请求支援事项", widget=_text(2), required=False)
    site_commander = forms.CharField(label="现场指挥", max_length=64, required=False)
    site_commander_phone = forms.CharField(label="现场指挥联系电话", max_length=32, required=False)
    reporter_name = forms.CharField(label="报告人", max_length=64, required=False)
    reporter_phone = forms.CharField(label="报告人电话", max_length=32, required=False)

    def data_object(self) -> IncidentData:
        values: dict[str, Any] = dict(self.cleaned_data)
        for name in ("subcategory", "losses", "trend", "measures", "help_requested", "site_commander"):
            values[name] = values.get(name) or ""
        return IncidentData(**values)

    @staticmethod
    def initial_now() -> dict[str, Any]:
        return {"occurred_at": timezone.localtime().replace(second=0, microsecond=0), "source": Source.DUTY_PHONE}


class ReportEditForm(forms.Form):
    """A report's own fields (a draft is edited with these; `ReportForm` adds the kind to draft one)."""

    content = forms.CharField(label="报告内容", widget=_text(8), max_length=20000)
    dead = forms.IntegerField(label="死亡人数", min_value=0, max_value=1_000_000)
    injured = forms.IntegerField(label="受伤人数", min_value=0, max_value=1_000_000)
    missing = forms.IntegerField(label="失踪人数", min_value=0, max_value=1_000_000)
    trapped = forms.IntegerField(label="被困人数", min_value=0, max_value=1_000_000)
    skip_level = forms.BooleanField(label="越级上报（报省应急管理厅，较大及以上事件）", required=False)

    def data_object(self) -> ReportData:
        values = dict(self.cleaned_data)
        values.pop("kind", None)
        return ReportData(**values)


class ReportForm(ReportEditForm):
    kind = forms.ChoiceField(label="报告类型", choices=IncidentReport.Kind.choices)

    field_order = ["kind"]


class WarningForm(forms.Form):
    hazard = forms.ChoiceField(label="灾种", choices=Hazard.choices)
    hazard_other = forms.CharField(label="其他灾种名称", max_length=20, required=False)
    color = forms.TypedChoiceField(label="预警级别", choices=WarningColor.choices, coerce=int)
    region_code = forms.CharField(
        label="预警区域行政区划代码", max_length=6, help_text="6 位 GB/T 2260 代码，全省为 220000"
    )
    area = forms.CharField(label="影响范围说明", max_length=300, required=False)
    starts_at = forms.DateTimeField(label="生效时间", widget=DATETIME, input_formats=DATETIME_FORMATS)
    ends_at = forms.DateTimeField(label="预计结束时间", widget=DATETIME, input_formats=DATETIME_FORMATS)
    content = forms.CharField(label="预警内容", widget=_text(4))
    measures = forms.CharField(label="防御措施", widget=_text(3), required=False)
    advice = forms.CharField(label="公众防范提示", widget=_text(3), required=False)

    def data_object(self) -> WarningData:
        values: dict[str, Any] = dict(self.cleaned_data)
        for name in ("hazard_other", "area", "measures", "advice"):
            values[name] = values.get(name) or ""
        return WarningData(**values)
