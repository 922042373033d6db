"""Workbench pages of 政务信息化项目: a department's staff declare and carry their projects, the
e-government office reviews, approves, accepts and evaluates every project. The sharing gate's
reasons show on the project's page before the office acts and when it is refused. Thin."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from zhengwu.accounts.decorators import staff_required
from zhengwu.accounts.models import Role
from zhengwu.core.actors import Actor
from zhengwu.core.downloads import attachment
from zhengwu.core.errors import ApplicationError
from zhengwu.core.lookups import found_or_404
from zhengwu.core.post_action import post_action
from zhengwu.governance import storage
from zhengwu.governance.models import FundingSource, InformationSystem, LinkRole, Project, ProjectDocument
from zhengwu.governance.services import projects as services
from zhengwu.governance.services.projects import DataLine, ProjectInput, SystemLine
from zhengwu.governance.states import PROJECT

ROLES = (Role.EGOV_OFFICE, Role.SYSTEMS_OFFICER, Role.CLERK, Role.DEPT_LEADER)
DEPARTMENT = (Role.SYSTEMS_OFFICER, Role.CLERK, Role.DEPT_LEADER)
PAGE_SIZE = 30


def _visible(request: HttpRequest) -> QuerySet[Project]:
    actor = Actor.from_request(request)
    rows = Project.objects.select_related("department")
    if services.is_office(actor):
        return rows
    return rows.filter(department_id=actor.department_id or 0)


def _project(request: HttpRequest, pk: int) -> Project:
    return found_or_404(_visible(request).filter(pk=pk).first(), "没有这个项目。")


@staff_required(*ROLES)
def project_list(request: HttpRequest) -> HttpResponse:
    rows = _visible(request)
    state = request.GET.get("state", "")
    if state in Project.State.values:
        rows = rows.filter(state=state)
    page = Paginator(rows.order_by("-created_at", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    actor = Actor.from_request(request)
    context = {
        "page": page,
        "state": state,
        "states": Project.State.choices,
        "may_declare": actor.has_role(*DEPARTMENT) and actor.department_id is not None,
    }
    return render(request, "governance/project_list.html", context)


def _lines(text: str) -> list[list[str]]:
    return [[part.strip() for part in line.replace("｜", "|").split("|")] for line in text.splitlines() if line.strip()]


def _role(parts: list[str]) -> str:
    return LinkRole.USES if len(parts) > 2 and parts[2] in ("使用", LinkRole.USES) else LinkRole.CREATES


def _input(request: HttpRequest) -> ProjectInput:
    post = request.POST
    data = [DataLine(p[0], _role(p), p[1] if len(p) > 1 else "") for p in _lines(post.get("data_lines", ""))]
    systems = [
        SystemLine(p[0], _role(p), int(p[1]) if len(p) > 1 and p[1].isdigit() else None)
        for p in _lines(post.get("system_lines", ""))
    ]
    level = post.get("mlps_level", "")
    return ProjectInput(
        name=post.get("name", ""),
        plan=post.get("plan", ""),
        budget=post.get("budget", ""),
        om_cost_yearly=post.get("om_cost_yearly", ""),
        funding_source=post.get("funding_source", ""),
        mlps_level=int(level) if level.isdigit() else 0,
        path=post.get("path", Project.Path.APPROVAL),
        data=data,
        systems=systems,
    )


def _form_context(request: HttpRequest, project: Project | None) -> dict[str, object]:
    actor = Actor.from_request(request)
    if request.method == "POST":
        values = dict(request.POST.items())
    elif project is not None:
        values = {
            "name": project.name,
            "plan": project.plan,
            "budget": str(project.budget),
            "om_cost_yearly": str(project.om_cost_yearly),
            "funding_source": project.funding_source,
            "mlps_level": str(project.mlps_level),
            "path": project.path,
            "data_lines": "\n".join(
                f"{d.name} | {d.resource.code if d.resource else ''} | {d.get_role_display()}"
                for d in project.data.all()
            ),
            "system_lines": "\n".join(
                f"{s.name} | {s.system_id or ''} | {s.get_role_display()}" for s in project.systems.all()
            ),
        }
    else:
        values = {"mlps_level": "2", "funding_source": FundingSource.FISCAL, "path": Project.Path.APPROVAL}
    systems = InformationSystem.objects.filter(department_id=actor.department_id or 0).order_by("name")
    return {
        "project": project,
        "values": values,
        "funding": FundingSource.choices,
        "paths": Project.Path.choices,
        "systems": systems,
    }


@staff_required(*DEPARTMENT)
def project_new(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        try:
            project = services.project_declare(actor=Actor.from_request(request), data=_input(request))
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            return redirect("governance_wb:project", pk=project.pk)
    return render(request, "governance/project_form.html", _form_context(request, None))


@staff_required(*DEPARTMENT)
def project_edit(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project(request, pk)
    if request.method == "POST":
        try:
            services.project_update(actor=Actor.from_request(request), project=project, data=_input(request))
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            return redirect("governance_wb:project", pk=pk)
    return render(request, "governance/project_form.html", _form_context(request, project))


@staff_required(*ROLES)
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project(request, pk)
    actor = Actor.from_request(request)
    context = {
        "project": project,
        "data": project.data.select_related("resource"),
        "systems": project.systems.select_related("system"),
        "milestones": project.milestones.all(),
        "reports": project.reports.all(),
        "documents": project.documents.all(),
        "gate": services.sharing_gate(project),
        "flags": services.om_flags(project),
        "office": services.is_office(actor),
        "staff": services.is_department_staff(actor, project.department_id),
        "can": {name: PROJECT.can(project, name) for name in PROJECT.moves},
        "own_systems": InformationSystem.objects.filter(department_id=project.department_id).order_by("name"),
    }
    return render(request, "governance/project_detail.html", context)


def _date(text: str | None) -> date | None:
    try:
        return date.fromisoformat((text or "").strip())
    except ValueError:
        return None


def _int(text: str | None) -> int | None:
    return int(text) if text and text.isdigit() else None


@staff_required(*ROLES)
@require_POST
def project_action(request: HttpRequest, pk: int, verb: str) -> HttpResponse:
    project = _project(request, pk)
    post = request.POST

    def act(actor: Actor) -> None:
        if verb == "submit":
            services.project_submit(actor=actor, project=project)
        elif verb in ("review", "reject"):
            services.project_review(
                actor=actor,
                project=project,
                passed=verb == "review",
                tech_opinion=post.get("tech_opinion", ""),
                ndrc_opinion=post.get("ndrc_opinion", ""),
                finance_opinion=post.get("finance_opinion", ""),
            )
        elif verb == "send_back":
            services.project_send_back(actor=actor, project=project, reason=post.get("reason", ""))
        elif verb == "approve":
            services.project_approve(actor=actor, project=project, approval_number=post.get("approval_number", ""))
        elif verb == "confirm_filing":
            services.project_confirm_filing(actor=actor, project=project)
        elif verb == "establish":
            services.project_establish(actor=actor, project=project)
        elif verb == "start_building":
            services.project_start_building(actor=actor, project=project)
        elif verb == "milestone":
            services.project_milestone_add(
                actor=actor,
                project=project,
                name=post.get("name", ""),
                due_on=_date(post.get("due_on")),
                done_on=_date(post.get("done_on")),
            )
        elif verb == "report":
            services.project_report_add(
                actor=actor,
                project=project,
                title=post.get("title", ""),
                content=post.get("content", ""),
                author=post.get("author", ""),
                reported_on=_date(post.get("reported_on")),
            )
        elif verb == "request_acceptance":
            services.project_request_acceptance(actor=actor, project=project)
        elif verb == "accept":
            services.project_accept(actor=actor, project=project, opinion=post.get("opinion", ""))
        elif verb == "evaluate":
            services.project_evaluate(
                actor=actor, project=project, score=post.get("score", ""), opinion=post.get("opinion", "")
            )
        elif verb == "link_data":
            services.project_link(
                actor=actor,
                project=project,
                data_id=_int(post.get("item")),
                resource_code=post.get("resource_code", ""),
            )
        elif verb == "link_system":
            services.project_link(
                actor=actor,
                project=project,
                system_link_id=_int(post.get("item")),
                system_id=_int(post.get("system_id")),
            )
        elif verb == "attach":
            upload = request.FILES.get("file")
            services.project_attach(
                actor=actor,
                project=project,
                name=(upload.name or "") if upload else "",
                content=upload.read() if upload else b"",
            )
        else:
            raise Http404("没有这一操作。")

    return post_action(request, act, "governance_wb:project", pk=pk)


@staff_required(*ROLES)
def project_document(request: HttpRequest, pk: int, document_id: int) -> HttpResponse:
    project = _project(request, pk)
    document = found_or_404(ProjectDocument.objects.filter(project=project, pk=document_id).first(), "没有这个文件。")
    try:
        content = storage.read(document.path)
    except (OSError, ValueError):
        raise Http404("文件已不在存储中。") from None
    return attachment(content, document.name, "application/octet-stream")
