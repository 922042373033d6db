"""Workbench pages of the emergency app (应急值守): incidents (list, receive, detail with its timeline,
the moves), a 12345 letter turned into an incident, reports (draft, sign, the inbox of reports
received) and warnings (issue, adjust, lift). Thin: parse, call a service or selector, render."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from zhengwu.accounts.decorators import staff_required
from zhengwu.audit.services import record_action
from zhengwu.core.actors import Actor
from zhengwu.core.downloads import XLSX, Sheet, attachment, xlsx
from zhengwu.core.errors import permission_denied
from zhengwu.core.forms import Done, form_write
from zhengwu.core.lookups import found_or_404
from zhengwu.core.post_action import post_action
from zhengwu.emergency import access, response_selectors, selectors, services
from zhengwu.emergency.audit_actions import EmergencyAction
from zhengwu.emergency.forms import IncidentForm, ReportEditForm, ReportForm, WarningForm
from zhengwu.emergency.models import Category, EarlyWarning, Incident, IncidentReport, Level
from zhengwu.emergency.services import WarningData
from zhengwu.emergency.states import INCIDENT, REPORT
from zhengwu.participation import selectors as participation_selectors

PAGE_SIZE = 30
EXPORT_LIMIT = 10000


def _render(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    """Render with `duty_room`: the sub-navigation offers the duty room's pages only to it."""
    actor = Actor.from_request(request)
    return render(request, template, {"duty_room": actor.has_role(*access.DUTY_ROLES), **context})


def _incident(request: HttpRequest, pk: int) -> Incident:
    return found_or_404(selectors.incident_for(Actor.from_request(request), pk), "没有这个突发事件，或您无权查看。")


# --- incidents ---------------------------------------------------------------------------------


def _filters(request: HttpRequest) -> dict[str, str]:
    return {
        "state": request.GET.get("state", ""),
        "category": request.GET.get("category", "") if request.GET.get("category", "") in Category.values else "",
        "level": request.GET.get("level", ""),
        "query": request.GET.get("q", "").strip()[:100],
    }


@staff_required()
def incidents(request: HttpRequest) -> HttpResponse:
    actor = Actor.from_request(request)
    chosen = _filters(request)
    rows = selectors.filtered(selectors.incidents_for(actor), **chosen)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        **chosen,
        "q": chosen["query"],
        "states": Incident.State.choices,
        "categories": Category.choices,
        "levels": Level.choices,
        "is_duty": actor.has_role(*access.DUTY_ROLES),
    }
    return _render(request, "emergency/incident_list.html", context)


@staff_required()
def incidents_export(request: HttpRequest) -> HttpResponse:
    actor = Actor.from_request(request)
    rows = (
        [
            i.number,
            i.title,
            i.get_category_display(),
            i.get_level_display() if i.level else "未定级",
            i.get_state_display(),
            timezone.localtime(i.occurred_at).strftime("%Y-%m-%d %H:%M"),
            timezone.localtime(i.received_at).strftime("%Y-%m-%d %H:%M"),
            f"{i.region.name} {i.place}",
            i.dead,
            i.injured,
            i.missing,
            i.trapped,
        ]
        for i in selectors.filtered(selectors.incidents_for(actor), **_filters(request))[:EXPORT_LIMIT]
    )
    header = [
        "事件编号",
        "事件名称",
        "类别",
        "级别",
        "状态",
        "发生时间",
        "接报时间",
        "事发地",
        "死亡",
        "受伤",
        "失踪",
        "被困",
    ]
    content, count = xlsx(Sheet("突发事件", header, rows))
    record_action(actor, EmergencyAction.INCIDENT_EXPORT, details={"rows": count})
    return attachment(content, "突发事件.xlsx", XLSX)


def _receive_page(request: HttpRequest, letter: Any = None) -> HttpResponse:
    actor = Actor.from_request(request)
    if request.method == "POST":
        form = IncidentForm(request.POST)

        def receive(actor: Actor, _data: dict[str, Any]) -> Done:
            data = form.data_object()
            if letter is not None:
                incident = services.incident_from_letter(actor=actor, letter=letter, data=data)
            else:
                incident = services.incident_report(actor=actor, data=data)
            return f"已接报，事件编号 {incident.number}。", reverse("emergency_wb:incident_detail", args=[incident.pk])

        if done := form_write(request, form, receive):
            return done
    else:
        initial = IncidentForm.initial_now()
        department = actor.department
        if department is not None:
            initial["region_code"] = department.region.code
        if letter is not None:
            prefill = services.letter_prefill(letter)
            initial.update(
                title=prefill.title,
                place=prefill.place,
                description=prefill.description,
                source=prefill.source,
                lat=prefill.lat,
                lng=prefill.lng,
                occurred_at=timezone.localtime(letter.submitted_at).replace(second=0, microsecond=0),
            )
        form = IncidentForm(initial=initial)
    return _render(request, "emergency/incident_form.html", {"form": form, "letter": letter})


@staff_required()
def incident_new(request: HttpRequest) -> HttpResponse:
    number = request.GET.get("letter", "").strip()[:20]
    if number:  # the duty room turns a 12345 letter into an incident by its number
        return redirect("emergency_wb:incident_from_letter", number=number)
    return _receive_page(request)


@staff_required(*access.DUTY_ROLES)
def incident_from_letter(request: HttpRequest, number: str) -> HttpResponse:
    letter = found_or_404(participation_selectors.letter_by_number(number), "没有这封来信。")
    taken = getattr(letter, "incident", None)
    if taken is not None:
        messages.info(request, f"来信 {letter.number} 已转为突发事件 {taken.number}。")
        return redirect("emergency_wb:incident_detail", pk=taken.pk)
    return _receive_page(request, letter)


@staff_required()
def incident_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = Actor.from_request(request)
    found = _incident(request, pk)
    duty = selectors.may_act(actor, found)
    can = {name: duty and INCIDENT.can(found, name) for name in INCIDENT.moves}
    reports = list(selectors.reports_of(found))
    pending = next((r for r in reports if r.state == IncidentReport.State.DRAFT), None)
    context = {
        "incident": found,
        "can": can,
        "duty": duty,
        "may_sign": services.reports.may_sign(actor, found),
        "timeline": selectors.timeline(found),
        "level_changes": selectors.level_changes(found),
        "reports": reports,
        "pending": pending,
        "clocks": selectors.clocks_of(found),
        "task_rows": response_selectors.incident_tasks(found) if duty else [],
        "levels": Level.choices,
        "report_form": ReportForm(
            initial={
                "kind": _next_kind(found, reports),
                "dead": found.dead,
                "injured": found.injured,
                "missing": found.missing,
                "trapped": found.trapped,
            }
        ),
    }
    return _render(request, "emergency/incident_detail.html", context)


def _next_kind(incident: Incident, reports: list[IncidentReport]) -> str:
    if not reports:
        return IncidentReport.Kind.INITIAL
    if incident.state == Incident.State.TERMINATED:
        return IncidentReport.Kind.FINAL
    return IncidentReport.Kind.FOLLOW_UP


@staff_required(*access.DUTY_ROLES)
@require_POST
def incident_action(request: HttpRequest, pk: int, verb: str) -> HttpResponse:
    found = _incident(request, pk)
    post = request.POST
    note = post.get("note", "")

    def act(actor: Actor) -> None:
        if verb == "verify":
            services.incident_verify(actor=actor, incident=found, note=note)
        elif verb in ("grade", "level"):
            level = int(post.get("level") or 0) if (post.get("level") or "").isdigit() else 0
            change = services.incident_grade if verb == "grade" else services.incident_change_level
            change(actor=actor, incident=found, level=level, reason=post.get("reason", ""))
        elif verb == "respond":
            services.incident_start_response(actor=actor, incident=found, note=note)
        elif verb == "handle":
            services.incident_handle(actor=actor, incident=found, note=note)
        elif verb == "terminate":
            services.incident_terminate(actor=actor, incident=found, reason=post.get("reason", ""))
        elif verb == "evaluate":
            services.incident_evaluate(actor=actor, incident=found, note=note)
        else:
            raise permission_denied()

    return post_action(request, act, "emergency_wb:incident_detail", pk=pk)


# --- reports -----------------------------------------------------------------------------------


@staff_required()
@require_POST
def report_new(request: HttpRequest, pk: int) -> HttpResponse:
    found = _incident(request, pk)
    form = ReportForm(request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(f"{form.fields[k].label}：{v[0]}" for k, v in form.errors.items()))
        return redirect("emergency_wb:incident_detail", pk=pk)

    def draft(actor: Actor) -> str:
        report = services.report_draft(
            actor=actor, incident=found, kind=form.cleaned_data["kind"], data=form.data_object()
        )
        return f"{report.title}已起草，待领导签发。"

    return post_action(request, draft, "emergency_wb:incident_detail", pk=pk)


def _report_move(request: HttpRequest, pk: int, write: Callable[..., object], done: str, back: str) -> HttpResponse:
    """A report's one-button step (签发, 签收): the service, its message, back to `back` (a URL name
    taking the incident's pk for incident_detail, else the report's)."""
    report = _report(request, pk)

    def move(actor: Actor) -> str:
        write(actor=actor, report=report)
        return f"{report.title}{done}"

    return post_action(request, move, back, pk=report.incident_id if back.endswith("incident_detail") else report.pk)


@staff_required()
@require_POST
def report_sign(request: HttpRequest, pk: int) -> HttpResponse:
    return _report_move(request, pk, services.report_sign, "已签发报送。", "emergency_wb:incident_detail")


def _report(request: HttpRequest, pk: int) -> IncidentReport:
    return found_or_404(selectors.report_for(Actor.from_request(request), pk), "没有这份报告。")


@staff_required()
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = Actor.from_request(request)
    report = _report(request, pk)
    context = {
        "report": report,
        "incident": report.incident,
        "can_sign": REPORT.can(report, "sign") and services.reports.may_sign(actor, report.incident),
        "can_edit": REPORT.can(report, "edit") and services.reports.may_draft(actor, report.incident),
        "can_receive": REPORT.can(report, "receive") and services.reports.may_receive(actor, report),
    }
    return _render(request, "emergency/report_detail.html", context)


@staff_required()
def report_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """A draft's fields, before a leader signs it off (a sent report is refused, saying why)."""
    actor = Actor.from_request(request)
    report = _report(request, pk)
    if not services.reports.may_draft(actor, report.incident):
        raise permission_denied("只有事发地应急管理部门的值班人员可以修改报告。")
    if request.method == "POST":
        form = ReportEditForm(request.POST)

        def save(actor: Actor, _data: dict[str, Any]) -> Done:
            services.report_edit(actor=actor, report=report, data=form.data_object())
            return f"已保存{report.title}，待领导签发。", reverse("emergency_wb:report_detail", args=[pk])

        if done := form_write(request, form, save):
            return done
    else:
        if not REPORT.can(report, "edit"):
            messages.error(request, f"{report.title}已签发报送，不能再修改；如需更正，请起草续报。")
            return redirect("emergency_wb:report_detail", pk=pk)
        form = ReportEditForm(initial={"content": report.content, "skip_level": report.skip_level, **report.figures})
    return _render(request, "emergency/report_edit.html", {"form": form, "report": report, "incident": report.incident})


@staff_required()
@require_POST
def report_receive(request: HttpRequest, pk: int) -> HttpResponse:
    """签收 by the receiving department's duty room."""
    return _report_move(request, pk, services.report_receive, "已签收。", "emergency_wb:report_detail")


@staff_required()
def reports_inbox(request: HttpRequest) -> HttpResponse:
    rows = selectors.reports_received(Actor.from_request(request))
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return _render(request, "emergency/report_inbox.html", {"page": page})


# --- warnings ----------------------------------------------------------------------------------


def _issuer(request: HttpRequest) -> Actor:
    """The actor, when they may issue warnings for their own region (else 403)."""
    actor = Actor.from_request(request)
    department = actor.department
    if department is None or not services.warnings.is_issuer(actor, department.region):
        raise permission_denied("只有应急管理部门的值班员、指挥长或预警发布单位的负责人可以发布预警。")
    return actor


@staff_required()
def warnings(request: HttpRequest) -> HttpResponse:
    actor = _issuer(request)
    page = Paginator(selectors.warnings_issued_by(actor), PAGE_SIZE).get_page(request.GET.get("page"))
    return _render(request, "emergency/warning_list_wb.html", {"page": page, "may_issue": True})


def _warning_initial(warning: EarlyWarning | None, actor: Actor) -> dict[str, Any]:
    if warning is None:
        now = timezone.localtime().replace(second=0, microsecond=0)
        department = actor.department
        return {
            "starts_at": now,
            "ends_at": now + timedelta(hours=24),
            "region_code": department.region.code if department else "",
        }
    values = {name: getattr(warning, name) for name in WarningForm.base_fields if name != "region_code"}
    values["region_code"] = warning.region.code
    values["starts_at"] = timezone.localtime(warning.starts_at)
    values["ends_at"] = timezone.localtime(warning.ends_at)
    return values


@staff_required()
def warning_form(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    actor = _issuer(request)
    warning = selectors.warnings_issued_by(actor).filter(pk=pk).first() if pk else None
    if pk and warning is None:
        raise Http404("没有这条预警。")
    if request.method == "POST":
        form = WarningForm(request.POST)

        def issue(actor: Actor, _data: dict[str, Any]) -> Done:
            data: WarningData = form.data_object()
            issued = warning
            if issued is None:
                issued = services.warning_issue(actor=actor, data=data)
            else:
                services.warning_adjust(actor=actor, warning=issued, data=data, reason=request.POST.get("reason", ""))
            return f"已发布{issued.headline}。", reverse("emergency:warning_detail", args=[issued.pk])

        if done := form_write(request, form, issue):
            return done
    else:
        form = WarningForm(initial=_warning_initial(warning, actor))
    return _render(request, "emergency/warning_form.html", {"form": form, "warning": warning})


@staff_required()
@require_POST
def warning_lift(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _issuer(request)
    warning = found_or_404(selectors.warnings_issued_by(actor).filter(pk=pk).first(), "没有这条预警。")

    def lift(actor: Actor) -> str:
        services.warning_lift(actor=actor, warning=warning, reason=request.POST.get("reason", ""))
        return f"已解除{warning.headline}。"

    return post_action(request, lift, "emergency_wb:warnings")
