"""The filter of the audit viewer (GET parameters → selectors.EventFilter)."""

from __future__ import annotations

from django import forms

from zhengwu.audit import selectors
from zhengwu.audit.models import AuditEvent
from zhengwu.core.forms import DateInput


class EventFilterForm(forms.Form):
    since = forms.DateField(label="起始日期", required=False, widget=DateInput())
    until = forms.DateField(label="截止日期", required=False, widget=DateInput())
    actor = forms.CharField(label="操作人用户名", required=False, max_length=150)
    department = forms.ModelChoiceField(
        label="部门", required=False, queryset=selectors.departments_for_filter(), empty_label="全部部门"
    )
    action = forms.CharField(
        label="事件类型", required=False, max_length=100, help_text="前缀匹配，如 accounts. 或 accounts.login"
    )
    outcome = forms.ChoiceField(label="结果", required=False, choices=[("", "全部"), *AuditEvent.Outcome.choices])
    target = forms.CharField(
        label="对象", required=False, max_length=200, help_text="“类型:标识”（如 accounts.user:7）、标识或名称的一部分"
    )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", "截止日期不能早于起始日期。")
        return data

    def to_filter(self) -> selectors.EventFilter:
        """The filter; call only after is_valid()."""
        data = self.cleaned_data
        department = data.get("department")
        return selectors.EventFilter(
            since=data.get("since"),
            until=data.get("until"),
            actor=(data.get("actor") or "").strip(),
            department_id=department.pk if department else None,
            action=(data.get("action") or "").strip(),
            outcome=data.get("outcome") or "",
            target=(data.get("target") or "").strip(),
        )
