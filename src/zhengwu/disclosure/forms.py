"""Forms of the disclosure pages."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from zhengwu.accounts.models import Department
from zhengwu.core.forms import DateInput
from zhengwu.disclosure.models import AnswerKind, ApplicantKind, Category, FeeBasis, ResultDetail, Validity
from zhengwu.disclosure.services import RESULT_DETAILS, AnswerData, ApplicantData, PublicationData

DATE = DateInput()
ANSWER_DETAILS = {detail for details in RESULT_DETAILS.values() for detail in details if detail}
DETAIL_HELP = (
    "；".join(
        f"{AnswerKind(kind).label}：" + "、".join(ResultDetail(d).label if d else "全部公开" for d in details)
        for kind, details in RESULT_DETAILS.items()
        if len(details) > 1
    )
    + "。不予公开时必选；其他答复类型未选时按第一项统计。"
)
DELIVERY_CHOICES = [(v, v) for v in ("电子邮件", "网上查看", "邮寄纸质", "当面领取")]


class PublicationForm(forms.Form):
    title = forms.CharField(label="标题", max_length=300)
    category = forms.ChoiceField(label="公开类别", choices=Category.choices)
    document_number = forms.CharField(
        label="发文字号", max_length=100, required=False, help_text="如 吉政办发〔2026〕12号"
    )
    date_written = forms.DateField(label="成文日期", widget=DATE)
    subject_words = forms.CharField(label="主题词", max_length=200, required=False, help_text="以空格或顿号分隔")
    validity = forms.ChoiceField(label="有效性", choices=Validity.choices, initial=Validity.VALID)
    interprets = forms.CharField(
        label="解读的政策（索引号）",
        max_length=40,
        required=False,
        help_text="公开类别为“政策解读”时必填：所解读的已发布政策的索引号，如 11220000013544357T/2026-00003",
    )
    body = forms.CharField(label="正文", widget=forms.Textarea(attrs={"rows": 14}))

    @classmethod
    def initial_of(cls, data: PublicationData) -> dict[str, Any]:
        return dict(data.__dict__)

    def data_object(self) -> PublicationData:
        return PublicationData(**self.cleaned_data)


class AttachmentForm(forms.Form):
    file = forms.FileField(label="附件", help_text="最大 20 MB；保存 SM3 摘要以便核验")


class ReasonForm(forms.Form):
    reason = forms.CharField(label="理由", widget=forms.Textarea(attrs={"rows": 2}))


class OnlineRequestForm(forms.Form):
    department = forms.ModelChoiceField(
        label="受理机关", queryset=Department.objects.filter(is_active=True).order_by("name"), empty_label="请选择"
    )
    applicant_kind = forms.ChoiceField(label="申请人类型", choices=ApplicantKind.choices)
    applicant_name = forms.CharField(label="申请人姓名或名称", max_length=100)
    phone = forms.CharField(label="联系电话", max_length=30, required=False)
    email = forms.EmailField(label="电子邮箱", required=False)
    address = forms.CharField(label="通信地址", max_length=200, required=False)
    description = forms.CharField(
        label="所需信息的名称、文号或内容描述",
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="请尽量写明文件名称、文号或便于机关查询的其他特征性描述",
    )
    purpose = forms.CharField(label="用途（可选）", max_length=500, required=False)
    delivery = forms.ChoiceField(label="获取信息的方式", choices=DELIVERY_CHOICES)


class RegisterRequestForm(forms.Form):
    channel = forms.ChoiceField(label="申请渠道", choices=[("in_person", "当面提交"), ("post", "邮寄")])
    received_on = forms.DateField(
        label="收到日期", widget=DATE, required=False, help_text="当面提交为当日；邮寄为签收之日（必填）"
    )
    applicant_kind = forms.ChoiceField(label="申请人类型", choices=ApplicantKind.choices)
    applicant_name = forms.CharField(label="申请人姓名或名称", max_length=100)
    id_number = forms.CharField(label="证件号码", max_length=40, required=False)
    phone = forms.CharField(label="联系电话", max_length=30, required=False)
    address = forms.CharField(label="通信地址", max_length=200, required=False)
    description = forms.CharField(label="所需信息的内容描述", widget=forms.Textarea(attrs={"rows": 4}))
    delivery = forms.ChoiceField(label="获取信息的方式", choices=DELIVERY_CHOICES)

    def applicant(self) -> ApplicantData:
        d = self.cleaned_data
        return ApplicantData(
            name=d["applicant_name"],
            kind=d["applicant_kind"],
            id_number=d["id_number"],
            phone=d["phone"],
            address=d["address"],
        )


class CorrectionForm(forms.Form):
    items = forms.CharField(label="需要补正的全部事项", widget=forms.Textarea(attrs={"rows": 3}))
    on = forms.DateField(label="告知日期", widget=DATE, required=False, help_text="默认今天")


class CorrectedForm(forms.Form):
    description = forms.CharField(
        label="补正内容",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="按机关告知的补正事项补充说明（最多 4000 字）；原申请内容保留，不必重写。",
    )
    on = forms.DateField(label="收到补正日期", widget=DATE, required=False, help_text="默认今天")


class ExtendForm(forms.Form):
    days = forms.IntegerField(label="延长工作日", min_value=1, max_value=20, initial=20)
    reason = forms.CharField(label="延长理由", max_length=500)


class ConsultStartForm(forms.Form):
    third_party = forms.CharField(label="第三方名称", max_length=200)
    on = forms.DateField(label="征求意见日期", widget=DATE, required=False, help_text="默认今天")


class ConsultEndForm(forms.Form):
    view = forms.CharField(label="第三方意见", widget=forms.Textarea(attrs={"rows": 2}), help_text="逾期未答复的请注明")
    on = forms.DateField(label="收到意见日期", widget=DATE, required=False, help_text="默认今天")


class AnswerForm(forms.Form):
    kind = forms.ChoiceField(label="答复类型", choices=AnswerKind.choices)
    text = forms.CharField(label="答复正文", widget=forms.Textarea(attrs={"rows": 4}), required=False)
    public_location = forms.CharField(
        label="已公开的获取途径", max_length=500, required=False, help_text="已主动公开时必填"
    )
    provision_method = forms.CharField(label="提供方式", max_length=200, required=False, help_text="予以公开时必填")
    reasons = forms.CharField(
        label="理由和依据",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text="不予公开、信息不存在、按特别程序办理时必填",
    )
    competent_agency = forms.CharField(
        label="负责公开的机关", max_length=200, required=False, help_text="不属于本机关负责公开时填写"
    )
    reference = forms.CharField(
        label="原申请编号或答复文号", max_length=100, required=False, help_text="重复申请时必填"
    )
    pages = forms.IntegerField(label="提供页数", min_value=0, max_value=100000, initial=0, required=False)
    fee_basis = forms.ChoiceField(label="信息处理费", choices=FeeBasis.choices, initial=FeeBasis.NONE)
    result_detail = forms.ChoiceField(
        label="具体情形（年度报告统计）",
        choices=[("", "—")] + [(value, label) for value, label in ResultDetail.choices if value in ANSWER_DETAILS],
        required=False,
        help_text=DETAIL_HELP,
    )

    def answer(self) -> AnswerData:
        d = dict(self.cleaned_data)
        d["pages"] = d.get("pages") or 0
        return AnswerData(**d)


def _count(label: str) -> forms.IntegerField:
    return forms.IntegerField(label=label, min_value=0, max_value=10**9, initial=0)


class ReportForm(forms.Form):
    overview = forms.CharField(
        label="一、总体情况",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text="留空则使用平台按本年数据生成的概述",
    )
    licensing_decisions = _count("行政许可：本年处理决定数量")
    penalty_decisions = _count("行政处罚：本年处理决定数量")
    coercion_decisions = _count("行政强制：本年处理决定数量")
    fees_amount = forms.DecimalField(
        label="行政事业性收费：本年收费金额（万元）",
        min_value=Decimal("0"),
        max_digits=12,
        decimal_places=4,
        initial=Decimal("0"),
    )
    review_upheld = _count("行政复议：结果维持")
    review_corrected = _count("行政复议：结果纠正")
    review_other = _count("行政复议：其他结果")
    review_pending = _count("行政复议：尚未审结")
    litigation_upheld = _count("行政诉讼（未经复议直接起诉）：结果维持")
    litigation_corrected = _count("行政诉讼（未经复议直接起诉）：结果纠正")
    litigation_other = _count("行政诉讼（未经复议直接起诉）：其他结果")
    litigation_pending = _count("行政诉讼（未经复议直接起诉）：尚未审结")
    reviewed_litigation_upheld = _count("行政诉讼（复议后起诉）：结果维持")
    reviewed_litigation_corrected = _count("行政诉讼（复议后起诉）：结果纠正")
    reviewed_litigation_other = _count("行政诉讼（复议后起诉）：其他结果")
    reviewed_litigation_pending = _count("行政诉讼（复议后起诉）：尚未审结")
    problems = forms.CharField(
        label="五、存在的主要问题及改进情况", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    other_matters = forms.CharField(
        label="六、其他需要报告的事项",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="信息处理费收取情况由平台自动列出",
    )
