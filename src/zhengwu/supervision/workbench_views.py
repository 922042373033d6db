"""Workbench pages of the e-supervision centre (mounted at /workbench/supervision/, namespace
"supervision_wb"). Thin: parse, authorize, call a service or selector, render.

- dashboard: counts of every live timer by department, kind and light, the red list, ECharts;
  drill-down department → its timers (kind/light filters, pages) → one timer (events, 督办);
- 督办 list and answer; complaints (网上投诉) handling; the monthly exposure list (preview,
  publish, Excel); department scorecards (month selector, ECharts, Excel).

Supervisors and the e-government office see every department; a department leader sees only
their own department; clerks see the urgings and forwarded complaints of their department.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Generic, TypeVar

from django import forms
from django.contrib import messages
from django.core.paginator import Page, Paginator
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from zhengwu.accounts.decorators import staff_required
from zhengwu.accounts.models import Department, Role, User
from zhengwu.accounts.session import acting_user
from zhengwu.audit.services import record_action
from zhengwu.core import workdays
from zhengwu.core.actors import Actor
from zhengwu.core.downloads import XLSX, Sheet, attachment, xlsx
from zhengwu.core.errors import ApplicationError, not_found, permission_denied
from zhengwu.core.forms import Done, form_write
from zhengwu.supervision import oversight, reports
from zhengwu.supervision import selectors as sel
from zhengwu.supervision.audit_actions import SupervisionAction
from zhengwu.supervision.models import Complaint, ExposureList, Light, Timer, Urging

WATCHERS = (Role.SUPERVISOR, Role.EGOV_OFFICE, Role.DEPT_LEADER)
URGING_VIEWERS = (Role.SUPERVISOR, Role.EGOV_OFFICE, Role.DEPT_LEADER, Role.CLERK)
COMPLAINT_VIEWERS = (Role.SUPERVISOR, Role.DEPT_LEADER, Role.CLERK)
REPORT_VIEWERS = (Role.SUPERVISOR, Role.EGOV_OFFICE)
RED_LIST_SIZE = 20
PAGE_SIZE = 30
LIGHT_CHOICES = [
    (Light.RED.value, "红灯（超期）"),
    (Light.YELLOW.value, "黄灯（临近时限）"),
    (Light.GREEN.value, "绿灯（正常）"),
    (Light.PAUSED.value, "暂停计时"),
    (Light.DONE.value, "已结束"),
]
RowT = TypeVar("RowT", bound=models.Model)


# --- forms ------------------------------------------------------------------------------------------


class UrgeForm(forms.Form):
    notice = forms.CharField(label="督办意见", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    answer_days = forms.IntegerField(
        label="答复时限（工作日）", min_value=1, max_value=30, help_text="被督办单位须在该时限内答复。"
    )


class AnswerForm(forms.Form):
    answer = forms.CharField(label="答复内容", max_length=4000, widget=forms.Textarea(attrs={"rows": 4}))


class ForwardForm(forms.Form):
    note = forms.CharField(label="转办意见", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class ConcludeForm(forms.Form):
    finding = forms.ChoiceField(label="核查结论", choices=Complaint.Finding.choices)
    result = forms.CharField(
        label="处理结果（将告知投诉人）", max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )


class PublishForm(forms.Form):
    note = forms.CharField(label="发布说明", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


# --- helpers -------------------------------------------------------------------------------------------


def _export(
    request: HttpRequest,
    action: SupervisionAction,
    columns: Sequence[tuple[str, str]],
    rows: Sequence[Any],
    month: date,
    *,
    sheet_name: str,
    filename: str,
    details: dict[str, Any] | None = None,
) -> HttpResponse:
    """An Excel download of `month`'s `rows` (one column per (attribute, label) of `columns`), audited
    as `action` with the month, the number of rows and `details`."""
    header = [label for _, label in columns]
    body = [[_excel_value(getattr(row, key), key) for key, _ in columns] for row in rows]
    record_action(
        Actor.from_request(request), action, details={"month": month.isoformat(), "rows": len(body), **(details or {})}
    )
    content, _rows = xlsx(Sheet(sheet_name, header, body))
    return attachment(content, filename, XLSX)


def _state_page(
    request: HttpRequest, rows_of: Callable[[str], QuerySet[Any]], states: type[models.TextChoices]
) -> tuple[Page[Any], dict[str, Any]]:
    """A list page filtered by the `state` query parameter: the page of rows and the template's
    context (page, the chosen state when it is one of `states`, the choices)."""
    state = request.GET.get("state", "")
    page = Paginator(rows_of(state), PAGE_SIZE).get_page(request.GET.get("page"))
    return page, {"page": page, "state": state if state in states.values else "", "states": states.choices}


def _visible_row(rows: QuerySet[RowT], pk: int, what: str) -> RowT:
    """Row `pk` among those the user may see (`rows`); not found (what they may not see) otherwise."""
    row = rows.filter(pk=pk).first()
    if row is None:
        raise not_found(what)
    return row


@dataclass(frozen=True)
class _RowPage(Generic[RowT]):
    """The detail page of a row the user may see, and the forms posted on it: one place that finds
    the row, runs the write and draws the page again when the form has errors."""

    find: Callable[[User, int], RowT]  # the row, or not found when the user may not see it
    render: Callable[..., HttpResponse]  # (request, user, row, **forms)
    noun: str = ""  # the row's keyword argument in the services (`complaint=`) and its page's URL name

    def show(self, request: HttpRequest, pk: int) -> HttpResponse:
        user = acting_user(request)
        return self.render(request, user, self.find(user, pk))

    def post(
        self,
        request: HttpRequest,
        pk: int,
        form_class: type[forms.Form],
        write: Callable[[Actor, RowT, dict[str, Any]], Done],
        slot: str = "form",
    ) -> HttpResponse:
        """`write` with the posted form's data; on errors the page again with the form as `slot`."""
        user = acting_user(request)
        row = self.find(user, pk)
        form = form_class(request.POST)
        done = form_write(request, form, lambda actor, data: write(actor, row, data))
        return done or self.render(request, user, row, **{slot: form})

    def post_service(
        self,
        request: HttpRequest,
        pk: int,
        form_class: type[forms.Form],
        service: Callable[..., object],
        message: str,
        slot: str = "form",
    ) -> HttpResponse:
        """`service` on the row with the form's fields, which are named after the service's
        parameters; then `message` (formatted with the row as `noun`) and back to the row's page."""

        def write(actor: Actor, row: RowT, data: dict[str, Any]) -> Done:
            service(actor=actor, **{self.noun: row}, **data)
            return message.format(**{self.noun: row}), reverse(f"supervision_wb:{self.noun}_detail", args=[row.pk])

        return self.post(request, pk, form_class, write, slot)


def _month(request: HttpRequest) -> tuple[date, str]:
    """The `month` query parameter (default: the previous month) and an error text when bad."""
    try:
        return reports.parse_month(request.GET.get("month")), ""
    except ApplicationError as error:
        return reports.previous_month(), error.message


def _light_labels() -> dict[str, str]:
    return {value: label for value, label in LIGHT_CHOICES}


# --- dashboard and drill-down ------------------------------------------------------------------------------


def _overdue_by(timers: list[Timer]) -> None:
    """Set `overdue_by` (working days, or minutes, past the deadline) on red timers, counting the
    calendar once for all of them (what `Timer.remaining` gives, without a lookup per day per row)."""
    now = timezone.now()
    today = workdays.today(now)
    counter = reports.WorkdayCounter()
    for timer in timers:
        if timer.unit == Timer.Unit.MINUTE and timer.deadline_at is not None:
            ref = timer.paused_at if timer.state == Timer.State.PAUSED and timer.paused_at else now
            overdue = int((ref - timer.deadline_at).total_seconds() // 60)
        else:
            ref_day = timer.paused_on if timer.state == Timer.State.PAUSED and timer.paused_on else today
            overdue = counter.between(timer.deadline, ref_day)
        timer.overdue_by = max(1, overdue)  # type: ignore[attr-defined]


@staff_required(*WATCHERS)
def dashboard(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    department = sel.watched_department(user)
    board = sel.dashboard(department)
    red = list(sel.red_list(department)[:RED_LIST_SIZE])
    _overdue_by(red)
    chart = {
        "departments": [row.label for row in board.by_department],
        "red": [row.red for row in board.by_department],
        "yellow": [row.yellow for row in board.by_department],
        "green": [row.green for row in board.by_department],
        "paused": [row.paused for row in board.by_department],
        "kinds": [{"name": row.label, "value": row.total} for row in board.by_kind],
    }
    context = {
        "board": board,
        "red": red,
        "chart": chart,
        "scope": department,
        "today": workdays.today(),
        "red_list_size": RED_LIST_SIZE,
    }
    return render(request, "supervision/dashboard.html", context)


@staff_required(*WATCHERS)
def department_timers(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    department = get_object_or_404(Department, pk=pk)
    if not sel.may_watch(user, department.pk):
        raise permission_denied("部门负责人只能查看本部门的计时。")
    kinds = sel.kind_choices(department)
    kind = request.GET.get("kind", "")
    kind = kind if kind in {k for k, _ in kinds} else ""
    light = request.GET.get("light", "")
    light = light if light in Light.values else ""
    rows = sel.department_timers(department, kind=kind, light=light)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    counts = sel.light_counts(department, kind=kind or None)
    context = {
        "department": department,
        "page": page,
        "kinds": kinds,
        "kind": kind,
        "light": light,
        "lights": LIGHT_CHOICES,
        "counts": counts,
        "light_labels": _light_labels(),
    }
    return render(request, "supervision/department.html", context)


def _visible_timer(user: User, pk: int) -> Timer:
    timer = sel.timer_with_light(pk)
    if timer is None or not sel.may_watch(user, timer.department_id):
        raise not_found("计时")
    return timer


@staff_required(*WATCHERS)
def timer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _TIMER_PAGE.show(request, pk)


def _render_timer(request: HttpRequest, user: User, timer: Timer, form: UrgeForm | None = None) -> HttpResponse:
    remaining = timer.remaining() if timer.is_live else None
    context = {
        "timer": timer,
        "events": sel.timer_events(timer),
        "urgings": sel.urgings_of_timer(timer),
        "target_url": sel.safe_target_url(timer),
        "form": form or UrgeForm(initial={"answer_days": oversight.urging_answer_days()}),
        "may_urge": user.has_role(Role.SUPERVISOR) and timer.is_live,
        "remaining": remaining,
        "overdue_by": -remaining if remaining is not None else None,
        "light_labels": _light_labels(),
    }
    return render(request, "supervision/timer.html", context)


_TIMER_PAGE = _RowPage(_visible_timer, _render_timer)


@staff_required(Role.SUPERVISOR)
@require_POST
def timer_urge(request: HttpRequest, pk: int) -> HttpResponse:
    def urge(actor: Actor, timer: Timer, data: dict[str, Any]) -> Done:
        urging = oversight.urging_create(actor=actor, timer=timer, **data)
        message = f"已向{urging.department}发出督办，请其在 {urging.answer_days} 个工作日内答复。"
        return message, reverse("supervision_wb:urging_detail", args=[urging.pk])

    return _TIMER_PAGE.post(request, pk, UrgeForm, urge)


# --- 督办 ----------------------------------------------------------------------------------------------


@staff_required(*URGING_VIEWERS)
def urgings(request: HttpRequest) -> HttpResponse:
    page, context = _state_page(
        request, lambda state: sel.urgings_visible_to(acting_user(request), state=state), Urging.State
    )
    answer_timers = {
        t.target_id: t
        for t in sel.with_light(
            Timer.objects.filter(
                kind=oversight.URGING_TIMER, target_type="supervision.urging", target_id__in=[str(u.pk) for u in page]
            )
        )
    }
    for urging in page:
        urging.answer_timer = answer_timers.get(str(urging.pk))
    context["light_labels"] = _light_labels()
    return render(request, "supervision/urgings.html", context)


@staff_required(*URGING_VIEWERS)
def urging_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _URGING_PAGE.show(request, pk)


def _render_urging(request: HttpRequest, user: User, urging: Urging, form: AnswerForm | None = None) -> HttpResponse:
    answer_timer = sel.timer_for(urging, oversight.URGING_TIMER)
    context = {
        "urging": urging,
        "form": form or AnswerForm(),
        "answer_timer": sel.timer_with_light(answer_timer.pk) if answer_timer else None,
        "may_answer": urging.state == Urging.State.OPEN
        and user.has_role(Role.CLERK, Role.DEPT_LEADER)
        and user.department_id == urging.department_id,
        "may_see_timer": sel.may_watch(user, urging.department_id),
        "target_url": sel.safe_target_url(urging.timer),
        "light_labels": _light_labels(),
    }
    return render(request, "supervision/urging.html", context)


_URGING_PAGE = _RowPage(
    lambda user, pk: _visible_row(sel.urgings_visible_to(user), pk, "督办"), _render_urging, "urging"
)


@staff_required(Role.CLERK, Role.DEPT_LEADER)
@require_POST
def urging_answer(request: HttpRequest, pk: int) -> HttpResponse:
    return _URGING_PAGE.post_service(request, pk, AnswerForm, oversight.urging_answer, "督办答复已提交。")


# --- complaints ----------------------------------------------------------------------------------------


@staff_required(*COMPLAINT_VIEWERS)
def complaints(request: HttpRequest) -> HttpResponse:
    _page, context = _state_page(
        request, lambda state: sel.complaints_visible_to(acting_user(request), state=state), Complaint.State
    )
    return render(request, "supervision/complaints.html", context)


@staff_required(*COMPLAINT_VIEWERS)
def complaint_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _COMPLAINT_PAGE.show(request, pk)


def _render_complaint(
    request: HttpRequest,
    user: User,
    complaint: Complaint,
    *,
    forward_form: ForwardForm | None = None,
    answer_form: AnswerForm | None = None,
    conclude_form: ConcludeForm | None = None,
) -> HttpResponse:
    supervisor = user.has_role(Role.SUPERVISOR)
    timer_ids = [
        t.pk
        for t in (
            sel.timer_for(complaint, oversight.COMPLAINT_TIMER),
            sel.timer_for(complaint, oversight.COMPLAINT_ANSWER_TIMER),
        )
        if t is not None
    ]
    context = {
        "complaint": complaint,
        "timers": sel.with_light(Timer.objects.filter(pk__in=timer_ids)).order_by("started_at", "id"),
        "may_forward": supervisor and complaint.state == Complaint.State.SUBMITTED,
        "may_conclude": supervisor and complaint.is_open,
        "may_answer": complaint.state == Complaint.State.FORWARDED
        and user.has_role(Role.CLERK, Role.DEPT_LEADER)
        and user.department_id == complaint.department_id,
        "forward_form": forward_form or ForwardForm(),
        "answer_form": answer_form or AnswerForm(),
        "conclude_form": conclude_form or ConcludeForm(),
        "light_labels": _light_labels(),
    }
    return render(request, "supervision/complaint.html", context)


_COMPLAINT_PAGE = _RowPage(
    lambda user, pk: _visible_row(sel.complaints_visible_to(user), pk, "投诉"), _render_complaint, "complaint"
)


@staff_required(Role.SUPERVISOR)
@require_POST
def complaint_forward(request: HttpRequest, pk: int) -> HttpResponse:
    message = "投诉已转{complaint.department}核查答复。"
    return _COMPLAINT_PAGE.post_service(request, pk, ForwardForm, oversight.complaint_forward, message, "forward_form")


@staff_required(Role.CLERK, Role.DEPT_LEADER)
@require_POST
def complaint_answer(request: HttpRequest, pk: int) -> HttpResponse:
    message = "核查答复已提交电子监察机构。"
    return _COMPLAINT_PAGE.post_service(request, pk, AnswerForm, oversight.complaint_answer, message, "answer_form")


@staff_required(Role.SUPERVISOR)
@require_POST
def complaint_conclude(request: HttpRequest, pk: int) -> HttpResponse:
    message = "投诉已办结，处理结果已告知投诉人。"
    return _COMPLAINT_PAGE.post_service(
        request, pk, ConcludeForm, oversight.complaint_conclude, message, "conclude_form"
    )


# --- exposure ------------------------------------------------------------------------------------------


@staff_required(*REPORT_VIEWERS)
def exposure(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    month, month_error = _month(request)
    return _render_exposure(request, user, month, month_error, PublishForm())


def _render_exposure(
    request: HttpRequest, user: User, month: date, month_error: str, form: PublishForm
) -> HttpResponse:
    published, rows = _exposure(month)
    _first, last = reports.month_bounds(month)
    context = {
        "month": month,
        "month_error": month_error,
        "months": reports.recent_months(),
        "rows": rows,
        "published": published,
        "form": form,
        "may_publish": user.has_role(Role.SUPERVISOR) and published is None and last < workdays.today(),
        "month_open": last >= workdays.today(),
        "history": sel.published_exposure_lists()[:24],
    }
    return render(request, "supervision/exposure.html", context)


@staff_required(Role.SUPERVISOR)
@require_POST
def exposure_publish(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    form = PublishForm(request.POST)
    try:
        month = reports.parse_month(request.POST.get("month"))
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("supervision_wb:exposure")

    def publish(actor: Actor, data: dict[str, Any]) -> Done:
        oversight.exposure_publish(actor=actor, month=month, note=data["note"])
        message = f"{month:%Y年%m月}警示曝光名单已发布，门户网站已公开。"
        return message, f"{reverse('supervision_wb:exposure')}?month={month:%Y-%m}"

    return form_write(request, form, publish) or _render_exposure(request, user, month, "", form)


@staff_required(*REPORT_VIEWERS)
def exposure_export(request: HttpRequest) -> HttpResponse:
    month, _error = _month(request)
    published, rows = _exposure(month)
    return _export(
        request,
        SupervisionAction.EXPOSURE_EXPORT,
        reports.EXPOSURE_COLUMNS,
        rows,
        month,
        sheet_name=f"{month:%Y-%m}警示曝光",
        filename=f"exposure-{month:%Y-%m}.xlsx",
        details={"published": published is not None},
    )


def _exposure(month: date) -> tuple[ExposureList | None, list[reports.ExposureRow]]:
    """The month's exposure list: as published (frozen rows), or computed now when not yet published."""
    published = ExposureList.objects.filter(month=month).select_related("published_by").first()
    rows = [reports.ExposureRow(**row) for row in published.rows] if published else reports.exposure_rows(month)
    return published, rows


def _excel_value(value: Any, key: str) -> Any:
    """Excel gets numbers (percentages as 0.953 → shown by the reader) and "—" for missing figures."""
    if value is None:
        return "—"
    if isinstance(value, float):
        return round(value, 4)
    return value


# --- scorecards --------------------------------------------------------------------------------------------


@staff_required(*WATCHERS)
def scorecards(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    department = sel.watched_department(user)
    month, month_error = _month(request)
    rows = reports.scorecard_rows(month, department=department)
    table = [
        {"row": row, "cells": [reports.cell(getattr(row, key), key) for key, _ in reports.SCORECARD_COLUMNS[1:]]}
        for row in rows
    ]
    chart = {
        "departments": [row.department_name for row in rows],
        "on_time_rate": [None if row.on_time_rate is None else round(row.on_time_rate * 100, 1) for row in rows],
        "used_ratio": [None if row.used_ratio is None else round(row.used_ratio * 100, 1) for row in rows],
        "satisfaction": [None if row.satisfaction is None else round(row.satisfaction * 100, 1) for row in rows],
    }
    context = {
        "month": month,
        "month_error": month_error,
        "months": reports.recent_months(),
        "table": table,
        "columns": [label for _, label in reports.SCORECARD_COLUMNS[1:]],
        "chart": chart,
        "scope": department,
    }
    return render(request, "supervision/scorecards.html", context)


@staff_required(*WATCHERS)
def scorecards_export(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    department = sel.watched_department(user)
    month, _error = _month(request)
    return _export(
        request,
        SupervisionAction.SCORECARDS_EXPORT,
        reports.SCORECARD_COLUMNS,
        reports.scorecard_rows(month, department=department),
        month,
        sheet_name=f"{month:%Y-%m}绩效评分",
        filename=f"scorecards-{month:%Y-%m}.xlsx",
    )
