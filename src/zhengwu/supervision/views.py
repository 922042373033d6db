"""Portal pages of the e-supervision centre (mounted at /supervision/, namespace "supervision").

- /supervision/exposure/ — the published monthly exposure lists (public, no login);
- /supervision/complaints/new/ — a logged-in citizen or enterprise files a complaint (网上投诉);
- /supervision/complaints/ — 我的投诉: the complainant tracks their complaints and the results.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from zhengwu.accounts.models import Department, User
from zhengwu.core.actors import Actor
from zhengwu.core.errors import ApplicationError, not_found
from zhengwu.core.forms import Done, form_write
from zhengwu.supervision import oversight, reports
from zhengwu.supervision import selectors as sel
from zhengwu.supervision.models import Complaint, ExposureList


class ComplaintForm(forms.Form):
    department = forms.ModelChoiceField(label="被投诉单位", queryset=Department.objects.none(), empty_label="请选择")
    case_number = forms.CharField(
        label="办件编号", required=False, max_length=64, help_text="受理回执上的编号；不清楚可不填。"
    )
    item = forms.CharField(
        label="事项名称", required=False, max_length=200, help_text="办件编号与事项名称至少填写一项。"
    )
    content = forms.CharField(
        label="投诉内容",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="请写明经过、时间和诉求。",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["department"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Department.objects.filter(is_active=True).order_by("name")


def _person(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or user.kind not in (User.Kind.CITIZEN, User.Kind.ENTERPRISE):
        raise not_found("页面")
    return user


def _prefill(request: HttpRequest) -> dict[str, Any]:
    """Initial values from the link on the applicant's case page (?case_number=&department=&item=)."""
    initial: dict[str, Any] = {
        "case_number": request.GET.get("case_number", "").strip()[:64],
        "item": request.GET.get("item", "").strip()[:200],
    }
    department = request.GET.get("department", "")
    if department.isdigit() and Department.objects.filter(pk=int(department), is_active=True).exists():
        initial["department"] = int(department)
    return initial


@login_required
def complaint_new(request: HttpRequest) -> HttpResponse:
    _person(request)  # citizens and enterprises only: others get "not found"
    form = ComplaintForm(request.POST or None, initial=_prefill(request))

    def complain(actor: Actor, data: dict[str, Any]) -> Done:
        complaint = oversight.complaint_create(actor=actor, **data)
        message = (
            f"投诉已提交，编号 {complaint.number}。"
            f"电子监察机构将在 {oversight.complaint_days()} 个工作日内办结并答复您。"
        )
        return message, reverse("supervision:complaint", kwargs={"number": complaint.number})

    return form_write(request, form, complain) or render(
        request, "supervision/portal_complaint_new.html", {"form": form, "days": oversight.complaint_days()}
    )


@login_required
def my_complaints(request: HttpRequest) -> HttpResponse:
    user = _person(request)
    page = Paginator(sel.complaints_of(user), 20).get_page(request.GET.get("page"))
    return render(request, "supervision/portal_my_complaints.html", {"page": page})


@login_required
def complaint(request: HttpRequest, number: str) -> HttpResponse:
    user = _person(request)
    found = sel.complaints_of(user).filter(number=number).first()
    if found is None:
        raise not_found("投诉")
    timer = sel.timer_for(found, oversight.COMPLAINT_TIMER)
    return render(
        request,
        "supervision/portal_complaint.html",
        {"complaint": found, "timer": timer, "steps": _steps(found)},
    )


def _steps(complaint: Complaint) -> list[tuple[str, Any]]:
    steps: list[tuple[str, Any]] = [("提交投诉", complaint.submitted_at)]
    if complaint.forwarded_at:
        steps.append(("转被投诉单位核查", complaint.forwarded_at))
    if complaint.answered_at:
        steps.append(("被投诉单位已答复", complaint.answered_at))
    if complaint.concluded_at:
        steps.append(("办结", complaint.concluded_at))
    return steps


def exposure_index(request: HttpRequest) -> HttpResponse:
    lists = sel.published_exposure_lists()
    latest = lists.first()
    return render(
        request,
        "supervision/portal_exposure.html",
        {"lists": lists[:36], "published": latest, "rows": _rows(latest), "month": latest.month if latest else None},
    )


def exposure_month(request: HttpRequest, month: str) -> HttpResponse:
    try:
        first = reports.parse_month(month)
    except ApplicationError:
        raise not_found("名单") from None
    published = ExposureList.objects.filter(month=first).first()
    if published is None:
        raise not_found("名单")
    return render(
        request,
        "supervision/portal_exposure.html",
        {
            "lists": sel.published_exposure_lists()[:36],
            "published": published,
            "rows": _rows(published),
            "month": first,
        },
    )


def _rows(published: ExposureList | None) -> list[reports.ExposureRow]:
    return [reports.ExposureRow(**row) for row in published.rows] if published else []
