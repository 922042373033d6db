"""Workbench pages of the disclosure app (内网): the department's publications (draft, edit,
attach, publish, withdraw), its request queue with lights and each request's steps, and the
annual report. Thin: parse, call a service or selector, render."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from zhengwu.accounts.decorators import staff_required
from zhengwu.accounts.models import Department, Role, User
from zhengwu.accounts.session import acting_user
from zhengwu.core import workdays
from zhengwu.core.actors import Actor
from zhengwu.core.errors import ApplicationError, permission_denied
from zhengwu.core.forms import Done, add_application_error, form_write
from zhengwu.disclosure import reports, selectors, services
from zhengwu.disclosure.errors import DisclosureError
from zhengwu.disclosure.forms import (
    AnswerForm,
    AttachmentForm,
    ConsultEndForm,
    ConsultStartForm,
    CorrectedForm,
    CorrectionForm,
    ExtendForm,
    PublicationForm,
    ReasonForm,
    RegisterRequestForm,
    ReportForm,
)
from zhengwu.disclosure.models import Attachment, DisclosureRequest, Publication, Validity
from zhengwu.disclosure.services import PublicationData
from zhengwu.disclosure.views import report_context, report_workbook_response

STAFF = (Role.CLERK, Role.DEPT_LEADER)


def _department(user: User) -> Department:
    if user.department is None:
        raise permission_denied("您未归属任何部门。")
    return user.department


def _own_publication(user: User, pk: int) -> Publication:
    return get_object_or_404(selectors.department_publications(user), pk=pk)


# --- publications ---------------------------------------------------------------------------


@staff_required(*STAFF)
def publications(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    rows = selectors.department_publications(user)
    state = request.GET.get("state", "")
    if state in Publication.State.values:
        rows = rows.filter(state=state)
    query = request.GET.get("q", "").strip()[:100]
    if query:
        rows = rows.filter(title__icontains=query)
    page = Paginator(rows.order_by("-updated_at", "-id"), 30).get_page(request.GET.get("page"))
    context = {"page": page, "state": state, "q": query, "states": Publication.State.choices}
    return render(request, "disclosure/wb_publications.html", context)


def _edit_page(request: HttpRequest, publication: Publication | None) -> HttpResponse:
    user = acting_user(request)
    if publication is None:
        initial = {"date_written": workdays.today()}
    else:
        initial = PublicationForm.initial_of(PublicationData.of(publication))
    form = PublicationForm(request.POST or None, initial=initial)

    def save(actor: Actor, data: dict[str, Any]) -> Done:
        saved = publication
        if saved is None:
            saved = services.publication_create(actor=actor, department=_department(user), data=form.data_object())
        else:
            saved = services.publication_update(actor=actor, publication=saved, data=form.data_object())
        return f"已保存《{saved.title}》。", reverse("disclosure_wb:publication", args=[saved.pk])

    return form_write(request, form, save) or render(
        request, "disclosure/wb_edit.html", {"form": form, "publication": publication}
    )


@staff_required(*STAFF)
def publication_new(request: HttpRequest) -> HttpResponse:
    _department(acting_user(request))
    return _edit_page(request, None)


@staff_required(*STAFF)
def publication_edit(request: HttpRequest, pk: int) -> HttpResponse:
    publication = _own_publication(acting_user(request), pk)
    if publication.state != Publication.State.DRAFT:
        messages.error(request, "只有草稿可以编辑。")
        return redirect("disclosure_wb:publication", pk=pk)
    return _edit_page(request, publication)


@staff_required(*STAFF)
def publication(request: HttpRequest, pk: int) -> HttpResponse:
    found = _own_publication(acting_user(request), pk)
    context = {
        "publication": found,
        "attachments": found.attachments.order_by("id"),
        "timer": selectors.publication_timer(found),
        "attachment_form": AttachmentForm(),
        "reason_form": ReasonForm(),
        "validity_choices": Validity.choices,
    }
    return render(request, "disclosure/wb_publication.html", context)


@staff_required(*STAFF)
@require_POST
def publication_action(request: HttpRequest, pk: int, verb: str) -> HttpResponse:
    user = acting_user(request)
    actor = Actor.from_request(request)
    found = _own_publication(user, pk)
    try:
        if verb == "publish":
            done = services.publication_publish(actor=actor, publication=found)
            messages.success(request, f"已发布，索引号 {done.index_number}。")
        elif verb == "withdraw":
            services.publication_withdraw(actor=actor, publication=found, reason=request.POST.get("reason", ""))
            messages.success(request, "已撤回。")
        elif verb == "validity":
            services.publication_set_validity(actor=actor, publication=found, validity=request.POST.get("validity", ""))
            messages.success(request, "有效性已更新。")
        elif verb == "delete":
            services.publication_delete_draft(actor=actor, publication=found)
            messages.success(request, "草稿已删除。")
            return redirect("disclosure_wb:publications")
        elif verb == "attach":
            form = AttachmentForm(request.POST, request.FILES)
            if not form.is_valid():
                raise ApplicationError(DisclosureError.INVALID_INPUT, "请选择要上传的文件。", {"file": "必填"})
            upload = form.cleaned_data["file"]
            if upload.size > services.MAX_ATTACHMENT_BYTES:
                raise ApplicationError(DisclosureError.FILE_TOO_LARGE, "附件不能超过 20 MB。", {"file": "过大"})
            services.attachment_add(
                actor=actor,
                publication=found,
                name=upload.name,
                content=upload.read(),
                content_type=upload.content_type or "",
            )
            messages.success(request, "附件已上传。")
        else:
            raise permission_denied()
    except ApplicationError as error:
        messages.error(request, error.message)
    return redirect("disclosure_wb:publication", pk=pk)


@staff_required(*STAFF)
@require_POST
def attachment_delete(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    found = get_object_or_404(Attachment.objects.select_related("publication"), pk=pk)
    if found.publication.department_id != user.department_id:
        raise permission_denied()
    actor = Actor.from_request(request)
    try:
        services.attachment_remove(actor=actor, attachment=found)
    except ApplicationError as error:
        messages.error(request, error.message)
    return redirect("disclosure_wb:publication", pk=found.publication_id)


# --- requests -------------------------------------------------------------------------------


@staff_required(*STAFF)
def requests(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    rows = selectors.requests_for_staff(user)
    state = request.GET.get("state", "open")
    if state == "open":
        rows = rows.filter(state__in=DisclosureRequest.OPEN_STATES)
    elif state in DisclosureRequest.State.values:
        rows = rows.filter(state=state)
    page = Paginator(rows.order_by("-id"), 30).get_page(request.GET.get("page"))
    todo = {item.url: item for item in selectors.todo_items(user)}
    for row in page.object_list:
        item = todo.get(reverse("disclosure_wb:request", args=[row.pk]))
        row.light = item.light if item else ""
        row.deadline = item.deadline if item else None
    context = {"page": page, "state": state, "states": DisclosureRequest.State.choices}
    return render(request, "disclosure/wb_requests.html", context)


@staff_required(*STAFF)
def request_register(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    department = _department(user)
    if request.method == "POST":
        form = RegisterRequestForm(request.POST)

        def register(actor: Actor, data: dict[str, Any]) -> Done:
            created = services.request_register(
                actor=actor,
                department=department,
                channel=data["channel"],
                applicant=form.applicant(),
                description=data["description"],
                received_on=data["received_on"],
                delivery=data["delivery"],
            )
            return f"已登记，编号 {created.number}。", reverse("disclosure_wb:request", args=[created.pk])

        if done := form_write(request, form, register):
            return done
    else:
        form = RegisterRequestForm()
    return render(request, "disclosure/wb_register.html", {"form": form})


@staff_required(*STAFF)
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    found = selectors.request_for_staff(user, pk)
    return _request_page(request, found, {})


def _request_page(request: HttpRequest, found: DisclosureRequest, forms: dict[str, Any]) -> HttpResponse:
    user = acting_user(request)
    timer = selectors.request_timer(found)
    correction_last = (
        workdays.add_workdays(found.received_on, services.correction_days()) if found.received_on else None
    )
    context = {
        "req": found,
        "events": found.events.order_by("at", "id"),
        "timer": timer,
        "consult_due": services.consult_due(found),
        "correction_last": correction_last,
        "is_leader": user.has_role(Role.DEPT_LEADER),
        "correction_form": forms.get("correction") or CorrectionForm(),
        "corrected_form": forms.get("corrected") or CorrectedForm(),
        "extend_form": forms.get("extend") or ExtendForm(),
        "consult_start_form": forms.get("consult_start") or ConsultStartForm(),
        "consult_end_form": forms.get("consult_end") or ConsultEndForm(),
        "answer_form": forms.get("answer") or AnswerForm(),
        "reason_form": ReasonForm(),
        "required_content": services.REQUIRED_CONTENT,
    }
    return render(request, "disclosure/wb_request.html", context)


FORMS: dict[str, type] = {
    "correction": CorrectionForm,
    "corrected": CorrectedForm,
    "extend": ExtendForm,
    "consult_start": ConsultStartForm,
    "consult_end": ConsultEndForm,
    "answer": AnswerForm,
}


def _call(verb: str, actor: Actor, found: DisclosureRequest, d: dict[str, Any]) -> str:
    on: date | None = d.get("on")
    if verb == "confirm":
        services.request_confirm_receipt(actor=actor, disclosure_request=found)
        return "已确认收到，开始计算答复期限。"
    if verb == "correction":
        services.request_ask_correction(actor=actor, disclosure_request=found, items=d["items"], on=on)
        return "已告知补正。"
    if verb == "corrected":
        services.request_correct(actor=actor, disclosure_request=found, description=d["description"], on=on)
        return "已登记补正，答复期限重新计算。"
    if verb == "extend":
        services.request_extend(actor=actor, disclosure_request=found, days=d["days"], reason=d["reason"])
        return "已延长答复期限并告知申请人。"
    if verb == "consult_start":
        services.request_consult_start(actor=actor, disclosure_request=found, third_party=d["third_party"], on=on)
        return "已征求第三方意见，答复期限暂停计算。"
    if verb == "consult_end":
        services.request_consult_end(actor=actor, disclosure_request=found, view=d["view"], on=on)
        return "第三方意见已登记，答复期限恢复计算。"
    if verb == "answer":
        form = d["form"]
        services.request_answer(actor=actor, disclosure_request=found, answer=form.answer())
        return "已作出答复。"
    if verb == "close":
        services.request_close_uncorrected(actor=actor, disclosure_request=found, reason=d.get("reason", ""))
        return "已终止办理。"
    raise permission_denied()


@staff_required(*STAFF)
@require_POST
def request_action(request: HttpRequest, pk: int, verb: str) -> HttpResponse:
    user = acting_user(request)
    found = selectors.request_for_staff(user, pk)
    form_class = FORMS.get(verb)
    form = form_class(request.POST) if form_class else None
    if form is not None and not form.is_valid():
        messages.error(request, "请检查填写的内容。")
        return _request_page(request, found, {verb: form})
    values: dict[str, Any] = dict(form.cleaned_data) if form is not None else {"reason": request.POST.get("reason", "")}
    values["form"] = form
    try:
        done = _call(verb, Actor.from_request(request), found, values)
    except ApplicationError as error:
        if form is not None:
            add_application_error(form, error)
            messages.error(request, error.message)
            return _request_page(request, found, {verb: form})
        messages.error(request, error.message)
    else:
        messages.success(request, done)
    return redirect("disclosure_wb:request", pk=pk)


# --- annual reports -------------------------------------------------------------------------


def _report_department(actor: Actor, department_id: int) -> Department:
    department = get_object_or_404(Department, pk=department_id)
    if not reports.may_view(actor, department.pk):
        raise permission_denied("只能查看本机关的年度报告。")
    return department


@staff_required(Role.DEPT_LEADER, Role.EGOV_OFFICE)
def annual_reports(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    this_year = workdays.today().year
    if user.has_role(Role.EGOV_OFFICE):
        departments = list(Department.objects.filter(is_active=True).order_by("name"))
    else:
        departments = [_department(user)]
    years = list(range(this_year, this_year - 5, -1))
    return render(request, "disclosure/wb_reports.html", {"departments": departments, "years": years})


@staff_required(Role.DEPT_LEADER, Role.EGOV_OFFICE)
def annual_report(request: HttpRequest, department_id: int, year: int) -> HttpResponse:
    actor = Actor.from_request(request)
    department = _report_department(actor, department_id)
    if not 2008 <= year <= 2100:
        raise permission_denied("年度无效。")
    report = reports.report_of(department, year)
    can_edit = reports.may_edit(actor, department.pk)
    form = ReportForm(initial={name: getattr(report, name) for name in reports.MANUAL_FIELDS})
    if request.method == "POST":
        if not can_edit:
            raise permission_denied("只有本机关负责人可以编辑年度报告。")
        form = ReportForm(request.POST)

        def save(actor: Actor, data: dict[str, Any]) -> Done:
            reports.annual_report_save(actor=actor, department=department, year=year, values=data)
            back = reverse("disclosure_wb:annual_report", kwargs={"department_id": department.pk, "year": year})
            return "年度报告已保存。", back

        if done := form_write(request, form, save):
            return done
    context = {**report_context(department, year, report), "form": form if can_edit else None}
    return render(request, "disclosure/wb_report.html", context)


@staff_required(Role.DEPT_LEADER, Role.EGOV_OFFICE)
def annual_report_xlsx(request: HttpRequest, department_id: int, year: int) -> HttpResponse:
    department = _report_department(Actor.from_request(request), department_id)
    if not 2008 <= year <= 2100:
        raise permission_denied("年度无效。")
    return report_workbook_response(department, year)
