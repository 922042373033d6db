"""Forms of the participation pages (labels in Chinese; every input labelled)."""

from __future__ import annotations

from typing import Any

from django import forms

from zhengwu.accounts.models import Department
from zhengwu.core import workdays
from zhengwu.core.forms import DateInput
from zhengwu.core.uploads import Upload
from zhengwu.participation.models import Channel, Comment, LetterKind, Rating
from zhengwu.participation.rules import PHOTO_MAX_BYTES, PHOTO_MAX_COUNT


class MultiplePhotoInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotoField(forms.FileField):
    """Several photos in one input (the service checks count, size and type by content)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultiplePhotoInput(attrs={"accept": "image/jpeg,image/png,image/webp"}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class LetterForm(forms.Form):
    channel = forms.ChoiceField(label="来信渠道", choices=Channel.choices, initial=Channel.MAYOR)
    kind = forms.ChoiceField(label="来信类别", choices=LetterKind.choices)
    title = forms.CharField(label="标题", max_length=100)
    content = forms.CharField(label="来信内容", max_length=5000, widget=forms.Textarea(attrs={"rows": 8}))
    writer_phone = forms.CharField(
        label="联系电话", max_length=20, required=False, help_text="留空则使用账号绑定的手机号"
    )
    writer_address = forms.CharField(label="联系地址", max_length=200, required=False)
    location = forms.CharField(label="事发地点", max_length=200, required=False)
    consent_publish = forms.BooleanField(
        label="同意在隐去个人信息后公开来信和答复", required=False, help_text="不同意的，来信和答复均不公开。"
    )
    photos = PhotoField(
        label="现场照片",
        required=False,
        help_text=f"可选，最多 {PHOTO_MAX_COUNT} 张，JPG/PNG/WEBP，每张不超过 {PHOTO_MAX_BYTES // (1024 * 1024)} MB；"
        "照片只给办理人员看，不公开",
    )

    def service_data(self) -> dict[str, Any]:
        """The letter's fields for `letter_submit`, the photos read once as uploads."""
        data = {k: v for k, v in self.cleaned_data.items() if k != "photos"}
        data["photos"] = [Upload.of(f) for f in self.cleaned_data.get("photos") or []]
        return data


class TrackForm(forms.Form):
    number = forms.CharField(label="信件编号", max_length=20)
    code = forms.CharField(label="查询码", max_length=12)


class RatingForm(forms.Form):
    rating = forms.ChoiceField(label="评价", choices=Rating.choices, widget=forms.RadioSelect)
    comment = forms.CharField(
        label="评价意见", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label="理由", max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class CommentForm(forms.Form):
    content = forms.CharField(label="我的意见", max_length=3000, widget=forms.Textarea(attrs={"rows": 3}))


class DispatchForm(forms.Form):
    department = forms.ModelChoiceField(label="承办单位", queryset=Department.objects.filter(is_active=True))
    note = forms.CharField(label="派单意见", max_length=500, required=False)


class ReplyForm(forms.Form):
    reply = forms.CharField(label="答复意见", max_length=10000, widget=forms.Textarea(attrs={"rows": 6}))


class ExtensionForm(forms.Form):
    days = forms.IntegerField(label="延期工作日", min_value=1, max_value=10)
    reason = forms.CharField(label="延期理由", max_length=500)


class CallbackForm(forms.Form):
    note = forms.CharField(label="回访情况", max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))


def _date_widget() -> forms.DateInput:
    return DateInput()


class _PeriodForm(forms.Form):
    """A new consultation or survey: its title and the period it is open (its own fields between them)."""

    title = forms.CharField(label="标题", max_length=200)
    opens_on = forms.DateField(label="开始日期", widget=_date_widget())
    closes_on = forms.DateField(label="截止日期", widget=_date_widget())


class ConsultationForm(_PeriodForm):
    field_order = ["title", "intro", "draft", "opens_on", "closes_on"]

    intro = forms.CharField(label="起草说明", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    draft = forms.CharField(
        label="征求意见稿正文",
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text="每条以“第一条”“第二条”……开头另起一行；没有条号的按段落拆分。",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["opens_on"].initial = workdays.today()


class DecisionForm(forms.Form):
    adoption = forms.ChoiceField(label="采纳情况", choices=[c for c in Comment.Adoption.choices if c[0]])
    reason = forms.CharField(label="理由", max_length=1000, required=False)


class SummaryForm(forms.Form):
    summary = forms.CharField(label="意见采纳情况说明", widget=forms.Textarea(attrs={"rows": 6}))


class SurveyForm(_PeriodForm):
    field_order = ["title", "intro", "questions", "opens_on", "closes_on", "allow_anonymous", "results_public"]

    intro = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    questions = forms.CharField(
        label="题目",
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text="每行一题：单选：题目 | 选项 | 选项；多选：题目 | 选项 | 选项；文本：题目；量表：题目 | 1 | 5。"
        "题目末尾加“（选答）”为非必答。",
    )
    allow_anonymous = forms.BooleanField(
        label="允许匿名作答", required=False, help_text="匿名作答每个浏览器会话一份，同一网络地址每天最多 3 份。"
    )
    results_public = forms.BooleanField(label="公开调查结果", required=False, initial=True)
