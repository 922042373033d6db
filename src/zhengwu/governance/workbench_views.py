"""Workbench pages of the governance app's systems inventory (信息系统清单) and zombie reviews
(僵尸系统核查): the list with each system's sparkline, registration, the system's page with its
measured usage and API clients, Excel import and export, the e-gov office's overview with charts,
and the review steps. Thin: parse, call a service or selector, render (docs/rules.md §11)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from zhengwu.accounts.decorators import staff_required
from zhengwu.accounts.models import ApiClient, Department, Role
from zhengwu.accounts.session import acting_user
from zhengwu.core.actors import Actor
from zhengwu.core.downloads import XLSX, attachment
from zhengwu.core.errors import ApplicationError, permission_denied
from zhengwu.core.forms import Done, form_write
from zhengwu.core.post_action import post_action
from zhengwu.governance import excel, selectors, services
from zhengwu.governance.forms import SystemForm
from zhengwu.governance.models import InformationSystem, ZombieCase, ZombieRule
from zhengwu.governance.services.inventory_import import ImportRefused, inventory_import
from zhengwu.governance.states import SYSTEM, ZOMBIE

VIEWERS = (Role.SYSTEMS_OFFICER, Role.DEPT_LEADER, Role.EGOV_OFFICE)
MANAGERS = (Role.SYSTEMS_OFFICER, Role.DEPT_LEADER)
PAGE_SIZE = 20
EXPORT_LIMIT = 5000
RULE_LABELS = dict(ZombieRule.choices)


def _department(request: HttpRequest) -> Department:
    department = acting_user(request).department
    if department is None:
        raise permission_denied("您未归属任何部门。")
    return department


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def _open_reviews(systems: list[InformationSystem]) -> dict[int, ZombieCase]:
    cases = ZombieCase.objects.filter(system__in=systems, state__in=ZombieCase.OPEN_STATES)
    return {c.system_id: c for c in cases}


@staff_required(*VIEWERS)
def systems(request: HttpRequest) -> HttpResponse:
    actor = Actor.from_request(request)
    q = request.GET.get("q", "").strip()[:50]
    state = request.GET.get("state", "")
    state = state if state in InformationSystem.State.values else ""
    department = _int(request.GET.get("department")) if selectors.sees_all(actor) else None
    rows = selectors.systems_filter(selectors.systems_visible(actor), q=q, state=state, department=department)
    page = Paginator(rows.order_by("department__name", "name", "id"), PAGE_SIZE).get_page(request.GET.get("page"))
    items = list(page)
    usage = selectors.usage_of(items)
    reviews = _open_reviews(items)
    lines = [
        {
            "system": s,
            "usage": usage[s.pk],
            "spark": usage[s.pk].sparkline(),
            "spark_id": f"spark-{s.pk}",
            "review": reviews.get(s.pk),
            "unconnected": selectors.is_unconnected(s, usage[s.pk]),
        }
        for s in items
    ]
    context = {
        "page": page,
        "lines": lines,
        "q": q,
        "state": state,
        "states": InformationSystem.State.choices,
        "department": department,
        "departments": Department.objects.filter(is_active=True).order_by("name") if selectors.sees_all(actor) else [],
        "can_register": acting_user(request).has_role(*MANAGERS),
        "is_office": selectors.sees_all(actor),
        "query": request.GET.urlencode(),
    }
    return render(request, "governance/system_list.html", context)


def _edit_page(request: HttpRequest, system: InformationSystem | None) -> HttpResponse:
    if request.method == "POST":
        form = SystemForm(request.POST)

        def save(actor: Actor, _data: dict[str, Any]) -> Done:
            if system is None:
                saved = services.system_register(actor=actor, department=_department(request), data=form.data_object())
            else:
                saved = services.system_update(actor=actor, system=system, data=form.data_object())
            return f"已保存“{saved.name}”。", reverse("governance_wb:system", args=[saved.pk])

        if done := form_write(request, form, save):
            return done
    elif system is None:
        form = SystemForm(initial={"should_connect": True, "deployments": 1, "om_cost_yearly": 0})
    else:
        form = SystemForm(initial=SystemForm.initial_of(system))
    return render(request, "governance/system_edit.html", {"form": form, "system": system})


@staff_required(*MANAGERS)
def system_new(request: HttpRequest) -> HttpResponse:
    _department(request)
    return _edit_page(request, None)


@staff_required(*MANAGERS)
def system_edit(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.system_get_visible(Actor.from_request(request), pk)
    if not SYSTEM.can(found, "edit"):
        messages.error(request, "已整合或已清理的系统不能修改。")
        return redirect("governance_wb:system", pk=pk)
    return _edit_page(request, found)


@staff_required(*VIEWERS)
def system(request: HttpRequest, pk: int) -> HttpResponse:
    actor = Actor.from_request(request)
    found = selectors.system_get_visible(actor, pk)
    usage = selectors.usage_of([found])[found.pk]
    findings = selectors.zombie_findings(found, usage)
    linked = list(found.client_links.select_related("api_client").order_by("linked_at"))
    may_manage = services.can_manage_system(actor, found.department_id)
    linkable = (
        ApiClient.objects.filter(department_id=found.department_id, information_system_link__isnull=True).order_by(
            "name"
        )
        if may_manage
        else ApiClient.objects.none()
    )
    cases = selectors.zombie_cases_visible(actor).filter(system=found)
    context = {
        "system": found,
        "usage": usage,
        "chart": {"labels": usage.sparkline()["labels"], "values": usage.calls, "name": "调用次数"},
        "findings": [(RULE_LABELS[k], v) for k, v in findings.items()],
        "unconnected": selectors.is_unconnected(found, usage),
        "links": linked,
        "linkable": list(linkable),
        "may_manage": may_manage,
        "is_office": selectors.sees_all(actor),
        "moves": [(m, SYSTEM.moves[m].label) for m in services.systems.OWNER_MOVES if SYSTEM.can(found, m)],
        "cases": cases,
        "provided": found.resources_provided.all(),
        "used": found.resources_used.all(),
        "users": found.users.all(),
        "absorbed": found.absorbed.all(),
    }
    return render(request, "governance/system_detail.html", context)


@require_POST
@staff_required(*MANAGERS)
def system_action(request: HttpRequest, pk: int, verb: str) -> HttpResponse:
    found = selectors.system_get_visible(Actor.from_request(request), pk)

    def act(actor: Actor) -> str:
        if verb in ("link", "unlink"):
            client = ApiClient.objects.filter(pk=_int(request.POST.get("api_client")) or 0).first()
            if client is None:
                raise ApplicationError(
                    services.systems.GovernanceError.INVALID_INPUT, "请选择接口调用系统。", {"api_client": "必填"}
                )
            if verb == "link":
                services.system_link_client(actor=actor, system=found, api_client=client)
                return f"已关联接口调用系统“{client.name}”。"
            services.system_unlink_client(actor=actor, system=found, api_client=client)
            return f"已取消关联“{client.name}”。"
        if verb in services.systems.OWNER_MOVES:
            services.system_change_state(actor=actor, system=found, move=verb, note=request.POST.get("note", ""))
            return f"已{SYSTEM.moves[verb].label}。"
        raise Http404

    return post_action(request, act, "governance_wb:system", pk=pk)


# --- Excel ------------------------------------------------------------------------------


class ImportForm(forms.Form):
    file = forms.FileField(label="信息系统清单（.xlsx）")


@staff_required(*MANAGERS)
def inventory_import_page(request: HttpRequest) -> HttpResponse:
    department = _department(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    problems: list[Any] = []
    if request.method == "POST" and form.is_valid():
        try:
            created = inventory_import(
                actor=Actor.from_request(request), department=department, content=form.cleaned_data["file"].read()
            )
        except ImportRefused as error:
            problems = error.rows
            form.add_error(None, error.message)
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, f"已导入 {len(created)} 个信息系统。")
            return redirect("governance_wb:systems")
    return render(request, "governance/inventory_import.html", {"form": form, "problems": problems})


@staff_required(*MANAGERS)
def inventory_template(request: HttpRequest) -> HttpResponse:
    return attachment(excel.template_workbook(), "信息系统清单模板.xlsx", XLSX)


@staff_required(*VIEWERS)
def inventory_export(request: HttpRequest) -> HttpResponse:
    actor = Actor.from_request(request)
    state = request.GET.get("state", "")
    rows = selectors.systems_filter(
        selectors.systems_visible(actor),
        q=request.GET.get("q", "").strip()[:50],
        state=state if state in InformationSystem.State.values else "",
        department=_int(request.GET.get("department")) if selectors.sees_all(actor) else None,
    ).prefetch_related("resources_provided", "resources_used", "users")
    items = list(rows.order_by("department__name", "name", "id")[:EXPORT_LIMIT])
    usage = selectors.usage_of(items)
    reviews = _open_reviews(items)
    lines = [(s, usage[s.pk], reviews[s.pk].get_state_display() if s.pk in reviews else "") for s in items]
    return attachment(excel.export_workbook(lines), "信息系统清单.xlsx", XLSX)


# --- the office's overview --------------------------------------------------------------


@staff_required(Role.EGOV_OFFICE)
def overview(request: HttpRequest) -> HttpResponse:
    data = selectors.overview()
    chart = {
        "departments": [d for d, _ in data.by_department],
        "counts": [n for _, n in data.by_department],
        "om": [round(v, 2) for _, v in data.om_by_department],
        "states": [{"name": s, "value": n} for s, n in data.by_state],
        "zombies": [{"name": s, "value": n} for s, n in data.zombies_by_state],
        "unconnected": len(data.unconnected),
    }
    return render(request, "governance/system_overview.html", {"data": data, "chart": chart})


# --- zombie reviews ---------------------------------------------------------------------


@staff_required(*VIEWERS)
def zombies(request: HttpRequest) -> HttpResponse:
    actor = Actor.from_request(request)
    state = request.GET.get("state", "")
    rows = selectors.zombie_cases_visible(actor)
    if state in ZombieCase.State.values:
        rows = rows.filter(state=state)
    elif state != "all":
        rows = rows.filter(state__in=ZombieCase.OPEN_STATES)
    page = Paginator(rows.order_by("-found_at", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "state": state,
        "states": ZombieCase.State.choices,
        "rule_labels": RULE_LABELS,
        "is_office": selectors.sees_all(actor),
    }
    return render(request, "governance/zombie_list.html", context)


@staff_required(*VIEWERS)
def zombie(request: HttpRequest, pk: int) -> HttpResponse:
    actor = Actor.from_request(request)
    case = selectors.zombie_case_get_visible(actor, pk)
    is_office = selectors.sees_all(actor)
    may_answer = services.can_manage_system(actor, case.system.department_id)
    targets = (
        InformationSystem.objects.filter(state__in=[InformationSystem.State.RUNNING, InformationSystem.State.BUILDING])
        .exclude(pk=case.system_id)
        .select_related("department")
        .order_by("department__name", "name")
        if is_office and ZOMBIE.can(case, "consolidate")
        else InformationSystem.objects.none()
    )
    context = {
        "case": case,
        "rules": [(RULE_LABELS.get(r, r), case.evidence.get(r, {})) for r in case.rules],
        "is_office": is_office,
        "may_answer": may_answer and ZOMBIE.can(case, "self_check"),
        "can": {name: ZOMBIE.can(case, name) for name in ZOMBIE.moves},
        "targets": list(targets),
    }
    return render(request, "governance/zombie_detail.html", context)


@require_POST
@staff_required(*VIEWERS)
def zombie_action(request: HttpRequest, pk: int, verb: str) -> HttpResponse:
    case = selectors.zombie_case_get_visible(Actor.from_request(request), pk)
    post = request.POST

    def act(actor: Actor) -> None:
        if verb == "confirm":
            services.zombie_confirm(actor=actor, case=case, note=post.get("note", ""))
        elif verb == "dismiss":
            services.zombie_dismiss(actor=actor, case=case, note=post.get("note", ""))
        elif verb == "self_check":
            services.zombie_self_check(actor=actor, case=case, answer=post.get("answer", ""))
        elif verb == "send_back":
            services.zombie_send_back(actor=actor, case=case, opinion=post.get("opinion", ""))
        elif verb == "decide":
            into = InformationSystem.objects.filter(pk=_int(post.get("into")) or 0).first()
            services.zombie_decide(
                actor=actor, case=case, decision=post.get("decision", ""), opinion=post.get("opinion", ""), into=into
            )
        else:
            raise Http404

    return post_action(request, act, "governance_wb:zombie_detail", pk=pk)
