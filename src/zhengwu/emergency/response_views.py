"""Workbench pages of the response (内网): plans, an incident's response (plan activation, tasks
with their lights, resources nearby, population), a department's tasks, resources, the duty roster
and daily report, the command board and the evaluation. Thin: parse, call a service or selector,
render. Exports: Excel (openpyxl) and PDF (emergency.reports)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from zhengwu.accounts.decorators import staff_required
from zhengwu.accounts.models import Department
from zhengwu.core import workdays
from zhengwu.core.actors import Actor
from zhengwu.core.downloads import XLSX, attachment
from zhengwu.core.errors import ApplicationError, permission_denied
from zhengwu.core.forms import Done, add_application_error, form_write
from zhengwu.core.lookups import found_or_404
from zhengwu.core.post_action import post_action
from zhengwu.emergency import reports, response_selectors, services
from zhengwu.emergency.errors import EmergencyError
from zhengwu.emergency.models import (
    DutyShift,
    Evaluation,
    Plan,
    PlanVersion,
    Resource,
    ResourceKind,
    ResponseLevel,
    Task,
)
from zhengwu.emergency.response_forms import DUTY_ROWS, DutyForm, EvaluationForm, PlanForm, ResourceForm
from zhengwu.emergency.services import incident_link
from zhengwu.emergency.services.common import COMMAND_ROLES, TASK_ROLES
from zhengwu.emergency.states import TASK

PAGE_SIZE = 30
COMMAND = COMMAND_ROLES
TASK_PEOPLE = (*TASK_ROLES, *COMMAND_ROLES)


def _int(value: str | None) -> int | None:
    return int(value) if value and value.strip().isdigit() else None


def _float(value: str | None) -> float | None:
    try:
        return float(value) if value else None
    except ValueError:
        return None


# --- plans -----------------------------------------------------------------------------------


@staff_required(*COMMAND)
def plans(request: HttpRequest) -> HttpResponse:
    rows = Plan.objects.order_by("incident_class", "name", "id")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "emergency/plan_list.html", {"page": page})


def _duties_from(request: HttpRequest) -> list[services.DutyData]:
    departments = {d.pk: d for d in Department.objects.filter(is_active=True)}
    duties = []
    for i in range(DUTY_ROWS):
        text = request.POST.get(f"duty-{i}-duty", "").strip()
        department = departments.get(_int(request.POST.get(f"duty-{i}-department")) or 0)
        if not text and department is None:
            continue
        if department is None:
            raise ApplicationError(EmergencyError.INVALID_INPUT, f"第 {i + 1} 行职责请选择部门。", {"duties": "缺部门"})
        duties.append(
            services.DutyData(
                level=request.POST.get(f"duty-{i}-level", ""),
                department=department,
                duty=text,
                sign_minutes=_int(request.POST.get(f"duty-{i}-sign")),
                arrive_minutes=_int(request.POST.get(f"duty-{i}-arrive")),
            )
        )
    return duties


def _plan_page(request: HttpRequest, plan: Plan | None) -> HttpResponse:
    rows: list[dict[str, Any]] = []
    if request.method == "POST":
        form = PlanForm(request.POST)
        rows = [
            {k: request.POST.get(f"duty-{i}-{k}", "") for k in ("level", "department", "duty", "sign", "arrive")}
            for i in range(DUTY_ROWS)
        ]

        def save(actor: Actor, data: dict[str, Any]) -> Done:
            plan_data = services.PlanData(
                name=data["name"],
                incident_class=data["incident_class"],
                lead_department=data["lead_department"],
                summary=data["summary"],
                duties=_duties_from(request),
            )
            saved = plan
            if saved is None:
                saved = services.plan_create(actor=actor, data=plan_data)
            else:
                services.plan_revise(actor=actor, plan=saved, data=plan_data, note=data["note"])
            message = f"已保存预案《{saved.name}》第 {saved.current_version} 版。"
            return message, reverse("emergency_wb:plan", args=[saved.pk])

        if done := form_write(request, form, save):
            return done
    elif plan is not None:
        current = plan.current
        form = PlanForm(
            initial={
                "name": plan.name,
                "incident_class": plan.incident_class,
                "lead_department": current.lead_department_id,
                "summary": current.summary,
            }
        )
        rows = [
            {
                "level": d.level,
                "department": str(d.department_id),
                "duty": d.duty,
                "sign": d.sign_minutes or "",
                "arrive": d.arrive_minutes or "",
            }
            for d in current.duties.all()
        ]
    else:
        form = PlanForm()
    rows += [{} for _ in range(DUTY_ROWS - len(rows))]
    context = {
        "form": form,
        "plan": plan,
        "rows": [(i, row) for i, row in enumerate(rows[:DUTY_ROWS])],
        "levels": ResponseLevel.choices,
        "departments": Department.objects.filter(is_active=True).order_by("name"),
    }
    return render(request, "emergency/plan_edit.html", context)


@staff_required(*COMMAND)
def plan_new(request: HttpRequest) -> HttpResponse:
    return _plan_page(request, None)


@staff_required(*COMMAND)
def plan_revise(request: HttpRequest, pk: int) -> HttpResponse:
    return _plan_page(request, get_object_or_404(Plan, pk=pk))


@staff_required(*COMMAND)
def plan(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_object_or_404(Plan, pk=pk)
    number = _int(request.GET.get("version")) or found.current_version
    version = found_or_404(
        PlanVersion.objects.filter(plan=found, number=number).select_related("lead_department").first(),
        "没有这个版本。",
    )
    context = {
        "plan": found,
        "version": version,
        "duties": version.duties.select_related("department").order_by("level", "department__name"),
        "versions": found.versions.order_by("-number"),
    }
    return render(request, "emergency/plan_detail.html", context)


# --- an incident's response ------------------------------------------------------------------


def _incident(request: HttpRequest, pk: int) -> Any:
    return found_or_404(incident_link.visible_to(Actor.from_request(request)).filter(pk=pk).first(), "没有这个事件。")


@staff_required(*COMMAND)
def response(request: HttpRequest, pk: int) -> HttpResponse:
    incident = _incident(request, pk)
    actor = Actor.from_request(request)
    radius = _float(request.GET.get("radius")) or 30.0
    kind = request.GET.get("kind", "")
    nearby = []
    point = incident_link.point_of(incident)
    if point is not None:
        nearby = response_selectors.nearby_resources(
            *point, radius_km=radius, kinds=[kind] if kind in ResourceKind.values else None, limit=30
        )
    context = {
        "incident": incident,
        "rows": response_selectors.incident_tasks(incident),
        "plans": Plan.objects.filter(is_active=True, incident_class=incident_link.class_of(incident)),
        "all_plans": Plan.objects.filter(is_active=True),
        "levels": ResponseLevel.choices,
        "default_level": incident_link.response_level_of(incident),
        "departments": Department.objects.filter(is_active=True).order_by("name"),
        "nearby": nearby,
        "committed": Resource.objects.filter(committed_to=incident).select_related("department"),
        "radius": radius,
        "kind": kind,
        "kinds": ResourceKind.choices,
        "responding": incident_link.is_responding(incident),
        "can_activate": incident_link.is_duty_for(actor, incident),
        "is_commander": incident_link.is_commander_for(actor, incident),
        "evaluation": Evaluation.objects.filter(incident=incident).first(),
    }
    return render(request, "emergency/task_response.html", context)


@staff_required(*COMMAND)
@require_POST
def response_action(request: HttpRequest, pk: int, verb: str) -> HttpResponse:
    incident = _incident(request, pk)
    post = request.POST

    def act(actor: Actor) -> str:
        if verb == "activate":
            found = Plan.objects.filter(pk=_int(post.get("plan")) or 0).first()
            if found is None:
                raise ApplicationError(EmergencyError.INVALID_INPUT, "请选择预案。", {"plan": "必选"})
            tasks = services.plan_activate(actor=actor, plan=found, incident=incident, level=post.get("level", ""))
            return f"已启动《{found.name}》，向 {len(tasks)} 个部门下达任务。"
        if verb == "add_task":
            department = Department.objects.filter(pk=_int(post.get("department")) or 0).first()
            if department is None:
                raise ApplicationError(EmergencyError.INVALID_INPUT, "请选择部门。", {"department": "必选"})
            services.task_add(
                actor=actor,
                incident=incident,
                department=department,
                duty=post.get("duty", ""),
                sign_minutes=_int(post.get("sign")),
                arrive_minutes=_int(post.get("arrive")),
            )
            return f"已向{department.name}增派任务。"
        if verb == "commit":
            resource = Resource.objects.filter(pk=_int(post.get("resource")) or 0).first()
            if resource is None:
                raise ApplicationError(EmergencyError.INVALID_INPUT, "请选择资源。", {"resource": "必选"})
            services.resource_commit(actor=actor, resource=resource, incident=incident, note=post.get("note", ""))
            return f"已调用“{resource.name}”。"
        if verb == "population":
            count = services.population_count(actor=actor, incident=incident)
            return f"事发区域户籍人口：{count:,} 人（经数据共享交换平台统计，已记入访问日志）。"
        raise permission_denied()

    return post_action(request, act, "emergency_wb:response", pk=pk)


# --- tasks -----------------------------------------------------------------------------------


@staff_required(*TASK_PEOPLE)
def tasks(request: HttpRequest) -> HttpResponse:
    rows = response_selectors.tasks_of(Actor.from_request(request))
    state = request.GET.get("state", "open")
    if state == "open":
        rows = rows.filter(state__in=Task.OPEN_STATES)
    elif state in Task.State.values:
        rows = rows.filter(state=state)
    page = Paginator(rows.order_by("-issued_at", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "rows": response_selectors.task_rows(list(page.object_list)),
        "state": state,
        "states": Task.State.choices,
    }
    return render(request, "emergency/task_list.html", context)


def _task(request: HttpRequest, pk: int) -> Task:
    return found_or_404(
        response_selectors.tasks_of(Actor.from_request(request)).filter(pk=pk).first(), "没有这项任务。"
    )


@staff_required(*TASK_PEOPLE)
def task(request: HttpRequest, pk: int) -> HttpResponse:
    found = _task(request, pk)
    context = {
        "task": found,
        "row": response_selectors.task_rows([found])[0],
        "events": found.events.all(),
        "can": {name: TASK.can(found, name) for name in TASK.moves},
    }
    return render(request, "emergency/task_detail.html", context)


@staff_required(*TASK_PEOPLE)
@require_POST
def task_action(request: HttpRequest, pk: int, verb: str) -> HttpResponse:
    found = _task(request, pk)
    text = request.POST.get("text", "")

    def act(actor: Actor) -> None:
        if verb == "sign":
            services.task_sign(actor=actor, task=found)
        elif verb == "arrive":
            services.task_arrive(actor=actor, task=found, text=text)
        elif verb == "progress":
            services.task_progress(actor=actor, task=found, text=text)
        elif verb == "support":
            services.task_support(actor=actor, task=found, text=text)
        elif verb == "finish":
            services.task_finish(actor=actor, task=found, result=text)
        elif verb == "cancel":
            services.task_cancel(actor=actor, task=found, reason=text)
        else:
            raise permission_denied()

    return post_action(request, act, "emergency_wb:task", pk=pk)


# --- resources -------------------------------------------------------------------------------


@staff_required(*COMMAND)
def resources(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("kind", "")
    lat, lng = _float(request.GET.get("lat")), _float(request.GET.get("lng"))
    radius = _float(request.GET.get("radius")) or 30.0
    nearby = None
    if lat is not None and lng is not None:
        nearby = response_selectors.nearby_resources(
            lat,
            lng,
            radius_km=radius,
            kinds=[kind] if kind in ResourceKind.values else None,
            limit=100,
            include_committed=True,
        )
    rows = Resource.objects.select_related("department", "committed_to").order_by("kind", "name", "id")
    if kind in ResourceKind.values:
        rows = rows.filter(kind=kind)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "kind": kind,
        "kinds": ResourceKind.choices,
        "nearby": nearby,
        "lat": lat or "",
        "lng": lng or "",
        "radius": radius,
    }
    return render(request, "emergency/resource_list.html", context)


@staff_required(*COMMAND)
def resource_new(request: HttpRequest) -> HttpResponse:
    form = ResourceForm(request.POST or None)

    def create(actor: Actor, cleaned: dict[str, Any]) -> Done:
        data = dict(cleaned)
        for text in ("region_code", "address", "unit", "stock_point", "specialty", "contact", "phone"):
            data[text] = data.get(text) or ""
        created = services.resource_create(actor=actor, data=services.ResourceData(**data))
        return f"已登记“{created.name}”。", "emergency_wb:resources"

    return form_write(request, form, create) or render(request, "emergency/resource_edit.html", {"form": form})


@staff_required(*COMMAND)
@require_POST
def resource_release(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_object_or_404(Resource, pk=pk)
    incident_id = found.committed_to_id  # back to the response it served, when it served one

    def release(actor: Actor) -> str:
        services.resource_release(actor=actor, resource=found)
        return f"已释放“{found.name}”。"

    if incident_id is not None:
        return post_action(request, release, "emergency_wb:response", pk=incident_id)
    return post_action(request, release, "emergency_wb:resources")


# --- duty --------------------------------------------------------------------------------------


@staff_required(*TASK_PEOPLE)
def duty(request: HttpRequest) -> HttpResponse:
    actor = Actor.from_request(request)
    command = actor.has_role(*COMMAND)
    form = DutyForm(request.POST or None, initial={"day": workdays.today()})
    if request.method == "POST" and form.is_valid():
        department = actor.department
        chosen = _int(request.POST.get("department"))
        if command and chosen is not None:
            department = Department.objects.filter(pk=chosen).first()
        if department is None:
            raise permission_denied("您未归属任何部门。")
        try:
            services.duty_set(actor=actor, department=department, **form.cleaned_data)
        except ApplicationError as error:
            add_application_error(form, error)
        else:
            messages.success(request, "已保存值班安排。")
            return redirect("emergency_wb:duty")
    rows = (
        DutyShift.objects.select_related("department")
        .filter(day__gte=workdays.today())
        .order_by("day", "department__name")
    )
    if not command:
        rows = rows.filter(department_id=actor.department_id or 0)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    departments = Department.objects.filter(is_active=True).order_by("name") if command else None
    # the department offered first is the one asked for (after an error), else the user's own
    chosen = _int(request.POST.get("department")) or actor.department_id
    return render(
        request,
        "emergency/duty_roster.html",
        {"form": form, "page": page, "departments": departments, "chosen": chosen},
    )


def _day(request: HttpRequest) -> date:
    try:
        return date.fromisoformat(request.GET.get("day", ""))
    except ValueError:
        return workdays.today()


@staff_required(*COMMAND)
def duty_report(request: HttpRequest) -> HttpResponse:
    report = response_selectors.duty_report(_day(request), actor=Actor.from_request(request))
    return render(request, "emergency/duty_report.html", {"report": report})


@staff_required(*COMMAND)
def duty_report_export(request: HttpRequest, fmt: str) -> HttpResponse:
    report = response_selectors.duty_report(_day(request), actor=Actor.from_request(request))
    name = f"值班日报-{report.day.isoformat()}"
    if fmt == "pdf":
        return attachment(reports.duty_report_pdf(report), f"{name}.pdf", "application/pdf")
    return attachment(reports.duty_report_xlsx(report), f"{name}.xlsx", XLSX)


# --- the board ---------------------------------------------------------------------------------


def _board(request: HttpRequest) -> dict[str, Any]:
    return response_selectors.board_data(incidents=incident_link.visible_to(Actor.from_request(request)))


@staff_required(*COMMAND)
def board(request: HttpRequest) -> HttpResponse:
    return _board_page(request, "emergency/board.html")


@staff_required(*COMMAND)
def board_data(request: HttpRequest) -> JsonResponse:
    return JsonResponse(_board(request))


@staff_required(*COMMAND)
def board_panel(request: HttpRequest) -> HttpResponse:
    """The list beside the map (htmx polls it); `incident` names the one opened below it."""
    return _board_page(request, "emergency/board_panel.html")


def _board_page(request: HttpRequest, template: str) -> HttpResponse:
    opened = _int(request.GET.get("incident"))
    incident = incident_link.visible_to(Actor.from_request(request)).filter(pk=opened).first() if opened else None
    context = {
        "data": _board(request),
        "opened": incident,
        "rows": response_selectors.incident_tasks(incident) if incident else [],
        "timeline": incident_link.timeline(incident) if incident else [],
        "clocks": incident_link.report_clocks(incident) if incident else [],
    }
    return render(request, template, context)


# --- evaluation --------------------------------------------------------------------------------


@staff_required(*COMMAND)
def evaluation(request: HttpRequest, pk: int) -> HttpResponse:
    incident = _incident(request, pk)
    found = Evaluation.objects.filter(incident=incident).first()
    form = EvaluationForm(request.POST or None)

    def create(actor: Actor, data: dict[str, Any]) -> Done:
        services.evaluation_create(actor=actor, incident=incident, **data)
        return "已保存事后评估。", reverse("emergency_wb:evaluation", args=[pk])

    if found is None and (done := form_write(request, form, create)):  # written once, then only shown
        return done
    figures = found.figures if found is not None else response_selectors.evaluation_figures(incident)
    return render(
        request,
        "emergency/evaluation_detail.html",
        {"incident": incident, "evaluation": found, "figures": figures, "form": form},
    )


@staff_required(*COMMAND)
def evaluation_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    incident = _incident(request, pk)
    found = found_or_404(Evaluation.objects.filter(incident=incident).first(), "该事件尚无事后评估。")
    name = f"事后评估-{incident.pk}"
    if fmt == "pdf":
        return attachment(reports.evaluation_pdf(incident, found), f"{name}.pdf", "application/pdf")
    return attachment(reports.evaluation_xlsx(incident, found), f"{name}.xlsx", XLSX)
