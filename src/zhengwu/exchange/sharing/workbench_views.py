"""Pages of sharing by rule. Thin: parse, authorize, call a service or selector, render.

Workbench (mounted at /workbench/exchange/sharing/, `workbench_urls`, namespace "sharing_wb"): request
a resource, the provider's queue with lights, coordination (e-gov office), grants with revoke,
objections, the access log viewer with Excel export, statistics with ECharts. The citizen's page is
in `views`.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from zhengwu.accounts.decorators import staff_required
from zhengwu.accounts.models import Department, Role
from zhengwu.accounts.session import acting_user
from zhengwu.audit.services import record_action
from zhengwu.catalog.models import Resource
from zhengwu.core.actors import Actor
from zhengwu.core.downloads import XLSX, Sheet, attachment, xlsx
from zhengwu.core.forms import DateInput, Done, form_write
from zhengwu.core.post_action import post_action
from zhengwu.exchange.audit_actions import ExchangeAction
from zhengwu.exchange.sharing import selectors
from zhengwu.exchange.sharing import services as sharing
from zhengwu.exchange.sharing.models import AccessLog, Grant, Objection, ShareRequest

STAFF = (Role.CLERK, Role.DATA_OFFICER, Role.DEPT_LEADER, Role.EGOV_OFFICE)
LOG_VIEWERS = (Role.DATA_OFFICER, Role.DEPT_LEADER, Role.EGOV_OFFICE, Role.AUDIT_ADMIN)
EXPORT_LIMIT = 100_000


class ShareRequestForm(forms.Form):
    resource = forms.ModelChoiceField(label="信息资源", queryset=Resource.objects.none())
    item_codes = forms.CharField(label="申请信息项编码", help_text="多个编码用逗号或空格分隔", max_length=2000)
    purpose = forms.CharField(label="用途", max_length=200)
    legal_basis = forms.CharField(label="依据", widget=forms.Textarea(attrs={"rows": 2}))
    period_start = forms.DateField(label="使用期限起", widget=DateInput())
    period_end = forms.DateField(label="使用期限止", widget=DateInput())
    plain_personal = forms.BooleanField(label="申请个人信息明文（须说明理由）", required=False)

    def __init__(self, *args: Any, department: Department | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["resource"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = selectors.requestable_resources(department)


class ObjectionForm(forms.Form):
    grant = forms.ModelChoiceField(label="授权", queryset=Grant.objects.none())
    record_key = forms.CharField(label="记录主键", max_length=100)
    field = forms.CharField(label="有误的信息项编码", max_length=64)
    evidence = forms.CharField(label="依据/证明", widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, department: Department | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["grant"]
        assert isinstance(field, forms.ModelChoiceField)
        now = timezone.now()
        field.queryset = Grant.objects.filter(
            consumer=department, revoked_at__isnull=True, valid_until__gt=now
        ).select_related("resource")


def _codes(text: str) -> list[str]:
    return [c for c in text.replace("，", ",").replace(",", " ").split() if c]


# --- consumer: requests -----------------------------------------------------------------------


@staff_required(*STAFF)
def requests_page(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    form = ShareRequestForm(request.POST or None, department=user.department)

    def create(actor: Actor, data: dict[str, Any]) -> Done:
        created = sharing.share_request_create(actor=actor, **{**data, "item_codes": _codes(data["item_codes"])})
        return f"申请已提交：{created.get_state_display()}。", "sharing_wb:requests"

    if done := form_write(request, form, create):
        return done
    if request.method == "GET":
        form.initial = {"period_start": date.today(), "period_end": date.today() + timedelta(days=365)}
    rows = selectors.requests_made(user.department) if user.department else ShareRequest.objects.none()
    page = Paginator(rows, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "exchange/sharing_requests.html",
        {"form": form, "page": page, "lights": selectors.lights_for(page, sharing.SHARE_REQUEST_TIMER)},
    )


@staff_required(*STAFF)
@require_POST
def request_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    share_request = get_object_or_404(ShareRequest, pk=pk)
    sharing.share_request_withdraw(actor=Actor.from_request(request), share_request=share_request)
    messages.success(request, "申请已撤回。")
    return redirect("sharing_wb:requests")


# --- provider: queue ------------------------------------------------------------------------


@staff_required(Role.DATA_OFFICER, Role.DEPT_LEADER, Role.EGOV_OFFICE)
def queue_page(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    state = request.GET.get("state", ShareRequest.State.SUBMITTED)
    state = state if state in ShareRequest.State.values else ""
    rows = selectors.requests_received(user.department, state=state) if user.department else ShareRequest.objects.none()
    page = Paginator(rows, 30).get_page(request.GET.get("page"))
    coordinating = selectors.requests_coordinating() if user.has_role(Role.EGOV_OFFICE) else []
    return render(
        request,
        "exchange/sharing_queue.html",
        {
            "page": page,
            "lights": selectors.lights_for(page, sharing.SHARE_REQUEST_TIMER),
            "state": state,
            "states": ShareRequest.State.choices,
            "coordinating": coordinating,
        },
    )


@staff_required(Role.DATA_OFFICER, Role.DEPT_LEADER)
@require_POST
def request_decide(request: HttpRequest, pk: int) -> HttpResponse:
    share_request = get_object_or_404(ShareRequest, pk=pk)

    def decide(actor: Actor) -> str:
        if request.POST.get("decision") == "approve":
            rate = request.POST.get("rate", "")
            sharing.share_request_approve(
                actor=actor,
                share_request=share_request,
                item_codes=_codes(request.POST.get("item_codes", "")) or None,
                plain_personal=request.POST.get("plain_personal") == "on",
                rate_limit_per_minute=int(rate) if rate.isdigit() else sharing.DEFAULT_RATE_LIMIT,
            )
            return "已同意共享，授权已生成。"
        sharing.share_request_refuse(actor=actor, share_request=share_request, reason=request.POST.get("reason", ""))
        return "已答复不同意共享。"

    return post_action(request, decide, "sharing_wb:queue")


@staff_required(Role.EGOV_OFFICE)
@require_POST
def request_coordinate(request: HttpRequest, pk: int) -> HttpResponse:
    share_request = get_object_or_404(ShareRequest, pk=pk)

    def coordinate(actor: Actor) -> str:
        sharing.share_request_coordinate(
            actor=actor,
            share_request=share_request,
            approve=request.POST.get("decision") == "approve",
            note=request.POST.get("note", ""),
        )
        return "协调结果已记录。"

    return post_action(request, coordinate, "sharing_wb:queue")


# --- grants -----------------------------------------------------------------------------------


@staff_required(*STAFF)
def grants_page(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    page = Paginator(selectors.grants_visible_to(user), 30).get_page(request.GET.get("page"))
    return render(request, "exchange/sharing_grants.html", {"page": page, "now": timezone.now()})


@staff_required(Role.DATA_OFFICER, Role.DEPT_LEADER, Role.EGOV_OFFICE)
@require_POST
def grant_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    grant = get_object_or_404(Grant, pk=pk)

    def revoke(actor: Actor) -> str:
        sharing.grant_revoke(actor=actor, grant=grant, reason=request.POST.get("reason", ""))
        return "授权已撤销。"

    return post_action(request, revoke, "sharing_wb:grants")


# --- objections -------------------------------------------------------------------------------


@staff_required(*STAFF)
def objections_page(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    form = ObjectionForm(request.POST or None, department=user.department)

    def raise_objection(actor: Actor, data: dict[str, Any]) -> Done:
        sharing.objection_create(
            actor=actor,
            resource=data["grant"].resource,
            record_key=data["record_key"],
            field=data["field"],
            evidence=data["evidence"],
        )
        return "纠错已提交，提供部门须在规定时限内核实。", "sharing_wb:objections"

    if done := form_write(request, form, raise_objection):
        return done
    rows = selectors.objections_visible_to(user)
    page = Paginator(rows, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "exchange/sharing_objections.html",
        {"form": form, "page": page, "lights": selectors.lights_for(page, sharing.OBJECTION_TIMER)},
    )


@staff_required(Role.DATA_OFFICER, Role.DEPT_LEADER)
@require_POST
def objection_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    objection = get_object_or_404(Objection, pk=pk)

    def resolve(actor: Actor) -> str:
        sharing.objection_resolve(
            actor=actor,
            objection=objection,
            corrected=request.POST.get("decision") == "corrected",
            answer=request.POST.get("answer", ""),
        )
        return "核实意见已提交。"

    return post_action(request, resolve, "sharing_wb:objections")


# --- access log -------------------------------------------------------------------------------


def _log_filter(request: HttpRequest) -> selectors.LogFilter:
    def day(name: str) -> date | None:
        try:
            return date.fromisoformat(request.GET.get(name, ""))
        except ValueError:
            return None

    consumer = request.GET.get("consumer", "")
    outcome = request.GET.get("outcome", "")
    return selectors.LogFilter(
        since=day("since"),
        until=day("until"),
        consumer_id=int(consumer) if consumer.isdigit() else None,
        resource_code=request.GET.get("resource", "").strip()[:100],
        outcome=outcome if outcome in AccessLog.Outcome.values else "",
    )


@staff_required(*LOG_VIEWERS)
def access_log_page(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    flt = _log_filter(request)
    rows = selectors.access_log_for(user, flt)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "flt": flt,
        "outcomes": AccessLog.Outcome.choices,
        "departments": Department.objects.filter(is_active=True).order_by("name"),
    }
    return render(request, "exchange/sharing_access_log.html", context)


@staff_required(*LOG_VIEWERS)
def access_log_export(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    flt = _log_filter(request)
    rows = selectors.access_log_rows(selectors.access_log_for(user, flt)[:EXPORT_LIMIT])
    content, count = xlsx(Sheet("共享访问日志", [label for _, label in selectors.EXPORT_COLUMNS], rows))
    record_action(
        Actor.from_request(request),
        ExchangeAction.ACCESS_LOG_EXPORT,
        details={"rows": count, "resource": flt.resource_code, "outcome": flt.outcome},
    )
    return attachment(content, "access-log.xlsx", XLSX)


# --- statistics -------------------------------------------------------------------------------


@staff_required(*STAFF, Role.SUPERVISOR)
def statistics_page(request: HttpRequest) -> HttpResponse:
    stats = selectors.statistics()
    chart = {
        "departments": [s.department for s in stats],
        "provided": [s.provided for s in stats],
        "used": [s.used_calls for s in stats],
        "answered": [s.requests_answered for s in stats],
        "on_time": [s.answered_on_time for s in stats],
        "objections": [s.objections for s in stats],
    }
    return render(request, "exchange/sharing_statistics.html", {"stats": stats, "chart": chart})
