"""Workbench pages of 网上办事 (内网): the window queue (受理/补正/不予受理/决定), department
approval tasks (并联审批, 特别程序), item management (import from Excel, publish, withdraw) and the
rectification of bad ratings. Thin: parse, authorize, call, render."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from zhengwu.accounts.decorators import staff_required
from zhengwu.accounts.models import Region, Role
from zhengwu.accounts.session import acting_user
from zhengwu.core.actors import Actor
from zhengwu.core.downloads import XLSX, Sheet, attachment, xlsx
from zhengwu.core.errors import ApplicationError
from zhengwu.core.forms import Done, add_application_error, form_write
from zhengwu.core.import_page import excel_import_page
from zhengwu.eservices import importing, rules, selectors, services
from zhengwu.eservices.forms import (
    BundleDefinitionForm,
    CorrectionForm,
    GuideExtrasForm,
    ImportForm,
    ItemForm,
    MaterialFileForm,
    OpinionForm,
    ReasonForm,
    ResultSampleForm,
)
from zhengwu.eservices.models import (
    Application,
    ApplicationMaterial,
    Bundle,
    CaseTask,
    MaterialFile,
    Rectification,
    ServiceItem,
)
from zhengwu.eservices.services import TIMER_APPLICATION, TIMER_RECTIFICATION, TIMER_TASK
from zhengwu.eservices.views import attempt, file_response
from zhengwu.supervision.models import Light

HANDLERS = (Role.CLERK, Role.DEPT_LEADER)


def _with_timers(rows: Iterable[Any], kind: str) -> list[Any]:
    """The rows with `.timer` set to their live (else latest) timer of `kind` (None when none)."""
    rows = list(rows)
    timers = selectors.timers_of(rows, kind)
    for row in rows:
        row.timer = timers.get(str(row.pk))
    return rows


@staff_required(*HANDLERS)
def window(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    state = request.GET.get("state", "")
    rows = selectors.window_queue(user, state=state)
    page = Paginator(rows, 30).get_page(request.GET.get("page"))
    rows_with = _with_timers(page.object_list, TIMER_APPLICATION)
    context = {"page": page, "rows": rows_with, "state": state, "states": Application.State.choices}
    return render(request, "eservices/wb_window.html", context)


@staff_required(*HANDLERS)
def window_export(request: HttpRequest) -> HttpResponse:
    """The window list (same filter) as an Excel workbook, with the 承诺时限 light of each case."""
    rows = _with_timers(
        selectors.window_queue(acting_user(request), state=request.GET.get("state", ""))[:5000], TIMER_APPLICATION
    )
    body = (
        [
            a.number,
            a.item.name,
            a.applicant_name,
            a.get_state_display(),
            timezone.localtime(a.submitted_at).strftime("%Y-%m-%d %H:%M"),
            a.timer.deadline.isoformat() if a.timer else "",
            str(Light(a.timer.light()).label) if a.timer else "",
        ]
        for a in rows
    )
    header = ["办件编号", "事项", "申请人", "状态", "提交时间", "承诺时限截止", "灯色"]
    content, _rows = xlsx(Sheet("办件", header, body))
    return attachment(content, "window-cases.xlsx", XLSX)


def _visible_case(request: HttpRequest, pk: int) -> Application:
    application = get_object_or_404(Application.objects.select_related("item", "department", "applicant"), pk=pk)
    if not selectors.staff_may_see(acting_user(request), application):
        raise Http404
    return application


@staff_required(*HANDLERS, Role.SUPERVISOR)
def case(request: HttpRequest, pk: int) -> HttpResponse:
    application = _visible_case(request, pk)
    is_window = services.is_handler(Actor.from_request(request), application.department_id)
    tasks = list(application.tasks.select_related("department", "handled_by"))
    context = {
        "application": application,
        "events": selectors.timeline(application),
        "materials": application.materials.select_related("material"),
        "fields": application.item.fields.all(),
        "tasks": _with_timers(tasks, TIMER_TASK),
        "timer": selectors.timers_of([application], TIMER_APPLICATION).get(str(application.pk)),
        "is_window": is_window,
        "correction_form": CorrectionForm(),
        "reason_form": ReasonForm(),
    }
    return render(request, "eservices/wb_case.html", context)


@staff_required(*HANDLERS, Role.SUPERVISOR)
def material(request: HttpRequest, pk: int) -> HttpResponse:
    row = get_object_or_404(ApplicationMaterial.objects.select_related("application"), pk=pk, fetched=False)
    _visible_case(request, row.application_id)
    extension = row.file_name.rsplit(".", 1)[-1]
    content_type = row.content_type or "application/octet-stream"
    response = attachment(bytes(row.content), f"material-{row.pk}.{extension}", content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@staff_required(*HANDLERS)
@require_POST
def case_action(request: HttpRequest, pk: int, verb: str) -> HttpResponse:
    actor = Actor.from_request(request)
    application = _visible_case(request, pk)
    reason = request.POST.get("reason", "")

    def write() -> str:
        if verb == "accept":
            services.application_accept(actor=actor, application=application)
            return "已受理，并联审批任务已派发"
        elif verb == "refuse":
            services.application_refuse(actor=actor, application=application, reason=reason)
            return "已作出不予受理决定"
        elif verb == "correction":
            form = CorrectionForm(request.POST)
            form.is_valid()
            services.application_request_correction(
                actor=actor, application=application, items=form.item_list(), note=form.cleaned_data.get("note", "")
            )
            return "已一次性告知补正，计时暂停"
        elif verb in ("approve", "deny"):
            services.application_decide(actor=actor, application=application, approve=verb == "approve", reason=reason)
            return "已作出准予决定" if verb == "approve" else "已作出不予许可决定"
        raise Http404

    attempt(request, write, lambda done: f"办件 {application.number}：{done}。")
    return redirect("eservices_wb:case", pk=pk)


@staff_required(*HANDLERS)
def tasks(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    done = request.GET.get("done") == "1"
    rows = selectors.tasks_of(user, live_only=not done)
    if done:
        rows = rows.exclude(state__in=CaseTask.LIVE_STATES).order_by("-handled_at", "-id")
    page = Paginator(rows, 30).get_page(request.GET.get("page"))
    context = {"page": page, "rows": _with_timers(page.object_list, TIMER_TASK), "done": done}
    return render(request, "eservices/wb_tasks.html", context)


def _own_task(request: HttpRequest, pk: int) -> CaseTask:
    user = acting_user(request)
    task = get_object_or_404(CaseTask.objects.select_related("application__item", "department", "claimed_by"), pk=pk)
    if task.department_id != user.department_id:
        raise Http404
    return task


@staff_required(*HANDLERS)
def task(request: HttpRequest, pk: int) -> HttpResponse:
    row = _own_task(request, pk)
    application = row.application
    context = {
        "task": row,
        "application": application,
        "fields": application.item.fields.all(),
        "materials": application.materials.filter(current=True).select_related("material"),
        "siblings": application.tasks.filter(stage_position=row.stage_position).select_related("department"),
        "timer": selectors.timers_of([row], TIMER_TASK).get(str(row.pk)),
        "opinion_form": OpinionForm(),
        "reason_form": ReasonForm(),
        # 认领: a claimed task is acted on by its claimer only (the service refuses the others too).
        "may_act": row.claimed_by_id is None or row.claimed_by_id == acting_user(request).pk,
    }
    return render(request, "eservices/wb_task.html", context)


@staff_required(*HANDLERS)
@require_POST
def task_action(request: HttpRequest, pk: int, verb: str) -> HttpResponse:
    actor = Actor.from_request(request)
    row = _own_task(request, pk)
    if verb == "claim":
        attempt(
            request,
            lambda: services.task_claim(actor=actor, task=row),
            f"{row.application.number} {row.name}：已认领，请办理。",
        )
        return redirect("eservices_wb:task", pk=pk)

    def write() -> str:
        if verb in ("approve", "reject"):
            services.task_complete(
                actor=actor, task=row, approve=verb == "approve", opinion=request.POST.get("opinion", "")
            )
            return "已提交审查意见"
        elif verb == "special":
            services.task_special_start(actor=actor, task=row, reason=request.POST.get("reason", ""))
            return "已启动特别程序，计时暂停"
        elif verb == "special_end":
            services.task_special_end(actor=actor, task=row)
            return "特别程序已结束，恢复计时"
        raise Http404

    if not attempt(request, write, lambda done: f"{row.application.number} {row.name}：{done}。"):
        return redirect("eservices_wb:task", pk=pk)
    return redirect("eservices_wb:tasks")


@staff_required(*HANDLERS, Role.EGOV_OFFICE)
def items(request: HttpRequest) -> HttpResponse:
    rows = selectors.items_managed_by(acting_user(request)).order_by("state", "impl_code")
    page = Paginator(rows, 30).get_page(request.GET.get("page"))
    return render(request, "eservices/wb_items.html", {"page": page, "reason_form": ReasonForm()})


@staff_required(*HANDLERS, Role.EGOV_OFFICE)
def item(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    row = get_object_or_404(selectors.items_managed_by(user), pk=pk)
    materials: list[Any] = list(selectors.materials_with_files(row))
    for material in materials:  # one upload form per material, with ids of its own
        material.file_form = MaterialFileForm(auto_id=f"id_material{material.pk}_%s")
    context = {
        "item": row,
        "materials": materials,
        "material_file_url": "eservices_wb:material_file",
        # 空白表格 / 示例样表 are uploaded by the item's own department only.
        "may_upload": services.is_handler(Actor.from_request(request), row.department_id),
        "fields": row.fields.all(),
        "stages": row.stages.prefetch_related("tasks__department"),
        "results": row.results.all(),
        "reason_form": ReasonForm(),
    }
    return render(request, "eservices/wb_item.html", context)


@staff_required(*HANDLERS)
@require_POST
def material_file_upload(request: HttpRequest, pk: int, material_pk: int) -> HttpResponse:
    user = acting_user(request)
    row: ServiceItem = get_object_or_404(selectors.items_managed_by(user), pk=pk)
    material = get_object_or_404(row.materials, pk=material_pk)
    form = MaterialFileForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "请选择类别和文件。")
        return redirect("eservices_wb:item", pk=pk)
    attempt(
        request,
        lambda: services.material_file_upload(
            actor=Actor.from_request(request), material=material, kind=form.cleaned_data["kind"], upload=form.upload()
        ),
        lambda saved: f"已上传“{material.name}”的{saved.get_kind_display()}。",
    )
    return redirect("eservices_wb:item", pk=pk)


@staff_required(*HANDLERS, Role.EGOV_OFFICE)
def material_file(request: HttpRequest, pk: int) -> HttpResponse:
    row = get_object_or_404(
        MaterialFile.objects.select_related("material"),
        pk=pk,
        material__item__in=selectors.items_managed_by(acting_user(request)),
    )
    return file_response(row)


@staff_required(*HANDLERS)
def item_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    row: ServiceItem = get_object_or_404(selectors.items_managed_by(user), pk=pk)
    form = ItemForm(request.POST or None, initial=ItemForm.initial_of(row))

    def save(actor: Actor, data: dict[str, Any]) -> Done:
        services.item_update(actor=actor, item=row, data=form.item_data())
        return f"已保存《{row.name}》。", reverse("eservices_wb:item", args=[pk])

    return form_write(request, form, save) or render(
        request, "eservices/wb_item_edit.html", {"item": row, "form": form}
    )


@staff_required(*HANDLERS, Role.EGOV_OFFICE)
@require_POST
def item_action(request: HttpRequest, pk: int, verb: str) -> HttpResponse:
    actor = Actor.from_request(request)
    row: ServiceItem = get_object_or_404(selectors.items_managed_by(acting_user(request)), pk=pk)

    def write() -> str:
        if verb == "publish":
            services.item_publish(actor=actor, item=row)
            return "已发布，办事指南已在门户公开"
        elif verb == "withdraw":
            services.item_withdraw(actor=actor, item=row, reason=request.POST.get("reason", ""))
            return "已停用"
        raise Http404

    attempt(request, write, lambda done: f"《{row.name}》{done}。")
    return redirect("eservices_wb:item", pk=pk)


@staff_required(*HANDLERS)
def item_import(request: HttpRequest) -> HttpResponse:
    def load(actor: Actor, content: bytes) -> str:
        created = importing.items_import_excel(actor=actor, content=content)
        return f"已导入 {len(created)} 个事项（草稿），请检查后发布。"

    form = ImportForm(request.POST or None, request.FILES or None)
    return excel_import_page(request, form, load, "eservices_wb:items", "eservices/wb_import.html")


@staff_required(*HANDLERS)
def item_template(request: HttpRequest) -> HttpResponse:
    return attachment(importing.template_workbook(), "service-items-template.xlsx", XLSX)


@staff_required(*HANDLERS, Role.SUPERVISOR)
def ratings(request: HttpRequest) -> HttpResponse:
    rows = selectors.rectifications_for(acting_user(request))
    state = request.GET.get("state", "")
    if state in Rectification.State.values:
        rows = rows.filter(state=state)
    page = Paginator(rows, 30).get_page(request.GET.get("page"))
    rows_with = _with_timers(page.object_list, TIMER_RECTIFICATION)
    context = {"page": page, "rows": rows_with, "state": state, "states": Rectification.State.choices}
    return render(request, "eservices/wb_ratings.html", context)


@staff_required(*HANDLERS, Role.SUPERVISOR)
def rating(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    row = get_object_or_404(selectors.rectifications_for(user), pk=pk)
    context = {
        "rect": row,
        "rating": row.rating,
        "application": row.rating.application,
        "timer": selectors.timers_of([row], TIMER_RECTIFICATION).get(str(row.pk)),
        "is_handler": services.is_handler(Actor.from_request(request), row.department_id),
        "is_supervisor": user.has_role(Role.SUPERVISOR),
        "reason_form": ReasonForm(),
    }
    return render(request, "eservices/wb_rating.html", context)


@staff_required(*HANDLERS, Role.SUPERVISOR)
@require_POST
def rating_action(request: HttpRequest, pk: int, verb: str) -> HttpResponse:
    actor = Actor.from_request(request)
    row = get_object_or_404(selectors.rectifications_for(acting_user(request)), pk=pk)
    reason = request.POST.get("reason", "")

    def write() -> str:
        if verb == "complete":
            services.rectification_complete(actor=actor, rectification=row, response=reason)
            return "整改情况已提交"
        elif verb == "appeal":
            services.rectification_appeal(actor=actor, rectification=row, reason=reason)
            return "申诉已提交电子监察审核"
        elif verb in ("uphold", "reject"):
            services.rectification_decide_appeal(
                actor=actor, rectification=row, upheld=verb == "uphold", comment=reason
            )
            return "申诉成立，该评价不计入统计" if verb == "uphold" else "申诉不成立，请继续整改"
        raise Http404

    attempt(request, write, lambda done: done + "。")
    return redirect("eservices_wb:rating", pk=pk)


# --- 一件事 (defined by the e-gov office) ---------------------------------------------------


@staff_required(Role.EGOV_OFFICE)
def bundles(request: HttpRequest) -> HttpResponse:
    rows = Bundle.objects.prefetch_related("entries__item__department").order_by("code")
    page = Paginator(rows, 30).get_page(request.GET.get("page"))
    return render(request, "eservices/wb_bundles.html", {"page": page})


@staff_required(Role.EGOV_OFFICE)
def bundle_new(request: HttpRequest) -> HttpResponse:
    return _bundle_form(request, None)


@staff_required(Role.EGOV_OFFICE)
def bundle_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _bundle_form(request, get_object_or_404(Bundle, pk=pk))


def _bundle_form(request: HttpRequest, row: Bundle | None) -> HttpResponse:
    """Define a new 一件事 (`row` None) or change one (its code and audience stay)."""
    initial: dict[str, Any] = {"active": True}
    if row is not None:
        initial = {
            "code": row.code,
            "name": row.name,
            "audience": row.audience,
            "description": row.description,
            "items": [e.item_id for e in row.entries.all()],
            "active": row.active,
        }
    form = BundleDefinitionForm(request.POST or None, initial=initial)
    if row is not None:
        form.fields["code"].disabled = form.fields["audience"].disabled = True

    def save(actor: Actor, data: dict[str, Any]) -> Done:
        common = {"name": data["name"], "items": list(data["items"]), "description": data["description"]}
        saved = row
        if saved is None:
            saved = services.bundle_create(actor=actor, code=data["code"], audience=data["audience"], **common)
        else:
            services.bundle_update(actor=actor, bundle=saved, active=data["active"], **common)
        return f"已保存一件事“{saved.name}”。", "eservices_wb:bundles"

    if done := form_write(request, form, save):
        return done
    return render(request, "eservices/wb_bundle_edit.html", {"form": form, "bundle": row})


@staff_required(*HANDLERS, Role.EGOV_OFFICE)
def item_guide(request: HttpRequest, pk: int) -> HttpResponse:
    """主题, 区划, 收费依据, 常见问题 and 救济途径 of an item, and its 结果样本 (in any state)."""
    row: ServiceItem = get_object_or_404(selectors.items_managed_by(acting_user(request)), pk=pk)
    themes = selectors.theme_names([row]).get(row.pk, [])
    form = GuideExtrasForm(request.POST or None, item=row, initial=GuideExtrasForm.initial_of(row, themes))
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["region"].strip()
        region = Region.objects.filter(code=code).first() if code else None
        if code and region is None:
            form.add_error("region", f"所属区划代码 {code} 不存在。")
        else:
            try:
                services.item_guide_set(actor=Actor.from_request(request), item=row, extras=form.extras(region))
            except ApplicationError as error:
                add_application_error(form, error)
            else:
                messages.success(request, f"已保存《{row.name}》的主题、区划、常见问题和救济途径。")
                return redirect("eservices_wb:item_guide", pk=pk)
    results: list[Any] = list(row.results.defer("sample"))
    for result in results:
        result.sample_form = ResultSampleForm(auto_id=f"id_result{result.pk}_%s")
    context = {"item": row, "form": form, "results": results, "remedies": rules.remedies(row)}
    return render(request, "eservices/wb_item_guide.html", context)


@staff_required(*HANDLERS, Role.EGOV_OFFICE)
@require_POST
def result_sample_upload(request: HttpRequest, pk: int, result_pk: int) -> HttpResponse:
    row: ServiceItem = get_object_or_404(selectors.items_managed_by(acting_user(request)), pk=pk)
    result = get_object_or_404(row.results.defer("sample"), pk=result_pk)
    form = ResultSampleForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "请选择结果样本文件。")
    else:
        attempt(
            request,
            lambda: services.result_sample_upload(
                actor=Actor.from_request(request), result=result, upload=form.upload()
            ),
            f"已上传“{result.name}”的结果样本。",
        )
    return redirect("eservices_wb:item_guide", pk=pk)
