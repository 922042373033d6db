"""Forms of the documents workbench (the draft's elements; the steps post plain fields)."""

from __future__ import annotations

from typing import Any

from django import forms

from zhengwu.accounts.models import Department
from zhengwu.core.forms import DateInput
from zhengwu.documents.models import Document, Kind, Secrecy, Urgency
from zhengwu.documents.services import DocumentData

# A starting text per 文种 (起草 "from a template per 文种").
TEMPLATES: dict[str, str] = {
    Kind.NOTICE: "为……，经研究，决定……。现将有关事项通知如下：\n一、……\n二、……\n请认真贯彻执行。",
    Kind.REQUEST: "为……，现将有关情况请示如下：\n……\n妥否，请批示。",
    Kind.REPORT: "根据……要求，现将……情况报告如下：\n一、……\n二、……\n特此报告。",
    Kind.REPLY: "你单位《关于……的请示》（……〔……〕……号）收悉。经研究，现批复如下：\n……\n此复。",
    Kind.LETTER: "……：\n……。\n特此函告（请予支持为盼）。",
    Kind.OPINION: "为……，现提出如下意见：\n一、……\n二、……",
    Kind.MINUTES: "……年……月……日，……主持召开……会议，研究……。会议议定如下事项：\n一、……",
}


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(label="文种", choices=Kind.choices)
    number_prefix = forms.CharField(label="机关代字", max_length=20, help_text="如“吉市监发”，不含年份、括号和“第”")
    title = forms.CharField(label="标题", max_length=200)
    main_to = forms.CharField(label="主送机关", max_length=500, required=False)
    body = forms.CharField(label="正文", widget=forms.Textarea(attrs={"rows": 16}))
    attachment_note = forms.CharField(label="附件说明", widget=forms.Textarea(attrs={"rows": 2}), required=False)
    signature_name = forms.CharField(label="发文机关署名", max_length=200, required=False)
    written_on = forms.DateField(label="成文日期", required=False, widget=DateInput())
    remark = forms.CharField(label="附注", max_length=300, required=False)
    copy_to = forms.CharField(label="抄送机关", max_length=500, required=False)
    printer_name = forms.CharField(label="印发机关", max_length=200, required=False)
    copy_number = forms.CharField(label="份号", max_length=6, required=False)
    secrecy = forms.ChoiceField(label="密级", choices=Secrecy.choices, required=False)
    secrecy_period = forms.CharField(label="保密期限", max_length=20, required=False)
    urgency = forms.ChoiceField(label="紧急程度", choices=Urgency.choices, required=False)
    agency_mark = forms.CharField(label="发文机关标志", max_length=100, required=False)
    joint_departments = forms.ModelMultipleChoiceField(
        label="联署机关（联合行文）",
        queryset=Department.objects.filter(is_active=True).order_by("name"),
        required=False,
        help_text="联合行文时选择；各联署机关负责人会签后方可签发，只标注主办机关的发文字号",
    )

    def data_object(self) -> DocumentData:
        values: dict[str, Any] = {k: (v if v is not None else "") for k, v in self.cleaned_data.items()}
        values["written_on"] = self.cleaned_data.get("written_on")
        values["prefix"] = values.pop("number_prefix")
        values["joint_departments"] = list(self.cleaned_data.get("joint_departments") or [])
        return DocumentData(**values)

    @staticmethod
    def initial_of(document: Document) -> dict[str, Any]:
        initial = {
            name: getattr(document, name)
            for name in DocumentForm.base_fields
            if name not in ("number_prefix", "joint_departments")
        }
        initial["number_prefix"] = document.prefix
        initial["joint_departments"] = [j.department_id for j in document.joint_issuers.all()]
        return initial
